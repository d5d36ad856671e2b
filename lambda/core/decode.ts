/**
 * Decode: the bytes of one log object (gzip or plain JSON) → the JSON text of each CloudTrail record, streamed.
 *
 * CloudTrail files reach 50 MB compressed and several hundred MB of JSON, more than `JSON.parse` of the whole
 * text can hold in a Lambda. So the decoder never holds the file: it runs a byte-level state machine over the
 * decompressed chunks, keeps only the bytes of the record it is reading, and yields each record's text as soon
 * as the record closes. Memory is one record plus one chunk, whatever the file size.
 *
 * It yields text, not parsed objects, on purpose: the pipeline keeps about one record in ten, and a substring test
 * on the text (`elasticloadbalancing.amazonaws.com`, ...) is far cheaper than `JSON.parse` of every record, so only
 * candidates are parsed (with {@link parseRecordText}). The record's inner syntax is therefore checked by that
 * parse; the decoder checks the structure around the records (brackets, commas, keys of top-level objects), that
 * strings and brackets balance inside each record, and that the data does not end in the middle.
 *
 * Accepted containers (the public corpus has them all; the Lambda only ever sees the first):
 * `{"Records":[...]}` (other keys may come before or after `Records`), a single record object, a JSON array of
 * records, and several top-level objects one after another (newline-delimited JSON).
 *
 * Pure: imports no AWS SDK, reads no environment, logs nothing.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

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
      /** The record's JSON text, exactly as delivered. */
      readonly text: string;
    }
  | { readonly kind: 'file-skipped'; readonly reason: FileSkipReason; readonly detail: string };

/** Options of {@link decodeLogObject}. */
export interface DecodeOptions {
  /** The S3 object key (or local path): names the object in skips and errors, and recognises digest and Insight files. */
  readonly objectKey: string;
}

/**
 * A log object that cannot be read: corrupt or truncated gzip, JSON that ends early, broken structure between
 * records, bytes that are not JSON, or a record that does not parse.
 *
 * It names the object and how far decoding got, so an operator can find the spot and knows which records were
 * already processed: `byteOffset` counts bytes of the decompressed stream, `recordsRead` the records yielded
 * before the failure.
 */
export class LogDecodeError extends Error {
  /** The object (S3 key or path) being decoded. */
  readonly objectKey: string;
  /** Where the problem was found, in bytes from the start of the decompressed stream. */
  readonly byteOffset: number;
  /** How many records were read (yielded) before the problem. */
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
 * yielded as one `file-skipped` item and then nothing else (the source is released without reading further):
 * - `digest-file`: the key contains `CloudTrail-Digest`, or a top-level object has digest keys
 *   (`digestStartTime`, `logFiles`) and no `Records`;
 * - `insight-file`: the key contains `CloudTrail-Insight` (Insight *records* in ordinary files are yielded: the
 *   select step skips them);
 * - `empty-file`: no bytes, or whitespace only;
 * - `not-a-log-file`: an S3 folder marker (key ending in `/`), or valid JSON that holds neither records nor a
 *   digest (`{"foo":1}`, a string, an array of numbers).
 *
 * Anything else that cannot be read throws a {@link LogDecodeError} (after yielding the records before it). Errors
 * of the source itself (an S3 read failing) are rethrown unchanged, so the caller can retry them.
 */
export async function* decodeLogObject(
  bytes: AsyncIterable<Uint8Array>,
  options: DecodeOptions,
): AsyncGenerator<DecodedItem> {
  const { objectKey } = options;
  const skipByKey = skipForKey(objectKey);
  if (skipByKey !== undefined) {
    // Not read at all: release the source (an S3 body holds a socket).
    if (isDestroyable(bytes)) bytes.destroy();
    yield skipByKey;
    return;
  }

  const scanner = new LogScanner(objectKey);
  const input = bytes[Symbol.asyncIterator]();
  const { head, done } = await readHead(input);
  const chunks = prepend(head, done ? undefined : input);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: DECOMPRESSED_CHUNK_BYTES });
    // Errors of either stream reach the loop below through the gunzip iterator: nothing is lost by ignoring
    // them in this callback, which only exists so that pipeline tears both streams down together.
    pipeline(Readable.from(chunks, { objectMode: false }), gunzip, () => undefined);
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        yield* feed(scanner, chunk);
        if (scanner.finished) return;
      }
    } catch (error) {
      if (isZlibError(error)) {
        throw scanner.error(`the gzip data is corrupt or truncated (${error.message})`, scanner.bytesScanned, error);
      }
      throw error;
    } finally {
      gunzip.destroy();
    }
  } else {
    for await (const chunk of chunks) {
      yield* feed(scanner, chunk);
      if (scanner.finished) return;
    }
  }
  yield* feed(scanner, undefined);
}

