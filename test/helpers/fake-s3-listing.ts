/**
 * An S3 client for listing tests, answered in memory.
 */
import { S3Client, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';

/**
 * A real S3 client whose ListObjectsV2 calls are answered from an in-memory bucket with S3's semantics (prefix,
 * delimiter, common prefixes, pages of `pageSize`), before anything is serialised or sent.
 *
 * Faked rather than s3rver because s3rver returns no CommonPrefixes for delimiter listings of nested keys (its
 * file store does not descend below a common prefix), so a walk from a high prefix down to the region folders
 * cannot run against it; test/integration/cli/ingest-s3.test.ts covers the rest of `ingest s3://` on s3rver.
 */
export function fakeS3(keys: readonly string[], pageSize = 1000): { client: S3Client; listed: ListObjectsV2CommandInput[] } {
  const listed: ListObjectsV2CommandInput[] = [];
  const sorted = [...keys].sort();
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  client.middlewareStack.add(
    () => (args) => {
      const input = args.input as ListObjectsV2CommandInput;
      listed.push(input);
      const prefix = input.Prefix ?? '';
      const entries: { key?: string; common?: string }[] = [];
      for (const key of sorted) {
        if (!key.startsWith(prefix)) continue;
        const rest = key.slice(prefix.length);
        const cut = input.Delimiter === undefined ? -1 : rest.indexOf(input.Delimiter);
        const entry = cut === -1 ? { key } : { common: prefix + rest.slice(0, cut + 1) };
        const last = entries[entries.length - 1];
        if (entry.common !== undefined && last?.common === entry.common) continue;
        entries.push(entry);
      }
      const start = Number(input.ContinuationToken ?? '0');
      const page = entries.slice(start, start + pageSize);
      const output: ListObjectsV2CommandOutput = {
        $metadata: {},
        Contents: page.filter((entry) => entry.key !== undefined).map((entry) => ({ Key: entry.key, Size: 10, ETag: `"etag-${entry.key}"` })),
        CommonPrefixes: page.filter((entry) => entry.common !== undefined).map((entry) => ({ Prefix: entry.common })),
        IsTruncated: start + pageSize < entries.length,
        ...(start + pageSize < entries.length ? { NextContinuationToken: String(start + pageSize) } : {}),
      };
      return Promise.resolve({ output, response: {} });
    },
    { step: 'initialize', name: 'fakeListObjectsV2' },
  );
  return { client, listed };
}

