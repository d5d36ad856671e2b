import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  LogDecodeError,
  MAX_BUFFERED_BYTES,
  decodeLogObject,
  parseRecordText,
  type DecodedItem,
} from '../../../lambda/core/decode';

// ---- fixtures and factories -------------------------------------------------------------------------------------

const FIXTURE_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'decode');
const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'cloudtrail');
const KEY = 'AWSLogs/123456789012/CloudTrail/us-west-2/2024/03/28/123456789012_CloudTrail_us-west-2_20240328T0915Z_abc.json.gz';

type DecodeFixture = 'log-file.json' | 'log-file.json.gz' | 'digest-file.json';

/** The bytes of a fixture file of `test/fixtures/decode/`. */
function fixture(name: DecodeFixture): Buffer {
  return readFileSync(path.join(FIXTURE_DIR, name));
}

let sequence = 0;

/** A small CloudTrail record as compact JSON text, with fields replaced. */
function recordJson(overrides: Record<string, unknown> = {}): string {
  sequence += 1;
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/Alice', accountId: '123456789012' },
    eventTime: '2024-03-28T09:15:00Z',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: 'DescribeLoadBalancers',
    awsRegion: 'us-west-2',
    requestParameters: null,
    eventID: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    ...overrides,
  });
}

/** The bytes of a CloudTrail log file `{"Records":[...]}` holding the given record texts. */
function logFile(records: readonly string[]): Buffer {
  return Buffer.from(`{"Records":[${records.join(',')}]}`);
}

/** A source that yields `bytes` in chunks of `size` bytes, as an S3 body yields network chunks. */
async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) {
    // Each chunk arrives in a later tick, as from the network.
    yield await Promise.resolve(bytes.subarray(start, start + size));
  }
}

/** Decodes all of `bytes` and collects what the decoder yields. */
async function decodeAll(bytes: Uint8Array, objectKey = KEY, chunkSize?: number): Promise<DecodedItem[]> {
  const items: DecodedItem[] = [];
  for await (const item of decodeLogObject(chunks(bytes, chunkSize), { objectKey })) {
    items.push(item);
  }
  return items;
}

/** Decodes `bytes` expecting a LogDecodeError; returns it with the items yielded before it. */
async function decodeFailure(
  bytes: Uint8Array,
  objectKey = KEY,
): Promise<{ error: LogDecodeError; items: DecodedItem[] }> {
  const items: DecodedItem[] = [];
  try {
    for await (const item of decodeLogObject(chunks(bytes), { objectKey })) {
      items.push(item);
    }
  } catch (error) {
    if (error instanceof LogDecodeError) return { error, items };
    throw error;
  }
  throw new Error('expected a LogDecodeError, the object decoded without one');
}

function texts(items: readonly DecodedItem[]): string[] {
  return items.map((item) => (item.kind === 'record' ? item.text : `skipped: ${item.reason}`));
}

function skipReasons(items: readonly DecodedItem[]): string[] {
  return items.map((item) => (item.kind === 'file-skipped' ? item.reason : 'record'));
}

/** The records of the plain fixture, as JSON.parse sees them, re-serialised: what each yielded text must parse to. */
function fixtureRecords(): string[] {
  const parsed = JSON.parse(fixture('log-file.json').toString('utf8')) as { Records: unknown[] };
  return parsed.Records.map((value) => JSON.stringify(value));
}

// ---- containers -------------------------------------------------------------------------------------------------

