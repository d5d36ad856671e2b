import { S3Client, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { listS3 } from '../../../lambda/cli/sources';

/**
 * A real S3 client whose ListObjectsV2 calls are answered from an in-memory bucket with S3's semantics (prefix,
 * delimiter, common prefixes, pages of `pageSize`), before anything is serialised or sent.
 *
 * Faked rather than s3rver because s3rver returns no CommonPrefixes for delimiter listings of nested keys (its
 * file store does not descend below a common prefix), so the walk from a high prefix down to the region folders
 * cannot run against it; test/integration/cli/ingest-s3.test.ts covers the rest of `ingest s3://` on s3rver.
 */
function fakeS3(keys: readonly string[], pageSize = 1000): { client: S3Client; listed: ListObjectsV2CommandInput[] } {
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

const ACCOUNT = 'logs/AWSLogs/o-abc123defg/111122223333';
const file = (region: string, day: string) =>
  `${ACCOUNT}/CloudTrail/${region}/${day}/111122223333_CloudTrail_${region}_${day.replace(/\//g, '')}T1000Z_x.json.gz`;
const KEYS = [
  file('us-east-1', '2025/01/05'),
  file('us-east-1', '2026/11/19'),
  file('us-east-1', '2026/11/20'),
  file('us-east-1', '2026/11/21'),
  file('eu-west-1', '2026/11/20'),
  file('eu-west-1', '2026/11/23'),
  `${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/20/digest.json.gz`,
  `${ACCOUNT}/CloudTrail-Insight/us-east-1/2026/11/20/insight.json.gz`,
];
const NOW = new Date('2026-11-25T12:00:00Z');
const RANGE = { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-20T23:59:59Z') };

describe('listS3', () => {
  it('lists every log and digest object under the prefix without a range, the Insight folder left out', async () => {
    const { client } = fakeS3(KEYS, 3);

    const objects = await listS3(client, { bucket: 'b', prefix: 'logs/' }, {}, NOW);

    expect(objects.map((object) => object.objectKey)).toEqual(KEYS.filter((key) => !key.includes('/CloudTrail-Insight/')).sort());
  });

  it('selects the date folders of the range and the day after, in every region', async () => {
    const { client } = fakeS3(KEYS);

    const objects = await listS3(client, { bucket: 'b', prefix: 'logs/' }, RANGE, NOW);

    expect(objects.map((object) => object.objectKey).sort()).toEqual(
      [file('eu-west-1', '2026/11/20'), file('us-east-1', '2026/11/20'), file('us-east-1', '2026/11/21')].sort(),
    );
  });

  it('lists only the selected day folders, not the years before them', async () => {
    const { client, listed } = fakeS3(KEYS);

    await listS3(client, { bucket: 'b', prefix: 'logs/' }, RANGE, NOW);

    expect(listed.filter((input) => input.Delimiter === undefined).map((input) => input.Prefix)).toEqual([
      `${ACCOUNT}/CloudTrail/eu-west-1/2026/11/20/`,
      `${ACCOUNT}/CloudTrail/eu-west-1/2026/11/21/`,
      `${ACCOUNT}/CloudTrail/us-east-1/2026/11/20/`,
      `${ACCOUNT}/CloudTrail/us-east-1/2026/11/21/`,
    ]);
  });

  it('names objects by s3:// URL and fingerprints them by ETag without quotes', async () => {
    const { client } = fakeS3([file('us-east-1', '2026/11/20')]);

    const [object] = await listS3(client, { bucket: 'b', prefix: '' }, {}, NOW);

    expect(object).toMatchObject({
      objectId: `s3://b/${file('us-east-1', '2026/11/20')}`,
      fingerprint: `etag-${file('us-east-1', '2026/11/20')}`,
    });
  });

  it('filters a flat listing by date when the range has no start', async () => {
    const { client } = fakeS3(KEYS);

    const objects = await listS3(client, { bucket: 'b', prefix: 'logs/' }, { until: new Date('2025-12-31T00:00:00Z') }, NOW);

    expect(objects.map((object) => object.objectKey)).toEqual([file('us-east-1', '2025/01/05')]);
  });
});
