/**
 * Decode: the bytes of one log object (gzip or plain JSON) → the JSON text of each CloudTrail record, streamed.
 *
 * CloudTrail files reach 50 MB compressed and several hundred MB of JSON, more than `JSON.parse` of the whole
 * text can hold in a Lambda. So the decoder never holds the file: the byte scanner ({@link RecordScanner}) runs over
 * the decompressed chunks, keeps only the bytes of the record it is reading, and each record's text is yielded as
 * soon as the record closes. Memory is one record plus a few chunks, whatever the file size.
 *
 * It yields text, not parsed objects, on purpose: the pipeline keeps about one record in ten, and only those are
 * parsed (with {@link parseRecordText}). With a {@link RecordFilter} ({@link decodeLogBatches}), the records the
 * caller does not want are not even turned into text: they are delimited and counted. The record's inner syntax is
 * therefore checked by that parse; the decoder checks everything outside the records as JSON (so garbage after the
 * data, or in a value that is not records, is an error), that strings and brackets balance inside each record, and
 * that the data does not end in the middle.
 *
 * Accepted containers (the public corpus has them all; the Lambda only ever sees the first):
 * `{"Records":[...]}` (other keys may come before or after `Records`), a single record object, a JSON array of
 * records, and several top-level objects one after another (newline-delimited JSON).
 *
 * This module holds the stream handling (gzip detected by magic number, decompression running ahead of the scan),
 * the file-level decisions (digest, Insight, empty, not a log file), and the record text (UTF-8 checked). Pure:
 * imports no AWS SDK, reads no environment, logs nothing.
 */