/**
 * Gives the scanner one chunk (or the end of the data) and yields what it completed. Records completed before a
 * problem in the same chunk are yielded before the error is thrown: "how far it got" is then exact.
 */
function* feed(scanner: LogScanner, chunk: Buffer | undefined): Generator<DecodedItem> {
  let failure: Error | undefined;
  try {
    if (chunk === undefined) scanner.end();
    else scanner.push(chunk);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(`LogScanner failed: ${String(error)}`);
  }
  yield* scanner.take();
  if (failure !== undefined) throw failure;
}

/** The largest record (or top-level object) the decoder buffers; CloudTrail's own records stay far below it. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Output chunk size of the gunzip stream. zlib's default (16 KiB) costs measurably more CPU per byte in stream
 * callbacks; 256 KiB was the cheapest of 16 / 64 / 256 KiB on the benchmark file, and is still a small, constant
 * amount of memory.
 */
const DECOMPRESSED_CHUNK_BYTES = 256 * 1024;

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
    // Stopped early (a skip, an error): let the source release what it holds.
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

// Bytes the state machine looks at. All are ASCII, and no byte of a UTF-8 multibyte sequence is below 0x80, so
// scanning UTF-8 bytewise never mistakes part of a character for structure.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Bytes a JSON number or `true` / `false` / `null` is made of. */
function isLiteralByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x2b || c === 0x2e;
}

const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

/** An invalid unquoted literal, described by its kind and length only (at most 64 characters are kept). */
function describeLiteral(literal: string): string {
  const kind = /^[-+.\d]/.test(literal) ? 'number-like' : 'bare';
  const length = literal.length >= 64 ? 'at least 64' : String(literal.length);
  return `an unquoted ${kind} token of ${length} character(s)`;
}

/** Keys that only a CloudTrail record has at its top level (Insight records included). */
const RECORD_KEYS: ReadonlySet<string> = new Set(['eventVersion', 'eventID', 'eventTime', 'eventSource', 'eventName', 'eventType']);
/** Keys of a CloudTrail digest file. */
const DIGEST_KEYS: ReadonlySet<string> = new Set(['digestStartTime', 'logFiles']);

// What the scanner is doing with the bytes at hand.
/** Between values of the outer structure (top level, records array, top-level object): one byte at a time. */
const MODE_STRUCTURE = 0;
/** Inside an object or array whose content is not parsed here (a record, a skipped value): the fast loop. */
const MODE_CONTAINER = 1;
/** Inside a string of the outer structure (a top-level object's key or value). */
const MODE_STRING = 2;
/** Inside a number, `true`, `false` or `null` of the outer structure. */
const MODE_LITERAL = 3;

// Frames of the outer structure and what each expects next.
const TOP_VALUE = 0;
const ARRAY_FIRST = 10; // after '[': a record or ']'
const ARRAY_NEXT = 11; // after ',': a record
const ARRAY_AFTER = 12; // after a record: ',' or ']'
const OBJECT_FIRST = 20; // after '{': a key or '}'
const OBJECT_KEY = 21; // after ',': a key
const OBJECT_COLON = 22;
const OBJECT_VALUE = 23;
const OBJECT_AFTER = 24; // after a value: ',' or '}'

