/**
 * The backfill function's batch step end to end against real servers on 127.0.0.1: gzipped logs in s3rver, batches
 * shaped as the Distributed Map hands them over (the S3 item reader's `ListObjectsV2` items — `Key`, quoted `Etag`,
 * `Size`, `LastModified` in epoch seconds, `StorageClass` — grouped by the ItemBatcher with the plan's scope as
 * `BatchInput`), the door with its production adapters, DynamoDB Local behind them.
 */
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3LogObjectSource } from '../../../lambda/adapters/s3-log-reader';
import {
  BackfillBatchIncomplete,
  BackfillObjectsFailed,
  createBackfillHandler,
  type BackfillBatchResult,
  type BatchScope,
} from '../../../lambda/app/backfill';
import type { FolderLister, LogObjectSource, Logger, Metrics, RunningBackfills } from '../../../lambda/app/ports';
import type { CloudTrailRecord } from '../../../lambda/core/types';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { createEventTable, localDocumentClient } from '../../helpers/dynamodb';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { startS3rver, type LocalS3 } from '../../helpers/s3rver';
import { startServers } from '../../helpers/servers';

jest.setTimeout(120_000);

const PREFIX = 'org/AWSLogs/';
/** One bucket per scenario, so the listing of one does not see the objects of another. */
const BUCKETS = {
  simulated: 'backfill-simulated',
  mixed: 'backfill-mixed',
  scope: 'backfill-scope',
  inventory: 'backfill-inventory',
  time: 'backfill-time',
} as const;
const ORG = 'o-a1b2c3d4e5';
const ACCOUNTS = ['111122223333', '444455556666'] as const;
const REGIONS = ['us-east-1', 'eu-west-1'] as const;
const SCOPE: BatchScope = { firstDay: '2026/11/01', lastDay: '2026/11/30', accounts: [], regions: [] };
const NOW = new Date('2026-12-01T00:00:00Z');

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const silentMetrics: Metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
// The batch step lists no folders and checks no executions: those are the plan's.
const noFolders: FolderLister = { listFolders: () => Promise.reject(new Error('the batch step lists no folders')) };
const noExecutions: RunningBackfills = { list: () => Promise.reject(new Error('the batch step checks no executions')) };

let s3: LocalS3 | undefined;
let dynamodb: DynamoDBLocalServer | undefined;
let client: DynamoDBDocumentClient;

beforeAll(async () => {
  await startServers([
    startDynamoDBLocal().then((server) => {
      dynamodb = server;
    }),
    startS3rver(Object.values(BUCKETS)).then((server) => {
      s3 = server;
    }),
  ]);
  if (dynamodb === undefined) throw new Error('DynamoDB Local did not start');
  client = localDocumentClient(dynamodb.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await dynamodb?.stop();
});

function localS3(): LocalS3 {
  if (s3 === undefined) throw new Error('s3rver did not start');
  return s3;
}

/** A log file's key in the organization layout. */
function logKey(account: string, region: string, day: string, name: string): string {
  const stamp = `2026${day.replace('/', '')}`;
  return `${PREFIX}${ORG}/${account}/CloudTrail/${region}/2026/${day}/${account}_CloudTrail_${region}_${stamp}T1005Z_${name}.json.gz`;
}

/** Counts the objects the door opens, around the production S3 adapter. */
function countingSource(): { source: LogObjectSource; opened: string[] } {
  const inner = new S3LogObjectSource(localS3().client);
  const opened: string[] = [];
  return {
    opened,
    source: {
      open: (bucket, key) => {
        opened.push(key);
        return inner.open(bucket, key);
      },
    },
  };
}

/** The backfill door with its production adapters on the local servers. */
function doorFor(tableName: string, bucket: string, source: LogObjectSource = new S3LogObjectSource(localS3().client)) {
  return createBackfillHandler({
    source,
    store: new DynamoDBEventStore({ client, tableName, now: () => NOW }),
    ledger: new DynamoDBFileLedger({ client, tableName }),
    folders: noFolders,
    executions: noExecutions,
    logger: silentLogger,
    metrics: silentMetrics,
    now: () => NOW,
    config: {
      bucket,
      logPrefix: PREFIX,
      resultsBucket: 'results',
      dropReadOnly: false,
      defaultMaxConcurrency: 10,
      inventoryBucket: 'inventory',
    },
  });
}

/** The S3 item reader's items for the keys under a prefix, as Step Functions lists them. */
async function listedItems(bucket: string, prefix = PREFIX): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let token: string | undefined;
  do {
    const page = await localS3().client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }),
    );
    for (const object of page.Contents ?? []) {
      items.push({
        Etag: object.ETag,
        Key: object.Key,
        LastModified: Math.floor((object.LastModified ?? NOW).getTime() / 1000),
        Size: object.Size,
        StorageClass: object.StorageClass ?? 'STANDARD',
      });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return items;
}