import { isUtf8 } from 'node:buffer';
import { Readable, Transform, pipeline, type TransformCallback, type TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { MAX_RECORD_BYTES, RecordScanner, ScanError } from './record-scanner';
import type { NotRecords, RecordFilter, ScanItem } from './record-scanner';

export type { RecordFilter } from './record-scanner';

/** Why a whole log object is skipped without records. */
export type FileSkipReason = 'digest-file' | 'insight-file' | 'empty-file' | 'not-a-log-file';

/**
 * What {@link decodeLogObject} yields: the text of one record, or a single `file-skipped` item (and then nothing)
 * when the object is not a log file to read.
 */
export type DecodedItem =
  | {
      readonly kind: 'record';
      /** 0-based position of the record in the object. */
      readonly index: number;
      /** Byte offset of the record's first byte (`{`) in the decompressed stream. */
      readonly offset: number;
      /**
       * The record's JSON text, exactly as delivered when its bytes are valid UTF-8. When they are not, each byte
       * that is not part of a valid UTF-8 sequence is written as the lone surrogate U+DC00 + byte (U+DC80 to
       * U+DCFF, a "surrogate escape"), so two records that differ only in such bytes still differ, and `rawBytes`
       * is set.
       */
      readonly text: string;
      /** Only when the record's bytes are not valid UTF-8: those bytes, exactly as read. */
      readonly rawBytes?: Uint8Array;
    }
  | { readonly kind: 'file-skipped'; readonly reason: FileSkipReason; readonly detail: string };

/** Options of {@link decodeLogObject}. */
export interface DecodeOptions {
  /** The S3 object key (or local path): names the object in skips and errors, and recognises digest and Insight files. */
  readonly objectKey: string;
  /**
   * Called with every decompressed chunk, in order, before it is scanned: what a caller needs to hash the
   * uncompressed content (SHA-256) while it streams, without a second read. The chunks add up to the whole
   * uncompressed object whenever it is read to its end (every record yielded, or a skip decided by its content);
   * an object skipped by its key is not read, and a decode error stops the calls. The chunk is the decoder's: copy
   * what you keep.
   * @default none
   */
  readonly onDecodedBytes?: (chunk: Uint8Array) => void;
}

/** Options of {@link decodeLogBatches}. */
export interface BatchDecodeOptions extends DecodeOptions {
  /**
   * Which records of a records array to deliver as text; the others are only counted (in
   * {@link DecodedBatch.recordsRead}), which saves turning them into text. Records that are top-level values
   * (single-record files, newline-delimited JSON) are always delivered.
   * @default every record is delivered
   */
  readonly recordFilter?: RecordFilter;
}

/** What {@link decodeLogBatches} yields for each decompressed chunk. */
export interface DecodedBatch {
  /** The records the chunk completed that the filter wants, in order, and at the end a file-level skip if any. */
  readonly items: readonly DecodedItem[];
  /** Records read from the object so far, delivered or not: the index the next record will get. */
  readonly recordsRead: number;
}

/** The largest record (or top-level object) the decoder buffers; CloudTrail's own records stay far below it. */
export const MAX_BUFFERED_BYTES = MAX_RECORD_BYTES;

/**
 * A log object that cannot be read: corrupt or truncated gzip, JSON that ends early, broken structure between
 * records, bytes that are not JSON, or a record that does not parse.
 *
 * It names the object and how far decoding got, so an operator can find the spot and knows which records were
 * already processed: `byteOffset` counts bytes of the decompressed stream, `recordsRead` the records read before
 * the failure.
 */
export class LogDecodeError extends Error {
  /** The object (S3 key or path) being decoded. */
  readonly objectKey: string;
  /** Where the problem was found, in bytes from the start of the decompressed stream. */
  readonly byteOffset: number;
  /** How many records were read before the problem. */
  readonly recordsRead: number;

  constructor(objectKey: string, byteOffset: number, recordsRead: number, reason: string, options?: { cause?: unknown }) {
    super(
      `Cannot decode log object "${objectKey}": ${reason} (at byte ${byteOffset} of the decompressed data, after ${recordsRead} record${recordsRead === 1 ? '' : 's'})`,
      options,
    );
    this.name = 'LogDecodeError';
    this.objectKey = objectKey;
    this.byteOffset = byteOffset;
    this.recordsRead = recordsRead;
  }
}

/**
 * Parses one record's text as yielded by {@link decodeLogObject}.
 *
 * A record that is not valid JSON is corruption, not a skip: it throws a {@link LogDecodeError} naming the object,
 * the record's index and the byte offset of the syntax error (the record's offset plus the error's position).
 */
export function parseRecordText(item: { index: number; offset: number; text: string }, objectKey: string): unknown {
  try {
    return JSON.parse(item.text) as unknown;
  } catch (error) {
    const message =
      typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
        ? error.message
        : String(error);
    // V8 names the character position of the error; turn it into a byte offset in the decompressed stream.
    const position = /at position (\d+)/.exec(message)?.[1];
    const byteOffset =
      position === undefined ? item.offset : item.offset + Buffer.byteLength(item.text.slice(0, Number(position)), 'utf8');
    // V8 quotes an excerpt of the text in some messages (`Unexpected token 'd', ..."eventID": do-"... is not valid
    // JSON`): record content must not reach an error message or a log, so keep what the parser expected and where,
    // and drop the excerpt (and the original error, which loggers would serialise as the cause).
    const reason = message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' is not valid JSON');
    throw new LogDecodeError(objectKey, byteOffset, item.index, `record ${item.index} is not valid JSON: ${reason}`);
  }
}

/**
 * Reads one log object and yields the JSON text of each of its records, in order, as it streams.
 *
 * Gzip is recognised by its magic bytes (`1f 8b`), anything else is read as plain JSON. File-level skips are
 * yielded as one `file-skipped` item and nothing else:
 * - `digest-file`: the key contains `CloudTrail-Digest` (the object is then not read: the source is released), or
 *   the first top-level object has digest keys (`digestStartTime`, `logFiles`) and no `Records`;
 * - `insight-file`: the key contains `CloudTrail-Insight`, not read (Insight *records* in ordinary files are
 *   yielded: the select step skips them);
 * - `empty-file`: no bytes, or whitespace only;
 * - `not-a-log-file`: an S3 folder marker (key ending in `/`, not read), or JSON whose first value holds neither
 *   records nor a digest (`{"foo":1}`, a string, an array of numbers).
 * A skip decided by the content is given once the whole object has been read and found to be JSON: valid JSON
 * followed by anything else (`{"foo":1} garbage`, `[1, garbage`) is a {@link LogDecodeError}, like any corruption.
 *
 * Anything else that cannot be read throws a {@link LogDecodeError} (after yielding the records before it). Errors
 * of the source itself (an S3 read failing) are rethrown unchanged, so the caller can retry them.
 */
