/**
 * Exactly-once alert delivery against DynamoDB Local: the ledger's conditional writes on the event table, as the
 * stack creates it, with the SNS channel behind a fake client (no local SNS server exists).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AlertObserver } from '../../../lambda/app/alert-observer';
import { DynamoDBAlertLedger } from '../../../lambda/alerts/dynamodb-alert-ledger';
import { DynamoDBBurstCounter } from '../../../lambda/alerts/dynamodb-burst-counter';
import { AlertDeliveryError, deliverAlerts } from '../../../lambda/app/alert-delivery';
import { EventBridgeAlertChannel } from '../../../lambda/alerts/eventbridge-publisher';
import { SnsAlertChannel } from '../../../lambda/alerts/sns-publisher';
import type { Alert } from '../../../lambda/core/alerts/alert';
import { BUILT_IN_RULES } from '../../../lambda/core/rules/builtin';
import { RuleEngine } from '../../../lambda/core/rules/engine';
import type { CloudTrailRecord, UserIdentity } from '../../../lambda/core/types';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { createEventTable, localDocumentClient } from '../../helpers/dynamodb';
import { record } from '../../helpers/fixtures';
import { FakeEventBridge, FakeSns } from '../../unit/alerts/fakes';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:trail-audit-alerts';
const MALLORY: UserIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAMALLORY',
  arn: 'arn:aws:iam::123456789012:user/mallory',
  accountId: '123456789012',
  userName: 'mallory',
};

/** One log file's records: a trail stopped, a load balancer deleted, and a burst of 10 denied calls. */
const FILE: readonly CloudTrailRecord[] = [
  record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', readOnly: false, requestParameters: { name: 'audit' } }),
  record({
    eventName: 'DeleteLoadBalancer',
    readOnly: false,
    requestParameters: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/shop/1' },
  }),
  ...Array.from({ length: 10 }, (_, i) =>
    record({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      errorCode: 'Client.UnauthorizedOperation',
      userIdentity: MALLORY,
      eventTime: `2026-11-20T10:01:${String(i).padStart(2, '0')}Z`,
    }),
  ),
];

/** The alerts of the file, as a fresh invocation computes them (one engine per file). */
function alertsOfFile(): Alert[] {
  const engine = new RuleEngine(BUILT_IN_RULES);
  return [...FILE.flatMap((r) => engine.onRecord(r)), ...engine.flush()];
}

/** The file's first alert (the StopLogging one). */
function firstAlertOfFile(): Alert {
  const [first] = alertsOfFile();
  if (first === undefined) throw new Error('the file must raise an alert');
  return first;
}

let server: DynamoDBLocalServer | undefined;
let client: DynamoDBDocumentClient;
let tableNumber = 0;

beforeAll(async () => {
  server = await startDynamoDBLocal();
  client = localDocumentClient(server.endpoint);
});

afterAll(async () => {
  // Optional chaining: when the server failed to start, there is no client to destroy and no server to stop.
  client?.destroy();
  await server?.stop();
});

/** A fresh event table per test, so tests do not see each other's claims. */
async function freshTable(): Promise<string> {
  tableNumber += 1;
  const tableName = `alerts-${tableNumber}`;
  await createEventTable(client, tableName);
  return tableName;
}

function ledger(tableName: string, options: { now?: () => Date; ttlDays?: number } = {}): DynamoDBAlertLedger {
  return new DynamoDBAlertLedger({ client, tableName, leaseSeconds: 60, ...options });
}

function snsChannel(sns: FakeSns): SnsAlertChannel {
  return new SnsAlertChannel({ client: sns, topicArn: TOPIC, baseDelayMs: 0 });
}