describe('decodeLogObject: log files', () => {
  it('yields the text of every record of a gzipped {"Records":[...]} file, in order', async () => {
    const items = await decodeAll(fixture('log-file.json.gz'));

    expect(texts(items).map((text) => JSON.stringify(JSON.parse(text)))).toEqual(fixtureRecords());
  });

  it('numbers the records from 0', async () => {
    const items = await decodeAll(fixture('log-file.json.gz'));

    expect(items.map((item) => (item.kind === 'record' ? item.index : -1))).toEqual([0, 1, 2]);
  });

  it('reads plain JSON like gzip', async () => {
    const plain = await decodeAll(fixture('log-file.json'));

    expect(plain).toEqual(await decodeAll(fixture('log-file.json.gz')));
  });

  it('gives each record the byte offset of its first byte in the decompressed stream', async () => {
    const json = fixture('log-file.json');

    const items = await decodeAll(fixture('log-file.json.gz'));

    expect(items).toHaveLength(3);
    for (const item of items) {
      if (item.kind !== 'record') throw new Error('expected records only');
      const bytes = Buffer.from(item.text, 'utf8');
      expect(json.subarray(item.offset, item.offset + bytes.length).equals(bytes)).toBe(true);
    }
  });

  it.each([1, 2, 3, 5, 17, 64])(
    'yields the same records when the bytes arrive %i at a time (escapes and UTF-8 split across chunks)',
    async (chunkSize) => {
      const items = await decodeAll(fixture('log-file.json'), KEY, chunkSize);

      expect(items).toEqual(await decodeAll(fixture('log-file.json')));
    },
  );

  it('ends strings right after runs of backslashes, wherever the chunks split them', async () => {
    const values = ['\\', '\\\\', '\\"', '"\\', '\\\\\\"', 'a\\\\\\\\"b', '}]{["\\'];
    const records = values.map((value) => recordJson({ requestParameters: { value, [value]: [value] } }));
    const bytes = logFile(records);

    const splits = await Promise.all(Array.from({ length: 40 }, (_, i) => decodeAll(bytes, KEY, i + 1)));

    expect(splits.every((items) => JSON.stringify(texts(items)) === JSON.stringify(records))).toBe(true);
  });

  it('yields the same records when the gzip bytes arrive one at a time', async () => {
    const items = await decodeAll(fixture('log-file.json.gz'), KEY, 1);

    expect(items).toEqual(await decodeAll(fixture('log-file.json')));
  });

  it('accepts chunks that are Uint8Arrays rather than Buffers', async () => {
    const bytes = new Uint8Array(fixture('log-file.json'));

    const items = await decodeAll(bytes);

    expect(texts(items)).toHaveLength(3);
  });

  it('finds "Records" after other keys, whatever their values hold', async () => {
    const record = recordJson();
    const bytes = Buffer.from(`{"nextToken":"a\\"}]","meta":{"list":[1,{"x":"]}"}],"n":-1.5e3,"t":true},"Records":[${record}]}`);

    const items = await decodeAll(bytes);

    expect(texts(items)).toEqual([record]);
  });

  it('accepts keys after "Records"', async () => {
    const record = recordJson();
    const bytes = Buffer.from(`{"Records":[${record}],"nextToken":null,"count":1}`);

    const items = await decodeAll(bytes);

    expect(texts(items)).toEqual([record]);
  });

  it('yields a single record object as one record at its offset', async () => {
    const record = recordJson();

    const items = await decodeAll(Buffer.from(`\n  ${record}\n`));

    expect(items).toEqual([{ kind: 'record', index: 0, offset: 3, text: record }]);
  });

  it('yields the records of a JSON array of records', async () => {
    const records = [recordJson(), recordJson()];

    const items = await decodeAll(Buffer.from(`[\n${records.join(',\n')}\n]`));

    expect(texts(items)).toEqual(records);
  });

  it('yields the records of newline-delimited JSON', async () => {
    const records = [recordJson(), recordJson(), recordJson()];

    const items = await decodeAll(Buffer.from(`${records.join('\n')}\n`));

    expect(texts(items)).toEqual(records);
  });

  it('yields nothing for a log file with no records', async () => {
    const items = await decodeAll(Buffer.from('{"Records":[]}'));

    expect(items).toEqual([]);
  });

  it('yields Insight records inside an ordinary log file (the select step skips them)', async () => {
    const insight = recordJson({ eventType: 'AwsCloudTrailInsight', eventSource: undefined, insightDetails: { state: 'Start' } });

    const items = await decodeAll(logFile([insight]));

    expect(texts(items)).toEqual([insight]);
  });
});

// ---- file-level skips -------------------------------------------------------------------------------------------

