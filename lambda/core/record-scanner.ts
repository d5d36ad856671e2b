/**
 * The decoder's byte scanner: the decompressed bytes of a log object in, in chunks of any size; the records they hold
 * out, each as the byte range of its JSON text, and the facts the decoder needs to decide about the whole object.
 *
 * Two speeds, on purpose:
 * - Everything outside the records (the `{"Records":[` wrapper, other keys of a top-level object, top-level values
 *   that are not records) is checked as JSON, byte by byte, in full: a few bytes per file, and any garbage there
 *   (`{"foo":1} garbage`, `[1, garbage`) is reported at its offset.
 * - A record inside a records array is only *delimited*: its strings and brackets must balance (and brackets match),
 *   and nothing more is checked here — the records the caller keeps are parsed later, which checks the rest. This
 *   loop is WebAssembly (`record-scan.wat`): it skips string content sixteen bytes at a time (SIMD compares for `"`
 *   and `\`), the part that dominates the cost, since most of a CloudTrail record's bytes are in strings; written
 *   in JavaScript, four bytes at a time, it took about three times as long.
 * Records that the caller's {@link RecordFilter} does not want are counted and not copied: the scanner reads the
 * one top-level member the filter names as it passes, comparing bytes (no text is built for the record).
 *
 * Memory: one record (or top-level object) at most {@link MAX_RECORD_BYTES}, plus the chunks it spans; and, shared by
 * every scanner of the process, the WebAssembly module's memory: 1.1 MiB, grown by a byte per level of the deepest
 * record nesting met (at most about 17 MiB, since a record is at most {@link MAX_RECORD_BYTES}), never given back.
 * Pure: no I/O, no environment, no logging. Errors name what was wrong and the byte offset, never record content.
 */
import { RECORD_SCAN_WASM } from './record-scan-wasm';

/** The largest record (or top-level object that may be a record) the scanner keeps; CloudTrail's stay far below. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** The deepest nesting accepted outside records: bounds the scanner's memory on hostile input such as `[[[[...`. */
export const MAX_NESTING = 10_000;

/** A problem in the scanned bytes: what was wrong and where (bytes from the start of the stream), never what they say. */
export class ScanError extends Error {
  /** What was wrong, without any of the data's content. */
  readonly reason: string;
  /** Where the problem was found, in bytes from the start of the scanned stream. */
  readonly byteOffset: number;

  constructor(reason: string, byteOffset: number) {
    super(`${reason} (at byte ${byteOffset})`);
    this.name = 'ScanError';
    this.reason = reason;
    this.byteOffset = byteOffset;
  }
}

/**
 * Which records of a records array the caller wants as bytes; the others are only counted.
 *
 * A record is wanted when its top-level member `key` is one of `values`, is missing, or is not a string: the
 * scanner reads that member as it delimits the record, comparing bytes. A record is also delivered whenever the
 * scanner cannot read the member for sure (its name or value split across two chunks, a `\` escape that does not
 * decode): the filter can only save work, never lose a record the caller wants. Duplicate members count as
 * `JSON.parse` counts them: the last one wins.
 */
export interface RecordFilter {
  /** The top-level member that decides, as written in the data (plain ASCII, no escapes). */
  readonly key: string;
  /** The string values of `key` that make a record wanted. */
  readonly values: readonly string[];
}

/** What the first top-level value was when it holds no records (the decoder turns it into a file-level skip). */
export type NotRecords =
  /** An object without `Records` or CloudTrail record keys; `keys` holds its first few key names. */
  | { readonly shape: 'object'; readonly keys: readonly string[]; readonly digestKeys: boolean }
  /** An object whose `Records` is not an array. */
  | { readonly shape: 'records-not-array' }
  /** An array whose first element is not an object. */
  | { readonly shape: 'array-of-non-objects' }
  /** A string, number, boolean or null. */
  | { readonly shape: 'scalar' };

/** What the scanner hands over. */
export type ScanItem =
  | {
      readonly kind: 'record';
      /** 0-based position of the record among all the records of the stream, wanted or not. */
      readonly index: number;
      /** Byte offset of the record's `{` in the stream. */
      readonly offset: number;
      /** The record's JSON text as bytes: a view of the pushed chunk (or a copy when it spans chunks). */
      readonly bytes: Uint8Array;
    }
  | { readonly kind: 'not-records'; readonly value: NotRecords };

// The scanner's constants are `const enum` members, which the compiler writes as literal numbers where they are used.
// Plain top-level constants become `var` in an esbuild bundle, and in the CLI's bundle (an ES module) V8 then reads
// them from memory at every use: the JavaScript loops over bytes (the structure, the strings outside the records)
// ran a third slower there than in the Lambda's CommonJS bundle (docs/performance.md).

// Bytes the scanner looks at. All are ASCII, and no byte of a UTF-8 multi-byte sequence is below 0x80, so scanning
// UTF-8 bytewise never mistakes part of a character for structure.
const enum Byte {
  QUOTE = 0x22,
  BACKSLASH = 0x5c,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d,
  COMMA = 0x2c,
  COLON = 0x3a,
}

/** Keys that only a CloudTrail record has at its top level (Insight records included). */
const RECORD_KEYS: ReadonlySet<string> = new Set(['eventVersion', 'eventID', 'eventTime', 'eventSource', 'eventName', 'eventType']);
/** Keys of a CloudTrail digest file. */
const DIGEST_KEYS: ReadonlySet<string> = new Set(['digestStartTime', 'logFiles']);

/** Keys of a top-level object longer than this are no key the scanner looks for: only their start is kept. */
const MAX_KEY_BYTES = 1024;

// What the scanner is doing with the bytes at hand.
const enum Mode {
  /** Between values: one byte at a time, every byte checked. */
  STRUCTURE = 0,
  /** Inside a record of a records array: the fast loop. */
  RECORD = 1,
  /** Inside a string outside the records: checked (escapes, control characters). */
  STRING = 2,
  /** Inside a number, `true`, `false` or `null` outside the records. */
  LITERAL = 3,
}

// Frames of the structure outside the records.
const enum Frame {
  TOP = 0,
  /** An object or array of no interest: checked only. */
  OBJECT = 1,
  ARRAY = 2,
  /** A top-level object: its keys tell whether it is a log file (`Records`), a record, a digest or something else. */
  TOP_OBJECT = 3,
  /** An array whose elements are records: the top-level array, or the value of a top-level object's `Records`. */
  RECORDS = 4,
}

