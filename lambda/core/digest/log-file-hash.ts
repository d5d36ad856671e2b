/**
 * The hash a digest records for a log file: SHA-256 of its uncompressed content, computed while the bytes stream
 * by, so a 50 MB object never sits in memory whole. Pure: node:crypto, node:zlib and node:stream only.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isGzip } from './digest-file';

/** What hashing a log object's bytes found. */
export type ContentHash =
  | { readonly state: 'hashed'; readonly sha256: string }
  /** The bytes are gzip but do not decompress: corrupt, truncated, or followed by data that is not gzip. */
  | { readonly state: 'unreadable'; readonly reason: string };

/**
 * Hashes the uncompressed content of a log object: gunzipped when it starts with gzip's magic number (as CloudTrail
 * delivers it), as is otherwise (a copy someone already decompressed hashes the same). Concatenated gzip members
 * decompress one after another, so data appended as a second member changes the hash; anything else after the
 * end of the gzip data makes the object unreadable. Errors of the byte source itself are thrown.
 */
export async function hashLogFileContent(chunks: AsyncIterable<Uint8Array>): Promise<ContentHash> {
  const hash = createHash('sha256');
  const iterator = chunks[Symbol.asyncIterator]();
  // Enough bytes to see the magic number: the first chunk may be a single byte.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    head.push(next.value);
    headBytes += next.value.byteLength;
  }
  const start = Buffer.concat(head);
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => iterator };
  if (!isGzip(start)) {
    hash.update(start);
    for await (const chunk of rest) hash.update(chunk);
    return { state: 'hashed', sha256: hash.digest('hex') };
  }
  try {
    await pipeline(Readable.from(prepend(start, rest)), createGunzip(), async (decompressed: AsyncIterable<Buffer>) => {
      for await (const chunk of decompressed) hash.update(chunk);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      return { state: 'unreadable', reason: `its gzip data is corrupt, truncated or followed by other data (${code})` };
    }
    throw error;
  }
  return { state: 'hashed', sha256: hash.digest('hex') };
}

async function* prepend(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  yield* rest;
}
