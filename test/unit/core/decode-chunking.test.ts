/**
 * The decoder under adversarial chunkings. Every CloudTrail file of the project's fixtures and of the public corpus
 * is cut so that chunk boundaries fall inside strings, escapes (`\"`, `\\`, `\uXXXX`) and multi-byte UTF-8
 * sequences, next to quotes, at every byte (small files), and at random (seeded) sizes; a file written to be hard
 * is cut at every single position. Each chunking must give exactly what JSON.parse of the whole text finds (the
 * same records, or the same error at the same offset), with and without the pipeline's record filter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeLogBatches, decodeLogObject, LogDecodeError } from '../../../lambda/core/decode';
import type { DecodedItem, RecordFilter } from '../../../lambda/core/decode';
import { CORPUS_DIR } from '../../helpers/fixtures';
import { cut, oneByteChunks, seededRandom, source, targetedChunkings, type Chunking } from '../../helpers/chunkings';

const FIXTURES_DIR = path.resolve(__dirname, '..', '..', 'fixtures');
const SELECTED = ['elasticloadbalancing.amazonaws.com', 'elasticbeanstalk.amazonaws.com', 'autoscaling.amazonaws.com'];
const FILTER: RecordFilter = { key: 'eventSource', values: SELECTED };

/** Files of 4 KB or less are also read one byte at a time. */
const ONE_BYTE_LIMIT = 4096;

function dataFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.json(\.gz)?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** What a decode gave: the records (parsed) and skips, or the error. */
type Outcome = { readonly items: readonly unknown[] } | { readonly error: string };

async function decode(chunks: readonly Uint8Array[], objectKey: string): Promise<Outcome> {
  const items: unknown[] = [];
  try {
    for await (const item of decodeLogObject(source(chunks), { objectKey })) items.push(parsedItem(item));
  } catch (error) {
    if (error instanceof LogDecodeError) return { error: error.message };
    throw error;
  }
  return { items };
}

function parsedItem(item: DecodedItem): unknown {
  return item.kind === 'record' ? { index: item.index, offset: item.offset, record: JSON.parse(item.text) as unknown } : item;
}

/** With the pipeline's filter: the indexes of the records delivered, and the number read. */
async function decodeFiltered(chunks: readonly Uint8Array[], objectKey: string): Promise<{ delivered: number[]; read: number } | { error: string }> {
  const delivered: number[] = [];
  let read = 0;
  try {
    for await (const batch of decodeLogBatches(source(chunks), { objectKey, recordFilter: FILTER })) {
      for (const item of batch.items) if (item.kind === 'record') delivered.push(item.index);
      read = batch.recordsRead;
    }
  } catch (error) {
    if (error instanceof LogDecodeError) return { error: error.message };
    throw error;
  }
  return { delivered, read };
}

/** The records of a file by the naive reading: JSON.parse of the whole text, or of each line (NDJSON). */
function recordsByJsonParse(json: Buffer): unknown[] | undefined {
  const text = json.toString('utf8');
  let values: unknown[];
  try {
    values = [JSON.parse(text) as unknown];
  } catch {
    try {
      values = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
    } catch {
      return undefined;
    }
  }
  return values.flatMap((value) => {
    if (Array.isArray(value)) return value as unknown[];
    if (typeof value === 'object' && value !== null && 'Records' in value && Array.isArray(value.Records)) return value.Records as unknown[];
    return [value];
  });
}

/** Whether the pipeline's filter must deliver a record: eventSource selected, missing, or not a string. */
function mustDeliver(record: unknown): boolean {
  const eventSource = typeof record === 'object' && record !== null && 'eventSource' in record ? record.eventSource : undefined;
  return typeof eventSource !== 'string' || SELECTED.includes(eventSource);
}

/**
 * Decodes `bytes` under each chunking and returns the chunkings whose outcome differs from the whole-data one
 * (unfiltered, and filtered: every record the filter must deliver delivered, every record counted).
 */
async function mismatchingChunkings(bytes: Buffer, objectKey: string, chunkings: readonly Chunking[]): Promise<string[]> {
  const reference = JSON.stringify(await decode([bytes], objectKey));
  const referenceFiltered = await decodeFiltered([bytes], objectKey);
  const mismatches: string[] = [];
  for (const chunking of chunkings) {
    const chunks = cut(bytes, chunking.cuts);
    if (JSON.stringify(await decode(chunks, objectKey)) !== reference) mismatches.push(chunking.name);
    const filtered = await decodeFiltered(chunks, objectKey);
    if ('error' in filtered || 'error' in referenceFiltered) {
      if (JSON.stringify(filtered) !== JSON.stringify(referenceFiltered)) mismatches.push(`${chunking.name} (filtered)`);
    } else if (filtered.read !== referenceFiltered.read || !referenceFiltered.delivered.every((index) => filtered.delivered.includes(index))) {
      mismatches.push(`${chunking.name} (filtered)`);
    }
  }
  return mismatches;
}

