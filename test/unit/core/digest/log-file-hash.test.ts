import { gzipSync } from 'node:zlib';
import { hashLogFileContent, sha256Hex } from '../../../../lambda/core/digest';
import { chunked } from '../../../helpers/fixtures';

const TEXT = JSON.stringify({ Records: [{ eventID: 'a', eventTime: '2026-11-20T10:00:00Z' }] });

describe('hashLogFileContent', () => {
  it('hashes the uncompressed content of a gzipped log file, one byte at a time', async () => {
    const result = await hashLogFileContent(chunked(gzipSync(TEXT), 1));

    expect(result).toEqual({ state: 'hashed', sha256: sha256Hex(TEXT) });
  });

  it('hashes a log file that is already uncompressed to the same value', async () => {
    const result = await hashLogFileContent(chunked(Buffer.from(TEXT), 7));

    expect(result).toEqual({ state: 'hashed', sha256: sha256Hex(TEXT) });
  });

  it('hashes an empty object', async () => {
    const result = await hashLogFileContent(chunked(Buffer.alloc(0), 1));

    expect(result).toEqual({ state: 'hashed', sha256: sha256Hex('') });
  });

  it('includes a gzip member appended after the first, so the hash changes', async () => {
    const result = await hashLogFileContent(chunked(Buffer.concat([gzipSync(TEXT), gzipSync('{}')]), 64));

    expect(result).toEqual({ state: 'hashed', sha256: sha256Hex(`${TEXT}{}`) });
  });

  it('reports gzip followed by other data as unreadable', async () => {
    const result = await hashLogFileContent(chunked(Buffer.concat([gzipSync(TEXT), Buffer.from('appended')]), 64));

    expect(result.state).toBe('unreadable');
  });

  it('reports truncated gzip as unreadable', async () => {
    const bytes = gzipSync(TEXT);

    const result = await hashLogFileContent(chunked(bytes.subarray(0, bytes.length - 6), 64));

    expect(result).toEqual({ state: 'unreadable', reason: 'its gzip data is corrupt, truncated or followed by other data (Z_BUF_ERROR)' });
  });
});
