/**
 * `verify s3://bucket/` against s3rver, which keeps objects' `x-amz-meta-*` metadata as S3 does: the project's
 * examples uploaded with their digests' signatures verify, and each kind of tampering is caught, named with its
 * status, and exits 1. Public keys come from a fake CloudTrail (test/helpers/fake-cloudtrail.ts) the CLI reaches
 * through the SDK's standard configuration (`AWS_ENDPOINT_URL_CLOUDTRAIL`), paging and throttling included.
 */
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EXAMPLE_BUCKET, exampleObjects, exampleSigningKeys, type ExampleObject } from '../../../scripts/make-examples';
import { startFakeCloudTrail, type FakeCloudTrail } from '../../helpers/fake-cloudtrail';
import { startS3rver, type LocalS3 } from '../../helpers/s3rver';
import { startServers } from '../../helpers/servers';
import { newSigningKey } from '../../helpers/digest-chain';
import { runCli, type CliRun } from './cli-helpers';

jest.setTimeout(60_000);

interface Line {
  readonly kind: 'digest' | 'log-file';
  readonly key: string;
  readonly status: string;
  readonly problems?: string[];
  readonly reason?: string;
}

const EXAMPLES = exampleObjects();
const DIGESTS = EXAMPLES.filter((object) => object.key.includes('/CloudTrail-Digest/'));
const LOGS = EXAMPLES.filter((object) => object.key.includes('/CloudTrail/'));
/** The account trail's second digest (10:12:40), which lists the 09:30 and 10:10 files. */
const SECOND_DIGEST = DIGESTS.find((object) => object.key.endsWith('_20261120T101240Z.json.gz'));
const FILE_0930 = LOGS.find((object) => object.key.includes('_20261120T0930Z_'));
const FILE_1010 = LOGS.find((object) => object.key.includes('_20261120T1010Z_'));
/** An older us-east-1 key, also valid in November, so the key list takes two pages. */
const ROTATED = newSigningKey(new Date('2026-10-01T00:00:00Z'), new Date('2026-11-25T00:00:00Z'));

let s3: LocalS3 | undefined;
let cloudTrail: FakeCloudTrail | undefined;
let workDir: string;
const savedEnv = { ...process.env };

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not set up`);
  return value;
}

async function put(object: ExampleObject, text = object.text, metadata = object.metadata): Promise<void> {
  await required(s3, 's3rver').client.send(
    new PutObjectCommand({ Bucket: EXAMPLE_BUCKET, Key: object.key, Body: gzipSync(text), ...(metadata === undefined ? {} : { Metadata: { ...metadata } }) }),
  );
}

async function remove(key: string): Promise<void> {
  await required(s3, 's3rver').client.send(new DeleteObjectCommand({ Bucket: EXAMPLE_BUCKET, Key: key }));
}

async function verify(...extra: string[]): Promise<CliRun & { lines: Line[] }> {
  const run = await runCli(['verify', `s3://${EXAMPLE_BUCKET}/`, '--s3-endpoint', required(s3, 's3rver').endpoint, '--json', ...extra], workDir);
  const lines = run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
  return { ...run, lines };
}

function notVerified(lines: readonly Line[]): [string, string, string][] {
  return lines.filter((line) => line.status !== 'verified').map((line) => [line.kind, line.key, line.status]);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-verify-'));
  const keys = exampleSigningKeys();
  await startServers([
    startS3rver([EXAMPLE_BUCKET]).then((started) => {
      s3 = started;
    }),
    startFakeCloudTrail({ 'us-east-1': [ROTATED.publicKey, keys.usEast1.publicKey], 'eu-west-1': [keys.euWest1.publicKey] }).then((started) => {
      cloudTrail = started;
    }),
  ]);
  // s3rver's credentials, and the SDK's standard endpoint setting for CloudTrail.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_CLOUDTRAIL: required(cloudTrail, 'the fake CloudTrail').endpoint,
  });
});

