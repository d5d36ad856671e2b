import { BUILT_IN_RULES } from '../../../../lambda/core/rules/builtin';
import { RuleEngine } from '../../../../lambda/core/rules/engine';
import type { RulesConfig } from '../../../../lambda/core/rules/types';
import type { CloudTrailRecord, JsonObject, UserIdentity } from '../../../../lambda/core/types';
import { record } from '../../../helpers/fixtures';

const ALB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188';
const NOW = new Date('2026-11-21T12:00:00Z');

function deleteLoadBalancer(overrides: JsonObject = {}): CloudTrailRecord {
  return record({
    eventName: 'DeleteLoadBalancer',
    readOnly: false,
    requestParameters: { loadBalancerArn: ALB },
    ...overrides,
  });
}

function deniedCall(identity: UserIdentity, eventTime: string): CloudTrailRecord {
  return record({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    errorCode: 'Client.UnauthorizedOperation',
    userIdentity: identity,
    eventTime,
  });
}

const MALLORY: UserIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAMALLORY',
  arn: 'arn:aws:iam::123456789012:user/mallory',
  accountId: '123456789012',
  userName: 'mallory',
};
const TRENT: UserIdentity = { ...MALLORY, principalId: 'AIDATRENT', arn: 'arn:aws:iam::123456789012:user/trent', userName: 'trent' };

function engine(config: RulesConfig = {}, table?: { name: string; region: string }): RuleEngine {
  return new RuleEngine(BUILT_IN_RULES, config, { now: () => NOW, ...(table !== undefined ? { table } : {}) });
}

function burst(engineUnderTest: RuleEngine, identity: UserIdentity, count: number, minute = '10:01'): void {
  for (let i = 0; i < count; i += 1) engineUnderTest.onRecord(deniedCall(identity, `2026-11-20T${minute}:${String(i).padStart(2, '0')}Z`));
}

describe('RuleEngine per-event alerts', () => {
  it('builds an alert with who, what, when, where and the rule text', () => {
    const alert = engine().onRecord(deleteLoadBalancer({ eventID: 'e-1' }))[0];

    expect(alert).toMatchObject({
      rule: 'elb.load-balancer-deleted',
      severity: 'medium',
      eventID: 'e-1',
      eventName: 'DeleteLoadBalancer',
      principal: 'arn:aws:iam::123456789012:user/Alice',
      principalType: 'IAMUser',
      sourceIPAddress: '198.51.100.1',
      accountId: '123456789012',
      awsRegion: 'us-west-2',
      key: { pk: 'e-1', sk: 'ALERT#elb.load-balancer-deleted' },
      links: { eventHistory: 'https://us-west-2.console.aws.amazon.com/cloudtrailv2/home?region=us-west-2#/events/e-1' },
    });
  });

  it('fires once per rule and eventID however often the event repeats', () => {
    const rules = engine();
    const first = rules.onRecord(deleteLoadBalancer({ eventID: 'e-1' }));

    const again = rules.onRecord(deleteLoadBalancer({ eventID: 'e-1' }));

    expect([first.length, again.length]).toEqual([1, 0]);
  });

  it('applies a configured severity to the alert', () => {
    const alert = engine({ severity: { 'elb.load-balancer-deleted': 'critical' } }).onRecord(deleteLoadBalancer())[0];

    expect(alert?.severity).toBe('critical');
  });

  it('adds the notes whose condition holds', () => {
    const alert = engine().onRecord(
      record({
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'DeleteAutoScalingGroup',
        requestParameters: { autoScalingGroupName: 'web', forceDelete: true },
      }),
    )[0];

    expect(alert?.notes).toEqual([expect.stringContaining('forceDelete was true')]);
  });

  it('links the table item of an event trail-audit stores', () => {
    const alert = engine({}, { name: 'events', region: 'eu-west-1' }).onRecord(deleteLoadBalancer({ eventID: 'e-1' }))[0];

    expect(alert?.links.tableItem).toBe(
      'https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#edit-item?itemMode=2&pk=e-1&sk=EVENT&table=events',
    );
  });

  it('does not link a table item for an event of another service', () => {
    const alert = engine({}, { name: 'events', region: 'eu-west-1' }).onRecord(
      record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: 'audit' } }),
    )[0];

    expect([alert?.rule, alert?.target, alert?.links.tableItem]).toEqual(['cloudtrail.logging-stopped', 'audit', undefined]);
  });
});

