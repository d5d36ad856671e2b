import {
  alertEventEntry,
  alertJsonLine,
  SNS_SUBJECT_MAX_LENGTH,
  snsMessage,
  snsMessageAttributes,
  snsSubject,
} from '../../../../lambda/core/alerts/format';
import { alert } from './alert-factory';

describe('snsSubject', () => {
  it('reads [SEVERITY] title - target', () => {
    expect(snsSubject(alert())).toBe('[HIGH] Load balancer deletion protection turned off - shop-alb');
  });

  it('leaves out the separator when there is no target', () => {
    expect(snsSubject(alert({ target: undefined }))).toBe('[HIGH] Load balancer deletion protection turned off');
  });

  it('keeps the end of a long target within the SNS limit', () => {
    const target = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/${'x'.repeat(60)}/prod-listener`;

    const subject = snsSubject(alert({ target }));

    expect([subject.length <= SNS_SUBJECT_MAX_LENGTH, subject.endsWith('/prod-listener'), subject.includes(' - ...')]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('cuts a long title when no room is left for the target', () => {
    const subject = snsSubject(alert({ title: 'T'.repeat(120) }));

    expect([subject.length, subject.endsWith('...')]).toEqual([SNS_SUBJECT_MAX_LENGTH, true]);
  });

  it('writes only printable ASCII, as SNS requires', () => {
    const subject = snsSubject(alert({ title: 'Listener — “weak” policy', target: 'café\nbar' }));

    expect(subject).toBe('[HIGH] Listener - "weak" policy - caf? bar');
  });
});

describe('snsMessage', () => {
  const body = snsMessage(
    alert({ eventID: 'e-42', notes: ['Terraform sends every attribute.'], accessKeyId: 'ASIAEXAMPLE' }),
  );

  it.each([
    ['who', 'Who:    arn:aws:iam::123456789012:role/Deployer (AssumedRole)'],
    ['session, source IP and key', 'as arn:aws:sts::123456789012:assumed-role/Deployer/alice, session alice, from 203.0.113.7, access key ASIAEXAMPLE'],
    ['what', 'What:   ModifyLoadBalancerAttributes (elasticloadbalancing.amazonaws.com)'],
    ['the resource', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188 "shop-alb" (AWS::ElasticLoadBalancingV2::LoadBalancer)'],
    ['when', 'When:   2026-11-20T10:00:00Z'],
    ['where', 'Where:  account 123456789012, region eu-west-1'],
    ['the notes', 'Note:\n- Terraform sends every attribute.'],
    ['why it matters', 'Why it matters:\nDeletion protection was set to false.'],
    ['what to do', 'What to do:\nSet it back to true.'],
    ['references', 'References:\n- Security Hub ELB.6'],
    ['the event history link', '- CloudTrail event history: https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/e-42'],
    ['the table item link', '- Event table item: https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#edit-item?itemMode=2&pk=e-42&sk=EVENT&table=events'],
  ])('says %s', (_what, text) => {
    expect(body).toContain(text);
  });

  it('gives the window and count of a burst', () => {
    const text = snsMessage(
      alert({ count: 12, eventNames: ['DescribeInstances', 'GetSecretValue'], window: { start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T10:05:00.000Z' } }),
    );

    expect(text).toContain('12 matching calls: DescribeInstances, GetSecretValue');
  });

  it('names the log file a per-file burst counts', () => {
    const text = snsMessage(
      alert({
        count: 3,
        window: { start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T11:00:00.000Z' },
        logObject: 's3://logs/AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/a.json.gz',
      }),
    );

    expect(text).toContain('Sent once per rule, principal, window and log file (s3://logs/AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/a.json.gz)');
  });
});

describe('snsMessageAttributes', () => {
  it('carry severity and rule for subscription filter policies', () => {
    expect(snsMessageAttributes(alert())).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      rule: { DataType: 'String', StringValue: 'elbv2.deletion-protection-disabled' },
    });
  });
});

describe('alertEventEntry', () => {
  it('is a trail-audit finding whose detail is the alert', () => {
    const finding = alert();

    const entry = alertEventEntry(finding);

    expect({ ...entry, Detail: JSON.parse(entry.Detail) as unknown }).toEqual({
      Source: 'trail-audit',
      DetailType: 'trail-audit finding',
      Detail: finding,
      Time: new Date('2026-11-20T10:00:00Z'),
      Resources: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188'],
    });
  });
});

describe('alertJsonLine', () => {
  it('holds exactly the fields of the CLI contract', () => {
    expect(Object.keys(alertJsonLine(alert()))).toEqual(['rule', 'severity', 'title', 'eventID', 'eventName', 'principal', 'resources']);
  });
});