interface Frame {
  readonly kind: 'top' | 'records' | 'object';
  state: number;
  /** For a records array: whether it is the top-level value (`[...]`) rather than the value of `Records`. */
  readonly topLevel: boolean;
}

/** What a top-level object turned out to be, learnt from its keys. */
interface TopObject {
  readonly offset: number;
  /** The key whose value comes next. */
  key: string;
  hasRecords: boolean;
  hasRecordKey: boolean;
  hasDigestKey: boolean;
  /** Set when the object passed {@link MAX_BUFFERED_BYTES}: it is no longer buffered. */
  overflowed: boolean;
  /** The first few key names, for the skip detail. */
  readonly keyNames: string[];
}

/**
 * The byte-level state machine behind {@link decodeLogObject}. `push` takes decompressed chunks, `take` hands over
 * what they completed, `end` checks that the data did not stop in the middle.
 */
class LogScanner {
  /** Set once a file-level skip was decided: nothing more is read. */
  finished = false;
  /** Bytes of the decompressed stream scanned so far. */
  bytesScanned = 0;

  private readonly objectKey: string;
  private items: DecodedItem[] = [];
  private recordsRead = 0;
  private topValues = 0;
  private mode = MODE_STRUCTURE;
  private readonly frames: Frame[] = [{ kind: 'top', state: TOP_VALUE, topLevel: true }];
  private topObject: TopObject | undefined;

  // MODE_CONTAINER: nesting inside the container, and the string / escape state that may span chunks.
  private depth = 0;
  private brackets = new Uint8Array(64);
  private inString = false;
  private escapePending = false;
  /** What the container being scanned is: a record to yield, or a value to pass over. */
  private containerIsRecord = false;

  // MODE_STRING / MODE_LITERAL of the outer structure.
  private stringIsKey = false;
  private keyStart = -1;
  private keyParts: Buffer[] = [];
  private keyLength = 0;
  private keyTruncated = false;
  private literal = '';
  private literalOffset = 0;

  // The bytes being kept: a record, or a top-level object until it is known not to be a `{"Records":[...]}`.
  private capturing = false;
  private captureStart = 0;
  private captureOffset = 0;
  private captureParts: Buffer[] = [];
  private captureLength = 0;
  private captureKind: 'record' | 'top-object' = 'record';

  constructor(objectKey: string) {
    this.objectKey = objectKey;
  }

  /** Hands over the items completed so far. */
  take(): DecodedItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** Builds the error for a problem at `byteOffset`, with the object key and the records read so far. */
  error(reason: string, byteOffset: number, cause?: unknown): LogDecodeError {
    return new LogDecodeError(this.objectKey, byteOffset, this.recordsRead, reason, cause === undefined ? undefined : { cause });
  }

  push(chunk: Uint8Array): void {
    const bytes = asBuffer(chunk);
    const length = bytes.length;
    let i = 0;
    while (i < length && !this.finished) {
      switch (this.mode) {
        case MODE_CONTAINER:
          i = this.scanContainer(bytes, i);
          break;
        case MODE_STRING:
          i = this.scanString(bytes, i);
          break;
        case MODE_LITERAL:
          i = this.scanLiteral(bytes, i);
          break;
        default:
          i = this.scanStructure(bytes, i);
      }
    }
    if (!this.finished) this.keepPartials(bytes);
    this.bytesScanned += length;
  }

  /** Called at the end of the data: anything still open means the file was cut short. */
  end(): void {
    if (this.finished) return;
    if (this.mode === MODE_LITERAL) this.endLiteral();
    if (this.finished) return;
    if (this.mode !== MODE_STRUCTURE || this.frames.length > 1) {
      throw this.error(`the data ends inside ${this.describeOpenValue()}`, this.bytesScanned);
    }
    if (this.topValues === 0) {
      this.skip('empty-file', this.bytesScanned === 0 ? 'the object has no bytes' : 'the object holds only whitespace');
    }
  }

