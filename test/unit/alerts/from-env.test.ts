import { AlertObserver } from '../../../lambda/app/alert-observer';
import { AlertConfigError, alertObserverFromEnv, alertSettingsFromEnv } from '../../../lambda/alerts/from-env';
import { fakeDocumentClient, type WireRequest } from '../../helpers/dynamodb';
import { record } from '../../helpers/fixtures';
import { FakeEventBridge, FakeSns } from './fakes';

const TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:trail-audit-alerts';

/** A DynamoDB client that must not be called while the observer is built. */
const unusedDynamoDB = {
  send: (): Promise<never> => Promise.reject(new Error('no DynamoDB call expected while building the observer')),
};

class RecordingLogger {
  readonly lines: { level: string; message: string }[] = [];

  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
}

describe('alertObserverFromEnv', () => {
  it('builds the observer when a topic and a table are set', () => {
    // act
    const observer = alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events', AWS_REGION: 'us-west-2' }, unusedDynamoDB);

    // assess
    expect(observer).toBeInstanceOf(AlertObserver);
  });

  it('returns no observer when no topic is set', () => {
    // act
    const observer = alertObserverFromEnv({ TABLE_NAME: 'events' }, unusedDynamoDB);

    // assess
    expect(observer).toBeUndefined();
  });

  it('warns that compliance alerts are off when no topic is set', () => {
    // prepare
    const logger = new RecordingLogger();

    // act
    alertObserverFromEnv({ TABLE_NAME: 'events', ALERT_TOPIC_ARN: '' }, unusedDynamoDB, { logger });

    // assess
    expect(logger.lines).toEqual([{ level: 'warn', message: expect.stringContaining('compliance alerts are off') as unknown }]);
  });

  it('does not warn when alerts are on', () => {
    // prepare
    const logger = new RecordingLogger();

    // act
    alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events' }, unusedDynamoDB, { logger });

    // assess
    expect(logger.lines).toEqual([]);
  });

  it('rejects a topic without the table its ledger needs', () => {
    // act
    const building = (): unknown => alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN }, unusedDynamoDB);

    // assess
    expect(building).toThrow(AlertConfigError);
  });

  it.each(['0', '-3', '1.5', 'ninety'])('rejects RETENTION_DAYS=%s, as the handler configuration does', (days) => {
    // act
    const building = (): unknown =>
      alertObserverFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events', RETENTION_DAYS: days }, unusedDynamoDB);

    // assess
    expect(building).toThrow(AlertConfigError);
  });
});

describe('alertSettingsFromEnv', () => {
  it('keeps the ledger items as long as the events: RETENTION_DAYS becomes ttlDays', () => {
    // act
    const settings = alertSettingsFromEnv({ ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events', RETENTION_DAYS: '400' });

    // assess
    expect(settings).toEqual({ topicArn: TOPIC_ARN, tableName: 'events', ttlDays: 400 });
  });

  it('adds the EventBridge bus of ALERT_EVENT_BUS_NAME', () => {
    // act
    const settings = alertSettingsFromEnv({
      ALERT_TOPIC_ARN: TOPIC_ARN,
      TABLE_NAME: 'events',
      ALERT_EVENT_BUS_NAME: 'audit-bus',
      AWS_REGION: 'us-west-2',
    });

    // assess
    expect(settings).toEqual({ topicArn: TOPIC_ARN, tableName: 'events', eventBusName: 'audit-bus', region: 'us-west-2' });
  });

  it('ignores an empty ALERT_EVENT_BUS_NAME and RETENTION_DAYS', () => {
    // act
    const settings = alertSettingsFromEnv({
      ALERT_TOPIC_ARN: TOPIC_ARN,
      TABLE_NAME: 'events',
      ALERT_EVENT_BUS_NAME: '',
      RETENTION_DAYS: '',
    });

    // assess
    expect(settings).toEqual({ topicArn: TOPIC_ARN, tableName: 'events' });
  });
});

describe('alertObserverFromEnv wiring', () => {
  const BASE_ENV = { ALERT_TOPIC_ARN: TOPIC_ARN, TABLE_NAME: 'events', AWS_REGION: 'us-west-2' };

  /** Builds the observer on fakes and runs one file holding a StopLogging call (one alert) through it. */
  async function deliverOneAlert(env: NodeJS.ProcessEnv): Promise<{ requests: WireRequest[]; sns: FakeSns; eventBridge: FakeEventBridge }> {
    // The ledger's conditional updates all succeed; a fresh claim finds no channel delivered yet.
    const { client, requests } = fakeDocumentClient(() => ({ body: { Attributes: {} } }));
    const sns = new FakeSns();
    const eventBridge = new FakeEventBridge();
    const observer = alertObserverFromEnv(env, client, { clients: { sns, eventBridge } });
    if (observer === undefined) throw new Error('alerts must be on');
    const object = { objectId: 's3://logs/a.json.gz', key: 'a.json.gz' };
    observer.onRecord(
      record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', readOnly: false, requestParameters: { name: 'audit' } }),
      object,
    );
    await observer.onObjectEnd(object);
    client.destroy();
    return { requests, sns, eventBridge };
  }

  function ttlNamesOf(requests: readonly WireRequest[]): unknown[] {
    return requests
      .filter((request) => request.operation === 'UpdateItem')
      .map((request) => (request.body.ExpressionAttributeNames as Record<string, unknown> | undefined)?.['#ttl']);
  }

  it('claims each alert with the TTL attribute when RETENTION_DAYS is set', async () => {
    // act
    const { requests } = await deliverOneAlert({ ...BASE_ENV, RETENTION_DAYS: '400' });

    // assess: the claim is the first ledger update
    expect(ttlNamesOf(requests)[0]).toBe('expiresAt');
  });

  it('claims alerts without a TTL when RETENTION_DAYS is not set', async () => {
    // act
    const { requests } = await deliverOneAlert(BASE_ENV);

    // assess: the ledger was written, without the TTL attribute
    const names = ttlNamesOf(requests);
    expect({ updates: names.length > 0, withTtl: names.includes('expiresAt') }).toEqual({ updates: true, withTtl: false });
  });

  it('delivers on SNS and on the bus of ALERT_EVENT_BUS_NAME', async () => {
    // act
    const { sns, eventBridge } = await deliverOneAlert({ ...BASE_ENV, ALERT_EVENT_BUS_NAME: 'audit-bus' });

    // assess
    expect([sns.entries.length, eventBridge.batches.flat().map((entry) => entry.EventBusName)]).toEqual([1, ['audit-bus']]);
  });

  it('delivers on SNS only when ALERT_EVENT_BUS_NAME is not set', async () => {
    // act
    const { sns, eventBridge } = await deliverOneAlert(BASE_ENV);

    // assess
    expect([sns.entries.length, eventBridge.batches]).toEqual([1, []]);
  });
});