describe('alert delivery against DynamoDB Local', () => {
  it('sends each alert of a file once, and nothing when the file is processed again', async () => {
    const tableName = await freshTable();
    const sns = new FakeSns();
    const first = await deliverAlerts(alertsOfFile(), { ledger: ledger(tableName), channels: [snsChannel(sns)] });

    const retry = await deliverAlerts(alertsOfFile(), { ledger: ledger(tableName), channels: [snsChannel(sns)] });

    expect([first, retry, sns.entries.length]).toEqual([
      { sent: 3, alreadySent: 0, inFlight: 0 },
      { sent: 0, alreadySent: 3, inFlight: 0 },
      3,
    ]);
  });

  it('after a failed publish, the retried file sends only the missing alert', async () => {
    const tableName = await freshTable();
    const failing = new FakeSns({ '[CRITICAL] CloudTrail logging stopped or trail deleted - audit': 3 });
    await expect(
      deliverAlerts(alertsOfFile(), { ledger: ledger(tableName), channels: [snsChannel(failing)] }),
    ).rejects.toThrow(AlertDeliveryError);
    const healthy = new FakeSns();

    await deliverAlerts(alertsOfFile(), { ledger: ledger(tableName), channels: [snsChannel(healthy)] });

    expect(healthy.entries.map((e) => e.MessageAttributes?.rule?.StringValue)).toEqual(['cloudtrail.logging-stopped']);
  });

  it('on retry after EventBridge failed, sends on EventBridge only: SNS holds its per-channel record', async () => {
    const tableName = await freshTable();
    const finding = firstAlertOfFile();
    const sns = new FakeSns();
    // One attempt: the single scripted failure is the channel's last, so the delivery fails.
    const flaky = new FakeEventBridge({ [finding.eventID]: 1 });
    const eventBridge = (fake: FakeEventBridge) => new EventBridgeAlertChannel({ client: fake, maxAttempts: 1, baseDelayMs: 0 });
    await expect(
      deliverAlerts([finding], { ledger: ledger(tableName), channels: [snsChannel(sns), eventBridge(flaky)] }),
    ).rejects.toThrow(AlertDeliveryError);
    const healthy = new FakeEventBridge();

    const counts = await deliverAlerts([finding], {
      ledger: ledger(tableName),
      channels: [snsChannel(sns), eventBridge(healthy)],
    });

    expect([counts.sent, sns.entries.length, healthy.batches.flat().length]).toEqual([1, 1, 1]);
  });

  it('sends each alert once when two invocations race on the same file', async () => {
    const tableName = await freshTable();
    const sns = new FakeSns();

    await Promise.allSettled([
      deliverAlerts(alertsOfFile(), { ledger: ledger(tableName), channels: [snsChannel(sns)] }),
      deliverAlerts(alertsOfFile(), { ledger: ledger(tableName), channels: [snsChannel(sns)] }),
    ]);

    const rules = sns.entries.map((e) => e.MessageAttributes?.rule?.StringValue).sort();
    expect(rules).toEqual(['account.access-denied-burst', 'cloudtrail.logging-stopped', 'elb.load-balancer-deleted']);
  });

  it('lets a retry take over a claim whose holder died, once the lease expired', async () => {
    const tableName = await freshTable();
    const finding = firstAlertOfFile();
    const crashed = await ledger(tableName, { now: () => new Date('2026-11-21T10:00:00Z') }).claim(finding);
    const sns = new FakeSns();
    const later = ledger(tableName, { now: () => new Date('2026-11-21T10:01:01Z') });

    const counts = await deliverAlerts([finding], { ledger: later, channels: [snsChannel(sns)] });

    expect([crashed.status, counts.sent, sns.entries.length]).toEqual(['claimed', 1, 1]);
  });

  it('reports an alert held by a live claim as in flight', async () => {
    const tableName = await freshTable();
    const finding = firstAlertOfFile();
    const holder = ledger(tableName);
    await holder.claim(finding);

    const whileHeld = await ledger(tableName).claim(finding);

    expect(whileHeld).toEqual({ status: 'in-flight' });
  });

  it('writes the ledger item beside the event item, with the TTL when configured', async () => {
    const tableName = await freshTable();
    const finding = firstAlertOfFile();
    const now = new Date('2026-11-21T10:00:00Z');
    await deliverAlerts([finding], {
      ledger: ledger(tableName, { now: () => now, ttlDays: 400 }),
      channels: [snsChannel(new FakeSns())],
    });

    const item = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: finding.eventID, sk: `ALERT#${finding.rule}` } }),
    );

    expect(item.Item).toMatchObject({
      status: 'sent',
      rule: finding.rule,
      eventID: finding.eventID,
      deliveredTo: new Set(['sns']),
      expiresAt: Math.floor(now.getTime() / 1000) + 400 * 86_400,
    });
  });
});

