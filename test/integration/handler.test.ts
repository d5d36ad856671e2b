/**
 * The processor end to end against real servers on 127.0.0.1: gzipped logs in s3rver, real-shaped S3
 * notifications in an SQS event, the handler with its production adapters, DynamoDB Local behind them, and every
 * access pattern queried back.
 */
import { gzipSync } from 'node:zlib';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { S3LogObjectSource } from '../../lambda/adapters/s3-log-reader';
import { TRIMMED_MARKER, TRIMMED_SOURCE, type LookupKind } from '../../lambda/core/item-mapping';
import type { CloudTrailRecord, UserIdentity } from '../../lambda/core/types';
import type { Logger as HandlerLogger } from '../../lambda/app/ports';
import { createHandler, type ProcessorConfig as HandlerConfig } from '../../lambda/app/processor';
import type { DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { EventStoreWriteError } from '../../lambda/app/ports';
import { DynamoDBEventStore } from '../../lambda/store/dynamodb-event-store';
import { getEvent, queryLookup, type QueryOptions } from '../../lambda/store/event-queries';
import { DynamoDBFileLedger } from '../../lambda/store/file-ledger';
import { createEventTable, localDocumentClient } from '../helpers/dynamodb';
import { CountingMetrics } from '../helpers/fakes';
import { collect, gzippedLogFile, loadFixture, record } from '../helpers/fixtures';
import { sqsEventOf, type NotifiedObjectSpec } from '../helpers/s3-events';
import type { LocalS3 } from '../helpers/s3rver';
import { startDynamoDBAndS3 } from '../helpers/servers';
import { startThrottlingProxy, type ThrottlingProxy } from '../helpers/throttling-proxy';

// The servers take seconds to start and the throttled test waits on backoff: well past jest's 5 s default.
jest.setTimeout(60_000);

const BUCKET = 'trail-audit-logs';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/ci/service-role-Deployer';
const V2_LB_ARN = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/ffcddace1759e1d0';
const ALICE_KEY = 'AKIAIOSFODNN7EXAMPLE';

/**
 * The prefix of every key: a space (S3 notifies it as `+`), a literal `+` (`%2B`) and a `=` (`%3D`), so that the
 * handler's decoding of all three runs end to end.
 */
const PREFIX = 'audit logs/team+ops/env=prod/';

/** A key in the organization-trail layout, behind {@link PREFIX}. */
function logKey(day: string, name: string): string {
  return `${PREFIX}AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/us-west-2/2026/11/${day}/123456789012_CloudTrail_us-west-2_202611${day}T1005Z_${name}.json.gz`;
}

const DIGEST_KEY =
  `${PREFIX}AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail-Digest/us-west-2/2026/11/20/123456789012_CloudTrail-Digest_us-west-2_org_us-west-2_20261120T100000Z.json.gz`;

function sessionArn(name: string): string {
  return `arn:aws:sts::123456789012:assumed-role/service-role-Deployer/${name}`;
}

/** The identity of a session of the Deployer role. */
function session(name: string, accessKeyId: string): UserIdentity {
  const base = loadFixture('identity-assumed-role').userIdentity ?? {};
  return { ...base, arn: sessionArn(name), principalId: `AROAIDPPEZS35WEXAMPLE:${name}`, accessKeyId };
}

function at(base: CloudTrailRecord, eventID: string, eventTime: string, userIdentity?: UserIdentity): CloudTrailRecord {
  return { ...base, eventID, eventTime, ...(userIdentity === undefined ? {} : { userIdentity }) };
}

// File A (20 Nov): a v2 load balancer created by session deploy-1 and deleted by deploy-2, a classic one deleted by
// Alice, a repeated eventID, and another service's call.
const A1 = at(loadFixture('elbv2-create-load-balancer'), 'a1000000-0000-4000-8000-000000000001', '2026-11-20T10:00:00Z', session('deploy-1', 'ASIAEXAMPLESESSION01'));
const A2 = at(loadFixture('elbv2-delete-load-balancer'), 'a2000000-0000-4000-8000-000000000002', '2026-11-20T10:05:00Z', session('deploy-2', 'ASIAEXAMPLESESSION02'));
const A3 = at(loadFixture('elb-classic-delete-load-balancer'), 'a3000000-0000-4000-8000-000000000003', '2026-11-20T10:10:00Z');
const A_OTHER = record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventTime: '2026-11-20T10:11:00Z' });
// File B (21 Nov): a Beanstalk update by session deploy-1 and a launch configuration created by the root user.
const B1 = at(loadFixture('elasticbeanstalk-update-environment'), 'b1000000-0000-4000-8000-000000000001', '2026-11-21T09:00:00Z', session('deploy-1', 'ASIAEXAMPLESESSION01'));
const B2 = at(loadFixture('autoscaling-create-launch-configuration'), 'b2000000-0000-4000-8000-000000000002', '2026-11-21T09:30:00Z');

