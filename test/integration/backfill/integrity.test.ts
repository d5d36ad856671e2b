/**
 * The digest files of a backfill's range go through the same path as live ones: the backfill function's batch step
 * with its production adapters on real servers on 127.0.0.1 — the project's signed examples in s3rver (each digest
 * with its signature in its object metadata), DynamoDB Local holding the table, CloudTrail's ListPublicKeys answered
 * by the fake CloudTrail the SDK reaches through its standard configuration (`AWS_ENDPOINT_URL_CLOUDTRAIL`) — and the
 * table's results read back by `trail-audit verify --table`.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CloudTrailPublicKeySource } from '../../../lambda/adapters/cloudtrail-public-keys';
import { S3LogObjectSource } from '../../../lambda/adapters/s3-log-reader';
import { createBackfillHandler, type BackfillBatchResult, type BatchScope } from '../../../lambda/app/backfill';
import type { FolderLister, Logger, RunningBackfills } from '../../../lambda/app/ports';
import { PublicKeyCache } from '../../../lambda/app/public-key-cache';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { DynamoDBIntegrityStore } from '../../../lambda/store/integrity-store';
import { EXAMPLE_BUCKET, exampleObjects } from '../../../scripts/make-examples';
import { createEventTable } from '../../helpers/dynamodb';
import { notVerified, RecordingMetrics, useSignedExamplesRig } from '../../helpers/signed-examples-rig';

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

const running = useSignedExamplesRig();
let tables = 0;

interface Rig {
  readonly tableName: string;
  readonly metrics: RecordingMetrics;
  readonly door: ReturnType<typeof createBackfillHandler>;
}

/** The backfill door with its production adapters on the local servers, over a table of its own. */
async function rig(): Promise<Rig> {
  const documents = running().client;
  tables += 1;
  const tableName = `backfill-integrity-${tables}`;
  await createEventTable(documents, tableName);
  const metrics = new RecordingMetrics();
  const door = createBackfillHandler({
    source: new S3LogObjectSource(running().s3.client),
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

/**
 * One batch of the bucket's keys as the map hands it: in listing order (a digest folder lists before its log folder)
 * unless `order` sorts them otherwise (a Distributed Map runs its batches in any order).
 */
async function runListing(target: Rig, order?: (a: string, b: string) => number): Promise<BackfillBatchResult> {
  const listed = await running().s3.client.send(new ListObjectsV2Command({ Bucket: EXAMPLE_BUCKET, Prefix: 'AWSLogs/' }));
  const contents = [...(listed.Contents ?? [])];
  if (order !== undefined) contents.sort((a, b) => order(a.Key ?? '', b.Key ?? ''));
  const items = contents.map((object) => ({
    Etag: object.ETag,
    Key: object.Key,
    LastModified: Math.floor((object.LastModified ?? NOW).getTime() / 1000),
    Size: object.Size,
    StorageClass: 'STANDARD',
  }));
  return (await target.door({ Items: items, BatchInput: { scope: SCOPE } })) as BackfillBatchResult;
}

describe('a backfill over a range that holds digest files', () => {
  it('verifies every digest and every log file it lists, as the processor does', async () => {
    const target = await rig();

    const result = await runListing(target);
    const verified = await running().verifyTable(target.tableName);

    expect({
      failed: result.failed,
      digestFileSkips: result.skipped['digest-file'] ?? 0,
      code: verified.code,
      problems: notVerified(verified.lines),
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

  it('marks no log file unlisted when its digests come after the digests that follow them (batches in any order)', async () => {
    const target = await rig();
    // The log files first, then the digests newest first: each digest before the two that precede it in its chain.
    const digestLast = (key: string): number => (key.includes('/CloudTrail-Digest/') ? 1 : 0);
    const newestFirst = (a: string, b: string): number => digestLast(a) - digestLast(b) || (a < b ? 1 : a > b ? -1 : 0);

    const result = await runListing(target, newestFirst);
    const verified = await running().verifyTable(target.tableName);

    expect({
      failed: result.failed,
      code: verified.code,
      problems: notVerified(verified.lines),
      problemsCounted: target.metrics.totals.get('IntegrityProblems') ?? 0,
    }).toEqual({ failed: 0, code: 0, problems: [], problemsCounted: 0 });
  });

  it('finds a log file its digest lists and the bucket no longer holds: missing', async () => {
    const target = await rig();
    const gone = FILE_0930?.key ?? 'the 09:30 example';
    await running().remove(gone);

    await runListing(target);
    const verified = await running().verifyTable(target.tableName);

    expect({
      code: verified.code,
      problems: notVerified(verified.lines),
      problemsMetric: target.metrics.totals.get('IntegrityProblems'),
    }).toEqual({ code: 1, problems: [['log-file', gone, 'missing']], problemsMetric: 1 });
  });
});