describe('bursts across log files, against DynamoDB Local', () => {
  /** Denied calls by Mallory at the given seconds past 10:01 (one 5-minute window). */
  function deniedCalls(seconds: readonly number[]): CloudTrailRecord[] {
    return seconds.map((second) =>
      record({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        errorCode: 'Client.UnauthorizedOperation',
        userIdentity: MALLORY,
        eventTime: `2026-11-20T10:01:${String(second).padStart(2, '0')}Z`,
      }),
    );
  }

  function observer(tableName: string, sns: FakeSns): AlertObserver {
    return new AlertObserver({
      rules: BUILT_IN_RULES,
      config: {},
      delivery: { ledger: ledger(tableName), channels: [snsChannel(sns)] },
      burstCounter: new DynamoDBBurstCounter({ client, tableName }),
    });
  }

  async function processFile(alerts: AlertObserver, key: string, records: readonly CloudTrailRecord[]): Promise<void> {
    const object = { objectId: `s3://logs/${key}`, key };
    for (const r of records) alerts.onRecord(r, object);
    await alerts.onObjectEnd(object);
  }

  it('alert once when a burst is split over two files, and not again when a file is retried', async () => {
    const tableName = await freshTable();
    const sns = new FakeSns();
    const fileA = deniedCalls([0, 1, 2, 3, 4, 5]);
    const fileB = deniedCalls([10, 11, 12, 13]);

    await processFile(observer(tableName, sns), 'a.json.gz', fileA);
    const afterA = sns.entries.length;
    await processFile(observer(tableName, sns), 'b.json.gz', fileB);
    await processFile(observer(tableName, sns), 'b.json.gz', fileB);

    expect([afterA, sns.entries.map((e) => e.Message?.match(/\d+ matching calls/)?.[0])]).toEqual([0, ['10 matching calls']]);
  });

  it('report root activity once per file: a later file of the same hour alerts, a retried file does not', async () => {
    const tableName = await freshTable();
    const sns = new FakeSns();
    const root: UserIdentity = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };
    const rootCalls = (minute: number, count: number): CloudTrailRecord[] =>
      Array.from({ length: count }, (_, i) =>
        record({ userIdentity: root, eventTime: `2026-11-20T10:${String(minute).padStart(2, '0')}:${String(i).padStart(2, '0')}Z` }),
      );
    const fileB = rootCalls(40, 2);

    await processFile(observer(tableName, sns), 'a.json.gz', rootCalls(5, 12));
    await processFile(observer(tableName, sns), 'b.json.gz', fileB);
    await processFile(observer(tableName, sns), 'b.json.gz', fileB);

    expect(sns.entries.map((e) => e.Message?.match(/\d+ matching calls/)?.[0])).toEqual(['12 matching calls', '2 matching calls']);
  });

  it('do not count the events of a retried file twice', async () => {
    const tableName = await freshTable();
    const sns = new FakeSns();
    const fileA = deniedCalls([0, 1, 2, 3, 4, 5]);

    await processFile(observer(tableName, sns), 'a.json.gz', fileA);
    await processFile(observer(tableName, sns), 'a.json.gz', fileA);

    expect(sns.entries).toEqual([]);
  });
});