export async function* decodeLogObject(bytes: AsyncIterable<Uint8Array>, options: DecodeOptions): AsyncGenerator<DecodedItem> {
  // Only the options of this function: a record filter (of a wider options object) would drop records here.
  const decodeOptions: DecodeOptions = { objectKey: options.objectKey, onDecodedBytes: options.onDecodedBytes };
  for await (const batch of decodeLogBatches(bytes, decodeOptions)) yield* batch.items;
}

/**
 * {@link decodeLogObject} one decompressed chunk at a time, with an optional {@link RecordFilter}: yields, per
 * chunk, the records it completed that the filter wants and the count of all records read so far. The pipeline's
 * entry: a batch per chunk costs far less than a generator step per record, and filtered-out records cost no text.
 * Same skips and errors as {@link decodeLogObject}.
 */
export async function* decodeLogBatches(
  bytes: AsyncIterable<Uint8Array>,
  options: BatchDecodeOptions,
): AsyncGenerator<DecodedBatch> {
  const { objectKey } = options;
  const skipByKey = skipForKey(objectKey);
  if (skipByKey !== undefined) {
    // Not read at all: release the source (an S3 body holds a socket).
    if (isDestroyable(bytes)) bytes.destroy();
    yield { items: [skipByKey], recordsRead: 0 };
    return;
  }

  const reader = new ObjectReader(objectKey, options.recordFilter);
  const onDecodedBytes = options.onDecodedBytes;
  const input = bytes[Symbol.asyncIterator]();
  const { head, done } = await readHead(input);
  const chunks = prepend(head, done ? undefined : input);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip(GUNZIP_OPTIONS);
    // Errors of either stream reach the loop below through the gunzip iterator: nothing is lost by ignoring
    // them in this callback, which only exists so that pipeline tears all the streams down together.
    pipeline(Readable.from(chunks, { objectMode: false }), new Gather(GUNZIP_INPUT_BYTES), gunzip, () => undefined);
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        onDecodedBytes?.(chunk);
        yield* reader.feed(chunk);
      }
    } catch (error) {
      if (isZlibError(error)) {
        throw reader.failure(`the gzip data is corrupt or truncated (${error.message})`, error);
      }
      throw error;
    } finally {
      gunzip.destroy();
    }
  } else {
    for await (const chunk of chunks) {
      onDecodedBytes?.(chunk);
      yield* reader.feed(chunk);
    }
  }
  yield* reader.feed(undefined);
}

/**
 * Output chunk size of the gunzip stream. Each chunk is a fresh buffer, and each costs main-thread time (zlib's
 * stream callback, the allocation, the garbage collector's share of external memory) that does not depend on its
 * size: on the benchmark file, 1 MiB chunks cost about a fifth less CPU for the whole pipeline than 256 KiB ones
 * (512 KiB to 2 MiB were alike; zlib's default, 16 KiB, is far worse). Still a small, constant amount of memory.
 */
const DECOMPRESSED_CHUNK_BYTES = 1024 * 1024;

/**
 * How far decompression may run ahead of the scan. zlib inflates on libuv's thread pool; with room for a few chunks
 * it keeps inflating while the scan reads the chunk before, so on a machine with a second core the two overlap
 * (with the stream's default, 16 KiB, it stops after every chunk until the scan asks for the next). Memory stays a
 * constant few chunks.
 */
const GUNZIP_READ_AHEAD_BYTES = 2 * DECOMPRESSED_CHUNK_BYTES;

/**
 * The least compressed input handed to gunzip at once. zlib inflates one write at a time, and each write's end comes
 * back through the main thread before the next one starts; a source's own pieces (64 KiB from a file, often less from
 * a socket) keep the two in lockstep, so the scan waits for inflation and inflation for the scan. With 1 MiB writes
 * the thread pool inflates long stretches while the main thread scans: on the benchmark file, the whole pipeline's
 * steady run took about 0.87x the time with 64 KiB reads and 0.92x with 16 KiB ones (256 KiB pieces did less).
 * Compressed input in flight: the piece being gathered, one gathered piece, and gunzip's input buffer (as much
 * again), about 3 MiB per object being read. A source that fails mid-way fails the object before the records of
 * that input are delivered; the object is read again (a retry, or a resume from its checkpoint).
 */
const GUNZIP_INPUT_BYTES = 1024 * 1024;