// Items per event, as the item mapping writes them: the event item, then one lookup item per identifier.
// A1, A2: role ARN, role name, session ARN, access key, action, load balancer ARN and name.
const ITEMS_OF_A1 = 8;
const ITEMS_OF_A2 = 8;
// A3, B2: user (or root) ARN, its name, access key, action, resource ARN and name.
const ITEMS_OF_A3 = 7;
const ITEMS_OF_B2 = 7;
// B1: role ARN, role name, session ARN, access key, action, environment and application ARNs and names.
const ITEMS_OF_B1 = 10;
/** Files A and B: each event once (A2's repetition adds nothing), and one file-ledger item per file. */
const ITEMS_OF_FILES_A_AND_B = ITEMS_OF_A1 + ITEMS_OF_A2 + ITEMS_OF_A3 + ITEMS_OF_B1 + ITEMS_OF_B2 + 2;

const quietLogger: HandlerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dynamodb: DynamoDBLocalServer | undefined;
let s3: LocalS3 | undefined;
let proxy: ThrottlingProxy | undefined;
let client: DynamoDBDocumentClient;
let throttledClient: DynamoDBDocumentClient | undefined;

beforeAll(async () => {
  ({ dynamodb, s3 } = await startDynamoDBAndS3([BUCKET]));
  client = localDocumentClient(dynamodb.endpoint);
  proxy = await startThrottlingProxy(dynamodb.endpoint, { throttleEvery: 4 });
  // No SDK retries: the store itself must recover the throttled calls.
  throttledClient = localDocumentClient(proxy.endpoint, { maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  throttledClient?.destroy();
  await Promise.all([s3?.stop(), proxy?.stop()]);
  await dynamodb?.stop();
});

function localS3(): LocalS3 {
  if (s3 === undefined) throw new Error('s3rver did not start');
  return s3;
}

/** The handler with its production adapters on the local servers. */
function handlerFor(
  tableName: string,
  tableClient: DynamoDBDocumentClient = client,
  metrics = new CountingMetrics(),
  config: Partial<HandlerConfig> = {},
) {
  return createHandler({
    source: new S3LogObjectSource(localS3().client),
    // Many attempts: the throttling proxy halves every batch and refuses every 4th call.
    store: new DynamoDBEventStore({ client: tableClient, tableName, maxAttempts: 25, baseDelayMs: 5, maxDelayMs: 100 }),
    ledger: new DynamoDBFileLedger({ client: tableClient, tableName }),
    logger: quietLogger,
    metrics,
    config: { dropReadOnly: false, ...config },
  });
}

async function eventIDs(
  tableName: string,
  value: string,
  kinds: readonly LookupKind[],
  options: QueryOptions = {},
): Promise<string[]> {
  const items = await collect(queryLookup(client, tableName, [value], kinds, options));
  return items.map((item) => item.eventID);
}

async function countItems(tableName: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, Select: 'COUNT', ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

describe('handler → DynamoDB: every access pattern', () => {
  const TABLE = 'events-access-patterns';
  const metrics = new CountingMetrics();
  let event: SQSEvent;
  let response: SQSBatchResponse | undefined;

  beforeAll(async () => {
    await createEventTable(client, TABLE);
    const store = localS3();
    await store.putObject(BUCKET, logKey('20', 'a'), gzippedLogFile([A1, A2, A3, A2, A_OTHER]));
    await store.putObject(BUCKET, logKey('21', 'b'), gzippedLogFile([B1, B2]));
    const corrupt = gzippedLogFile([A1, A2, A3]);
    await store.putObject(BUCKET, logKey('21', 'corrupt'), corrupt.subarray(0, corrupt.length - 40));
    event = sqsEventOf([
      { id: 'm-a', objects: [{ bucket: BUCKET, key: logKey('20', 'a') }] },
      {
        id: 'm-b',
        objects: [
          { bucket: BUCKET, key: logKey('21', 'b') },
          { bucket: BUCKET, key: DIGEST_KEY },
        ],
      },
      { id: 'm-corrupt', objects: [{ bucket: BUCKET, key: logKey('21', 'corrupt') }] },
    ]);
    response = await handlerFor(TABLE, client, metrics)(event);
  });

  it('fails only the message of the corrupt object', () => {
    // assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-corrupt' }] });
  });

  it('decodes the key S3 encoded (space as +, + as %2B, = as %3D) and records it as the event\'s source', async () => {
    // act
    const stored = await getEvent(client, TABLE, A1.eventID);

    // assess: the notification carried `audit+logs/team%2Bops/env%3Dprod/...`; the stored URI has the real key
    expect(stored?.source?.uri).toBe(`s3://${BUCKET}/${logKey('20', 'a')}`);
  });

  it('skips the repeated eventID of file A once, and writes the exact items of the five events', async () => {
    // act
    const items = await countItems(TABLE);

    // assess: see ITEMS_OF_FILES_A_AND_B
    expect([metrics.values.get('RecordsSkipped.duplicate-event'), items]).toEqual([1, ITEMS_OF_FILES_A_AND_B]);
  });

  it('finds every session of a role by the role ARN, newest first', async () => {
    // act
    const found = await eventIDs(TABLE, ROLE_ARN, ['principal']);

    // assess
    expect(found).toEqual([B1.eventID, A2.eventID, A1.eventID]);
  });

  it('finds one session by its session ARN', async () => {
    // act
    const found = await eventIDs(TABLE, sessionArn('deploy-2'), ['session']);

    // assess
    expect(found).toEqual([A2.eventID]);
  });

  it('finds a resource by its ARN', async () => {
    // act
    const found = await eventIDs(TABLE, V2_LB_ARN, ['resource']);

    // assess
    expect(found).toEqual([A2.eventID, A1.eventID]);
  });

  it('finds resources by plain name, across ELB classic and v2', async () => {
    // act
    const found = await eventIDs(TABLE, 'my-load-balancer', ['resourceName']);

    // assess
    expect(found).toEqual([A3.eventID, A2.eventID, A1.eventID]);
  });

  it('finds the calls made with an access key', async () => {
    // act
    const found = await eventIDs(TABLE, ALICE_KEY, ['accessKey']);

    // assess
    expect(found).toEqual([B2.eventID, A3.eventID]);
  });

  it('finds the calls of an action', async () => {
    // act
    const found = await eventIDs(TABLE, 'elasticloadbalancing:DeleteLoadBalancer', ['action']);

    // assess
    expect(found).toEqual([A3.eventID, A2.eventID]);
  });

  it('restricts a query to a time range', async () => {
    // act
    const found = await eventIDs(TABLE, ROLE_ARN, ['principal'], {
      since: '2026-11-20T10:05:00Z',
      until: '2026-11-20T23:59:59Z',
    });

    // assess
    expect(found).toEqual([A2.eventID]);
  });

  it('reads the whole event, with its original record, by eventID', async () => {
    // act
    const stored = await getEvent(client, TABLE, A2.eventID);

    // assess
    expect(stored?.event).toMatchObject({
      eventID: A2.eventID,
      eventName: 'DeleteLoadBalancer',
      service: 'elbv2',
      principal: { id: ROLE_ARN, sessionArn: sessionArn('deploy-2') },
    });
    expect(JSON.parse(stored?.record ?? 'null')).toEqual(A2);
  });

  it('merges several values into one newest-first list', async () => {
    // act
    const items = await collect(queryLookup(client, TABLE, [sessionArn('deploy-1'), ALICE_KEY], ['session', 'accessKey']));

    // assess
    expect(items.map((item) => item.eventID)).toEqual([B2.eventID, B1.eventID, A3.eventID, A1.eventID]);
  });
});

describe('handler → DynamoDB: one eventID in two objects of one invocation, one event per write', () => {
  const TABLE = 'events-flush-one';

  it('stores the event once and counts each file\'s repetition', async () => {
    // prepare: file X repeats A2 in itself; file Y holds A2 again and B2. Every event is its own write.
    await createEventTable(client, TABLE);
    await localS3().putObject(BUCKET, logKey('24', 'x'), gzippedLogFile([A1, A2, A2]));
    await localS3().putObject(BUCKET, logKey('24', 'y'), gzippedLogFile([A2, B2]));
    const metrics = new CountingMetrics();
    const handler = handlerFor(TABLE, client, metrics, { flushEvents: 1 });

    // act
    const response = await handler(
      sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key: logKey('24', 'x') }, { bucket: BUCKET, key: logKey('24', 'y') }] }]),
    );

    // assess: A2's items are written twice (once per file) onto the same keys
    expect(response).toEqual({ batchItemFailures: [] });
    expect([metrics.values.get('RecordsSkipped.duplicate-event'), metrics.values.get('EventsStored')]).toEqual([1, 4]);
    expect(await countItems(TABLE)).toBe(ITEMS_OF_A1 + ITEMS_OF_A2 + ITEMS_OF_B2 + 2);
    expect(await eventIDs(TABLE, 'elasticloadbalancing:DeleteLoadBalancer', ['action'])).toEqual([A2.eventID]);
  });
});