  /** The fast loop: inside a record (or a skipped value), only strings, escapes and brackets matter. */
  private scanContainer(bytes: Buffer, start: number): number {
    const length = bytes.length;
    let brackets = this.brackets;
    let depth = this.depth;
    let inString = this.inString;
    let i = start;
    if (this.escapePending) {
      // The previous chunk ended with a backslash inside a string: this chunk's first byte is escaped.
      this.escapePending = false;
      i++;
    }
    while (i < length) {
      if (inString) {
        // Jump to the next quote; it ends the string unless an odd run of backslashes escapes it. (Measured: a
        // native indexOf beats a byte loop here even though most CloudTrail strings are short.)
        const quote = bytes.indexOf(QUOTE, i);
        if (quote === -1) {
          // The string goes on in the next chunk; an odd run of backslashes at the end escapes its first byte.
          let k = length - 1;
          while (k >= i && bytes[k] === BACKSLASH) k--;
          if (((length - 1 - k) & 1) === 1) this.escapePending = true;
          i = length;
          break;
        }
        let k = quote - 1;
        while (k >= i && bytes[k] === BACKSLASH) k--;
        if (((quote - 1 - k) & 1) === 0) inString = false;
        i = quote + 1;
        continue;
      }
      const c = bytes[i];
      if (c === QUOTE) {
        inString = true;
      } else if (c === LBRACE || c === LBRACKET) {
        if (depth === brackets.length) {
          const grown = new Uint8Array(depth * 2);
          grown.set(brackets);
          brackets = grown;
          this.brackets = grown;
        }
        brackets[depth++] = c;
      } else if (c === RBRACE || c === RBRACKET) {
        depth--;
        const open = c === RBRACE ? LBRACE : LBRACKET;
        if (brackets[depth] !== open) {
          throw this.error(
            `'${String.fromCharCode(c)}' closes '${String.fromCharCode(brackets[depth] ?? QUOTE)}' inside ${this.describeOpenValue()}`,
            this.bytesScanned + i,
          );
        }
        if (depth === 0) {
          this.depth = 0;
          this.inString = false;
          this.mode = MODE_STRUCTURE;
          this.endContainer(bytes, i + 1);
          return i + 1;
        }
      }
      i++;
    }
    this.depth = depth;
    this.inString = inString;
    return length;
  }

  /** A string of the outer structure: a top-level object's key (kept, to recognise the object) or value. */
  private scanString(bytes: Buffer, start: number): number {
    const length = bytes.length;
    let i = start;
    if (this.escapePending) {
      this.escapePending = false;
      i++;
    }
    while (i < length) {
      const c = bytes[i];
      if (c === BACKSLASH) {
        i += 2;
        if (i > length) this.escapePending = true;
        continue;
      }
      if (c === QUOTE) {
        this.mode = MODE_STRUCTURE;
        if (this.stringIsKey) this.endKey(bytes, i + 1);
        else this.afterValue();
        return i + 1;
      }
      i++;
    }
    return length;
  }

  private scanLiteral(bytes: Buffer, start: number): number {
    const length = bytes.length;
    let i = start;
    while (i < length && isLiteralByte(bytes[i] ?? 0)) i++;
    if (this.literal.length < 64) this.literal += bytes.toString('latin1', start, Math.min(i, start + 64));
    if (i < length) this.endLiteral();
    return i;
  }

  private endLiteral(): void {
    this.mode = MODE_STRUCTURE;
    if (!LITERAL.test(this.literal)) {
      // The literal's text is file content (it could be a secret pasted unquoted): name its shape, not its text.
      throw this.error(`${describeLiteral(this.literal)} is not a JSON value`, this.literalOffset);
    }
    this.afterValue();
  }

  /** The outer structure, one byte at a time: a few bytes per record, so clarity beats speed here. */
  private scanStructure(bytes: Buffer, start: number): number {
    const length = bytes.length;
    let i = start;
    while (i < length && this.mode === MODE_STRUCTURE && !this.finished) {
      const c = bytes[i] ?? 0;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      const frame = this.frame();
      const offset = this.bytesScanned + i;
      if (frame.kind === 'records') {
        this.inRecordsArray(frame, c, offset, i);
      } else if (frame.kind === 'object') {
        if (this.inTopObject(frame, c, offset, bytes, i) === 'reread') continue;
      } else {
        if (this.atTopLevel(c, offset, i) === 'reread') continue;
      }
      i++;
    }
    return i;
  }