describe('RuleEngine suppressions', () => {
  const suppression = {
    rule: 'elb.load-balancer-deleted',
    principal: 'arn:aws:iam::123456789012:user/*',
    resource: '*shop-*',
    expires: '2026-11-21',
    reason: 'decommissioning the shop',
  };

  it('silence a finding matching rule, principal and resource until the end of the expiry day', () => {
    const rules = engine({ suppressions: [suppression] });

    const alerts = rules.onRecord(deleteLoadBalancer());

    expect({ alerts, suppressed: rules.counts.suppressed }).toEqual({ alerts: [], suppressed: 1 });
  });

  it('no longer apply once expired', () => {
    const alerts = engine({ suppressions: [{ ...suppression, expires: '2026-11-20' }] }).onRecord(deleteLoadBalancer());

    expect(alerts).toHaveLength(1);
  });

  it('do not apply to another principal', () => {
    const alerts = engine({ suppressions: [{ ...suppression, principal: 'arn:aws:iam::*:role/Deployer' }] }).onRecord(
      deleteLoadBalancer(),
    );

    expect(alerts).toHaveLength(1);
  });

  it('do not apply to another resource', () => {
    const alerts = engine({ suppressions: [{ ...suppression, resource: 'billing-*' }] }).onRecord(deleteLoadBalancer());

    expect(alerts).toHaveLength(1);
  });
});