describe('decodeLogObject: skipped files', () => {
  it('skips a digest file by its key, without reading it', async () => {
    const source = Readable.from([fixture('digest-file.json')]);

    const items: DecodedItem[] = [];
    for await (const item of decodeLogObject(source, {
      objectKey: 'AWSLogs/123456789012/CloudTrail-Digest/us-west-2/2024/03/28/x_CloudTrail-Digest_y.json.gz',
    })) {
      items.push(item);
    }

    expect({ reasons: skipReasons(items), destroyed: source.destroyed }).toEqual({ reasons: ['digest-file'], destroyed: true });
  });

  it('skips an object that holds a digest, whatever its key', async () => {
    const items = await decodeAll(gzipSync(fixture('digest-file.json')));

    expect(skipReasons(items)).toEqual(['digest-file']);
  });

  it('skips an Insights file by its key', async () => {
    const items = await decodeAll(logFile([recordJson()]), 'AWSLogs/123456789012/CloudTrail-Insight/us-west-2/2024/03/28/x.json.gz');

    expect(skipReasons(items)).toEqual(['insight-file']);
  });

  it.each([
    ['no bytes', Buffer.alloc(0)],
    ['whitespace only', Buffer.from(' \n\t\r\n')],
    ['gzip of nothing', gzipSync(Buffer.alloc(0))],
  ])('skips an empty object (%s)', async (_name, bytes) => {
    const items = await decodeAll(bytes);

    expect(skipReasons(items)).toEqual(['empty-file']);
  });

  it.each([
    ['an object without Records or record keys', '{"foo":1,"bar":[{"Records":[]}]}'],
    ['an empty object', '{}'],
    ['a string', '"AWSLogs/"'],
    ['a number', '42'],
    ['null', 'null'],
    ['an array of numbers', '[1,2,3]'],
    ['an object whose Records is not an array', '{"Records":null}'],
  ])('skips valid JSON that is not a log file: %s', async (_name, text) => {
    const items = await decodeAll(Buffer.from(text));

    expect(skipReasons(items)).toEqual(['not-a-log-file']);
  });

  it('skips an S3 folder marker by its key', async () => {
    const items = await decodeAll(Buffer.alloc(0), 'AWSLogs/123456789012/CloudTrail/');

    expect(skipReasons(items)).toEqual(['not-a-log-file']);
  });

  it('names the keys it found in the detail of a not-a-log-file skip', async () => {
    const items = await decodeAll(Buffer.from('{"foo":1,"bar":2}'));

    expect(items[0]).toMatchObject({ kind: 'file-skipped', detail: expect.stringContaining('foo, bar') as unknown });
  });

  it('stops reading (and releases the source) once an object is known to be skipped', async () => {
    const source = Readable.from([Buffer.from('[1,'), Buffer.from('2,3]')]);

    for await (const item of decodeLogObject(source, { objectKey: KEY })) {
      void item;
    }

    expect(source.destroyed).toBe(true);
  });

  it('releases a gzip source at once when its consumer stops early: at most one read more', async () => {
    // Prepare: about 4 MiB of gzip (random text compresses little), read 64 KiB at a time, slowly: a socket, which
    // the decoder waits for.
    const noise = randomBytes(3 * 1024 * 1024).toString('hex');
    const records = Array.from({ length: 600 }, (_, i) => recordJson({ eventID: `e-${i}`, userAgent: noise.slice(i * 10_000, (i + 1) * 10_000) }));
    const gzipped = gzipSync(`{"Records":[${records.join(',')}]}`);
    let reads = 0;
    let released = false;
    let onRelease: () => void = () => undefined;
    const whenReleased = new Promise<void>((resolve) => {
      onRelease = resolve;
    });
    async function* source(): AsyncGenerator<Buffer> {
      try {
        for (let offset = 0; offset < gzipped.length; offset += 64 * 1024) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          reads++;
          yield gzipped.subarray(offset, offset + 64 * 1024);
        }
      } finally {
        released = true;
        onRelease();
      }
    }

    // Act: stop at the first record.
    let readsAtStop = 0;
    for await (const item of decodeLogObject(source(), { objectKey: KEY })) {
      void item;
      readsAtStop = reads;
      break;
    }
    // Waits for the release however long the machine takes (never released: the test times out).
    await whenReleased;

    // Assess
    expect({ released, readsAfterStop: reads - readsAtStop <= 1, lessThanAll: readsAtStop * 64 * 1024 < gzipped.length }).toEqual({
      released: true,
      readsAfterStop: true,
      lessThanAll: true,
    });
  });

  it('decides a large object with digest keys is a digest without buffering all of it', async () => {
    const filler = 'x'.repeat(MAX_BUFFERED_BYTES + 1024);
    const bytes = Buffer.from(`{"digestStartTime":"2024-03-28T08:00:00Z","logFiles":[],"padding":"${filler}"}`);

    const items = await decodeAll(bytes);

    expect(skipReasons(items)).toEqual(['digest-file']);
  });

  it('scans on, unbuffered, past a large value of an unknown top-level object and skips it', async () => {
    const filler = 'x'.repeat(MAX_BUFFERED_BYTES + 1024);
    const bytes = Buffer.from(`{"blob":"${filler}","other":1}`);

    const items = await decodeAll(bytes);

    expect(skipReasons(items)).toEqual(['not-a-log-file']);
  });

  it('still finds "Records" after a large value of another key', async () => {
    const filler = 'x'.repeat(MAX_BUFFERED_BYTES + 1024);
    const record = recordJson();

    const items = await decodeAll(Buffer.from(`{"blob":"${filler}","Records":[${record}]}`));

    expect(texts(items)).toEqual([record]);
  });
});