  /** Returns `reread` when the byte at `i` starts a literal, which the literal scanner reads from the start. */
  private atTopLevel(c: number, offset: number, i: number): 'reread' | undefined {
    this.topValues++;
    if (c === LBRACE) {
      this.frames.push({ kind: 'object', state: OBJECT_FIRST, topLevel: true });
      this.topObject = {
        offset,
        key: '',
        hasRecords: false,
        hasRecordKey: false,
        hasDigestKey: false,
        overflowed: false,
        keyNames: [],
      };
      this.startCapture(i, offset, 'top-object');
    } else if (c === LBRACKET) {
      this.frames.push({ kind: 'records', state: ARRAY_FIRST, topLevel: true });
    } else if (c === QUOTE || isLiteralByte(c)) {
      if (this.topValues > 1) {
        throw this.error('a top-level JSON value that is not a record follows the records', offset);
      }
      // Read to its end: valid JSON is skipped as not a log file, anything else is corruption.
      if (c === QUOTE) {
        this.mode = MODE_STRING;
        this.stringIsKey = false;
        return undefined;
      }
      this.mode = MODE_LITERAL;
      this.literal = '';
      this.literalOffset = offset;
      return 'reread';
    } else {
      throw this.error(`${describeByte(c)} where a JSON value should start: not JSON`, offset);
    }
    return undefined;
  }

  private inRecordsArray(frame: Frame, c: number, offset: number, i: number): void {
    if (c === LBRACE && frame.state !== ARRAY_AFTER) {
      frame.state = ARRAY_AFTER;
      this.startContainer(c, true);
      this.startCapture(i, offset, 'record');
      return;
    }
    if (c === RBRACKET && frame.state !== ARRAY_NEXT) {
      this.frames.pop();
      if (this.frame().kind === 'object') this.frame().state = OBJECT_AFTER;
      return;
    }
    if (c === COMMA && frame.state === ARRAY_AFTER) {
      frame.state = ARRAY_NEXT;
      return;
    }
    if (frame.state === ARRAY_AFTER) {
      throw this.error(`${describeByte(c)} after record ${this.recordsRead - 1}, where ',' or ']' should be`, offset);
    }
    if (frame.topLevel && frame.state === ARRAY_FIRST && this.topValues === 1) {
      this.skip('not-a-log-file', 'the object is a JSON array whose first element is not an object');
      return;
    }
    throw this.error(`${describeByte(c)} where a record object should start`, offset);
  }

