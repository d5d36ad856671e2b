/**
 * The decoder's byte scanner on its own: records delimited as byte ranges, the record filter, the checks outside
 * the records, the word-at-a-time string skip at every alignment, and the record loop (WebAssembly) at every position
 * of its sixteen-byte blocks, across the end of its window and with its bracket stack grown.
 */
import { MAX_NESTING, RecordScanner, ScanError, type RecordFilter, type ScanItem } from '../../../lambda/core/record-scanner';

const ELB = 'elasticloadbalancing.amazonaws.com';
const FILTER: RecordFilter = { key: 'eventSource', values: [ELB] };

/** Scans `text` (UTF-8) in the given chunks; returns the items and the count of records, or the error. */
function scan(
  text: string | Buffer,
  options: { filter?: RecordFilter; chunk?: number } = {},
): { items: ScanItem[]; recordsRead: number } | { error: string; offset: number } {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const scanner = new RecordScanner({ filter: options.filter });
  const items: ScanItem[] = [];
  const size = options.chunk ?? bytes.length;
  try {
    for (let start = 0; start < bytes.length; start += size) {
      scanner.push(bytes.subarray(start, start + size));
      items.push(...scanner.take());
    }
    scanner.end();
    items.push(...scanner.take());
  } catch (error) {
    if (error instanceof ScanError) return { error: error.reason, offset: error.byteOffset };
    throw error;
  }
  return { items, recordsRead: scanner.recordsRead };
}

/** The record texts a scan delivered. */
function recordTexts(text: string, options: { filter?: RecordFilter; chunk?: number } = {}): string[] {
  const result = scan(text, options);
  if ('error' in result) throw new Error(`unexpected scan error: ${result.error}`);
  return result.items.flatMap((item) => (item.kind === 'record' ? [Buffer.from(item.bytes).toString('utf8')] : []));
}