describe.each([
  ['the project fixtures', FIXTURES_DIR],
  ['the public corpus', CORPUS_DIR],
])('decoding every CloudTrail file of %s under adversarial chunkings', (_name, dir) => {
  const files = dataFiles(dir);
  const random = seededRandom(0x5eed);

  it('finds the files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((file) => [path.relative(dir, file), file]))('%s', async (name, file) => {
    // Prepare
    const bytes = readFileSync(file);
    const json = file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
    // Gzip is re-chunked by the inflater: cutting its compressed bytes can only test the magic-number detection.
    const chunkings = file.endsWith('.gz')
      ? [{ name: 'the gzip magic number split', cuts: [1, 2, 3] }]
      : [...targetedChunkings(bytes, random, 2), ...(bytes.length <= ONE_BYTE_LIMIT ? [oneByteChunks(bytes)] : [])];

    // Act
    const whole = await decode([bytes], name);
    const mismatches = await mismatchingChunkings(bytes, name, chunkings);

    // Assess: the whole-data outcome is JSON.parse's (records, or a skip, or the one invalid file's error), and
    // every chunking gives that same outcome.
    const expected = recordsByJsonParse(json);
    const decoded = 'items' in whole ? whole.items.map((item) => (item as { record?: unknown }).record ?? item) : undefined;
    const filtered = await decodeFiltered([bytes], name);
    expect({
      matchesJsonParse: expected === undefined ? 'error' in whole : isSkip(decoded) || JSON.stringify(decoded) === JSON.stringify(expected),
      deliversWhatTheFilterMust:
        'error' in filtered || expected === undefined || isSkip(decoded)
          ? true
          : expected.every((record, index) => !mustDeliver(record) || filtered.delivered.includes(index)) && filtered.read === expected.length,
      mismatches,
    }).toEqual({ matchesJsonParse: true, deliversWhatTheFilterMust: true, mismatches: [] });
  });
});

function isSkip(decoded: readonly unknown[] | undefined): boolean {
  return decoded?.length === 1 && (decoded[0] as { kind?: string }).kind === 'file-skipped';
}

describe('decoding under a chunk boundary at every single position', () => {
  /** Strings holding every escape and multi-byte character a scanner can split, at every alignment mod 4. */
  function hardFile(): Buffer {
    const values = ['\\', '"', '\\"', 'é', '日本', '😀', '\u0000\u001f', '"\\"\\', 'a\u00e9b', '\ud83d\ude00x'];
    const records = [0, 1, 2, 3].map((shift) => ({
      eventSource: shift % 2 === 0 ? 'elasticloadbalancing.amazonaws.com' : 's3.amazonaws.com',
      eventID: `${'x'.repeat(shift)}${shift}`,
      // JSON.stringify writes `\u0000`-style escapes for the control characters, the rest as UTF-8.
      requestParameters: Object.fromEntries(values.map((value, i) => [`${'k'.repeat(shift)}${value}${i}`, [value, { [value]: value }]])),
      escaped: '\\u00e9 \\ud83d\\ude00 \\"}]',
    }));
    // A few members written with explicit \u escapes too, which JSON.stringify would not produce.
    const text = JSON.stringify({ Records: records }).replace('"eventID"', '"event\\u0049D"').replace('"x1"', '"x\\u0031"');
    return Buffer.from(text, 'utf8');
  }

  it.each([
    ['the decode fixture (escaped policy, \\u00e9, non-ASCII)', readFileSync(path.join(FIXTURES_DIR, 'decode', 'log-file.json'))],
    ['a file of escapes and multi-byte characters', hardFile()],
  ])('%s', async (name, bytes) => {
    // Prepare
    const splits = Array.from({ length: bytes.length - 1 }, (_, i): Chunking => ({ name: `split at ${i + 1}`, cuts: [i + 1] }));

    // Act
    const mismatches = await mismatchingChunkings(bytes, name, splits);
    const whole = await decode([bytes], name);

    // Assess
    expect({
      records: 'items' in whole ? whole.items.map((item) => (item as { record: unknown }).record) : whole,
      mismatches,
    }).toEqual({ records: recordsByJsonParse(bytes), mismatches: [] });
  });
});