/** zlib streams take the stream options too (Node passes them on to `Transform`); its typings only list zlib's. */
const GUNZIP_OPTIONS: ZlibOptions & TransformOptions = {
  chunkSize: DECOMPRESSED_CHUNK_BYTES,
  readableHighWaterMark: GUNZIP_READ_AHEAD_BYTES,
  writableHighWaterMark: GUNZIP_INPUT_BYTES,
};

/**
 * Gathers the bytes written to it into pieces of at least `bytes` (the last may be shorter), in order. A stream in
 * the pipeline rather than a generator around the source, so that stopping early (the consumer, or an error) releases
 * the source at once rather than after it has read a piece's worth more.
 */
class Gather extends Transform {
  private gathered: Buffer[] = [];
  private length = 0;

  constructor(private readonly bytes: number) {
    // One gathered piece waits at most: then the source is not read further until gunzip takes it.
    super({ readableHighWaterMark: 1 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.length === 0 && chunk.length >= this.bytes) {
      done(null, chunk);
      return;
    }
    this.gathered.push(chunk);
    this.length += chunk.length;
    if (this.length < this.bytes) {
      done();
      return;
    }
    const piece = Buffer.concat(this.gathered, this.length);
    this.gathered = [];
    this.length = 0;
    done(null, piece);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.length > 0 ? Buffer.concat(this.gathered, this.length) : undefined);
  }
}

/** The scanner of one object, and the turning of its items into what the decoder yields. */
class ObjectReader {
  private readonly scanner: RecordScanner;
  private skip: DecodedItem | undefined;

  constructor(
    private readonly objectKey: string,
    filter: RecordFilter | undefined,
  ) {
    this.scanner = new RecordScanner({ filter });
  }

  /**
   * Scans one chunk (or the end of the data) and yields what it completed. Records completed before a problem in
   * the same chunk are yielded before the error is thrown: "how far it got" is then exact.
   */
  *feed(chunk: Uint8Array | undefined): Generator<DecodedBatch> {
    const scanner = this.scanner;
    let failure: Error | undefined;
    try {
      if (chunk === undefined) scanner.end();
      else scanner.push(chunk);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(`RecordScanner failed: ${String(error)}`);
    }
    const items = this.convert(scanner.take());
    if (chunk === undefined && failure === undefined) {
      const skip = this.skip ?? (scanner.topValues === 0 ? emptySkip(scanner.bytesScanned) : undefined);
      if (skip !== undefined) items.push(skip);
    }
    yield { items, recordsRead: scanner.recordsRead };
    if (failure instanceof ScanError) throw this.failure(failure.reason, undefined, failure.byteOffset);
    if (failure !== undefined) throw failure;
  }

  /** A {@link LogDecodeError} for a problem at `byteOffset` (by default: after all bytes scanned so far). */
  failure(reason: string, cause?: unknown, byteOffset = this.scanner.bytesScanned): LogDecodeError {
    return new LogDecodeError(this.objectKey, byteOffset, this.scanner.recordsRead, reason, cause === undefined ? undefined : { cause });
  }

  private convert(scanned: readonly ScanItem[]): DecodedItem[] {
    const items: DecodedItem[] = [];
    for (const item of scanned) {
      if (item.kind === 'record') {
        items.push(decodedRecord(item.index, item.offset, item.bytes));
      } else {
        // The first value decides; the rest of the object is still checked before the skip is given.
        this.skip = skipForContent(item.value);
      }
    }
    return items;
  }
}

/** A record as the decoder delivers it: its text, with the UTF-8 check of {@link DecodedItem}'s `text`. */
function decodedRecord(index: number, offset: number, bytes: Uint8Array): DecodedItem {
  const buffer = asBuffer(bytes);
  if (isUtf8(buffer)) return { kind: 'record', index, offset, text: buffer.toString('utf8') };
  // The bytes may be a view of a chunk: keep a copy.
  return { kind: 'record', index, offset, text: decodeUtf8SurrogateEscaped(buffer), rawBytes: Uint8Array.from(buffer) };
}

/**
 * Decodes UTF-8 that is not valid, losing nothing: each well-formed sequence becomes its character, and each other
 * byte `b` (always 0x80 or above) becomes the lone surrogate U+DC00 + b. Reversible: encode every character as UTF-8
 * except U+DC80..U+DCFF, which stand for the byte they escape.
 */