describe('RecordScanner: records', () => {
  it('delimits each record of a records array, with its index and byte offset', () => {
    // Prepare
    const records = ['{"a":1}', '{"b":[{"c":"}"}]}'];

    // Act
    const result = scan(`{"Records":[${records.join(', ')}]}`);

    // Assess
    expect(result).toEqual({
      items: [
        { kind: 'record', index: 0, offset: 12, bytes: Buffer.from(records[0] ?? '') },
        { kind: 'record', index: 1, offset: 21, bytes: Buffer.from(records[1] ?? '') },
      ],
      recordsRead: 2,
    });
  });

  it.each([0, 1, 2, 3])(
    'finds the end of strings holding quotes, backslashes and look-alike bytes at every alignment (shift %i)',
    (shift) => {
      // Prepare: '#' is '"' + 1 and '¢' ends in 0xa2 ('"' + 0x80), 'ܒ' starts with 0xdc ('\' + 0x80): none may end a string.
      const values = ['"', '\\', '#"#', '\\"\\\\', '¢"¢', 'ܒ\\ܒ', '}]"{[', 'x'.repeat(shift)];
      const records = values.map((value, i) => JSON.stringify({ [`k${'x'.repeat((i + shift) % 4)}`]: value, v: [value, value] }));
      const text = `${' '.repeat(shift)}[${records.join(',')}]`;

      // Act: one chunk, and chunk views starting at every offset mod 4 in memory.
      const whole = recordTexts(text);
      const chunked = [5, 6, 7, 8].map((chunk) => recordTexts(text, { chunk }));

      // Assess
      expect({ whole, chunked }).toEqual({ whole: records, chunked: [records, records, records, records] });
    },
  );

  it.each([0, 1, 2, 3])(
    'finds a quote or backslash at every position of a sixteen-byte block inside a long string (shift %i)',
    (shift) => {
      // Prepare: strings of 16 to 48 characters with one escape at each position, and filter members after them.
      const values = Array.from({ length: 33 }, (_, at) => `${'a'.repeat(at)}${at % 2 === 0 ? '"' : '\\'}${'b'.repeat(32 - at)}`);
      const records = values.map((value, i) => JSON.stringify({ [`k${'x'.repeat(i % 16)}`]: value, eventSource: i % 3 === 0 ? ELB : 'x' }));
      const text = `${' '.repeat(shift)}[${records.join(',')}]`;
      const wanted = records.filter((_, i) => i % 3 === 0);

      // Act
      const whole = recordTexts(text);
      const filtered = recordTexts(text, { filter: FILTER });
      const chunked = [1, 15, 16, 17].map((chunk) => recordTexts(text, { chunk }));
      // A member split by a chunk boundary leaves its record undecided (delivered): each wanted one is there.
      const chunkedFiltered = [1, 15, 16, 17].map((chunk) => {
        const delivered = recordTexts(text, { chunk, filter: FILTER });
        return wanted.every((record) => delivered.includes(record)) && delivered.every((record) => records.includes(record));
      });

      // Assess
      expect({ whole, filtered, chunked, chunkedFiltered }).toEqual({
        whole: records,
        filtered: wanted,
        chunked: [records, records, records, records],
        chunkedFiltered: [true, true, true, true],
      });
    },
  );

  it('reads a chunk larger than its 1 MiB window as any other: strings, escapes, nesting and members across the window’s end', () => {
    // Prepare: about 1 MiB of one record, then short records dense with escapes, nesting and filter members; the
    // padding moves them, byte by byte, across the place where the window ends (every byte of their cycle).
    const dense = [
      JSON.stringify({ eventSource: ELB, a: ['"\\', { b: '\\"' }], c: 'x' }),
      JSON.stringify({ eventSource: 's3.amazonaws.com', d: [[{ e: '}]' }]] }),
      // An escaped member name, and an escaped value that decodes to another service.
      `{"event\\u0053ource":"${ELB}","f":"\\\\"}`,
      '{"eventSource":"s3\\u002eamazonaws.com","g":[{"h":"\\""}]}',
    ];
    const cycle = dense.reduce((length, record) => length + record.length + 1, 0);
    const tail = Array.from({ length: 30 }, (_, i) => dense[i % dense.length] as string);
    const wantedTail = tail.filter((record) => (JSON.parse(record) as { eventSource: string }).eventSource !== 's3.amazonaws.com');
    const filler = 'y'.repeat(1024 * 1024);
    // The window starts inside the first record, after its `{`: the first record ends `padding` + about 70 bytes
    // before the window does.
    const failures = Array.from({ length: cycle + 48 }, (_, padding) => padding).filter((padding) => {
      const first = `{"eventSource":"${ELB}","big":"${filler.slice(0, 1024 * 1024 - 128 - padding)}"}`;
      const delivered = recordTexts(`{"Records":[${[first, ...tail].join(',')}]}`, { filter: FILTER });
      return delivered[0]?.length !== first.length || JSON.stringify(delivered.slice(1)) !== JSON.stringify(wantedTail);
    });

    // Assess
    expect(failures).toEqual([]);
  });

  it('keeps each scanner’s own state when scanners take turns (one WebAssembly instance serves them all)', () => {
    // Prepare: records that nest differently ([{[ against {{{), in chunks that end inside them, at depth 2 and more.
    const a = `[${Array.from({ length: 40 }, (_, i) => JSON.stringify({ a: [{ b: [`${'x'.repeat(i)}\\"`, { c: i }] }] })).join(',')}]`;
    const b = `[${Array.from({ length: 40 }, (_, i) => JSON.stringify({ a: { b: { c: `${'y'.repeat(i)}\\` } } })).join(',')}]`;

    // Act: the two scanners push alternately, in chunks of 7, 13 and 64 bytes.
    const results = [7, 13, 64].map((size) => {
      const scanners = [new RecordScanner(), new RecordScanner()];
      const texts = [Buffer.from(a), Buffer.from(b)];
      const delivered: string[][] = [[], []];
      const longest = Math.max(texts[0]?.length ?? 0, texts[1]?.length ?? 0);
      for (let start = 0; start < longest; start += size) {
        scanners.forEach((scanner, which) => {
          const chunk = texts[which]?.subarray(start, start + size) ?? Buffer.alloc(0);
          scanner.push(chunk);
          for (const item of scanner.take()) if (item.kind === 'record') delivered[which]?.push(Buffer.from(item.bytes).toString('utf8'));
        });
      }
      scanners.forEach((scanner) => scanner.end());
      return delivered;
    });

    // Assess
    const expected = [JSON.parse(a) as unknown[], JSON.parse(b) as unknown[]].map((records) => records.map((record) => JSON.stringify(record)));
    expect(results).toEqual([expected, expected, expected]);
  });

  it('reads a chunk buffer that the caller fills again as new bytes, not as the window it read before', () => {
    // Prepare: two chunks of the same length in one buffer; the second record starts where the first one's window
    // did. (Each chunk ends between records, so no part of a record is kept from the buffer's old content.)
    const first = Buffer.from('[{"a":"x1"},');
    const second = Buffer.from(' {"b":1},{}]');
    const buffer = Buffer.alloc(first.length);
    const scanner = new RecordScanner();
    const delivered: string[] = [];

    // Act
    buffer.set(first);
    scanner.push(buffer);
    for (const item of scanner.take()) if (item.kind === 'record') delivered.push(Buffer.from(item.bytes).toString('utf8'));
    buffer.set(second);
    scanner.push(buffer);
    for (const item of scanner.take()) if (item.kind === 'record') delivered.push(Buffer.from(item.bytes).toString('utf8'));
    scanner.end();

    // Assess
    expect(delivered).toEqual(['{"a":"x1"}', '{"b":1}', '{}']);
  });

  it('keeps a record nested far deeper than its first stack holds, across chunks, and names a wrong bracket deep inside', () => {
    // Prepare: 300,000 levels (the scanner's bracket stack starts at 128 KiB), in chunks of 64 KiB.
    const levels = 300_000;
    const deep = `{"a":${'['.repeat(levels)}"x"${']'.repeat(levels)}}`;
    const wrong = `{"a":${'['.repeat(levels)}"x"${']'.repeat(levels - 1)}}}`;

    // Act
    const delivered = recordTexts(`[${deep},{"b":1}]`, { chunk: 64 * 1024 });
    const mismatch = scan(`[${wrong}]`, { chunk: 64 * 1024 });

    // Assess
    expect({ delivered: delivered.map((record) => record.length), mismatch }).toEqual({
      delivered: [deep.length, 7],
      mismatch: { error: "'}' closes '[' inside record 0", offset: 1 + 5 + levels + 3 + levels - 1 },
    });
  });

  it("names a bracket that closes the wrong container inside a record, and where", () => {
    // Act
    const result = scan('[{"a":[1}]');

    // Assess
    expect(result).toEqual({ error: "'}' closes '[' inside record 0", offset: 8 });
  });

  it('names the record the data ends in', () => {
    // Act
    const result = scan('{"Records":[{"a":1},{"b":"');

    // Assess
    expect(result).toEqual({ error: 'the data ends inside record 1', offset: 26 });
  });
});