// ---- corruption -------------------------------------------------------------------------------------------------

describe('decodeLogObject: corrupt objects', () => {
  it('rejects a missing comma between records, after yielding the records before it', async () => {
    const [first, second] = [recordJson(), recordJson()];
    const bytes = Buffer.from(`{"Records":[${first}${second}]}`);

    const { error, items } = await decodeFailure(bytes);

    expect({ texts: texts(items), byteOffset: error.byteOffset, recordsRead: error.recordsRead }).toEqual({
      texts: [first],
      byteOffset: '{"Records":['.length + first.length,
      recordsRead: 1,
    });
  });

  it('names the object, the byte offset and the records read in the message', async () => {
    const bytes = Buffer.from(`{"Records":[${recordJson()}${recordJson()}]}`);

    const { error } = await decodeFailure(bytes, 'AWSLogs/broken.json');

    expect(error.message).toMatch(/"AWSLogs\/broken\.json".*at byte \d+ .*after 1 record\)/);
  });

  it('rejects JSON that ends inside a record', async () => {
    const json = logFile([recordJson(), recordJson()]);
    const cut = json.subarray(0, json.length - 20);

    const { error, items } = await decodeFailure(cut);

    expect({ records: items.length, recordsRead: error.recordsRead, byteOffset: error.byteOffset, message: error.message }).toEqual({
      records: 1,
      recordsRead: 1,
      byteOffset: cut.length,
      message: expect.stringContaining('ends inside record 1') as unknown,
    });
  });

  it('rejects JSON that ends before the records array closes', async () => {
    const { error } = await decodeFailure(Buffer.from(`{"Records":[${recordJson()},`));

    expect(error.message).toContain('ends inside the records array');
  });

  it('rejects a truncated gzip object with a LogDecodeError naming it', async () => {
    const gzip = gzipSync(logFile([recordJson(), recordJson(), recordJson()]));

    const { error } = await decodeFailure(gzip.subarray(0, gzip.length - 30), 'AWSLogs/cut.json.gz');

    expect({ key: error.objectKey, message: error.message }).toEqual({
      key: 'AWSLogs/cut.json.gz',
      message: expect.stringContaining('gzip data is corrupt or truncated') as unknown,
    });
  });

  it('rejects corrupt gzip data', async () => {
    const gzip = Buffer.from(gzipSync(logFile([recordJson()])));
    gzip.fill(0xff, 12, 40);

    const { error } = await decodeFailure(gzip);

    expect(error.message).toContain('gzip data is corrupt or truncated');
  });

  it.each([
    ['HTML', '<html><body>Access Denied</body></html>'],
    ['a binary prefix', '\u0000\u0001{"Records":[]}'],
    ['a bare word', 'Records'],
  ])('rejects bytes that are not JSON (%s)', async (_name, text) => {
    const { error } = await decodeFailure(Buffer.from(text));

    expect(error.byteOffset).toBe(0);
  });

  it('rejects a bracket that closes the wrong container inside a record', async () => {
    const { error } = await decodeFailure(Buffer.from('{"Records":[{"eventName":"X","a":[1}]}'));

    expect(error.message).toContain("'}' closes '['");
  });

  it('rejects a trailing comma after the last record', async () => {
    const { error } = await decodeFailure(Buffer.from(`{"Records":[${recordJson()},]}`));

    expect(error.recordsRead).toBe(1);
  });

  it('rejects an element of the records array that is not an object', async () => {
    const { error } = await decodeFailure(Buffer.from(`{"Records":[${recordJson()},"x"]}`));

    expect(error.message).toContain('where a record object should start');
  });

  it('rejects a value after the records that is not a record', async () => {
    const { error } = await decodeFailure(Buffer.from(`${logFile([recordJson()]).toString()} 42`));

    expect(error.recordsRead).toBe(1);
  });

  it('rejects a top-level object without record keys that follows records', async () => {
    const { error } = await decodeFailure(Buffer.from(`${recordJson()}\n{"foo":1}`));

    expect(error.message).toContain('neither records nor a record');
  });

  it('rejects an invalid literal in a top-level object', async () => {
    const { error } = await decodeFailure(Buffer.from('{"Records":[],"n":tru}'));

    expect(error.message).toContain('an unquoted bare token of 3 character(s) is not a JSON value');
  });

  it('names an invalid top-level literal by kind and length, never by its text', async () => {
    const { error } = await decodeFailure(Buffer.from('{"Records":[],"n":Zq7xKsecret}'));

    expect(error.message).not.toContain('Zq7xK');
  });

  it('rejects a record larger than the buffering limit', async () => {
    const big = recordJson({ requestParameters: { blob: 'x'.repeat(MAX_BUFFERED_BYTES + 1024) } });

    const { error } = await decodeFailure(logFile([recordJson(), big]));

    expect({ recordsRead: error.recordsRead, message: error.message }).toEqual({
      recordsRead: 1,
      message: expect.stringContaining('a record larger than') as unknown,
    });
  });

  it('rethrows an error of the source unchanged (a failed S3 read is retried, not reported as corrupt)', async () => {
    const failure = new Error('socket hang up');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(gzipSync(logFile([recordJson()])).subarray(0, 10));
      throw failure;
    }

    const attempt = async (): Promise<void> => {
      for await (const item of decodeLogObject(failing(), { objectKey: KEY })) void item;
    };

    await expect(attempt()).rejects.toBe(failure);
  });
});