export function decodeUtf8SurrogateEscaped(bytes: Uint8Array): string {
  const buffer = asBuffer(bytes);
  let text = '';
  let runStart = 0;
  let i = 0;
  while (i < buffer.length) {
    const length = utf8SequenceLength(buffer, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += buffer.toString('utf8', runStart, i) + String.fromCharCode(0xdc00 + (buffer[i] as number));
    i++;
    runStart = i;
  }
  return text + buffer.toString('utf8', runStart, i);
}

/** The length of the well-formed UTF-8 sequence starting at `i` (Unicode's table 3-7), or 0 when there is none. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  const inRange = (at: number, low: number, high: number): boolean => {
    const b = bytes[at];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return inRange(i + 1, 0x80, 0xbf) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    return inRange(i + 1, low, high) && inRange(i + 2, 0x80, 0xbf) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return inRange(i + 1, low, high) && inRange(i + 2, 0x80, 0xbf) && inRange(i + 3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}

function skipForKey(objectKey: string): DecodedItem | undefined {
  if (objectKey.includes('CloudTrail-Digest')) {
    return { kind: 'file-skipped', reason: 'digest-file', detail: 'the key names a CloudTrail digest file (CloudTrail-Digest)' };
  }
  if (objectKey.includes('CloudTrail-Insight')) {
    return { kind: 'file-skipped', reason: 'insight-file', detail: 'the key names a CloudTrail Insights file (CloudTrail-Insight)' };
  }
  if (objectKey.endsWith('/')) {
    return { kind: 'file-skipped', reason: 'not-a-log-file', detail: 'the key ends in "/": an S3 folder marker' };
  }
  return undefined;
}

function skipForContent(value: NotRecords): DecodedItem {
  switch (value.shape) {
    case 'object':
      return value.digestKeys
        ? {
            kind: 'file-skipped',
            reason: 'digest-file',
            detail: 'the object has the keys of a CloudTrail digest file (digestStartTime, logFiles) and no Records',
          }
        : {
            kind: 'file-skipped',
            reason: 'not-a-log-file',
            detail: `a JSON object without Records or CloudTrail record keys (keys: ${value.keys.join(', ') || 'none'})`,
          };
    case 'records-not-array':
      return { kind: 'file-skipped', reason: 'not-a-log-file', detail: 'the top-level "Records" is not an array' };
    case 'array-of-non-objects':
      return { kind: 'file-skipped', reason: 'not-a-log-file', detail: 'the object is a JSON array whose first element is not an object' };
    default:
      return {
        kind: 'file-skipped',
        reason: 'not-a-log-file',
        detail: 'the object is a single JSON string, number, boolean or null, not CloudTrail records',
      };
  }
}

function emptySkip(bytesScanned: number): DecodedItem {
  return {
    kind: 'file-skipped',
    reason: 'empty-file',
    detail: bytesScanned === 0 ? 'the object has no bytes' : 'the object holds only whitespace',
  };
}

/** Reads until at least two bytes (the gzip magic) are known, or the source ends. */
async function readHead(input: AsyncIterator<Uint8Array>): Promise<{ head: Buffer; done: boolean }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < 2) {
    const next = await input.next();
    if (next.done === true) {
      return { head: Buffer.concat(parts), done: true };
    }
    const part = asBuffer(next.value);
    parts.push(part);
    length += part.length;
  }
  return { head: parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts), done: false };
}

async function* prepend(head: Buffer, rest: AsyncIterator<Uint8Array> | undefined): AsyncGenerator<Buffer> {
  try {
    if (head.length > 0) yield head;
    while (rest !== undefined) {
      const next = await rest.next();
      if (next.done === true) return;
      yield asBuffer(next.value);
    }
  } finally {
    // Stopped early (an error, a consumer that stopped): let the source release what it holds.
    await rest?.return?.();
  }
}

/** A Node.js stream (an S3 body, a file stream): what the decoder destroys when it decides not to read it. */
function isDestroyable(source: unknown): source is { destroy(): void; readonly destroyed?: boolean } {
  return typeof source === 'object' && source !== null && 'destroy' in source && typeof source.destroy === 'function';
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** zlib's errors carry a `Z_...` code. Checked by shape: `instanceof Error` fails across realms (vm contexts). */
function isZlibError(error: unknown): error is { code: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('Z_') &&
    'message' in error &&
    typeof error.message === 'string'
  );
}