describe('RecordScanner: the record filter', () => {
  const record = (members: string): string => `{"eventVersion":"1.09",${members},"eventID":"x"}`;

  it('delivers only the records whose member is one of the values, and counts them all', () => {
    // Prepare
    const records = [record(`"eventSource":"${ELB}"`), record('"eventSource":"s3.amazonaws.com"'), record(`"eventSource" : "${ELB}"`)];

    // Act
    const result = scan(`{"Records":[${records.join(',')}]}`, { filter: FILTER });

    // Assess
    expect({
      indexes: 'items' in result ? result.items.map((item) => (item.kind === 'record' ? item.index : -1)) : result,
      read: 'recordsRead' in result ? result.recordsRead : -1,
    }).toEqual({ indexes: [0, 2], read: 3 });
  });

  it.each([
    ['the member is missing', record('"eventType":"AwsCloudTrailInsight"')],
    ['its value is not a string', record('"eventSource":null')],
    ['its value is an object', record('"eventSource":{"name":"s3.amazonaws.com"}')],
    ['its value is escaped', record(`"eventSource":"elasticloadbalancing\\u002eamazonaws.com"`)],
    ['its name is escaped', record(`"event\\u0053ource":"${ELB}"`)],
    ['the last of duplicate members is wanted', record(`"eventSource":"s3.amazonaws.com","eventSource":"${ELB}"`)],
  ])('delivers a record when %s', (_case, text) => {
    // Act
    const delivered = recordTexts(`[${text}]`, { filter: FILTER });

    // Assess
    expect(delivered).toEqual([text]);
  });

  it.each([
    ['a nested member does not count', record('"eventSource":"s3.amazonaws.com","requestParameters":{"eventSource":"x"}')],
    ['the last of duplicate members is not wanted', record(`"eventSource":"${ELB}","eventSource":"s3.amazonaws.com"`)],
    ['an escaped value decodes to another service', record('"eventSource":"s3\\u002eamazonaws.com"')],
    ['the value only mentions a selected service', record(`"eventSource":"s3.amazonaws.com","userAgent":"${ELB}"`)],
  ])('passes over a record when %s', (_case, text) => {
    // Act
    const delivered = recordTexts(`[${text}]`, { filter: FILTER });

    // Assess
    expect(delivered).toEqual([]);
  });

  it('never loses a wanted record, wherever a chunk boundary falls', () => {
    // Prepare
    const wanted = record(`"eventSource":"${ELB}"`);
    const text = `[${record('"eventSource":"s3.amazonaws.com"')},${wanted},${record('"eventSource":"ec2.amazonaws.com"')}]`;
    const bytes = Buffer.from(text);

    // Act: two chunks, split at every position.
    const lost = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1).filter((at) => {
      const scanner = new RecordScanner({ filter: FILTER });
      scanner.push(bytes.subarray(0, at));
      scanner.push(bytes.subarray(at));
      scanner.end();
      return !scanner.take().some((item) => item.kind === 'record' && item.index === 1);
    });

    // Assess
    expect(lost).toEqual([]);
  });
});