  /** Returns `reread` when the byte at `i` starts a literal, which the literal scanner reads from the start. */
  private inTopObject(frame: Frame, c: number, offset: number, bytes: Buffer, i: number): 'reread' | undefined {
    const top = this.requireTopObject();
    switch (frame.state) {
      case OBJECT_FIRST:
      case OBJECT_KEY:
        if (c === QUOTE) {
          this.mode = MODE_STRING;
          this.stringIsKey = true;
          this.keyStart = i;
          this.keyParts = [];
          this.keyLength = 0;
          this.keyTruncated = false;
          frame.state = OBJECT_COLON;
          return undefined;
        }
        if (c === RBRACE && frame.state === OBJECT_FIRST) {
          this.endTopObject(bytes, i + 1, offset);
          return undefined;
        }
        throw this.error(`${describeByte(c)} where a key of the top-level object should be`, offset);
      case OBJECT_COLON:
        if (c !== COLON) throw this.error(`${describeByte(c)} after key "${top.key}", where ':' should be`, offset);
        frame.state = OBJECT_VALUE;
        return undefined;
      case OBJECT_VALUE:
        frame.state = OBJECT_AFTER;
        if (top.key === 'Records' && c === LBRACKET) {
          // A CloudTrail log file: from here on, records are streamed one by one and the object is not kept.
          top.hasRecords = true;
          this.stopCapture();
          this.frames.push({ kind: 'records', state: ARRAY_FIRST, topLevel: false });
          return undefined;
        }
        if (top.key === 'Records' && !top.hasRecords && this.recordsRead === 0 && this.topValues === 1) {
          this.skip('not-a-log-file', 'the top-level "Records" is not an array');
          return undefined;
        }
        if (c === LBRACE || c === LBRACKET) {
          this.startContainer(c, false);
        } else if (c === QUOTE) {
          this.mode = MODE_STRING;
          this.stringIsKey = false;
        } else if (isLiteralByte(c)) {
          this.mode = MODE_LITERAL;
          this.literal = '';
          this.literalOffset = offset;
          return 'reread';
        } else {
          throw this.error(`${describeByte(c)} where the value of "${top.key}" should start`, offset);
        }
        return undefined;
      default:
        if (c === COMMA) {
          frame.state = OBJECT_KEY;
          return undefined;
        }
        if (c === RBRACE) {
          this.endTopObject(bytes, i + 1, offset);
          return undefined;
        }
        throw this.error(`${describeByte(c)} after the value of "${top.key}", where ',' or '}' should be`, offset);
    }
  }

  private startContainer(open: number, isRecord: boolean): void {
    this.mode = MODE_CONTAINER;
    this.containerIsRecord = isRecord;
    this.brackets[0] = open;
    this.depth = 1;
    this.inString = false;
    this.escapePending = false;
  }

  private endContainer(bytes: Buffer, end: number): void {
    if (!this.containerIsRecord) {
      this.afterValue();
      return;
    }
    const text = this.endCapture(bytes, end);
    this.items.push({ kind: 'record', index: this.recordsRead, offset: this.captureOffset, text });
    this.recordsRead++;
  }

  /** A value of the outer structure ended: a string or literal (of a top-level object, or at the top), a skipped container. */
  private afterValue(): void {
    const frame = this.frame();
    if (frame.kind === 'object') {
      frame.state = OBJECT_AFTER;
    } else if (frame.kind === 'top') {
      // Only the first top-level value gets here (see atTopLevel).
      this.skip('not-a-log-file', 'the object is a single JSON string, number, boolean or null, not CloudTrail records');
    }
  }