// What a frame expects next.
const enum Expect {
  VALUE = 0, // top level, or after ',' in an array
  FIRST_VALUE = 1, // after '[': a value or ']'
  ARRAY_NEXT = 2, // after a value in an array: ',' or ']'
  FIRST_KEY = 3, // after '{': a key or '}'
  KEY = 4, // after ',' in an object
  COLON = 5,
  MEMBER_VALUE = 6,
  OBJECT_NEXT = 7, // after a member's value: ',' or '}'
}

// What a string outside the records is.
const enum StringKind {
  VALUE = 0,
  KEY = 1,
  /** A key of a top-level object: kept (up to {@link MAX_KEY_BYTES}) to learn what the object is. */
  TOP_KEY = 2,
}

// States of a number or bare word outside the records (a small automaton for JSON's number grammar).
const enum Literal {
  BAD = 0,
  START = 1,
  MINUS = 2,
  ZERO = 3,
  INTEGER = 4,
  DOT = 5,
  FRACTION = 6,
  E = 7,
  E_SIGN = 8,
  EXPONENT = 9,
  WORD = 10,
}

/** Whether 32-bit words read the bytes in memory order from their low end: the word-at-a-time string skip needs it. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const EMPTY_WORDS = new Int32Array(0);
/** The word-at-a-time string skip's mask (see {@link nextStringStop}). */
const enum Mask {
  LOW_7_BITS = 0x7f7f7f7f,
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Bytes a JSON number or `true` / `false` / `null` is made of (and the bare words around them, to report whole). */
function isLiteralByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x2b || c === 0x2e;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** The characters a `\` may escape besides `u`: `"` `\` `/` `b` `f` `n` `r` `t`. */
function isSingleEscape(c: number): boolean {
  return c === Byte.QUOTE || c === Byte.BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * The first index at or after `i` of a byte that ends a run of plain string content (`"`, `\`, or a control byte
 * below 0x20, which JSON requires escaped); `bytes.length` when there is none. For the strings outside the records
 * (top-level records of a single-record or newline-delimited file among them), which are checked; the record loop
 * inside a records array has its own, in WebAssembly (see `scanRecord`).
 *
 * Four bytes at a time where the chunk is aligned (`words` is the chunk's aligned middle, starting at `head`): per
 * byte of a 32-bit word, `((x & 0x7f) + 0x7f) | x` has its high bit clear exactly when `x` is 0, and no carry crosses
 * bytes, so XOR-ing the word with the byte searched for and testing the high bits finds it with no borrow
 * artefacts (the classic `(x - 0x01..) & ~x` test can flag a byte after a match); the lowest flagged byte is the
 * answer. `((v & 0x7f) + 0x60) | v` has its high bit clear exactly when `v` is below 0x20.
 */
function nextStringStop(bytes: Uint8Array, words: Int32Array, head: number, i: number): number {
  const length = bytes.length;
  for (; i < head && i < length; i++) {
    const c = bytes[i] as number;
    if (c === Byte.QUOTE || c === Byte.BACKSLASH || c < 0x20) return i;
  }
  const wordCount = words.length;
  const wordEnd = head + (wordCount << 2);
  if (i < wordEnd) {
    let w = (i - head) >> 2;
    // Flags of the bytes before `i` in the first word are dropped.
    let found = stringStops(words[w] as number) & (-1 << (((i - head) & 3) << 3));
    while (found === 0 && ++w < wordCount) found = stringStops(words[w] as number);
    if (found !== 0) return head + (w << 2) + ((31 - Math.clz32(found & -found)) >> 3);
    i = wordEnd;
  }
  for (; i < length; i++) {
    const c = bytes[i] as number;
    if (c === Byte.QUOTE || c === Byte.BACKSLASH || c < 0x20) return i;
  }
  return length;
}

/** The high bit of each byte of the word `v` that is `"`, `\` or below 0x20 (see {@link nextStringStop}). */
function stringStops(v: number): number {
  const x = v ^ 0x22222222;
  const y = v ^ 0x5c5c5c5c;
  return ~((((x & Mask.LOW_7_BITS) + Mask.LOW_7_BITS) | x) & (((y & Mask.LOW_7_BITS) + Mask.LOW_7_BITS) | y) & (((v & Mask.LOW_7_BITS) + 0x60606060) | v) | Mask.LOW_7_BITS);
}

// ---- the record loop in WebAssembly (record-scan.wat) ---------------------------------------------------------------

/** What `scan` stopped for (see record-scan.wat). */
const enum ScanCode {
  END = 0,
  RECORD_END = 1,
  MEMBER = 2,
  MISMATCH = 3,
  NO_MEMORY = 4,
}

/** The string state `scan` takes and gives back. */
const enum Flag {
  IN_STRING = 1,
  HAD_ESCAPE = 2,
  /** The first byte is escaped: the chunk before ended with a backslash inside a string. */
  ESCAPE_PENDING = 4,
  /** The filter's member name was just read: its value is the next top-level string. */
  MEMBER_VALUE_NEXT = 8,
}

/** Bytes between the end of the window and the bracket stack in the module's memory (see record-scan.wat). */
const WINDOW_PADDING = 64;
/** The largest chunk scanned in one piece: 1 GiB, well within the loop's 32-bit signed positions. */
const MAX_CHUNK_BYTES = 1024 * 1024 * 1024;

/** The part of the WebAssembly API used here (the project's type libraries leave it out). */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: object };
}

/** An exported global of the module: its value. */
interface WasmGlobal {
  readonly value: number;
}

interface RecordScanExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly scan: (
    i: number,
    end: number,
    delta: number,
    depth: number,
    flags: number,
    stringStart: number,
    keyLength: number,
  ) => number;
  readonly out_pos: WasmGlobal;
  readonly out_depth: WasmGlobal;
  readonly out_string_start: WasmGlobal;
  readonly out_flags: WasmGlobal;
  /** Where the bracket stack starts in the memory; the window is what comes before it (less the padding). */
  readonly stack_base: WasmGlobal;
}

/**
 * The module's instance and what it holds: one for every scanner (a call runs to completion, and what a scanner keeps
 * between calls is its own), made when the first scanner is.
 */