describe('RecordScanner: what the first value is when it holds no records', () => {
  it.each([
    ['{"foo":1,"bar":[2]}', { shape: 'object', keys: ['foo', 'bar'], digestKeys: false }],
    ['{"digestStartTime":"t","logFiles":[]}', { shape: 'object', keys: ['digestStartTime', 'logFiles'], digestKeys: true }],
    ['{"Records":{"a":1}}', { shape: 'records-not-array' }],
    ['[1,{"a":2}]', { shape: 'array-of-non-objects' }],
    ['"text"', { shape: 'scalar' }],
    ['-1.5e+3', { shape: 'scalar' }],
  ])('%s', (text, value) => {
    // Act
    const result = scan(`${text}\n`);

    // Assess
    expect(result).toEqual({ items: [{ kind: 'not-records', value }], recordsRead: 0 });
  });
});

describe('RecordScanner: JSON outside the records is checked in full', () => {
  it.each([
    '0',
    '-0',
    '1.5e-3',
    '1E+2',
    '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
    'true',
    'null',
    '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"',
    '[[], {}, [{"a": [null, false]}]]',
  ])('accepts %s', (value) => {
    // Act
    const result = scan(`{"other":${value},"Records":[]}`);

    // Assess
    expect(result).toEqual({ items: [], recordsRead: 0 });
  });

  it.each([
    ['a number with a leading zero', '01', 'an unquoted number-like token of 2 character(s) is not a JSON value', 9],
    ['a number without digits after the point', '1.', 'an unquoted number-like token of 2 character(s) is not a JSON value', 9],
    ['a number starting with a point', '.5', 'an unquoted number-like token of 2 character(s) is not a JSON value', 9],
    ['a number without exponent digits', '1e+', 'an unquoted number-like token of 3 character(s) is not a JSON value', 9],
    ['a lone minus', '-', 'an unquoted number-like token of 1 character(s) is not a JSON value', 9],
    ['a word that is not a literal', 'True', 'an unquoted bare token of 4 character(s) is not a JSON value', 9],
    ['a literal too long', 'nulll', 'an unquoted bare token of 5 character(s) is not a JSON value', 9],
    ['an invalid escape', '"a\\x"', "an invalid escape (\\ then 'x') inside a string", 12],
    ['a short \\u escape', '"\\u12G4"', "'G' where a hex digit of a \\u escape should be", 14],
    ['a raw control character', '"a\tb"', 'an unescaped control character (byte 0x09) inside a string', 11],
    ['a missing value', '[1,,2]', "',' where a value should start, inside a top-level object", 12],
    ['a missing colon', '{"a" 1}', "'1' where ':' should be, inside a top-level object", 14],
    ['a trailing comma in an object', '{"a":1,}', "'}' where a key should be, inside a top-level object", 16],
    ['a bracket closing the wrong container', '[1}', "'}' where ',' or ']' should be, inside a top-level object", 11],
  ])('rejects %s, naming its shape, never its text', (_case, value, reason, offset) => {
    // Act
    const result = scan(`{"other":${value},"Records":[]}`);

    // Assess
    expect(result).toEqual({ error: reason, offset });
  });

  it(`rejects nesting deeper than ${MAX_NESTING} levels outside the records`, () => {
    // Act
    const result = scan('['.repeat(MAX_NESTING + 2));

    // Assess
    expect(result).toMatchObject({ error: `JSON nested deeper than ${MAX_NESTING} levels` });
  });

  it('checks what follows a first value that holds no records, and delivers nothing of it', () => {
    // Act
    const result = scan('{"foo":1}\n{"eventID":"a","eventSource":"x"}\n[1]');

    // Assess
    expect(result).toEqual({
      items: [{ kind: 'not-records', value: { shape: 'object', keys: ['foo'], digestKeys: false } }],
      recordsRead: 0,
    });
  });
});