// ---- parseRecordText --------------------------------------------------------------------------------------------

describe('parseRecordText', () => {
  it('parses a record text', () => {
    const text = recordJson({ eventName: 'DeleteLoadBalancer' });

    const parsed = parseRecordText({ index: 0, offset: 12, text }, KEY);

    expect(parsed).toMatchObject({ eventName: 'DeleteLoadBalancer' });
  });

  it('throws a LogDecodeError with the byte offset of the syntax error, counting UTF-8 bytes', () => {
    // 'é' is two bytes: the error at character 13 (the '1' where ':' should be) is at byte 14 of the record.
    const text = '{"a":"é","b" 1}';
    const item = { index: 4, offset: 1000, text };

    const error = captureError(() => parseRecordText(item, KEY));

    expect({ byteOffset: error.byteOffset, recordsRead: error.recordsRead, key: error.objectKey }).toEqual({
      byteOffset: 1000 + 14,
      recordsRead: 4,
      key: KEY,
    });
  });

  it('names the record index in the message', () => {
    const error = captureError(() => parseRecordText({ index: 7, offset: 0, text: '{"a":}' }, KEY));

    expect(error.message).toContain('record 7 is not valid JSON');
  });

  it('keeps record content out of the message, though the JSON parser quotes it', () => {
    const text = '{"eventID": Zq7xK-secret-value, "eventName": "DeleteLoadBalancer"}';

    const error = captureError(() => parseRecordText({ index: 0, offset: 0, text }, KEY));

    expect({ leaks: error.message.includes('Zq7xK'), cause: error.cause }).toEqual({ leaks: false, cause: undefined });
  });
});

function captureError(action: () => unknown): LogDecodeError {
  try {
    action();
  } catch (error) {
    if (error instanceof LogDecodeError) return error;
    throw error;
  }
  throw new Error('expected a LogDecodeError');
}

// ---- the public corpus ------------------------------------------------------------------------------------------

function corpusFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? corpusFiles(file) : [file];
    })
    .filter((file) => file.endsWith('.json'))
    .sort();
}

/** The records of a corpus file by the naive reading: JSON.parse of the whole text, or of each line (NDJSON). */
function recordsByJsonParse(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  let values: unknown[];
  try {
    values = [JSON.parse(text) as unknown];
  } catch {
    values = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  }
  return values.flatMap((value) => {
    if (Array.isArray(value)) return value as unknown[];
    if (typeof value === 'object' && value !== null && 'Records' in value && Array.isArray(value.Records)) {
      return value.Records as unknown[];
    }
    return [value];
  });
}

