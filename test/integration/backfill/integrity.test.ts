/**
 * The digest files of a backfill's range go through the same path as live ones: the backfill function's batch step
 * with its production adapters on real servers on 127.0.0.1 — the project's signed examples in s3rver (each digest
 * with its signature in its object metadata), DynamoDB Local holding the table, CloudTrail's ListPublicKeys answered
 * by the fake CloudTrail the SDK reaches through its standard configuration (`AWS_ENDPOINT_URL_CLOUDTRAIL`) — and the
 * table's results read back by `trail-audit verify --table`.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudTrailPublicKeySource } from '../../../lambda/adapters/cloudtrail-public-keys';
import { S3LogObjectSource } from '../../../lambda/adapters/s3-log-reader';
import { createBackfillHandler, type BackfillBatchResult, type BatchScope } from '../../../lambda/app/backfill';
import type { FolderLister, Logger, Metrics, RunningBackfills } from '../../../lambda/app/ports';
import { PublicKeyCache } from '../../../lambda/app/public-key-cache';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { DynamoDBIntegrityStore } from '../../../lambda/store/integrity-store';
import { EXAMPLE_BUCKET, exampleObjects, exampleSigningKeys } from '../../../scripts/make-examples';
import { createEventTable, localDocumentClient } from '../../helpers/dynamodb';
import { startFakeCloudTrail, type FakeCloudTrail } from '../../helpers/fake-cloudtrail';
import { startS3rver, type LocalS3 } from '../../helpers/s3rver';
import { startServers } from '../../helpers/servers';
import { runCli } from '../cli/cli-helpers';

jest.setTimeout(120_000);

const NOW = new Date('2026-11-20T13:30:00Z');
const EXAMPLES = exampleObjects();
const DIGESTS = EXAMPLES.filter((object) => object.key.includes('/CloudTrail-Digest/'));
const LOGS = EXAMPLES.filter((object) => object.key.includes('/CloudTrail/'));
const SCOPE: BatchScope = { firstDay: '2026/11/20', lastDay: '2026/11/20', accounts: [], regions: [] };
const FILE_0930 = LOGS.find((object) => object.key.includes('_20261120T0930Z_'));

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noFolders: FolderLister = { listFolders: () => Promise.reject(new Error('the batch step lists no folders')) };
const noExecutions: RunningBackfills = { list: () => Promise.reject(new Error('the batch step checks no executions')) };

/** Metrics added up by name. */
class RecordingMetrics implements Metrics {
  readonly totals = new Map<string, number>();
  addMetric(name: string, _unit: 'Count', value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
  publishStoredMetrics(): void {}
}

let s3: LocalS3 | undefined;
let server: DynamoDBLocalServer | undefined;
let cloudTrail: FakeCloudTrail | undefined;
let client: DynamoDBDocumentClient | undefined;
let workDir = '';
let tables = 0;
const savedEnv = { ...process.env };

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not set up`);
  return value;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-backfill-integrity-'));
  const keys = exampleSigningKeys();
  await startServers([
    startS3rver([EXAMPLE_BUCKET]).then((started) => {
      s3 = started;
    }),
    startDynamoDBLocal().then((started) => {
      server = started;
    }),
    startFakeCloudTrail({ 'us-east-1': [keys.usEast1.publicKey], 'eu-west-1': [keys.euWest1.publicKey] }).then((started) => {
      cloudTrail = started;
    }),
  ]);
  client = localDocumentClient(required(server, 'DynamoDB Local').endpoint);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_CLOUDTRAIL: required(cloudTrail, 'the fake CloudTrail').endpoint,
  });
});

afterAll(async () => {
  process.env = savedEnv;
  client?.destroy();
  await Promise.all([s3?.stop(), server?.stop(), cloudTrail?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  const bucket = required(s3, 's3rver').client;
  const listed = await bucket.send(new ListObjectsV2Command({ Bucket: EXAMPLE_BUCKET }));
  for (const object of listed.Contents ?? []) {
    if (object.Key !== undefined) await bucket.send(new DeleteObjectCommand({ Bucket: EXAMPLE_BUCKET, Key: object.Key }));
  }
  for (const object of EXAMPLES) {
    await bucket.send(
      new PutObjectCommand({
        Bucket: EXAMPLE_BUCKET,
        Key: object.key,
        Body: gzipSync(object.text),
        ...(object.metadata === undefined ? {} : { Metadata: { ...object.metadata } }),
      }),
    );
  }
});

interface Rig {
  readonly tableName: string;
  readonly metrics: RecordingMetrics;
  readonly door: ReturnType<typeof createBackfillHandler>;
}

/** The backfill door with its production adapters on the local servers, over a table of its own. */
async function rig(): Promise<Rig> {
  const documents = required(client, 'DynamoDB Local');
  tables += 1;
  const tableName = `backfill-integrity-${tables}`;
  await createEventTable(documents, tableName);
  const metrics = new RecordingMetrics();
  const door = createBackfillHandler({
    source: new S3LogObjectSource(required(s3, 's3rver').client),
    store: new DynamoDBEventStore({ client: documents, tableName, now: () => NOW }),
    ledger: new DynamoDBFileLedger({ client: documents, tableName }),
    folders: noFolders,
    executions: noExecutions,
    logger: silentLogger,
    metrics,
    now: () => NOW,
    config: { bucket: EXAMPLE_BUCKET, logPrefix: 'AWSLogs/', resultsBucket: 'results', dropReadOnly: false, defaultMaxConcurrency: 10 },
    integrity: {
      store: new DynamoDBIntegrityStore({ client: documents, tableName }),
      publicKeys: new PublicKeyCache(new CloudTrailPublicKeySource((region) => new CloudTrailClient({ region }))),
    },
  });
  return { tableName, metrics, door };
}

/** One batch of the bucket's keys, in listing order (a digest folder lists before its log folder), as the map hands it. */
async function runListing(target: Rig): Promise<BackfillBatchResult> {
  const listed = await required(s3, 's3rver').client.send(new ListObjectsV2Command({ Bucket: EXAMPLE_BUCKET, Prefix: 'AWSLogs/' }));
  const items = (listed.Contents ?? []).map((object) => ({
    Etag: object.ETag,
    Key: object.Key,
    LastModified: Math.floor((object.LastModified ?? NOW).getTime() / 1000),
    Size: object.Size,
    StorageClass: 'STANDARD',
  }));
  return (await target.door({ Items: items, BatchInput: { scope: SCOPE } })) as BackfillBatchResult;
}

interface Line {
  readonly kind: 'digest' | 'log-file';
  readonly key: string;
  readonly status: string;
}

/** `trail-audit verify --table NAME --json`: the table's results, checked again. */
async function verifyTable(target: Rig): Promise<{ code: number; lines: Line[] }> {
  const run = await runCli(['verify', '--table', target.tableName, '--endpoint', required(server, 'DynamoDB Local').endpoint, '--json'], workDir);
  return {
    code: run.code,
    lines: run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Line),
  };
}

describe('a backfill over a range that holds digest files', () => {
  it('verifies every digest and every log file it lists, as the processor does', async () => {
    const target = await rig();

    const result = await runListing(target);
    const verified = await verifyTable(target);

    expect({
      failed: result.failed,
      digestFileSkips: result.skipped['digest-file'] ?? 0,
      code: verified.code,
      problems: verified.lines.filter((line) => line.status !== 'verified').map((line) => [line.kind, line.key, line.status]),
      digests: verified.lines.filter((line) => line.kind === 'digest').length,
      logFiles: verified.lines.filter((line) => line.kind === 'log-file').length,
      digestsVerifiedMetric: target.metrics.totals.get('DigestsVerified'),
    }).toEqual({
      failed: 0,
      digestFileSkips: 0,
      code: 0,
      problems: [],
      digests: DIGESTS.length,
      logFiles: LOGS.length,
      digestsVerifiedMetric: DIGESTS.length,
    });
  });

  it('finds a log file its digest lists and the bucket no longer holds: missing', async () => {
    const target = await rig();
    const gone = required(FILE_0930, 'the 09:30 example').key;
    await required(s3, 's3rver').client.send(new DeleteObjectCommand({ Bucket: EXAMPLE_BUCKET, Key: gone }));

    await runListing(target);
    const verified = await verifyTable(target);

    expect({
      code: verified.code,
      problems: verified.lines.filter((line) => line.status !== 'verified').map((line) => [line.kind, line.key, line.status]),
      problemsMetric: target.metrics.totals.get('IntegrityProblems'),
    }).toEqual({ code: 1, problems: [['log-file', gone, 'missing']], problemsMetric: 1 });
  });
});