/** What the ItemBatcher hands a child execution. */
function batchOf(items: readonly unknown[], scope: BatchScope = SCOPE): { Items: unknown[]; BatchInput: { scope: BatchScope } } {
  return { Items: [...items], BatchInput: { scope } };
}

async function scanAll(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName })) items.push(...(page.Items ?? []));
  return items;
}

async function runBatch(door: ReturnType<typeof doorFor>, event: unknown): Promise<BackfillBatchResult> {
  return (await door(event)) as BackfillBatchResult;
}

describe('a simulated backfill of a few hundred files through the batch step', () => {
  const TABLE = 'backfill-simulated-run';
  const FILES_PER_FOLDER = 80;
  let firstRun: BackfillBatchResult[];
  let secondRun: BackfillBatchResult[];
  let eventIds: Set<string>;
  let files: number;

  beforeAll(async () => {
    await createEventTable(client, TABLE);
    eventIds = new Set<string>();
    files = 0;
    let previous: CloudTrailRecord | undefined;
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        for (let index = 0; index < FILES_PER_FOLDER; index += 1) {
          const day = `11/${String(1 + (index % 28)).padStart(2, '0')}`;
          const kept = record({
            eventName: index % 2 === 0 ? 'DeleteLoadBalancer' : 'DescribeLoadBalancers',
            readOnly: index % 2 !== 0,
            awsRegion: region,
            recipientAccountId: account,
            eventTime: `2026-${day.replace('/', '-')}T10:00:00Z`,
          });
          const other = record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' });
          // CloudTrail repeats events across files now and then: every fifth file repeats the previous file's event.
          const records = previous !== undefined && index % 5 === 0 ? [kept, other, previous] : [kept, other];
          eventIds.add(kept.eventID);
          previous = kept;
          await localS3().putObject(BUCKETS.simulated, logKey(account, region, day, `f${index}`), gzippedLogFile(records));
          files += 1;
        }
      }
    }
    const items = await listedItems(BUCKETS.simulated);
    const door = doorFor(TABLE, BUCKETS.simulated);
    const batches = (): unknown[] => {
      const all: unknown[] = [];
      for (let start = 0; start < items.length; start += 100) all.push(batchOf(items.slice(start, start + 100)));
      return all;
    };
    firstRun = [];
    for (const event of batches()) firstRun.push(await runBatch(door, event));
    secondRun = [];
    for (const event of batches()) secondRun.push(await runBatch(door, event));
  });

  it('processes every file once', () => {
    const processed = firstRun.reduce((sum, result) => sum + result.processed, 0);

    expect([files, processed]).toEqual([ACCOUNTS.length * REGIONS.length * FILES_PER_FOLDER, files]);
  });

  it('stores every event exactly once, however many files repeat it, and one ledger entry per file', async () => {
    const items = await scanAll(TABLE);
    const eventItems = items.filter((item) => item.sk === 'EVENT').map((item) => item.pk as string);
    const ledgerItems = items.filter((item) => item.sk === 'LEDGER');

    expect({ events: [...eventItems].sort(), distinct: new Set(eventItems).size, ledger: ledgerItems.length }).toEqual({
      events: [...eventIds].sort(),
      distinct: eventIds.size,
      ledger: files,
    });
  });

  it('skips every file on a second run over the same range, writing nothing', () => {
    const skipped = secondRun.reduce((sum, result) => sum + (result.skipped['already-processed'] ?? 0), 0);
    const written = secondRun.reduce((sum, result) => sum + result.itemsWritten, 0);

    expect({ skipped, written }).toEqual({ skipped: files, written: 0 });
  });
});