  private endKey(bytes: Buffer, end: number): void {
    const start = this.keyStart < 0 ? 0 : this.keyStart;
    this.keyStart = -1;
    const parts = this.keyParts;
    this.keyParts = [];
    let key = '(a key longer than 1 KB)';
    if (!this.keyTruncated) {
      const raw = Buffer.concat([...parts, bytes.subarray(start, end)]).toString('utf8');
      try {
        key = JSON.parse(raw) as string;
      } catch (error) {
        throw this.error('a key of the top-level object is not a valid JSON string', this.bytesScanned + start, error);
      }
    }
    const top = this.requireTopObject();
    top.key = key;
    if (RECORD_KEYS.has(key)) top.hasRecordKey = true;
    if (DIGEST_KEYS.has(key)) top.hasDigestKey = true;
    if (top.keyNames.length < 5) top.keyNames.push(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  }

  private endTopObject(bytes: Buffer, end: number, offset: number): void {
    this.frames.pop();
    const top = this.requireTopObject();
    this.topObject = undefined;
    if (top.hasRecords) return;
    const first = this.topValues === 1 && this.recordsRead === 0;
    if (top.hasRecordKey) {
      if (top.overflowed) {
        throw this.error(`a record larger than ${MAX_BUFFERED_BYTES} bytes`, top.offset);
      }
      const text = this.endCapture(bytes, end);
      this.items.push({ kind: 'record', index: this.recordsRead, offset: top.offset, text });
      this.recordsRead++;
      return;
    }
    this.stopCapture();
    if (!first) {
      throw this.error('a top-level object that is neither records nor a record follows the records', offset);
    }
    if (top.hasDigestKey) {
      this.skip('digest-file', 'the object has the keys of a CloudTrail digest file (digestStartTime, logFiles) and no Records');
    } else {
      this.skip('not-a-log-file', `a JSON object without Records or CloudTrail record keys (keys: ${top.keyNames.join(', ') || 'none'})`);
    }
  }

  private startCapture(i: number, offset: number, kind: 'record' | 'top-object'): void {
    this.capturing = true;
    this.captureKind = kind;
    this.captureStart = i;
    this.captureOffset = offset;
    this.captureParts = [];
    this.captureLength = 0;
  }

  /** The kept bytes of a record that ends at `end` of this chunk, as text. */
  private endCapture(bytes: Buffer, end: number): string {
    this.capturing = false;
    if (this.captureLength + end - this.captureStart > MAX_BUFFERED_BYTES) {
      throw this.error(`a record larger than ${MAX_BUFFERED_BYTES} bytes`, this.captureOffset);
    }
    const parts = this.captureParts;
    this.captureParts = [];
    if (parts.length === 0) return bytes.toString('utf8', this.captureStart, end);
    parts.push(bytes.subarray(0, end));
    return Buffer.concat(parts).toString('utf8');
  }

  private stopCapture(): void {
    this.capturing = false;
    this.captureParts = [];
    this.captureLength = 0;
  }

  /** At the end of a chunk: keep the part of the record (or key) it holds, within bounds. */
  private keepPartials(bytes: Buffer): void {
    if (this.capturing) {
      const part = bytes.subarray(this.captureStart);
      this.captureParts.push(part);
      this.captureLength += part.length;
      this.captureStart = 0;
      if (this.captureLength > MAX_BUFFERED_BYTES) this.overflow();
    }
    if (this.mode === MODE_STRING && this.stringIsKey) {
      const start = this.keyStart < 0 ? 0 : this.keyStart;
      // A key longer than this is no key the decoder looks for; keep its start only, for the error detail.
      if (this.keyLength < 1024) {
        const part = bytes.subarray(start);
        this.keyParts.push(part);
        this.keyLength += part.length;
      } else {
        this.keyTruncated = true;
      }
      this.keyStart = -1;
    }
  }

  /**
   * The record or top-level object being kept passed {@link MAX_BUFFERED_BYTES}. A record that large is not
   * something CloudTrail writes: an error. A top-level object is decided by the keys seen so far where they allow
   * (digest keys: a digest; record keys: a record too large); otherwise it is scanned on without being kept, in
   * case `Records` comes later.
   */
  private overflow(): void {
    const top = this.topObject;
    if (this.captureKind === 'record' || top === undefined) {
      throw this.error(`a record larger than ${MAX_BUFFERED_BYTES} bytes`, this.captureOffset);
    }
    if (top.hasRecordKey) {
      throw this.error(`a record larger than ${MAX_BUFFERED_BYTES} bytes`, top.offset);
    }
    if (top.hasDigestKey && this.topValues === 1) {
      this.skip('digest-file', 'the object has the keys of a CloudTrail digest file (digestStartTime, logFiles) and no Records');
      return;
    }
    top.overflowed = true;
    this.stopCapture();
  }

  private skip(reason: FileSkipReason, detail: string): void {
    this.items = [{ kind: 'file-skipped', reason, detail }];
    this.finished = true;
    this.capturing = false;
    this.captureParts = [];
  }

  private frame(): Frame {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) throw new Error('LogScanner: the frame stack is empty');
    return frame;
  }

  private requireTopObject(): TopObject {
    if (this.topObject === undefined) throw new Error('LogScanner: no top-level object is open');
    return this.topObject;
  }

  private describeOpenValue(): string {
    if (this.mode === MODE_CONTAINER && this.containerIsRecord) return `record ${this.recordsRead}`;
    if (this.topObject !== undefined && !this.topObject.hasRecords) return 'a top-level object';
    if (this.frames.some((frame) => frame.kind === 'records')) return 'the records array';
    return 'a top-level object';
  }
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
