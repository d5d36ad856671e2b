/**
 * Adversarial ways to cut a byte string into chunks, for the decoder's tests: each chunking puts chunk boundaries
 * where a streaming scanner must carry state (inside escapes, between a backslash and what it escapes, inside
 * multi-byte UTF-8 sequences, next to quotes), many boundaries per decode, so that every such spot of a file is
 * covered in a few decodes.
 */

/** A named list of chunk boundaries (byte positions, increasing, strictly inside the data). */
export interface Chunking {
  readonly name: string;
  readonly cuts: readonly number[];
}

/** A deterministic PRNG (a 32-bit xorshift): the same seed gives the same chunkings on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** Cuts `bytes` at the given boundaries. The chunks are views of `bytes` (so at every alignment in memory). */
export function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const at of cuts) {
    if (at <= start || at >= bytes.length) continue;
    chunks.push(bytes.subarray(start, at));
    start = at;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** A source that yields the chunks one by one, each in a later tick, as a network stream does. */
export async function* source(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield await Promise.resolve(chunk);
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** Positions `offset` bytes after each byte that `where` selects. */
function after(bytes: Uint8Array, where: (byte: number, at: number) => boolean, offset: number): number[] {
  const cuts: number[] = [];
  bytes.forEach((byte, at) => {
    if (where(byte, at)) cuts.push(at + offset);
  });
  return cuts;
}

/** The bytes that start a UTF-8 multi-byte sequence. */
function isLeadByte(byte: number): boolean {
  return byte >= 0xc0;
}

/**
 * The targeted chunkings of `bytes`: a boundary after every backslash (splitting each escape), after each of the
 * four hex digits' positions of every `\u`, just before and just after every quote, after the first, second and
 * third byte of every multi-byte UTF-8 sequence; and `random` seeded chunkings of sizes 1 to 97 and 1 to 8192.
 */
export function targetedChunkings(bytes: Uint8Array, random: () => number, randomCount = 4): Chunking[] {
  const isEscapeU = (byte: number, at: number): boolean => byte === BACKSLASH && bytes[at + 1] === 0x75;
  const chunkings: Chunking[] = [
    { name: 'after every backslash', cuts: after(bytes, (byte) => byte === BACKSLASH, 1) },
    ...[2, 3, 4, 5].map((offset) => ({ name: `${offset} bytes into every \\u escape`, cuts: after(bytes, isEscapeU, offset) })),
    { name: 'before every quote', cuts: after(bytes, (byte) => byte === QUOTE, 0) },
    { name: 'after every quote', cuts: after(bytes, (byte) => byte === QUOTE, 1) },
    ...[1, 2, 3].map((offset) => ({ name: `${offset} byte(s) into every multi-byte character`, cuts: after(bytes, isLeadByte, offset) })),
  ];
  for (const [index, largest] of [97, 8192].flatMap((size) => Array.from({ length: randomCount }, (_, i) => [i, size] as const))) {
    const cuts: number[] = [];
    for (let at = 1 + Math.floor(random() * largest); at < bytes.length; at += 1 + Math.floor(random() * largest)) cuts.push(at);
    chunkings.push({ name: `random chunks of 1 to ${largest} bytes (#${index})`, cuts });
  }
  return chunkings;
}

/** Every byte a boundary. */
export function oneByteChunks(bytes: Uint8Array): Chunking {
  return { name: '1-byte chunks', cuts: Array.from({ length: bytes.length }, (_, at) => at) };
}