describe('a batch with keys the ledger holds, a corrupt file, a missing object and a digest file', () => {
  const TABLE = 'backfill-mixed-batch';
  const good = logKey(ACCOUNTS[0], REGIONS[0], '11/20', 'good');
  const done = logKey(ACCOUNTS[0], REGIONS[0], '11/20', 'done');
  const corrupt = logKey(ACCOUNTS[0], REGIONS[0], '11/20', 'corrupt');
  const missing = logKey(ACCOUNTS[0], REGIONS[0], '11/20', 'missing');
  const digest = `${PREFIX}${ORG}/${ACCOUNTS[0]}/CloudTrail-Digest/${REGIONS[0]}/2026/11/20/${ACCOUNTS[0]}_CloudTrail-Digest_${REGIONS[0]}_org_${REGIONS[0]}_20261120T110512Z.json.gz`;
  const goodEvent = record({ eventName: 'DeleteLoadBalancer', readOnly: false, eventTime: '2026-11-20T10:00:00Z' });
  let failure: unknown;
  let opened: string[];

  beforeAll(async () => {
    await createEventTable(client, TABLE);
    const store = localS3();
    const bucket = BUCKETS.mixed;
    await store.putObject(bucket, done, gzippedLogFile([record({ eventTime: '2026-11-20T09:00:00Z' })]));
    await store.putObject(bucket, good, gzippedLogFile([goodEvent]));
    const whole = gzippedLogFile([record(), record()]);
    await store.putObject(bucket, corrupt, whole.subarray(0, whole.length - 30));
    await store.putObject(bucket, missing, gzippedLogFile([record()]));
    await store.putObject(bucket, digest, JSON.stringify({ awsAccountId: ACCOUNTS[0], logFiles: [] }));
    const items = await listedItems(bucket);
    // `done` went through the live processor (or an earlier run) first: its ledger entry holds the same ETag.
    const counting = countingSource();
    opened = counting.opened;
    const door = doorFor(TABLE, bucket, counting.source);
    await runBatch(door, batchOf(items.filter((item) => item.Key === done)));
    opened.length = 0;
    // Deleted between the listing and the batch (a lifecycle expiry, say).
    await store.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: missing }));
    failure = await door(batchOf(items)).then(
      () => undefined,
      (error: unknown) => error,
    );
  });

  function result(): BackfillBatchResult {
    if (!(failure instanceof BackfillObjectsFailed)) throw new Error(`expected BackfillObjectsFailed, got ${String(failure)}`);
    return failure.result;
  }

  it('fails the batch once every key was tried, naming each failed key and why', () => {
    expect(failure).toBeInstanceOf(BackfillObjectsFailed);
    const message = (failure as Error).message;
    expect(message).toMatch(/^2 of 5 objects failed/);
    expect(message).toContain(`${corrupt}: LogDecodeError`);
    expect(message).toContain(`${missing}: NoSuchKey: no such object (deleted or expired since it was listed)`);
  });

  it('skips the key the ledger holds with the same ETag without opening it', () => {
    expect({
      outcome: result().outcomes.find((outcome) => outcome.key === done),
      opened: opened.includes(done),
    }).toEqual({ outcome: { key: done, status: 'skipped', reason: 'already-processed' }, opened: false });
  });

  it('stores the good file of the failed batch, so the retry skips it', async () => {
    const ledger = await new DynamoDBFileLedger({ client, tableName: TABLE }).get(`s3://${BUCKETS.mixed}/${good}`);
    const items = await scanAll(TABLE);

    expect({
      outcome: result().outcomes.find((outcome) => outcome.key === good),
      ledgered: ledger !== undefined,
      stored: items.some((item) => item.pk === goodEvent.eventID && item.sk === 'EVENT'),
    }).toEqual({ outcome: { key: good, status: 'processed', events: 1 }, ledgered: true, stored: true });
  });

  it('routes the digest file through the log-object service, as the processor does', () => {
    expect(result().outcomes.find((outcome) => outcome.key === digest)).toEqual({
      key: digest,
      status: 'skipped',
      reason: 'digest-file',
    });
  });
});