type CorpusOutcome = { records: number } | { skipped: string } | { error: string };

async function decodeCorpusFile(file: string): Promise<CorpusOutcome> {
  const key = path.relative(CORPUS_DIR, file);
  let records = 0;
  try {
    for await (const item of decodeLogObject(chunks(readFileSync(file), 512), { objectKey: key })) {
      if (item.kind === 'file-skipped') return { skipped: item.reason };
      parseRecordText(item, key);
      records++;
    }
  } catch (error) {
    if (error instanceof LogDecodeError) return { error: error.message };
    throw error;
  }
  return { records };
}

describe('decodeLogObject on the public CloudTrail corpus', () => {
  const files = corpusFiles(CORPUS_DIR);
  const invalid = 'awsdocs_examples/elb-classic-load-balancers-user-guide__ELB-API-Logs__02.json';
  const empty = 'aws_spotlight/files/ELASTICBEANSTALK_CreateEnvironment__e69de29b.json';

  it('reads every record of every file, except the one invalid and the one empty file', async () => {
    const outcomes: Record<string, CorpusOutcome> = {};
    for (const file of files) outcomes[path.relative(CORPUS_DIR, file)] = await decodeCorpusFile(file);

    const failures = Object.entries(outcomes).filter(([, outcome]) => !('records' in outcome) && !('skipped' in outcome));
    expect(failures.map(([file]) => file)).toEqual([invalid]);
  });

  it('reports the invalid file (missing comma) as a structure error at the missing comma', async () => {
    const outcome = await decodeCorpusFile(path.join(CORPUS_DIR, invalid));

    expect(outcome).toEqual({ error: expect.stringMatching(/after the value of "eventID", where ',' or '}' should be \(at byte 807 /) as unknown });
  });

  it('reports the empty file as empty', async () => {
    const outcome = await decodeCorpusFile(path.join(CORPUS_DIR, empty));

    expect(outcome).toEqual({ skipped: 'empty-file' });
  });

  it('recognises the documentation digest files as digests', async () => {
    const digests = files.filter((file) => file.includes('digest-file-structure'));

    const outcomes = await Promise.all(digests.map((file) => decodeCorpusFile(file)));

    expect(outcomes).toEqual([{ skipped: 'digest-file' }, { skipped: 'digest-file' }]);
  });

  it.each([
    ['aws_spotlight', 56],
    ['otrf_ec2_proxy_s3_exfiltration', 103],
    ['plaso_test_data', 9],
    ['stratus_red_team_detonation_logs', 310],
  ])('reads every record of %s (%i records, as its README counts)', async (folder, expected) => {
    const inFolder = files.filter((file) => path.relative(CORPUS_DIR, file).startsWith(`${folder}${path.sep}`));

    const outcomes = await Promise.all(inFolder.map((file) => decodeCorpusFile(file)));

    expect(outcomes.reduce((sum, outcome) => sum + ('records' in outcome ? outcome.records : 0), 0)).toBe(expected);
  });

  it('yields exactly the records JSON.parse finds in each readable file', async () => {
    const readable = files.filter((file) => !file.endsWith(invalid) && !file.endsWith(empty) && !file.includes('digest-file-structure'));
    // An empty list would make the comparison below pass vacuously (the corpus not found, a filter too wide).
    expect(readable.length).toBeGreaterThan(0);

    const mismatches: string[] = [];
    for (const file of readable) {
      const items = await decodeAll(readFileSync(file), path.relative(CORPUS_DIR, file), 4096);
      const decoded = items.map((item) => (item.kind === 'record' ? (JSON.parse(item.text) as unknown) : item));
      if (JSON.stringify(decoded) !== JSON.stringify(recordsByJsonParse(file))) mismatches.push(file);
    }

    expect(mismatches).toEqual([]);
  });

  it('reads a gzipped corpus file like the plain one', async () => {
    const file = path.join(CORPUS_DIR, 'otrf_ec2_proxy_s3_exfiltration', 'ec2_proxy_s3_exfiltration_2020-09-14011940.json');

    const gzipped = await decodeAll(gzipSync(readFileSync(file)));

    expect(gzipped).toEqual(await decodeAll(readFileSync(file)));
  });
});
