/**
 * The decoder on hostile input: valid JSON followed by garbage (every container shape), bytes that are not valid
 * UTF-8, and the uncompressed bytes handed to `onDecodedBytes` while streaming.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  decodeLogObject,
  decodeUtf8SurrogateEscaped,
  LogDecodeError,
  type DecodedItem,
  type DecodeOptions,
} from '../../../lambda/core/decode';
import { newCounts, normaliseLogObject } from '../../../lambda/core/pipeline';
import { cut, oneByteChunks, seededRandom, source, targetedChunkings } from '../../helpers/chunkings';

const KEY = 'AWSLogs/123456789012/CloudTrail/us-west-2/2024/03/28/123456789012_CloudTrail_us-west-2_20240328T0915Z_x.json.gz';
const RECORD = JSON.stringify({
  eventVersion: '1.09',
  eventTime: '2024-03-28T09:15:00Z',
  eventSource: 'elasticloadbalancing.amazonaws.com',
  eventName: 'DeleteLoadBalancer',
  awsRegion: 'us-west-2',
  eventID: '00000000-0000-4000-8000-000000000001',
});

async function decodeAll(chunks: readonly Uint8Array[], options: Partial<DecodeOptions> = {}): Promise<DecodedItem[]> {
  const items: DecodedItem[] = [];
  for await (const item of decodeLogObject(source(chunks), { objectKey: KEY, ...options })) items.push(item);
  return items;
}

async function decodeError(bytes: Uint8Array): Promise<LogDecodeError> {
  try {
    await decodeAll([bytes]);
  } catch (error) {
    if (error instanceof LogDecodeError) return error;
    throw error;
  }
  throw new Error('expected a LogDecodeError, the object decoded without one');
}

// ---- valid JSON followed by garbage -------------------------------------------------------------------------------

describe('decodeLogObject: valid JSON followed by garbage', () => {
  // [container shape, the text, the byte offset of the first byte that is not JSON (or where the data ends)]
  const at = (text: string): [string, number] => [text, text.indexOf('garbage')];
  const cases: [string, string, number][] = [
    ['an object that is not a log file', ...at('{"foo":1} garbage')],
    ['an array of numbers, cut short', ...at('[1, garbage')],
    ['an array of numbers', ...at('[1,2,3] garbage')],
    ['an empty object', ...at('{} garbage')],
    ['an empty array', ...at('[] garbage')],
    ['a string', ...at('"AWSLogs/" garbage')],
    ['a number', ...at('42 garbage')],
    ['null', ...at('null garbage')],
    ['an object whose Records is not an array', ...at('{"Records":null} garbage')],
    ['a digest', ...at('{"digestStartTime":"2024-03-28T08:00:00Z","logFiles":[]} garbage')],
    ['a log file', ...at(`{"Records":[${RECORD}]} garbage`)],
    ['a JSON array of records', ...at(`[${RECORD}] garbage`)],
    ['a single record', ...at(`${RECORD} garbage`)],
    ['newline-delimited records', ...at(`${RECORD}\n${RECORD}\ngarbage`)],
    ['an object that is not a log file, with garbage inside a value', ...at('{"foo":[1, garbage]}')],
    ['a log file, with garbage inside another key', ...at(`{"Records":[${RECORD}],"next":{"a":garbage}}`)],
    ['a second value after one that is not a log file', ...at('{"foo":1}\n{"bar":garbage}')],
    ['an object that is not a log file, with a second closing brace', '{"foo":1}}', 9],
    ['an object that is not a log file, cut short', '{"foo":1', 8],
  ];

  it.each(cases)('is a LogDecodeError naming the object and the offset: %s', async (_shape, text, offset) => {
    // Act
    const error = await decodeError(Buffer.from(text));

    // Assess
    expect({ key: error.objectKey, offset: error.byteOffset, leaks: error.message.includes('garbage') }).toEqual({
      key: KEY,
      offset,
      leaks: false,
    });
  });

  it('still skips valid JSON that is not a log file, once all of it is read', async () => {
    // Act
    const items = await decodeAll([Buffer.from('{"foo":1}\n{"bar":[true, null, -1.5e3, "x\\u00e9"]}\n')]);

    // Assess
    expect(items.map((item) => (item.kind === 'file-skipped' ? item.reason : item.kind))).toEqual(['not-a-log-file']);
  });

  it('is an error for the pipeline, not a skipped file', async () => {
    // Prepare
    const counts = newCounts();

    // Act
    const attempt = async (): Promise<void> => {
      for await (const kept of normaliseLogObject(source([Buffer.from('{"foo":1} garbage')]), { objectKey: KEY }, counts)) void kept;
    };

    // Assess
    await expect(attempt()).rejects.toThrow(LogDecodeError);
    expect(counts.fileSkipped).toBeUndefined();
  });
});

// ---- bytes that are not valid UTF-8 -------------------------------------------------------------------------------

/** The bytes of a log file whose one record has `invalid` spliced into its eventID. */
function logFileWithInvalidBytes(...eventIdBytes: number[][]): Buffer {
  const records = eventIdBytes.map((bytes) =>
    Buffer.concat([Buffer.from(RECORD.slice(0, -2)), Buffer.from(bytes), Buffer.from('"}')]),
  );
  return Buffer.concat([Buffer.from('{"Records":['), ...records.flatMap((record, i) => (i === 0 ? [record] : [Buffer.from(','), record])), Buffer.from(']}')]);
}