describe('keys outside the backfill\'s scope', () => {
  const TABLE = 'backfill-scope';
  const inScope = logKey(ACCOUNTS[0], REGIONS[0], '11/10', 'in');
  const otherDay = logKey(ACCOUNTS[0], REGIONS[0], '11/11', 'day');
  const otherAccount = logKey(ACCOUNTS[1], REGIONS[0], '11/10', 'account');
  const otherRegion = logKey(ACCOUNTS[0], REGIONS[1], '11/10', 'region');
  let batchResult: BackfillBatchResult;
  let opened: string[];

  beforeAll(async () => {
    await createEventTable(client, TABLE);
    for (const key of [inScope, otherDay, otherAccount, otherRegion]) {
      await localS3().putObject(BUCKETS.scope, key, gzippedLogFile([record()]));
    }
    const items = await listedItems(BUCKETS.scope);
    const counting = countingSource();
    opened = counting.opened;
    batchResult = await runBatch(
      doorFor(TABLE, BUCKETS.scope, counting.source),
      batchOf(items, { firstDay: '2026/11/10', lastDay: '2026/11/10', accounts: [ACCOUNTS[0]], regions: [REGIONS[0]] }),
    );
  });

  it('skips them by key alone, without opening them', () => {
    expect({ skipped: batchResult.skipped, opened }).toEqual({ skipped: { 'out-of-scope': 3 }, opened: [inScope] });
  });
});

describe('an S3 Inventory row', () => {
  const TABLE = 'backfill-inventory';
  const key = logKey(ACCOUNTS[1], REGIONS[1], '11/15', 'inventory');

  it('is read by its URL-encoded key and its ETag, as the inventory writes them', async () => {
    await createEventTable(client, TABLE);
    const etag = await localS3().putObject(BUCKETS.inventory, key, gzippedLogFile([record()]));
    const row = { Bucket: BUCKETS.inventory, Key: encodeURIComponent(key).replace(/%2F/g, '/'), Size: '100', ETag: etag.replace(/"/g, '') };

    const batchResult = await runBatch(doorFor(TABLE, BUCKETS.inventory), batchOf([row]));

    expect(batchResult.outcomes).toEqual([{ key, status: 'processed', events: 1 }]);
  });
});

describe('a batch that runs short of time', () => {
  const TABLE = 'backfill-time-budget';
  const keys = [1, 2, 3].map((index) => logKey(ACCOUNTS[0], REGIONS[1], '11/05', `t${index}`));
  let first: unknown;
  let retry: BackfillBatchResult;

  beforeAll(async () => {
    await createEventTable(client, TABLE);
    for (const key of keys) await localS3().putObject(BUCKETS.time, key, gzippedLogFile([record()]));
    const items = await listedItems(BUCKETS.time);
    const door = doorFor(TABLE, BUCKETS.time);
    first = await door(batchOf(items), { getRemainingTimeInMillis: () => 1_000 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    retry = await runBatch(door, batchOf(items));
  });

  it('takes one key, then stops and asks to be retried', () => {
    expect(first).toBeInstanceOf(BackfillBatchIncomplete);
    expect((first as Error).message).toMatch(/^2 of 3 objects not started/);
  });

  it('goes on from there on the retry', () => {
    expect({ processed: retry.processed, skipped: retry.skipped }).toEqual({
      processed: 2,
      skipped: { 'already-processed': 1 },
    });
  });
});