describe('handler → DynamoDB: one eventID in two objects of one message, default flush size', () => {
  const TABLE = 'events-flush-default';

  it('stores the event once and fails no message', async () => {
    // prepare: file X repeats A2 in itself; file Y holds A2 again and B2; each file is one write of its events
    await createEventTable(client, TABLE);
    await localS3().putObject(BUCKET, logKey('26', 'x'), gzippedLogFile([A1, A2, A2]));
    await localS3().putObject(BUCKET, logKey('26', 'y'), gzippedLogFile([A2, B2]));
    const metrics = new CountingMetrics();

    // act
    const response = await handlerFor(TABLE, client, metrics)(
      sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key: logKey('26', 'x') }, { bucket: BUCKET, key: logKey('26', 'y') }] }]),
    );

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(metrics.values.get('RecordsSkipped.duplicate-event')).toBe(1);
    expect(await countItems(TABLE)).toBe(ITEMS_OF_A1 + ITEMS_OF_A2 + ITEMS_OF_B2 + 2);
  });
});

describe('handler → DynamoDB: a record larger than an item', () => {
  const TABLE = 'events-large-record';

  it('stores the event with its largest field trimmed and a marker in its place', async () => {
    // prepare: a deletion whose parameters carry 420 KB (CloudTrail records reach that with large policies)
    await createEventTable(client, TABLE);
    const large = record({
      eventName: 'DeleteLoadBalancer',
      readOnly: false,
      requestParameters: { loadBalancerArn: V2_LB_ARN, padding: 'x'.repeat(420 * 1024) },
    });
    const key = logKey('25', 'large');
    await localS3().putObject(BUCKET, key, gzippedLogFile([large]));

    // act
    const response = await handlerFor(TABLE)(sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    const stored = await getEvent(client, TABLE, large.eventID);
    const storedRecord = JSON.parse(stored?.record ?? 'null') as { requestParameters?: Record<string, unknown> };
    expect({
      eventName: stored?.event.eventName,
      trimmed: stored?.recordTrimmed,
      marker: storedRecord.requestParameters?.[TRIMMED_MARKER],
      markerSource: storedRecord.requestParameters?.[TRIMMED_SOURCE],
    }).toEqual({
      eventName: 'DeleteLoadBalancer',
      trimmed: ['requestParameters'],
      marker: Buffer.byteLength(JSON.stringify(large.requestParameters)),
      // The handler names the object by its S3 URI, so the untrimmed field can be read back from the log file.
      markerSource: { uri: `s3://${BUCKET}/${key}`, index: 0, offset: expect.any(Number) as number },
    });
    expect(await eventIDs(TABLE, V2_LB_ARN, ['resource'])).toEqual([large.eventID]);
  });
});

describe('handler → DynamoDB: redelivery', () => {
  const TABLE = 'events-redelivery';

  beforeAll(async () => {
    await createEventTable(client, TABLE);
    await localS3().putObject(BUCKET, logKey('22', 'again'), gzippedLogFile([A1, A2, A3]));
  });

  it('stores the same items when the same file is delivered twice', async () => {
    // prepare: notifications whose ETag is not the object's, so the ledger cannot short-cut the second delivery
    const event = sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key: logKey('22', 'again') }] }]);
    const handler = handlerFor(TABLE);
    await handler(event);
    const itemsAfterFirst = await countItems(TABLE);

    // act
    await handler(event);

    // assess
    expect(await countItems(TABLE)).toBe(itemsAfterFirst);
    expect(await eventIDs(TABLE, 'my-load-balancer', ['resourceName'])).toEqual([A3.eventID, A2.eventID, A1.eventID]);
  });

  it('skips a file the ledger holds with the same ETag', async () => {
    // prepare
    const key = logKey('22', 'ledger');
    const eTag = await localS3().putObject(BUCKET, key, gzippedLogFile([A1]));
    const spec: NotifiedObjectSpec = { bucket: BUCKET, key, eTag: eTag.replace(/"/g, '') };
    const metrics = new CountingMetrics();
    const handler = handlerFor(TABLE, client, metrics);
    await handler(sqsEventOf([{ id: 'm-1', objects: [spec] }]));

    // act
    await handler(sqsEventOf([{ id: 'm-2', objects: [spec] }]));

    // assess
    expect(metrics.values.get('FilesProcessed')).toBe(1);
    expect(metrics.values.get('FilesSkipped.already-processed')).toBe(1);
  });
});

