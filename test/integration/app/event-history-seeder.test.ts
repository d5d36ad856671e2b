/**
 * The deploy-time seeder against DynamoDB Local and the fake of CloudTrail Event history (the real SDK clients,
 * pointed at it by `AWS_ENDPOINT_URL_CLOUDTRAIL` / `AWS_ENDPOINT_URL_ACCOUNT`): invocations short of time hand over
 * to the next through the checkpoints, and the compliance alerts of seeded events are not sent again when the log
 * file that holds the same events reaches the processor.
 */
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudTrailEventHistory } from '../../../lambda/adapters/cloudtrail-event-history';
import { DynamoDBAlertLedger } from '../../../lambda/alerts/dynamodb-alert-ledger';
import { DynamoDBBurstCounter } from '../../../lambda/alerts/dynamodb-burst-counter';
import { SnsAlertChannel } from '../../../lambda/alerts/sns-publisher';
import { AlertObserver } from '../../../lambda/app/alert-observer';
import { EventHistoryDoor } from '../../../lambda/app/event-history';
import { createSeederHandler, type SeedResponse } from '../../../lambda/app/event-history-seeder';
import { LogObjectService } from '../../../lambda/app/log-object-service';
import type { Logger, Metrics } from '../../../lambda/app/ports';
import { createHandler } from '../../../lambda/app/processor';
import { BUILT_IN_RULES } from '../../../lambda/core/rules/builtin';
import type { CloudTrailRecord } from '../../../lambda/core/types';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { createEventTable, localDocumentClient } from '../../helpers/dynamodb';
import { startEventHistoryServers, type EventHistoryServers, type FakeEventHistory } from '../../helpers/fake-event-history';
import { chunked, gzippedLogFile, record } from '../../helpers/fixtures';
import { s3Event } from '../../helpers/s3-events';
import { FakeSns } from '../../unit/alerts/fakes';

jest.setTimeout(120_000);

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDSEEDER', AWS_SECRET_ACCESS_KEY: 'seeder', AWS_REGION: 'us-east-1' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:trail-audit-alerts';
const ELB = 'elasticloadbalancing.amazonaws.com';

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const silentMetrics: Metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

const servers: EventHistoryServers = {};
let fake: FakeEventHistory | undefined;
let client: DynamoDBDocumentClient | undefined;
let tableCount = 0;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const started = await startEventHistoryServers(servers, CREDENTIALS);
  fake = started.fake;
  client = localDocumentClient(started.server.endpoint);
});

afterAll(async () => {
  process.env = savedEnv;
  client?.destroy();
  await Promise.all([servers.server?.stop(), servers.fake?.stop()]);
});

beforeEach(() => fake?.reset());

/** The seeding workflow's start: an hour ago, so the range is settled and the same for every invocation. */
const STARTED_AT = new Date(Date.now() - 60 * 60_000);

/** `eventTime` of `hours` before the workflow's start. */
function hoursBeforeStart(hours: number): string {
  return new Date(STARTED_AT.getTime() - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function deletion(region: string, hours: number): CloudTrailRecord {
  return record({
    eventName: 'DeleteLoadBalancer',
    readOnly: false,
    awsRegion: region,
    eventTime: hoursBeforeStart(hours),
    requestParameters: { loadBalancerArn: `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/shop-${hours}/1` },
  });
}

interface Setup {
  readonly tableName: string;
  readonly db: DynamoDBDocumentClient;
  readonly history: FakeEventHistory;
}

async function prepare(): Promise<Setup> {
  if (client === undefined || fake === undefined) throw new Error('servers did not start');
  tableCount += 1;
  const tableName = `seeder-${tableCount}`;
  await createEventTable(client, tableName);
  return { tableName, db: client, history: fake };
}

function alertObserver(setup: Setup, sns: FakeSns): AlertObserver {
  const { db: dynamodb, tableName } = setup;
  const ledger = new DynamoDBAlertLedger({ client: dynamodb, tableName });
  return new AlertObserver({
    rules: BUILT_IN_RULES,
    config: {},
    delivery: { ledger, channels: [new SnsAlertChannel({ client: sns, topicArn: TOPIC, baseDelayMs: 0 })] },
    coverage: ledger,
    burstCounter: new DynamoDBBurstCounter({ client: dynamodb, tableName }),
  });
}

/** The seeder as `lambda/seeder-handler.ts` wires it, on the test's table and alert channel. */
function seeder(setup: Setup, sns: FakeSns | undefined, source: CloudTrailEventHistory) {
  const { db: dynamodb, tableName } = setup;
  const ledger = new DynamoDBFileLedger({ client: dynamodb, tableName });
  const service = new LogObjectService({
    store: new DynamoDBEventStore({ client: dynamodb, tableName }),
    ledger,
    dropReadOnly: false,
    observers: sns === undefined ? [] : [alertObserver(setup, sns)],
  });
  return createSeederHandler({
    door: new EventHistoryDoor({ service, ledger, source }),
    source,
    logger: silentLogger,
    metrics: silentMetrics,
    config: {},
  });
}

/** A Lambda context whose time runs out after a few questions: the seeder pauses after a page or two. */
function shortContext(): { getRemainingTimeInMillis: () => number } {
  let remaining = 150_000;
  return {
    getRemainingTimeInMillis: () => {
      remaining -= 50_000;
      return remaining;
    },
  };
}

/** Invokes the seeder as the workflow does, until it answers done (at most `limit` times). */
async function runWorkflow(handler: ReturnType<typeof seeder>, limit = 20): Promise<SeedResponse[]> {
  const responses: SeedResponse[] = [];
  for (let invocation = 0; invocation < limit; invocation++) {
    const response = await handler({ startedAt: STARTED_AT.toISOString() }, shortContext());
    responses.push(response);
    if (response.done) return responses;
  }
  return responses;
}

async function eventItems(setup: Setup): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: setup.db }, { TableName: setup.tableName, ConsistentRead: true })) {
    items.push(...(page.Items ?? []).filter((item) => item.sk === 'EVENT'));
  }
  return items;
}