/** The inverse of the surrogate escape: UTF-8, except U+DC80..U+DCFF, which stand for the byte they escape. */
function encodeSurrogateEscaped(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const character of text) {
    const code = character.charCodeAt(0);
    parts.push(code >= 0xdc80 && code <= 0xdcff ? Buffer.from([code - 0xdc00]) : Buffer.from(character, 'utf8'));
  }
  return Buffer.concat(parts);
}

function records(items: readonly DecodedItem[]): Extract<DecodedItem, { kind: 'record' }>[] {
  return items.flatMap((item) => (item.kind === 'record' ? [item] : []));
}

describe('decodeLogObject: records whose bytes are not valid UTF-8', () => {
  it('keeps two records that differ only in invalid bytes apart', async () => {
    // Act
    const items = records(await decodeAll([logFileWithInvalidBytes([0xff], [0xfe])]));

    // Assess
    expect(items.map((item) => (JSON.parse(item.text) as { eventID: string }).eventID)).toEqual([
      '00000000-0000-4000-8000-000000000001\udcff',
      '00000000-0000-4000-8000-000000000001\udcfe',
    ]);
  });

  it('hands over the raw bytes of such a record, as they are in the file', async () => {
    // Prepare
    const bytes = logFileWithInvalidBytes([0xc3, 0x28], [0xe2, 0x82]);

    // Act
    const items = records(await decodeAll([bytes]));

    // Assess
    expect(
      items.map((item) => item.rawBytes !== undefined && Buffer.from(item.rawBytes).equals(bytes.subarray(item.offset, item.offset + item.rawBytes.length))),
    ).toEqual([true, true]);
  });

  it('escapes reversibly: the text encodes back to the raw bytes', async () => {
    // Prepare: a lone continuation byte, an overlong '/', a UTF-16 surrogate, a cut 4-byte sequence, then valid é.
    const bytes = logFileWithInvalidBytes([0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0xc3, 0xa9]);

    // Act
    const [item] = records(await decodeAll([bytes]));

    // Assess
    expect(encodeSurrogateEscaped(item?.text ?? '').equals(Buffer.from(item?.rawBytes ?? []))).toBe(true);
  });

  it('gives valid UTF-8 records no raw bytes', async () => {
    // Act
    const [item] = records(await decodeAll([Buffer.from(`{"Records":[${RECORD.replace('DeleteLoadBalancer', 'Zoë 日本 😀')}]}`)]));

    // Assess
    expect(item === undefined ? 'missing' : 'rawBytes' in item).toBe(false);
  });

  it('notices invalid bytes however the record is chunked', async () => {
    // Prepare
    const bytes = logFileWithInvalidBytes([0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc]);
    const whole = records(await decodeAll([bytes]));

    // Act
    const mismatches: string[] = [];
    for (const chunking of [...targetedChunkings(bytes, seededRandom(7)), oneByteChunks(bytes)]) {
      const chunked = records(await decodeAll(cut(bytes, chunking.cuts)));
      if (JSON.stringify(chunked.map((r) => [r.text, [...(r.rawBytes ?? [])]])) !== JSON.stringify(whole.map((r) => [r.text, [...(r.rawBytes ?? [])]]))) {
        mismatches.push(chunking.name);
      }
    }

    // Assess
    expect({ invalid: whole.map((item) => item.rawBytes !== undefined), mismatches }).toEqual({ invalid: [true, true], mismatches: [] });
  });
});