describe('handler → DynamoDB: throttling', () => {
  const TABLE = 'events-throttled';
  const EVENTS = 60;

  it('loses nothing when part of every batch comes back unprocessed and some calls are throttled', async () => {
    // prepare: 60 deletions of distinct load balancers: each an event item and 6 lookups (principal, its name,
    // access key, action, resource ARN, resource name); plus the file's ledger item
    await createEventTable(client, TABLE);
    const records = Array.from({ length: EVENTS }, (_, index) =>
      record({
        eventName: 'DeleteLoadBalancer',
        readOnly: false,
        eventTime: `2026-11-23T10:${String(index).padStart(2, '0')}:00Z`,
        requestParameters: {
          loadBalancerArn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/lb-${index}/0123456789abcdef`,
        },
      }),
    );
    const key = logKey('23', 'throttled');
    await localS3().putObject(BUCKET, key, gzipSync(JSON.stringify({ Records: records })));
    if (throttledClient === undefined || proxy === undefined) throw new Error('the throttling proxy did not start');
    const metrics = new CountingMetrics();

    // act
    const response = await handlerFor(TABLE, throttledClient, metrics)(
      sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key }] }]),
    );

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(proxy.stats.itemsWithheld).toBeGreaterThan(0);
    expect(proxy.stats.throttled).toBeGreaterThan(0);
    const found = await eventIDs(TABLE, 'elasticloadbalancing:DeleteLoadBalancer', ['action']);
    expect(found.sort()).toEqual(records.map((r) => r.eventID).sort());
    expect(await countItems(TABLE)).toBe(EVENTS * 7 + 1);
    expect(metrics.values.get('ItemsWritten')).toBe(EVENTS * 7);
  });
});

describe('handler → DynamoDB: writes that run out of attempts', () => {
  const EVENTS = 10;
  let refusing: ThrottlingProxy | undefined;
  let halving: ThrottlingProxy | undefined;
  let refusingClient: DynamoDBDocumentClient | undefined;
  let halvingClient: DynamoDBDocumentClient | undefined;

  beforeAll(async () => {
    if (dynamodb === undefined) throw new Error('DynamoDB Local did not start');
    refusing = await startThrottlingProxy(dynamodb.endpoint, { throttleEvery: 1 });
    halving = await startThrottlingProxy(dynamodb.endpoint, { throttleEvery: 2 });
    refusingClient = localDocumentClient(refusing.endpoint, { maxAttempts: 1 });
    halvingClient = localDocumentClient(halving.endpoint, { maxAttempts: 1 });
  });

  afterAll(async () => {
    refusingClient?.destroy();
    halvingClient?.destroy();
    await Promise.all([refusing?.stop(), halving?.stop()]);
  });

  /** A file of distinct deletions, stored in s3rver; returns its key. */
  async function deletionsFile(name: string): Promise<string> {
    const records = Array.from({ length: EVENTS }, (_, index) =>
      record({
        eventName: 'DeleteLoadBalancer',
        readOnly: false,
        eventTime: `2026-11-27T10:${String(index).padStart(2, '0')}:00Z`,
        requestParameters: {
          loadBalancerArn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/${name}-${index}/0123456789abcdef`,
        },
      }),
    );
    const key = logKey('27', name);
    await localS3().putObject(BUCKET, key, gzippedLogFile(records));
    return key;
  }

  /** The handler with a store of few attempts, `concurrency` chunks at a time. */
  function handlerOfFewAttempts(
    tableName: string,
    tableClient: DynamoDBDocumentClient,
    maxAttempts: number,
    metrics: CountingMetrics,
    errors: Record<string, unknown>[] = [],
    concurrency = 1,
  ) {
    return createHandler({
      source: new S3LogObjectSource(localS3().client),
      store: new DynamoDBEventStore({ client: tableClient, tableName, maxAttempts, concurrency, baseDelayMs: 1, maxDelayMs: 5 }),
      ledger: new DynamoDBFileLedger({ client: tableClient, tableName }),
      logger: { ...quietLogger, error: (_message, attributes) => void errors.push(attributes) },
      metrics,
      config: { dropReadOnly: false },
    });
  }

  it('reports the message failed when every write is throttled until the attempts run out', async () => {
    // prepare
    const TABLE = 'events-always-throttled';
    await createEventTable(client, TABLE);
    const key = await deletionsFile('refused');
    if (refusingClient === undefined || refusing === undefined) throw new Error('the throttling proxy did not start');
    const errors: Record<string, unknown>[] = [];
    const handler = handlerOfFewAttempts(TABLE, refusingClient, 3, new CountingMetrics(), errors);

    // act
    const response = await handler(sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key }] }]));

    // assess: the first chunk is refused on all of its 3 attempts and the write stops there; nothing is stored
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(refusing.stats.throttled).toBe(3);
    expect(await countItems(TABLE)).toBe(0);
    expect(errors.map((fields) => [fields.errorName, fields.causeName])).toEqual([
      [EventStoreWriteError.name, 'ProvisionedThroughputExceededException'],
    ]);
  });

  it('counts as ItemsWritten the items a failed write did store', async () => {
    // prepare: the first call of the chunk is half-forwarded (13 of its 25 items), the second refused, and the
    // attempts end there. One chunk at a time, so the count is known exactly.
    const TABLE = 'events-half-written';
    await createEventTable(client, TABLE);
    const key = await deletionsFile('halved');
    if (halvingClient === undefined) throw new Error('the throttling proxy did not start');
    const metrics = new CountingMetrics();

    // act
    const response = await handlerOfFewAttempts(TABLE, halvingClient, 2, metrics)(
      sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key }] }]),
    );

    // assess: the file failed (so no ledger item), and the metric counts exactly the items in the table
    const stored = await countItems(TABLE);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect([metrics.values.get('ItemsWritten'), stored]).toEqual([13, 13]);
  });

  it('counts as ItemsWritten what chunks written beside the failed one stored, too', async () => {
    // prepare: four chunks at a time; the chunks in flight when one gives up go on and may be written after it
    const TABLE = 'events-half-written-concurrently';
    await createEventTable(client, TABLE);
    const key = await deletionsFile('halved-concurrently');
    if (halvingClient === undefined) throw new Error('the throttling proxy did not start');
    const metrics = new CountingMetrics();

    // act
    const response = await handlerOfFewAttempts(TABLE, halvingClient, 2, metrics, [], 4)(
      sqsEventOf([{ id: 'm-1', objects: [{ bucket: BUCKET, key }] }]),
    );

    // assess: the metric counts exactly the items in the table
    const stored = await countItems(TABLE);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(metrics.values.get('ItemsWritten')).toBe(stored);
  });
});