class ScanModule {
  private static instance: ScanModule | undefined;

  /** The shared instance; throws, saying so, on a runtime without WebAssembly. */
  static shared(): ScanModule {
    ScanModule.instance ??= new ScanModule();
    return ScanModule.instance;
  }

  readonly scan: RecordScanExports['scan'];
  readonly outPos: WasmGlobal;
  readonly outDepth: WasmGlobal;
  readonly outStringStart: WasmGlobal;
  readonly outFlags: WasmGlobal;
  /** Where the bracket stack starts in the memory. */
  readonly stackBase: number;
  /** The largest window of a chunk the memory holds (1 MiB). */
  private readonly windowBytes: number;
  private readonly memory: RecordScanExports['memory'];
  private view: Uint8Array;
  /** The chunk whose window the memory holds, and the window (chunk indices). */
  private loadedChunk: Uint8Array | undefined;
  private loadedStart = 0;
  private loadedEnd = 0;

  private constructor() {
    const webAssembly = (globalThis as unknown as { readonly WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (webAssembly === undefined) {
      // Node.js has it unless started with --jitless.
      throw new Error('trail-audit needs WebAssembly, which this Node.js does not have (was it started with --jitless?)');
    }
    const exports = new webAssembly.Instance(new webAssembly.Module(Buffer.from(RECORD_SCAN_WASM, 'base64')))
      .exports as RecordScanExports;
    this.scan = exports.scan;
    this.outPos = exports.out_pos;
    this.outDepth = exports.out_depth;
    this.outStringStart = exports.out_string_start;
    this.outFlags = exports.out_flags;
    this.stackBase = exports.stack_base.value;
    this.windowBytes = this.stackBase - WINDOW_PADDING;
    this.memory = exports.memory;
    this.view = new Uint8Array(this.memory.buffer);
  }

  /** The memory as bytes; made again when the bracket stack grew it (growing detaches the old view). */
  get bytes(): Uint8Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Uint8Array(this.memory.buffer);
    return this.view;
  }

  /**
   * Copies the window of `chunk` that starts at `start` into the memory, unless it is there already; returns the
   * window's end (a chunk index).
   */
  loadWindow(chunk: Uint8Array, start: number): number {
    if (this.loadedChunk !== chunk || start < this.loadedStart || start >= this.loadedEnd) {
      const end = Math.min(chunk.length, start + this.windowBytes);
      this.bytes.set(chunk.subarray(start, end), 0);
      this.loadedChunk = chunk;
      this.loadedStart = start;
      this.loadedEnd = end;
    }
    return this.loadedEnd;
  }

  /** Where the loaded window starts (a chunk index). */
  get windowStart(): number {
    return this.loadedStart;
  }

  /** Marks the window as unknown: the next {@link loadWindow} copies. */
  forgetWindow(): void {
    this.loadedChunk = undefined;
  }

  copyStackIn(brackets: Uint8Array, depth: number): void {
    this.bytes.set(brackets.subarray(0, depth), this.stackBase);
  }

  /** The bracket stack copied into `brackets` (grown when it is too short); returns the array holding it. */
  copyStackOut(brackets: Uint8Array, depth: number): Uint8Array {
    const target = depth <= brackets.length ? brackets : new Uint8Array(Math.max(depth, brackets.length * 2));
    target.set(this.bytes.subarray(this.stackBase, this.stackBase + depth));
    return target;
  }
}

/** Bytes as text: `utf8`, with invalid sequences replaced (only for names and escaped filter values, never records). */
function textOf(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

const UTF8_ENCODER = new TextEncoder();

function utf8(text: string): Uint8Array {
  return UTF8_ENCODER.encode(text);
}

/** Whether `bytes[start, end)` equals `expected`. */
function bytesEqual(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let j = 0; j < expected.length; j++) {
    if (bytes[start + j] !== expected[j]) return false;
  }
  return true;
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** What a top-level object turned out to be, learnt from its keys. */
interface TopObject {
  readonly offset: number;
  /** The key whose value comes next. */
  key: string;
  hasRecords: boolean;
  hasRecordKey: boolean;
  hasDigestKey: boolean;
  recordsNotArray: boolean;
  /** Set when the object passed {@link MAX_RECORD_BYTES}: it is no longer kept. */
  overflowed: boolean;
  /** The first few key names, for the skip detail. */
  readonly keyNames: string[];
}

/** A {@link RecordFilter} as bytes, ready to compare in the scanning loop. */
interface CompiledFilter {
  readonly key: Uint8Array;
  readonly values: readonly Uint8Array[];
  readonly texts: ReadonlySet<string>;
}

/** The filter's member, as read in the record so far. */
const enum Member {
  /** Not met yet. */
  ABSENT = 0,
  /** Present, its value a string that is not one of the filter's values. */
  OTHER = 1,
  /** Present, its value a string of the filter's values, or not a string (yet). */
  WANTED = 2,
}

/**
 * The byte scanner. `push` takes chunks, `take` hands over what they completed, `end` checks that the data did not
 * stop in the middle. `push` and `end` throw a {@link ScanError}; the items completed before the problem stay
 * available to `take`, so a caller can deliver them first.
 *
 * Accepted containers: `{"Records":[...]}` (other keys before or after `Records`), a single record object, a JSON
 * array of records, and several top-level values one after another (newline-delimited JSON). The first top-level
 * value decides: when it holds no records, a `not-records` item says what it was, and the rest of the data is still
 * checked as JSON (and delivers nothing).
 */
export class RecordScanner {
  /** Records delimited so far, wanted or not: the index the next record gets. */
  recordsRead = 0;
  /** Bytes of the stream scanned so far (whole chunks). */
  bytesScanned = 0;
  /** Top-level values begun so far: 0 at the end means the data was empty or whitespace. */
  topValues = 0;

  /** The record loop's WebAssembly module (shared). */
  private readonly wasm: ScanModule;
  private readonly filter: CompiledFilter | undefined;
  /** The byte length of the filter's key: a quick test that most member names cannot be it (-1 without a filter). */
  private readonly filterKeyLength: number;
  private items: ScanItem[] = [];
  private mode = Mode.STRUCTURE;
  /** The first top-level value held no records: what follows is checked, not delivered. */
  private checkingOnly = false;

  // Frames of the structure outside the records: kind and expectation per level (index 0 is the top level).
  private frameKinds = new Uint8Array(16);
  private frameStates = new Uint8Array(16);
  private frameCount = 1;
  private top: TopObject | undefined;

  // Mode.STRING: what the string is, where a key of a top-level object started, and the escape being read (0 none,
  // 1 after `\`, -4..-1 hex digits still expected).
  private stringKind = StringKind.VALUE;
  private stringEscape = 0;
  private keyStart = -1;
  private keyParts: Uint8Array[] = [];
  private keyLength = 0;

  // Mode.LITERAL.
  private literalState = Literal.START;
  private literalWord = '';
  private literalPosition = 0;
  private literalLength = 0;
  private literalFirst = 0;
  private literalOffset = 0;

  // Mode.RECORD: nesting inside the record, and the string / escape state that may span chunks.
  private depth = 0;
  private brackets: Uint8Array = new Uint8Array(64);
  private inString = false;
  private escapePending = false;
  /** Where the current string's content starts in this chunk; -1 when it began in an earlier chunk. */
  private stringStart = -1;
  private stringHadEscape = false;
  /** What the filter's member was found to be in this record. */
  private member = Member.ABSENT;
  /** The filter's member name was just read: its value comes next. */
  private memberValueNext = false;
  /** The filter could not read this record for sure: it is delivered. */
  private undecided = false;

  // The bytes being kept: a record, or a top-level object until it is known not to be a record.
  private capturing = false;
  private captureStart = 0;
  private captureOffset = 0;
  private captureParts: Uint8Array[] = [];
  private captureLength = 0;

  constructor(options: { readonly filter?: RecordFilter } = {}) {
    this.wasm = ScanModule.shared();
    const filter = options.filter;
    this.filter =
      filter === undefined
        ? undefined
        : { key: utf8(filter.key), values: filter.values.map(utf8), texts: new Set(filter.values) };
    this.filterKeyLength = this.filter?.key.length ?? -1;
  }

  /** Hands over the items completed so far. */
  take(): ScanItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** Scans one chunk. The chunk is not copied: record bytes handed over may be views of it. */
  push(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    if (length > MAX_CHUNK_BYTES) {
      // Positions within a chunk are 32-bit signed in the WebAssembly loop: a larger chunk (which no stream gives)
      // is scanned as its pieces, which is the same.
      for (let start = 0; start < length; start += MAX_CHUNK_BYTES) this.push(chunk.subarray(start, start + MAX_CHUNK_BYTES));
      return;
    }
    // What the WebAssembly window holds may be another scanner's, or an earlier chunk in a buffer used again.
    this.wasm.forgetWindow();
    // The word view covers the chunk's aligned middle; `head` bytes come before it.
    const aligned = LITTLE_ENDIAN ? (4 - (chunk.byteOffset & 3)) & 3 : length;
    const head = aligned + 4 <= length ? aligned : length;
    const words = head < length ? new Int32Array(chunk.buffer, chunk.byteOffset + head, (length - head) >> 2) : EMPTY_WORDS;
    let i = 0;
    while (i < length) {
      switch (this.mode) {
        case Mode.RECORD:
          i = this.scanRecord(chunk, i);
          break;
        case Mode.STRING:
          i = this.scanString(chunk, words, head, i);
          break;
        case Mode.LITERAL:
          i = this.scanLiteral(chunk, i);
          break;
        default:
          i = this.scanStructure(chunk, i);
      }
    }
    this.keepPartials(chunk);
    this.bytesScanned += length;
  }

  /** Called at the end of the data: anything still open means the data was cut short. */
  end(): void {
    if (this.mode === Mode.LITERAL) this.endLiteral();
    if (this.mode !== Mode.STRUCTURE || this.frameCount > 1) {
      throw this.error(`the data ends inside ${this.describeOpenValue()}`, this.bytesScanned);
    }
  }

  private error(reason: string, byteOffset: number): ScanError {
    return new ScanError(reason, byteOffset);
  }

  // ---- records: the fast loop ----------------------------------------------------------------------------------

  /**
   * Inside a record: only strings, escapes and brackets matter (and, with a filter, the record's top-level members).
   * The loop itself is WebAssembly (`record-scan.wat`, sixteen bytes at a time inside strings, where nearly every
   * byte of a log file is); it comes back here at each record's end, at each top-level string the filter may need,
   * and at the end of its window of the chunk. The shared instance holds nothing between calls that another
   * scanner's call could disturb: this scanner's bracket stack is copied in when it starts and out when it leaves.
   */
  private scanRecord(bytes: Uint8Array, start: number): number {
    const wasm = this.wasm;
    const windowEnd = wasm.loadWindow(bytes, start);
    const delta = -wasm.windowStart;
    const keyLength = this.filterKeyLength;
    let depth = this.depth;
    if (depth > 1) wasm.copyStackIn(this.brackets, depth);
    else wasm.bytes[wasm.stackBase] = Byte.LBRACE;
    let flags =
      (this.inString ? Flag.IN_STRING : 0) |
      (this.stringHadEscape ? Flag.HAD_ESCAPE : 0) |
      (this.escapePending ? Flag.ESCAPE_PENDING : 0) |
      (this.memberValueNext ? Flag.MEMBER_VALUE_NEXT : 0);
    const stringStart = this.stringStart;
    let i = start;
    for (;;) {
      const code = wasm.scan(i, windowEnd, delta, depth, flags, stringStart, keyLength);
      const at = wasm.outPos.value;
      if (code === ScanCode.MEMBER) {
        this.recordMember(bytes, wasm.outStringStart.value, at, (wasm.outFlags.value & Flag.HAD_ESCAPE) !== 0);
        i = at + 1;
        depth = 1;
        flags = this.memberValueNext ? Flag.MEMBER_VALUE_NEXT : 0;
        continue;
      }
      if (code === ScanCode.RECORD_END) {
        this.endRecord(bytes, at + 1);
        // The usual next bytes, `,{` (whitespace aside), start the next record here: what the structure loop would
        // do, without leaving this loop once per record.
        const next = this.nextRecordStart(bytes, at + 1);
        if (next < 0) {
          this.depth = 0;
          this.inString = false;
          this.mode = Mode.STRUCTURE;
          return at + 1;
        }
        this.startRecord(next, this.bytesScanned + next);
        depth = 1;
        flags = 0;
        i = next + 1;
        // The next record may start beyond this window: the caller comes back for the next one.
        if (i >= windowEnd) return i;
        continue;
      }
      if (code === ScanCode.MISMATCH) {
        const open = wasm.bytes[wasm.stackBase + wasm.outDepth.value] as number;
        const close = bytes[at] as number;
        throw this.error(
          `'${String.fromCharCode(close)}' closes '${String.fromCharCode(open)}' inside record ${this.recordsRead}`,
          this.bytesScanned + at,
        );
      }
      if (code === ScanCode.NO_MEMORY) {
        throw this.error(`record ${this.recordsRead} nests deeper than memory allows`, this.bytesScanned + at);
      }
      // The end of the window.
      depth = wasm.outDepth.value;
      flags = wasm.outFlags.value;
      this.depth = depth;
      if (depth > 1) this.brackets = wasm.copyStackOut(this.brackets, depth);
      this.inString = (flags & Flag.IN_STRING) !== 0;
      this.stringHadEscape = (flags & Flag.HAD_ESCAPE) !== 0;
      this.escapePending = (flags & Flag.ESCAPE_PENDING) !== 0;
      this.memberValueNext = (flags & Flag.MEMBER_VALUE_NEXT) !== 0;
      // A string still open continues in the next chunk, where its start is not at hand.
      this.stringStart = this.inString && windowEnd === bytes.length ? -1 : wasm.outStringStart.value;
      return windowEnd;
    }
  }

  /** The index of the `{` when `bytes` from `i` hold `,` and `{` (whitespace aside), else -1. */
  private nextRecordStart(bytes: Uint8Array, i: number): number {
    const length = bytes.length;
    while (i < length && isWhitespace(bytes[i] as number)) i++;
    if (bytes[i] !== Byte.COMMA) return -1;
    i++;
    while (i < length && isWhitespace(bytes[i] as number)) i++;
    return bytes[i] === Byte.LBRACE ? i : -1;
  }

  private startRecord(i: number, offset: number): void {
    this.mode = Mode.RECORD;
    this.brackets[0] = Byte.LBRACE;
    this.depth = 1;
    this.inString = false;
    this.escapePending = false;
    this.member = Member.ABSENT;
    this.memberValueNext = false;
    this.undecided = false;
    this.startCapture(i, offset);
  }

  private endRecord(bytes: Uint8Array, end: number): void {
    const filter = this.filter;
    const wanted = filter === undefined || this.undecided || this.member !== Member.OTHER;
    const offset = this.captureOffset;
    if (wanted) {
      this.items.push({ kind: 'record', index: this.recordsRead, offset, bytes: this.endCapture(bytes, end) });
    } else {
      if (this.captureLength + end - this.captureStart > MAX_RECORD_BYTES) {
        throw this.error(`a record larger than ${MAX_RECORD_BYTES} bytes`, offset);
      }
      this.stopCapture();
    }
    this.recordsRead++;
    this.frameStates[this.frameCount - 1] = Expect.ARRAY_NEXT;
  }

  /**
   * A string at the record's top level ended: a member name (a `:` follows) or a member's value. Reads the filter's
   * member. `start` is -1 when the string began in an earlier chunk: then the record is undecided.
   */
  private recordMember(bytes: Uint8Array, start: number, end: number, hadEscape: boolean): void {
    const filter = this.filter as CompiledFilter;
    let next = end + 1;
    while (next < bytes.length && isWhitespace(bytes[next] as number)) next++;
    if (start < 0 || next >= bytes.length) {
      this.undecided = true;
      return;
    }
    if (bytes[next] === Byte.COLON) {
      // A name: the filter's key, or another one (after the key, a value that is not a string leaves it wanted).
      const isKey = hadEscape ? decodeJsonString(bytes, start, end) === textOf(filter.key, 0, filter.key.length) : bytesEqual(bytes, start, end, filter.key);
      if (isKey) this.member = Member.WANTED;
      this.memberValueNext = isKey;
      return;
    }
    if (!this.memberValueNext) return;
    this.memberValueNext = false;
    if (hadEscape) {
      const value = decodeJsonString(bytes, start, end);
      if (value === undefined) this.undecided = true;
      else this.member = filter.texts.has(value) ? Member.WANTED : Member.OTHER;
      return;
    }
    // A loop rather than `some`: this runs for every record, and a closure would be made for each.
    this.member = Member.OTHER;
    for (const value of filter.values) {
      if (bytesEqual(bytes, start, end, value)) {
        this.member = Member.WANTED;
        return;
      }
    }
  }

  // ---- the structure outside the records: every byte checked -------------------------------------------------------

  private scanStructure(bytes: Uint8Array, start: number): number {
    const length = bytes.length;
    let i = start;
    while (i < length && this.mode === Mode.STRUCTURE) {
      const c = bytes[i] as number;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      const offset = this.bytesScanned + i;
      const level = this.frameCount - 1;
      const kind = this.frameKinds[level] as number;
      const state = this.frameStates[level] as number;
      if (kind === Frame.TOP) {
        if (this.topValue(c, offset, i) === 'reread') continue;
      } else if (kind === Frame.RECORDS) {
        if (this.inRecordsArray(state, c, offset, i) === 'reread') continue;
      } else if (kind === Frame.ARRAY) {
        if (this.inArray(state, c, offset, i) === 'reread') continue;
      } else if (this.inObject(kind === Frame.TOP_OBJECT, state, c, offset, bytes, i) === 'reread') {
        continue;
      }
      i++;
    }
    return i;
  }

  /** A top-level value starts. Returns `reread` when the byte at `i` starts a literal, which is read from its start. */
  private topValue(c: number, offset: number, i: number): 'reread' | undefined {
    this.topValues++;
    if (this.checkingOnly) return this.startValue(c, offset, i, `${describeByte(c)} where a JSON value should start: not JSON`);
    if (c === Byte.LBRACE) {
      this.pushFrame(Frame.TOP_OBJECT, Expect.FIRST_KEY, offset);
      this.top = {
        offset,
        key: '',
        hasRecords: false,
        hasRecordKey: false,
        hasDigestKey: false,
        recordsNotArray: false,
        overflowed: false,
        keyNames: [],
      };
      this.startCapture(i, offset);
      return undefined;
    }
    if (c === Byte.LBRACKET) {
      this.pushFrame(Frame.RECORDS, Expect.FIRST_VALUE, offset);
      return undefined;
    }
    if ((c === Byte.QUOTE || isLiteralByte(c)) && this.topValues > 1) {
      throw this.error('a top-level JSON value that is not a record follows the records', offset);
    }
    return this.startValue(c, offset, i, `${describeByte(c)} where a JSON value should start: not JSON`);
  }

  private inRecordsArray(state: number, c: number, offset: number, i: number): 'reread' | undefined {
    if (state === Expect.ARRAY_NEXT) {
      if (c === Byte.COMMA) this.frameStates[this.frameCount - 1] = Expect.VALUE;
      else if (c === Byte.RBRACKET) this.popFrame();
      else throw this.error(`${describeByte(c)} after record ${this.recordsRead - 1}, where ',' or ']' should be`, offset);
      return undefined;
    }
    if (c === Byte.LBRACE) {
      this.startRecord(i, offset);
      return undefined;
    }
    if (c === Byte.RBRACKET && state === Expect.FIRST_VALUE) {
      this.popFrame();
      return undefined;
    }
    if (state === Expect.FIRST_VALUE && this.frameCount === 2 && this.topValues === 1) {
      // A top-level array of something else: not a log file, and checked as any JSON from here on.
      this.frameKinds[this.frameCount - 1] = Frame.ARRAY;
      this.notRecords({ shape: 'array-of-non-objects' });
      return 'reread';
    }
    throw this.error(`${describeByte(c)} where a record object should start`, offset);
  }

  private inArray(state: number, c: number, offset: number, i: number): 'reread' | undefined {
    if (state === Expect.ARRAY_NEXT) {
      if (c === Byte.COMMA) this.frameStates[this.frameCount - 1] = Expect.VALUE;
      else if (c === Byte.RBRACKET) this.endValue(true);
      else throw this.error(`${describeByte(c)} where ',' or ']' should be, inside ${this.describeOpenValue()}`, offset);
      return undefined;
    }
    if (c === Byte.RBRACKET && state === Expect.FIRST_VALUE) {
      this.endValue(true);
      return undefined;
    }
    this.frameStates[this.frameCount - 1] = Expect.ARRAY_NEXT;
    return this.startValue(c, offset, i, `${describeByte(c)} where a value should start, inside ${this.describeOpenValue()}`);
  }

  /** An object outside the records; `isTop` for a top-level object, whose keys are read and whose errors name them. */
  private inObject(isTop: boolean, state: number, c: number, offset: number, bytes: Uint8Array, i: number): 'reread' | undefined {
    const level = this.frameCount - 1;
    const key = isTop ? this.requireTop().key : '';
    switch (state) {
      case Expect.FIRST_KEY:
      case Expect.KEY:
        if (c === Byte.QUOTE) {
          this.frameStates[level] = Expect.COLON;
          this.startString(isTop ? StringKind.TOP_KEY : StringKind.KEY, i);
          return undefined;
        }
        if (c === Byte.RBRACE && state === Expect.FIRST_KEY) {
          this.closeObject(isTop, bytes, i, offset);
          return undefined;
        }
        throw this.error(
          isTop ? `${describeByte(c)} where a key of the top-level object should be` : `${describeByte(c)} where a key should be, inside ${this.describeOpenValue()}`,
          offset,
        );
      case Expect.COLON:
        if (c !== Byte.COLON) {
          throw this.error(
            isTop ? `${describeByte(c)} after key "${key}", where ':' should be` : `${describeByte(c)} where ':' should be, inside ${this.describeOpenValue()}`,
            offset,
          );
        }
        this.frameStates[level] = Expect.MEMBER_VALUE;
        return undefined;
      case Expect.MEMBER_VALUE: {
        this.frameStates[level] = Expect.OBJECT_NEXT;
        const top = this.top;
        if (isTop && top !== undefined && key === 'Records') {
          if (c === Byte.LBRACKET) {
            // A CloudTrail log file: from here on, records are streamed one by one and the object is not kept.
            top.hasRecords = true;
            this.stopCapture();
            this.pushFrame(Frame.RECORDS, Expect.FIRST_VALUE, offset);
            return undefined;
          }
          top.recordsNotArray = true;
        }
        return this.startValue(
          c,
          offset,
          i,
          isTop ? `${describeByte(c)} where the value of "${key}" should start` : `${describeByte(c)} where a value should start, inside ${this.describeOpenValue()}`,
        );
      }
      default:
        if (c === Byte.COMMA) {
          this.frameStates[level] = Expect.KEY;
          return undefined;
        }
        if (c === Byte.RBRACE) {
          this.closeObject(isTop, bytes, i, offset);
          return undefined;
        }
        throw this.error(
          isTop
            ? `${describeByte(c)} after the value of "${key}", where ',' or '}' should be`
            : `${describeByte(c)} where ',' or '}' should be, inside ${this.describeOpenValue()}`,
          offset,
        );
    }
  }

  /** A value that is only checked starts (in an array, as a member's value, or at the top level when checking only). */
  private startValue(c: number, offset: number, i: number, unexpected: string): 'reread' | undefined {
    if (c === Byte.LBRACE) {
      this.pushFrame(Frame.OBJECT, Expect.FIRST_KEY, offset);
    } else if (c === Byte.LBRACKET) {
      this.pushFrame(Frame.ARRAY, Expect.FIRST_VALUE, offset);
    } else if (c === Byte.QUOTE) {
      this.startString(StringKind.VALUE, i);
    } else if (isLiteralByte(c)) {
      this.mode = Mode.LITERAL;
      this.literalState = Literal.START;
      this.literalLength = 0;
      this.literalFirst = c;
      this.literalOffset = offset;
      return 'reread';
    } else {
      throw this.error(unexpected, offset);
    }
    return undefined;
  }

  /** A value outside the records ended: `popped` when it was a container whose frame is to be removed. */
  private endValue(popped: boolean): void {
    if (popped) this.popFrame();
    const level = this.frameCount - 1;
    const kind = this.frameKinds[level];
    if (kind === Frame.TOP) {
      // Only a first top-level value that is not an object or array of records gets here (and values that are only
      // checked): a string, number, literal, or a plain array.
      if (!this.checkingOnly && this.topValues === 1) this.notRecords({ shape: 'scalar' });
    } else if (kind === Frame.ARRAY || kind === Frame.RECORDS) {
      this.frameStates[level] = Expect.ARRAY_NEXT;
    } else {
      this.frameStates[level] = Expect.OBJECT_NEXT;
    }
  }

  private closeObject(isTop: boolean, bytes: Uint8Array, i: number, offset: number): void {
    if (isTop) this.endTopObject(bytes, i + 1, offset);
    else this.endValue(true);
  }

  private endTopObject(bytes: Uint8Array, end: number, offset: number): void {
    this.popFrame();
    const top = this.requireTop();
    this.top = undefined;
    if (top.hasRecords) return;
    const first = this.topValues === 1 && this.recordsRead === 0;
    if (top.hasRecordKey) {
      if (top.overflowed) throw this.error(`a record larger than ${MAX_RECORD_BYTES} bytes`, top.offset);
      this.items.push({ kind: 'record', index: this.recordsRead, offset: top.offset, bytes: this.endCapture(bytes, end) });
      this.recordsRead++;
      return;
    }
    this.stopCapture();
    if (!first) {
      throw this.error('a top-level object that is neither records nor a record follows the records', offset);
    }
    this.notRecords(
      top.recordsNotArray ? { shape: 'records-not-array' } : { shape: 'object', keys: top.keyNames, digestKeys: top.hasDigestKey },
    );
  }

  private notRecords(value: NotRecords): void {
    this.items.push({ kind: 'not-records', value });
    this.checkingOnly = true;
  }

  private pushFrame(kind: number, state: number, offset: number): void {
    if (this.frameCount > MAX_NESTING) throw this.error(`JSON nested deeper than ${MAX_NESTING} levels`, offset);
    if (this.frameCount === this.frameKinds.length) {
      const kinds = new Uint8Array(this.frameCount * 2);
      const states = new Uint8Array(this.frameCount * 2);
      kinds.set(this.frameKinds);
      states.set(this.frameStates);
      this.frameKinds = kinds;
      this.frameStates = states;
    }
    this.frameKinds[this.frameCount] = kind;
    this.frameStates[this.frameCount] = state;
    this.frameCount++;
  }

  private popFrame(): void {
    this.frameCount--;
    const level = this.frameCount - 1;
    const kind = this.frameKinds[level];
    // A records array closed: its parent (a top-level object) expects ',' or '}'.
    if (kind === Frame.TOP_OBJECT) this.frameStates[level] = Expect.OBJECT_NEXT;
  }

  private requireTop(): TopObject {
    if (this.top === undefined) throw new Error('RecordScanner: no top-level object is open');
    return this.top;
  }

  // ---- strings and literals outside the records -------------------------------------------------------------------

  private startString(kind: number, i: number): void {
    this.mode = Mode.STRING;
    this.stringKind = kind;
    this.stringEscape = 0;
    if (kind === StringKind.TOP_KEY) {
      this.keyStart = i;
      this.keyParts = [];
      this.keyLength = 0;
    }
  }

  /** A string outside the records, checked: escapes must be JSON's, control characters must be escaped. */
  private scanString(bytes: Uint8Array, words: Int32Array, head: number, start: number): number {
    const length = bytes.length;
    let i = start;
    while (i < length) {
      const escape = this.stringEscape;
      if (escape !== 0) {
        const c = bytes[i] as number;
        if (escape === 1) {
          if (c === 0x75) this.stringEscape = -4;
          else if (isSingleEscape(c)) this.stringEscape = 0;
          else throw this.error(`an invalid escape (\\ then ${describeByte(c)}) inside a string`, this.bytesScanned + i);
        } else {
          if (!isHexDigit(c)) throw this.error(`${describeByte(c)} where a hex digit of a \\u escape should be`, this.bytesScanned + i);
          this.stringEscape = escape + 1;
        }
        i++;
        continue;
      }
      const stop = nextStringStop(bytes, words, head, i);
      if (stop >= length) return length;
      const c = bytes[stop] as number;
      if (c === Byte.BACKSLASH) {
        this.stringEscape = 1;
        i = stop + 1;
        continue;
      }
      if (c !== Byte.QUOTE) throw this.error(`an unescaped control character (${describeByte(c)}) inside a string`, this.bytesScanned + stop);
      this.mode = Mode.STRUCTURE;
      // A key's frame already expects the ':'.
      if (this.stringKind === StringKind.TOP_KEY) this.endTopKey(bytes, stop + 1);
      else if (this.stringKind === StringKind.VALUE) this.endValue(false);
      return stop + 1;
    }
    return length;
  }

  private endTopKey(bytes: Uint8Array, end: number): void {
    const start = this.keyStart < 0 ? 0 : this.keyStart;
    this.keyStart = -1;
    const parts = this.keyParts;
    this.keyParts = [];
    let key = '(a key longer than 1 KB)';
    if (this.keyLength <= MAX_KEY_BYTES) {
      const raw = parts.length === 0 ? bytes.subarray(start, end) : concat([...parts, bytes.subarray(start, end)], this.keyLength + end - start);
      // Checked above as a JSON string: it decodes.
      key = decodeJsonString(raw, 1, raw.length - 1) ?? key;
    }
    const top = this.requireTop();
    top.key = key;
    if (RECORD_KEYS.has(key)) top.hasRecordKey = true;
    if (DIGEST_KEYS.has(key)) top.hasDigestKey = true;
    if (top.keyNames.length < 5) top.keyNames.push(key.length > 64 ? `${key.slice(0, 64)}…` : key);
    if (top.hasRecordKey && top.overflowed) throw this.error(`a record larger than ${MAX_RECORD_BYTES} bytes`, top.offset);
  }

  private scanLiteral(bytes: Uint8Array, start: number): number {
    const length = bytes.length;
    let i = start;
    for (; i < length; i++) {
      const c = bytes[i] as number;
      if (!isLiteralByte(c)) break;
      this.literalStep(c);
    }
    if (i < length) this.endLiteral();
    return i;
  }

  /** One byte of a number or bare word: JSON's number grammar, or the next letter of `true`, `false`, `null`. */
  private literalStep(c: number): void {
    this.literalLength++;
    switch (this.literalState) {
      case Literal.START:
        if (c === 0x2d) this.literalState = Literal.MINUS;
        else if (c === 0x30) this.literalState = Literal.ZERO;
        else if (isDigit(c)) this.literalState = Literal.INTEGER;
        else if (c === 0x74 || c === 0x66 || c === 0x6e) {
          this.literalState = Literal.WORD;
          this.literalWord = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
          this.literalPosition = 1;
        } else this.literalState = Literal.BAD;
        return;
      case Literal.MINUS:
        this.literalState = c === 0x30 ? Literal.ZERO : isDigit(c) ? Literal.INTEGER : Literal.BAD;
        return;
      case Literal.ZERO:
      case Literal.INTEGER:
        if (isDigit(c) && this.literalState === Literal.INTEGER) return;
        this.literalState = c === 0x2e ? Literal.DOT : c === 0x65 || c === 0x45 ? Literal.E : Literal.BAD;
        return;
      case Literal.DOT:
        this.literalState = isDigit(c) ? Literal.FRACTION : Literal.BAD;
        return;
      case Literal.FRACTION:
        if (!isDigit(c)) this.literalState = c === 0x65 || c === 0x45 ? Literal.E : Literal.BAD;
        return;
      case Literal.E:
        this.literalState = c === 0x2b || c === 0x2d ? Literal.E_SIGN : isDigit(c) ? Literal.EXPONENT : Literal.BAD;
        return;
      case Literal.E_SIGN:
      case Literal.EXPONENT:
        this.literalState = isDigit(c) ? Literal.EXPONENT : Literal.BAD;
        return;
      case Literal.WORD:
        if (this.literalPosition < this.literalWord.length && c === this.literalWord.charCodeAt(this.literalPosition)) this.literalPosition++;
        else this.literalState = Literal.BAD;
        return;
      default:
    }
  }

  private endLiteral(): void {
    this.mode = Mode.STRUCTURE;
    const state = this.literalState;
    const valid =
      state === Literal.ZERO ||
      state === Literal.INTEGER ||
      state === Literal.FRACTION ||
      state === Literal.EXPONENT ||
      (state === Literal.WORD && this.literalPosition === this.literalWord.length);
    if (!valid) {
      // The literal's text is file content (it could be a secret pasted unquoted): name its shape, not its text.
      const c = this.literalFirst;
      const kind = isDigit(c) || c === 0x2d || c === 0x2b || c === 0x2e ? 'number-like' : 'bare';
      const length = this.literalLength >= 64 ? 'at least 64' : String(this.literalLength);
      throw this.error(`an unquoted ${kind} token of ${length} character(s) is not a JSON value`, this.literalOffset);
    }
    this.endValue(false);
  }

  // ---- kept bytes -------------------------------------------------------------------------------------------------

  private startCapture(i: number, offset: number): void {
    this.capturing = true;
    this.captureStart = i;
    this.captureOffset = offset;
    // Emptied in place, never replaced (here and below): a fresh `[]` has another elements kind than a list of parts,
    // and that change of shape threw the optimised scan loop back to the interpreter for the rest of a chunk. Only
    // when not empty: setting `length` is a call into the runtime, and most records lie within one chunk.
    if (this.captureParts.length > 0) this.captureParts.length = 0;
    this.captureLength = 0;
  }

  /** The kept bytes of a record that ends at `end` of this chunk. */
  private endCapture(bytes: Uint8Array, end: number): Uint8Array {
    this.capturing = false;
    const length = this.captureLength + end - this.captureStart;
    if (length > MAX_RECORD_BYTES) throw this.error(`a record larger than ${MAX_RECORD_BYTES} bytes`, this.captureOffset);
    this.captureLength = 0;
    const parts = this.captureParts;
    if (parts.length === 0) return bytes.subarray(this.captureStart, end);
    parts.push(bytes.subarray(0, end));
    const record = concat(parts, length);
    parts.length = 0;
    return record;
  }

  private stopCapture(): void {
    this.capturing = false;
    if (this.captureParts.length > 0) this.captureParts.length = 0;
    this.captureLength = 0;
  }

  /** At the end of a chunk: keep the part of the record (or top-level key) it holds, within bounds. */
  private keepPartials(bytes: Uint8Array): void {
    if (this.capturing) {
      const part = bytes.subarray(this.captureStart);
      this.captureParts.push(part);
      this.captureLength += part.length;
      this.captureStart = 0;
      if (this.captureLength > MAX_RECORD_BYTES) this.overflow();
    }
    if (this.mode === Mode.STRING && this.stringKind === StringKind.TOP_KEY) {
      // A key longer than this is no key the scanner looks for: its length is still counted.
      const part = bytes.subarray(this.keyStart < 0 ? 0 : this.keyStart);
      if (this.keyLength <= MAX_KEY_BYTES) this.keyParts.push(part);
      this.keyLength += part.length;
      this.keyStart = -1;
    }
  }

  /**
   * The record or top-level object being kept passed {@link MAX_RECORD_BYTES}. A record that large is not something
   * CloudTrail writes: an error. A top-level object with record keys is such a record; otherwise it is scanned on
   * without being kept, in case `Records` comes later (its keys decide at its end).
   */
  private overflow(): void {
    const top = this.top;
    if (this.mode === Mode.RECORD || top === undefined || top.hasRecords) {
      throw this.error(`a record larger than ${MAX_RECORD_BYTES} bytes`, this.captureOffset);
    }
    if (top.hasRecordKey) throw this.error(`a record larger than ${MAX_RECORD_BYTES} bytes`, top.offset);
    top.overflowed = true;
    this.stopCapture();
  }

  private describeOpenValue(): string {
    if (this.mode === Mode.RECORD) return `record ${this.recordsRead}`;
    if (this.top !== undefined && !this.top.hasRecords) return 'a top-level object';
    for (let level = this.frameCount - 1; level > 0; level--) {
      if (this.frameKinds[level] === Frame.RECORDS) return 'the records array';
    }
    return this.top !== undefined ? 'a top-level object' : 'a top-level value';
  }
}

/** The value of the JSON string whose content (between the quotes) is `bytes[start, end)`, or undefined if invalid. */
function decodeJsonString(bytes: Uint8Array, start: number, end: number): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${textOf(bytes, start, end)}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