describe('decodeUtf8SurrogateEscaped', () => {
  it('is reversed by encoding U+DC80..U+DCFF as the byte they escape, on any bytes', () => {
    // Prepare: random byte strings, biased towards bytes that start or continue multi-byte sequences.
    const random = seededRandom(42);
    const samples = Array.from({ length: 500 }, () =>
      Buffer.from(Array.from({ length: Math.floor(random() * 24) }, () => (random() < 0.7 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 0x80)))),
    );

    // Act
    const broken = samples.filter((bytes) => !encodeSurrogateEscaped(decodeUtf8SurrogateEscaped(bytes)).equals(bytes));

    // Assess
    expect(broken).toEqual([]);
  });

  it('decodes valid UTF-8 as Buffer does', () => {
    // Prepare
    const text = 'Zoë 日本 😀 \u0000 plain';

    // Act
    const decoded = decodeUtf8SurrogateEscaped(Buffer.from(text, 'utf8'));

    // Assess
    expect(decoded).toBe(text);
  });
});

// ---- the uncompressed bytes while streaming -------------------------------------------------------------------

describe('decodeLogObject: onDecodedBytes', () => {
  const plain = readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'decode', 'log-file.json'));
  const gzipped = gzipSync(plain);

  /** Decodes `chunks` and returns the concatenation of what onDecodedBytes received (copied as it arrives). */
  async function received(chunks: readonly Uint8Array[]): Promise<Buffer> {
    const parts: Buffer[] = [];
    await decodeAll(chunks, { onDecodedBytes: (chunk) => parts.push(Buffer.from(chunk)) });
    return Buffer.concat(parts);
  }

  it.each([
    ['plain', plain],
    ['gzip', gzipped],
  ])('receives the whole uncompressed object, in order, under adversarial chunkings (%s)', async (_name, bytes) => {
    // Prepare
    const chunkings = [...targetedChunkings(bytes, seededRandom(11)), oneByteChunks(bytes), { name: 'whole', cuts: [] }];

    // Act
    const wrong: string[] = [];
    for (const chunking of chunkings) {
      if (!(await received(cut(bytes, chunking.cuts))).equals(plain)) wrong.push(chunking.name);
    }

    // Assess
    expect(wrong).toEqual([]);
  });

  it('lets a caller hash the uncompressed content while it streams', async () => {
    // Prepare
    const hash = createHash('sha256');

    // Act
    await decodeAll([gzipped.subarray(0, 100), gzipped.subarray(100)], { onDecodedBytes: (chunk) => hash.update(chunk) });

    // Assess
    expect(hash.digest('hex')).toBe(createHash('sha256').update(plain).digest('hex'));
  });

  it('receives every byte of an object skipped for its content', async () => {
    // Prepare
    const digest = readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'decode', 'digest-file.json'));

    // Act
    const bytes = await received(cut(digest, [7, 300]));

    // Assess
    expect(bytes.equals(digest)).toBe(true);
  });

  it('is passed on by the pipeline', async () => {
    // Prepare
    const parts: Buffer[] = [];

    // Act
    for await (const kept of normaliseLogObject(
      source([gzipped]),
      { objectKey: KEY, onDecodedBytes: (chunk) => parts.push(Buffer.from(chunk)) },
      newCounts(),
    )) {
      void kept;
    }

    // Assess
    expect(Buffer.concat(parts).equals(plain)).toBe(true);
  });
});