describe('RuleEngine bursts', () => {
  it('raise one alert per principal and window, with the count', () => {
    const rules = engine();
    burst(rules, MALLORY, 12);

    const alerts = rules.flush();

    expect(alerts.map((a) => [a.principal, a.count, a.window])).toEqual([
      ['arn:aws:iam::123456789012:user/mallory', 12, { start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T10:05:00.000Z' }],
    ]);
  });

  it('count each principal separately', () => {
    const rules = engine();
    burst(rules, MALLORY, 6);
    burst(rules, TRENT, 6);

    expect(rules.flush()).toEqual([]);
  });

  it('count an eventID once however often it repeats', () => {
    const rules = engine();
    const call = deniedCall(MALLORY, '2026-11-20T10:01:00Z');
    for (let i = 0; i < 10; i += 1) rules.onRecord(call);

    expect(rules.flush()).toEqual([]);
  });

  it('honour a configured threshold', () => {
    const rules = engine({ accessDeniedBurst: { threshold: 3, windowMinutes: 1 } });
    burst(rules, MALLORY, 3);

    expect(rules.flush().map((a) => a.count)).toEqual([3]);
  });

  it('key the ledger by rule, principal and window start', () => {
    const rules = engine();
    burst(rules, MALLORY, 10);

    expect(rules.flush()[0]?.key).toEqual({
      pk: 'BURST#account.access-denied-burst#arn:aws:iam::123456789012:user/mallory#2026-11-20T10:00:00.000Z',
      sk: 'ALERT#account.access-denied-burst',
    });
  });

  it('name the earliest event of the window and the principal as target', () => {
    const rules = engine();
    rules.onRecord(deniedCall(MALLORY, '2026-11-20T10:03:00Z'));
    const earliest = deniedCall(MALLORY, '2026-11-20T10:00:30Z');
    rules.onRecord(earliest);
    burst(rules, MALLORY, 8);

    expect(rules.flush()[0]).toMatchObject({ eventID: earliest.eventID, target: 'mallory', resources: [] });
  });

  it('forget the windows once flushed', () => {
    const rules = engine();
    burst(rules, MALLORY, 10);
    rules.flush();

    expect(rules.flush()).toEqual([]);
  });
});

describe('RuleEngine.flushBursts', () => {
  it('returns the windows below their threshold with their distinct eventIDs, for counting across files', () => {
    const rules = engine();
    burst(rules, MALLORY, 4);

    const { alerts, partials } = rules.flushBursts();

    expect([alerts, partials.map((p) => [p.alert.rule, p.threshold, p.eventIds.length, p.alert.key.pk])]).toEqual([
      [],
      [['account.access-denied-burst', 10, 4, 'BURST#account.access-denied-burst#arn:aws:iam::123456789012:user/mallory#2026-11-20T10:00:00.000Z']],
    ]);
  });
});

describe('RuleEngine with a log object (one engine per file, as the processor runs it)', () => {
  const ROOT: UserIdentity = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };

  function rootCalls(count: number, minute: number): CloudTrailRecord[] {
    return Array.from({ length: count }, (_, i) =>
      record({ userIdentity: ROOT, eventTime: `2026-11-20T10:${String(minute).padStart(2, '0')}:${String(i).padStart(2, '0')}Z` }),
    );
  }

  function burstAlerts(logObject: string, records: readonly CloudTrailRecord[]): { key: string; count?: number }[] {
    const perFile = new RuleEngine(BUILT_IN_RULES, {}, { now: () => NOW, logObject });
    for (const r of records) perFile.onRecord(r);
    return perFile
      .flush()
      .filter((alert) => alert.rule === 'account.root-user-activity')
      .map((alert) => ({ key: alert.key.pk, ...(alert.count !== undefined ? { count: alert.count } : {}) }));
  }

  it('gives root activity in two files of the same hour two ledger keys', () => {
    // act
    const [first] = burstAlerts('s3://logs/a.json.gz', rootCalls(1, 5));
    const [second] = burstAlerts('s3://logs/b.json.gz', rootCalls(1, 40));

    // assess
    expect(first?.key).not.toBe(second?.key);
  });

  it('gives a retried file the same ledger key', () => {
    // act
    const [first] = burstAlerts('s3://logs/a.json.gz', rootCalls(1, 5));
    const [retry] = burstAlerts('s3://logs/a.json.gz', rootCalls(1, 5));

    // assess
    expect(retry?.key).toBe(first?.key);
  });

  it('names the log object whose calls the alert counts', () => {
    // act
    const perFile = new RuleEngine(BUILT_IN_RULES, {}, { now: () => NOW, logObject: 's3://logs/a.json.gz' });
    for (const r of rootCalls(2, 5)) perFile.onRecord(r);
    const [alert] = perFile.flush();

    // assess
    expect(alert?.logObject).toBe('s3://logs/a.json.gz');
  });

  it('still gives one alert, with the count, for a file full of root calls', () => {
    // act
    const alerts = burstAlerts('s3://logs/a.json.gz', rootCalls(30, 5));

    // assess
    expect(alerts.map((alert) => alert.count)).toEqual([30]);
  });

  it('keeps one ledger key per window for a burst rule with a higher threshold', () => {
    // prepare
    const calls = (from: number): CloudTrailRecord[] =>
      Array.from({ length: 10 }, (_, i) => deniedCall(MALLORY, `2026-11-20T10:01:${String(from + i).padStart(2, '0')}Z`));
    const keyOf = (logObject: string, records: readonly CloudTrailRecord[]): string | undefined => {
      const perFile = new RuleEngine(BUILT_IN_RULES, {}, { now: () => NOW, logObject });
      for (const r of records) perFile.onRecord(r);
      return perFile.flush()[0]?.key.pk;
    };

    // act
    const keys = [keyOf('s3://logs/a.json.gz', calls(0)), keyOf('s3://logs/b.json.gz', calls(20))];

    // assess
    expect(keys[0]).toBe(keys[1]);
  });
});