beforeEach(async () => {
  const client = required(s3, 's3rver').client;
  const listed = await client.send(new ListObjectsV2Command({ Bucket: EXAMPLE_BUCKET }));
  for (const object of listed.Contents ?? []) if (object.Key !== undefined) await remove(object.Key);
  for (const object of EXAMPLES) await put(object);
  required(cloudTrail, 'the fake CloudTrail').calls.length = 0;
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([s3?.stop(), cloudTrail?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

describe('verify s3:// on an intact bucket', () => {
  it('verifies every digest, the newest ones included, and every log file, and exits 0', async () => {
    const run = await verify();

    expect({ code: run.code, problems: notVerified(run.lines), digests: run.lines.filter((line) => line.kind === 'digest').length, logs: run.lines.filter((line) => line.kind === 'log-file').length }).toEqual({
      code: 0,
      problems: [],
      digests: DIGESTS.length,
      logs: LOGS.length,
    });
  });

  it('asks ListPublicKeys in each region that signed digests, page by page', async () => {
    await verify();

    const calls = required(cloudTrail, 'the fake CloudTrail').calls.map((call) => [call.region, call.nextToken !== undefined, call.answer]);

    expect(calls).toEqual([
      ['eu-west-1', false, 'ok'],
      ['us-east-1', false, 'ok'],
      ['us-east-1', true, 'ok'],
    ]);
  });

  it("asks for the keys valid while the region's digests were signed, an hour either side", async () => {
    await verify();

    const [first] = required(cloudTrail, 'the fake CloudTrail').calls.filter((call) => call.region === 'us-east-1');

    expect([first?.startTime, first?.endTime].map((seconds) => new Date((seconds ?? 0) * 1000).toISOString())).toEqual([
      '2026-11-20T08:12:40.000Z',
      '2026-11-20T13:12:40.000Z',
    ]);
  });

  it('gets through a throttled ListPublicKeys (the SDK retries it)', async () => {
    required(cloudTrail, 'the fake CloudTrail').throttleNext(1);

    const run = await verify();

    expect({ code: run.code, answers: required(cloudTrail, 'the fake CloudTrail').calls.map((call) => call.answer) }).toEqual({
      code: 0,
      answers: ['ThrottlingException', 'ok', 'ok', 'ok'],
    });
  });

  it('uses the --public-keys file instead of ListPublicKeys when given', async () => {
    const run = await verify('--public-keys', join(__dirname, '..', '..', '..', 'examples', 'public-keys.json'));

    expect({ code: run.code, calls: required(cloudTrail, 'the fake CloudTrail').calls.length }).toEqual({ code: 0, calls: 0 });
  });

  it('fails the run (exit 3) when ListPublicKeys is denied, naming the region', async () => {
    required(cloudTrail, 'the fake CloudTrail').denyAll(true);

    const run = await verify().finally(() => required(cloudTrail, 'the fake CloudTrail').denyAll(false));

    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 3,
      stderr: expect.stringMatching(/^trail-audit: PublicKeyLookupError: cannot list CloudTrail public keys in eu-west-1 \(AccessDeniedException: /) as unknown,
    });
  });
});

describe('verify s3:// catches tampering', () => {
  it('names a deleted log file missing and exits 1', async () => {
    const file = required(FILE_0930, 'the 09:30 file');
    await remove(file.key);

    const run = await verify();

    expect({ code: run.code, problems: notVerified(run.lines) }).toEqual({ code: 1, problems: [['log-file', file.key, 'missing']] });
  });

  it('names an edited log file altered', async () => {
    const file = required(FILE_1010, 'the 10:10 file');
    await put(file, file.text.replace('"DeleteLoadBalancer"', '"DescribeLoadBalancers"'));

    const run = await verify();

    expect({ code: run.code, problems: notVerified(run.lines) }).toEqual({ code: 1, problems: [['log-file', file.key, 'altered']] });
  });

  it('names a deleted digest missing, and the log files only it listed unlisted', async () => {
    const digest = required(SECOND_DIGEST, 'the second digest');
    await remove(digest.key);

    const run = await verify();

    expect({ code: run.code, problems: notVerified(run.lines) }).toEqual({
      code: 1,
      problems: [
        ['digest', digest.key, 'missing'],
        ['log-file', required(FILE_0930, 'the 09:30 file').key, 'unlisted'],
        ['log-file', required(FILE_1010, 'the 10:10 file').key, 'unlisted'],
      ],
    });
  });

  it('shows the missing digest in its hour of its chain in the readable report', async () => {
    const digest = required(SECOND_DIGEST, 'the second digest');
    await remove(digest.key);

    const run = await runCli(['verify', `s3://${EXAMPLE_BUCKET}/`, '--s3-endpoint', required(s3, 's3rver').endpoint], workDir);

    expect({ code: run.code, chain: run.stdout.split('\n').slice(0, 6) }).toEqual({
      code: 1,
      chain: [
        `trail management-trail (home us-east-1), region us-east-1, s3://${EXAMPLE_BUCKET}/AWSLogs/111122223333`,
        '  DIGEST END            DIGEST                     LOG FILES',
        '  2026-11-20T09:12:40Z  verified (first of chain)  1 verified',
        '  2026-11-20T10:12:40Z  missing                    -',
        '  2026-11-20T11:12:40Z  verified                   2 verified',
        '  2026-11-20T12:12:40Z  verified                   none',
      ],
    });
  });

  it("names an edited digest altered, and the log files it lists chain-broken (its listing can't be trusted)", async () => {
    const digest = required(SECOND_DIGEST, 'the second digest');
    await put(digest, digest.text.replace(/"newestEventTime":"[^"]+"/, '"newestEventTime":"2026-11-20T10:00:00Z"'));

    const run = await verify();

    expect({ code: run.code, problems: notVerified(run.lines) }).toEqual({
      code: 1,
      problems: [
        ['digest', digest.key, 'altered'],
        ['log-file', required(FILE_0930, 'the 09:30 file').key, 'chain-broken'],
        ['log-file', required(FILE_1010, 'the 10:10 file').key, 'chain-broken'],
      ],
    });
  });

  it('names a digest whose signature was replaced invalid-signature', async () => {
    const digest = required(SECOND_DIGEST, 'the second digest');
    const other = required(DIGESTS[0], 'the first digest');
    await put(digest, digest.text, { ...digest.metadata, signature: other.metadata?.['signature'] ?? '' });

    const run = await verify();

    expect({ code: run.code, digest: run.lines.find((line) => line.key === digest.key) }).toEqual({
      code: 1,
      digest: expect.objectContaining({
        status: 'invalid-signature',
        problems: [
          'its signature is not the one the next digest recorded',
          `its signature (from S3 metadata) does not verify with the public key ${exampleSigningKeys().usEast1.publicKey.fingerprint}`,
        ],
      }) as unknown,
    });
  });

  it('names a log file no digest lists unlisted', async () => {
    const planted = { key: required(FILE_0930, 'the 09:30 file').key.replace('T0930Z_R8sW1nYq4ZtE6HjK', 'T0945Z_Zz9Planted0000'), text: '{"Records":[]}' };
    await put(planted);

    const run = await verify();

    expect({ code: run.code, problems: notVerified(run.lines) }).toEqual({ code: 1, problems: [['log-file', planted.key, 'unlisted']] });
  });
});
