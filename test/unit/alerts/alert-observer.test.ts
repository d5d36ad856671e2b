import { AlertObserver } from '../../../lambda/app/alert-observer';
import { AlertDeliveryError } from '../../../lambda/app/alert-delivery';
import type { AlertCoverage } from '../../../lambda/app/ports';
import type { Alert } from '../../../lambda/core/alerts/alert';
import { BUILT_IN_RULES } from '../../../lambda/core/rules/builtin';
import type { UserIdentity } from '../../../lambda/core/types';
import { record } from '../../helpers/fixtures';
import { MemoryLedger, RecordingChannel } from './fakes';

const OBJECT_A = { objectId: 's3://logs/AWSLogs/a.json.gz', key: 'AWSLogs/a.json.gz' };
const OBJECT_B = { objectId: 's3://logs/AWSLogs/b.json.gz', key: 'AWSLogs/b.json.gz' };
const STOP = record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: 'audit' } });
const MALLORY: UserIdentity = { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory', accountId: '123456789012' };

function observer(channel: RecordingChannel): AlertObserver {
  return new AlertObserver({ rules: BUILT_IN_RULES, config: {}, delivery: { ledger: new MemoryLedger(), channels: [channel] } });
}

describe('AlertObserver', () => {
  it('delivers an object\'s alerts when the object ends, not before', async () => {
    const sns = new RecordingChannel('sns');
    const alerts = observer(sns);
    alerts.onRecord(STOP, OBJECT_A);
    const before = sns.delivered.length;

    await alerts.onObjectEnd(OBJECT_A);

    expect([before, sns.delivered.map((a) => a.eventID)]).toEqual([0, [STOP.eventID]]);
  });

  it('keeps the records of two objects apart', async () => {
    const sns = new RecordingChannel('sns');
    const alerts = observer(sns);
    alerts.onRecord(STOP, OBJECT_A);
    alerts.onRecord(record({ eventName: 'DeleteLoadBalancer', readOnly: false, requestParameters: { loadBalancerName: 'web' }, apiVersion: '2012-06-01' }), OBJECT_B);

    await alerts.onObjectEnd(OBJECT_B);

    expect(sns.delivered.map((a) => a.rule)).toEqual(['elb.load-balancer-deleted']);
  });

  it('delivers the bursts of the object', async () => {
    const sns = new RecordingChannel('sns');
    const alerts = observer(sns);
    for (let i = 0; i < 10; i += 1) {
      alerts.onRecord(record({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', errorCode: 'Client.UnauthorizedOperation', userIdentity: MALLORY }), OBJECT_A);
    }

    await alerts.onObjectEnd(OBJECT_A);

    expect(sns.delivered.map((a) => [a.rule, a.count])).toEqual([['account.access-denied-burst', 10]]);
  });

  it('fails the object when delivery fails, so it is retried', async () => {
    const alerts = observer(new RecordingChannel('sns', new Set([STOP.eventID])));
    alerts.onRecord(STOP, OBJECT_A);

    await expect(alerts.onObjectEnd(OBJECT_A)).rejects.toThrow(AlertDeliveryError);
  });

  it('offers the rules prefilter to the pipeline', () => {
    const alerts = observer(new RecordingChannel('sns'));

    expect([alerts.mayMatch('{"eventName":"StopLogging"}'), alerts.mayMatch('{"eventName":"GetObject"}')]).toEqual([true, false]);
  });
});

describe('AlertObserver and root user activity', () => {
  const ROOT: UserIdentity = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };
  const rootCall = (eventTime: string): ReturnType<typeof record> => record({ userIdentity: ROOT, eventTime });

  it('reports root calls of a later file in the same hour, though the first file\'s alert was sent', async () => {
    // prepare: one ledger across both files, as in production
    const sns = new RecordingChannel('sns');
    const alerts = new AlertObserver({ rules: BUILT_IN_RULES, config: {}, delivery: { ledger: new MemoryLedger(), channels: [sns] } });
    alerts.onRecord(rootCall('2026-11-20T10:05:00Z'), OBJECT_A);
    await alerts.onObjectEnd(OBJECT_A);

    // act
    alerts.onRecord(rootCall('2026-11-20T10:40:00Z'), OBJECT_B);
    await alerts.onObjectEnd(OBJECT_B);

    // assess
    expect(sns.delivered.map((a) => [a.rule, a.eventTime])).toEqual([
      ['account.root-user-activity', '2026-11-20T10:05:00Z'],
      ['account.root-user-activity', '2026-11-20T10:40:00Z'],
    ]);
  });

  it('sends one alert with the count for a file of many root calls', async () => {
    // prepare
    const sns = new RecordingChannel('sns');
    const alerts = observer(sns);
    for (let i = 0; i < 25; i += 1) alerts.onRecord(rootCall(`2026-11-20T10:05:${String(i).padStart(2, '0')}Z`), OBJECT_A);

    // act
    await alerts.onObjectEnd(OBJECT_A);

    // assess
    expect(sns.delivered.map((a) => [a.rule, a.count])).toEqual([['account.root-user-activity', 25]]);
  });
});

/** Which alert reported which event, in memory: the first reporter of an event is kept. */
class MemoryCoverage implements AlertCoverage {
  private readonly reporter = new Map<string, string>();

  reportedElsewhere(alert: Alert, eventIDs: readonly string[]): Promise<Set<string>> {
    const own = `${alert.key.pk}|${alert.key.sk}`;
    return Promise.resolve(new Set(eventIDs.filter((id) => ![undefined, own].includes(this.reporter.get(`${alert.rule}|${id}`)))));
  }

  recordReported(alert: Alert, eventIDs: readonly string[]): Promise<void> {
    for (const id of eventIDs) {
      if (!this.reporter.has(`${alert.rule}|${id}`)) this.reporter.set(`${alert.rule}|${id}`, `${alert.key.pk}|${alert.key.sk}`);
    }
    return Promise.resolve();
  }
}

describe('AlertObserver and the same root calls read twice (Event history, then the log file)', () => {
  const ROOT: UserIdentity = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };
  const SEEDED = { objectId: 'event-history://us-east-1/elasticloadbalancing.amazonaws.com', key: 'event-history://us-east-1/elasticloadbalancing.amazonaws.com' };
  const rootCall = (eventTime: string): ReturnType<typeof record> => record({ userIdentity: ROOT, eventTime });

  function observerWithCoverage(sns: RecordingChannel): AlertObserver {
    return new AlertObserver({
      rules: BUILT_IN_RULES,
      config: {},
      delivery: { ledger: new MemoryLedger(), channels: [sns] },
      coverage: new MemoryCoverage(),
    });
  }

  it('does not alert again on a log file whose root calls an Event-history alert already reported', async () => {
    // prepare: the calls seeded from Event history, alerted
    const sns = new RecordingChannel('sns');
    const alerts = observerWithCoverage(sns);
    const calls = [rootCall('2026-11-20T10:05:00Z'), rootCall('2026-11-20T10:06:00Z')];
    for (const call of calls) alerts.onRecord(call, SEEDED);
    await alerts.onObjectEnd(SEEDED);

    // act: the log file that holds the same calls
    for (const call of calls) alerts.onRecord(call, OBJECT_A);
    await alerts.onObjectEnd(OBJECT_A);

    // assess
    expect(sns.delivered.map((a) => [a.rule, a.count])).toEqual([['account.root-user-activity', 2]]);
  });

  it('alerts on a log file that holds a root call no alert reported yet, with all its calls', async () => {
    // prepare
    const sns = new RecordingChannel('sns');
    const alerts = observerWithCoverage(sns);
    const seeded = rootCall('2026-11-20T10:05:00Z');
    alerts.onRecord(seeded, SEEDED);
    await alerts.onObjectEnd(SEEDED);

    // act: the log file has the seeded call and a console sign-in Event history was not asked for
    alerts.onRecord(seeded, OBJECT_A);
    alerts.onRecord(record({ userIdentity: ROOT, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventTime: '2026-11-20T10:04:00Z' }), OBJECT_A);
    await alerts.onObjectEnd(OBJECT_A);

    // assess
    expect(sns.delivered.map((a) => [a.rule, a.count])).toEqual([
      ['account.root-user-activity', 1],
      ['account.root-user-activity', 2],
    ]);
  });
});