describe('the deploy-time seeder', () => {
  it('goes on across invocations from its checkpoints, reading each page once, until done', async () => {
    // Prepare: seven deletions in us-east-1 (four pages of two) and one in eu-west-1
    const setup = await prepare();
    setup.history.pageSize = 2;
    const records = [...Array.from({ length: 7 }, (_, index) => deletion('us-east-1', 1 + index)), deletion('eu-west-1', 30 * 24)];
    setup.history.events.push(...records.map((r) => ({ region: String(r.awsRegion), record: r })));
    const source = new CloudTrailEventHistory();

    // Act
    const responses = await runWorkflow(seeder(setup, undefined, source));
    source.destroy();

    // Assess: several invocations, the last one done. A resumed stream starts at the instant of the last event it
    // stored (more events of that second may follow it), so it may read one page more per resume than a run in one
    // go, and never a call twice.
    const okCalls = setup.history.calls.filter((call) => call.answer === 'ok');
    const elbCalls = okCalls.filter((call) => call.region === 'us-east-1' && call.eventSource === ELB);
    const resumes = responses.length - 1;
    expect({
      resumed: resumes > 0,
      done: responses.map((response) => response.done),
      pagesReported: responses.reduce((sum, response) => sum + response.pages, 0),
      distinctCalls: new Set(okCalls.map((call) => JSON.stringify([call.region, call.eventSource, call.startTime, call.endTime, call.nextToken]))).size,
      elbPagesAtMost: elbCalls.length <= 4 + resumes,
      stored: (await eventItems(setup)).map((item) => item.pk).sort(),
    }).toEqual({
      resumed: true,
      done: [...Array.from({ length: resumes }, () => false), true],
      pagesReported: okCalls.length,
      distinctCalls: okCalls.length,
      elbPagesAtMost: true,
      stored: records.map((r) => r.eventID).sort(),
    });
  });

  it('reads nothing when the workflow is started again for the same range', async () => {
    // Prepare
    const setup = await prepare();
    setup.history.events.push({ region: 'us-east-1', record: deletion('us-east-1', 2) });
    const source = new CloudTrailEventHistory();
    await runWorkflow(seeder(setup, undefined, source));
    const callsBefore = setup.history.calls.length;

    // Act
    const again = await runWorkflow(seeder(setup, undefined, source));
    source.destroy();

    // Assess
    expect({ responses: again.map((response) => [response.done, response.pages]), calls: setup.history.calls.length - callsBefore }).toEqual({
      responses: [[true, 0]],
      calls: 0,
    });
  });

  it('alerts once on a seeded event, and not again when its log file reaches the processor', async () => {
    // Prepare: a deletion by the root user (a per-event rule and a per-object one) seeded with alerts on
    const setup = await prepare();
    const seeded = record({
      ...deletion('us-east-1', 2),
      userIdentity: { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' },
    });
    setup.history.events.push({ region: 'us-east-1', record: seeded });
    const sns = new FakeSns();
    const source = new CloudTrailEventHistory();
    await runWorkflow(seeder(setup, sns, source));
    source.destroy();
    const sentBySeeder = sns.entries.length;
    const key = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_x.json.gz';
    const processor = createHandler({
      source: { open: () => Promise.resolve({ body: chunked(gzippedLogFile([seeded])) }) },
      store: new DynamoDBEventStore({ client: setup.db, tableName: setup.tableName }),
      ledger: new DynamoDBFileLedger({ client: setup.db, tableName: setup.tableName }),
      logger: silentLogger,
      metrics: silentMetrics,
      config: { dropReadOnly: false },
      observers: [alertObserver(setup, sns)],
    });

    // Act
    await processor(s3Event([{ bucket: 'logs', key }]));

    // Assess: one alert in all; the table now keeps the log file's copy
    const [item] = await eventItems(setup);
    expect({
      sentBySeeder,
      sentInAll: sns.entries.map((entry) => entry.MessageAttributes?.rule?.StringValue),
      source: (item?.source as { uri?: string } | undefined)?.uri,
    }).toEqual({
      sentBySeeder: 2,
      sentInAll: ['elb.load-balancer-deleted', 'account.root-user-activity'],
      source: `s3://logs/${key}`,
    });
  });
});
