import {
  elbApiOf,
  isInsightRecord,
  mayBeSelected,
  mayBeSelectedOrInsight,
  selectRecord,
} from '../../../lambda/core/select';
import type { Selection } from '../../../lambda/core/select';
import { loadFixture, record } from '../../helpers/fixtures';
import type { FixtureName } from '../../helpers/fixtures';

describe('selectRecord', () => {
  it.each<[FixtureName, Selection]>([
    ['elb-classic-create-load-balancer', { keep: true, service: 'elb' }],
    ['elb-classic-delete-load-balancer', { keep: true, service: 'elb' }],
    ['elbv2-create-load-balancer', { keep: true, service: 'elbv2' }],
    ['elbv2-delete-load-balancer', { keep: true, service: 'elbv2' }],
    ['elbv2-create-network-load-balancer', { keep: true, service: 'elbv2' }],
    ['elasticbeanstalk-update-environment', { keep: true, service: 'elasticbeanstalk' }],
    ['autoscaling-create-launch-configuration', { keep: true, service: 'autoscaling' }],
  ])('keeps the AWS documentation example %s', (fixture, expected) => {
    // Act
    const selection = selectRecord(loadFixture(fixture));

    // Assess
    expect(selection).toEqual(expected);
  });

  it('skips another service as other-service', () => {
    // Act
    const selection = selectRecord(record({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }));

    // Assess
    expect(selection).toEqual({ keep: false, reason: 'other-service' });
  });

  it('skips an Insight event as insight-event', () => {
    // Act
    const selection = selectRecord(record({ eventType: 'AwsCloudTrailInsight', eventCategory: 'Insight' }));

    // Assess
    expect(selection).toEqual({ keep: false, reason: 'insight-event' });
  });

  it.each([
    [
      'requestParameters.serviceNamespace',
      { eventName: 'PutScalingPolicy', requestParameters: { serviceNamespace: 'ecs' } },
    ],
    [
      'additionalEventData.service',
      { eventName: 'DescribeScalingActivities', additionalEventData: { service: 'application-autoscaling' } },
    ],
    ['an operation only it has', { eventName: 'RegisterScalableTarget', requestParameters: {} }],
  ])('skips Application Auto Scaling recognised by %s', (_label, fields) => {
    // Prepare
    const call = record({ eventSource: 'autoscaling.amazonaws.com', apiVersion: undefined, ...fields });

    // Act
    const selection = selectRecord(call);

    // Assess
    expect(selection).toEqual({ keep: false, reason: 'application-auto-scaling' });
  });

  it('keeps an EC2 Auto Scaling PutScalingPolicy, which shares its name with Application Auto Scaling', () => {
    // Prepare
    const putScalingPolicy = record({
      eventSource: 'autoscaling.amazonaws.com',
      eventName: 'PutScalingPolicy',
      apiVersion: undefined,
      readOnly: false,
      requestParameters: { autoScalingGroupName: 'web-asg', policyName: 'cpu50', policyType: 'TargetTrackingScaling' },
    });

    // Act
    const selection = selectRecord(putScalingPolicy);

    // Assess
    expect(selection).toEqual({ keep: true, service: 'autoscaling' });
  });

  it('keeps a failed call', () => {
    // Prepare
    const denied = record({ eventName: 'DeleteLoadBalancer', readOnly: false, errorCode: 'AccessDenied' });

    // Act
    const selection = selectRecord(denied);

    // Assess
    expect(selection).toEqual({ keep: true, service: 'elbv2' });
  });

  it('keeps a read-only call by default', () => {
    // Act
    const selection = selectRecord(record({ readOnly: true }));

    // Assess
    expect(selection).toEqual({ keep: true, service: 'elbv2' });
  });

  it('drops a read-only call when asked to', () => {
    // Act
    const selection = selectRecord(record({ readOnly: true }), { dropReadOnly: true });

    // Assess
    expect(selection).toEqual({ keep: false, reason: 'read-only-dropped' });
  });

  it('treats a Describe call without a readOnly field as read-only', () => {
    // Act
    const selection = selectRecord(record({ readOnly: undefined, eventName: 'DescribeTargetHealth' }), {
      dropReadOnly: true,
    });

    // Assess
    expect(selection).toEqual({ keep: false, reason: 'read-only-dropped' });
  });

  it('keeps a write call when dropping read-only ones', () => {
    // Act
    const selection = selectRecord(record({ readOnly: undefined, eventName: 'CreateLoadBalancer' }), {
      dropReadOnly: true,
    });

    // Assess
    expect(selection).toEqual({ keep: true, service: 'elbv2' });
  });
});

describe('elbApiOf', () => {
  it.each([
    ['apiVersion 2012-06-01', { apiVersion: '2012-06-01', requestParameters: { loadBalancerArn: 'arn:x' } }, 'elb'],
    ['apiVersion 2015-12-01', { apiVersion: '2015-12-01', requestParameters: { loadBalancerName: 'x' } }, 'elbv2'],
    ['a v2-only operation', { eventName: 'CreateTargetGroup' }, 'elbv2'],
    ['a classic-only operation', { eventName: 'CreateLoadBalancerListeners' }, 'elb'],
    ['a loadBalancerArn parameter', { eventName: 'DeleteLoadBalancer', requestParameters: { loadBalancerArn: 'x' } }, 'elbv2'],
    ['a type parameter', { eventName: 'CreateLoadBalancer', requestParameters: { name: 'w', type: 'network' } }, 'elbv2'],
    ['a loadBalancerName parameter', { eventName: 'DeleteLoadBalancer', requestParameters: { loadBalancerName: 'w' } }, 'elb'],
    ['nothing that decides', { eventName: 'DescribeLoadBalancers', requestParameters: null }, 'elbv2'],
  ])('decides by %s', (_label, fields, expected) => {
    // Act
    const api = elbApiOf(record({ apiVersion: undefined, ...fields }));

    // Assess
    expect(api).toBe(expected);
  });

  it.each<[FixtureName, 'elb' | 'elbv2']>([
    // The console's classic DescribeLoadBalancers still carried the 2011-11-15 API version in 2017-2018.
    ['elb-classic-describe-load-balancers-api-2011-11-15', 'elb'],
    // No apiVersion, before Elastic Load Balancing v2 existed: only the classic API could have been called.
    ['elb-classic-describe-load-balancers-no-api-version-2015', 'elb'],
    // No apiVersion after v2 launched: the v2-only `names` parameter decides, as before.
    ['elbv2-describe-load-balancers-no-api-version-2019', 'elbv2'],
  ])('labels the record %s as %s', (fixture, expected) => {
    // Act
    const api = elbApiOf(loadFixture(fixture));

    // Assess
    expect(api).toBe(expected);
  });

  it.each(['2011-11-15', '2012-06-01', '2016-11-15'])(
    'takes apiVersion %s for classic, whatever the operation (v2 has only 2015-12-01)',
    (apiVersion) => {
      // Prepare
      const call = record({ apiVersion, eventName: 'CreateTargetGroup', requestParameters: { name: 'tg' } });

      // Act
      const api = elbApiOf(call);

      // Assess
      expect(api).toBe('elb');
    },
  );

  it.each([
    ['the last second before v2 launched', '2016-08-10T23:59:59Z', 'elb'],
    ['the first second of its launch day', '2016-08-11T00:00:00Z', 'elbv2'],
  ])('labels a record without apiVersion or deciding fields from %s by date', (_label, eventTime, expected) => {
    // Prepare
    const call = record({ apiVersion: undefined, eventTime, eventName: 'DescribeLoadBalancers', requestParameters: null });

    // Act
    const api = elbApiOf(call);

    // Assess
    expect(api).toBe(expected);
  });

  it('labels a record without apiVersion from before v2 launched classic, even with a v2 operation name', () => {
    // Prepare: no v2 call can predate v2's launch, so the date outranks the name.
    const call = record({ apiVersion: undefined, eventTime: '2016-03-01T00:00:00Z', eventName: 'CreateTargetGroup' });

    // Act
    const api = elbApiOf(call);

    // Assess
    expect(api).toBe('elb');
  });
});

describe('mayBeSelected', () => {
  it.each([
    'elasticloadbalancing.amazonaws.com',
    'elasticbeanstalk.amazonaws.com',
    'autoscaling.amazonaws.com',
  ])('passes the text of a %s record', (eventSource) => {
    // Act
    const result = mayBeSelected(JSON.stringify(record({ eventSource })));

    // Assess
    expect(result).toBe(true);
  });

  it('rejects the text of another service', () => {
    // Act
    const result = mayBeSelected(JSON.stringify(record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })));

    // Assess
    expect(result).toBe(false);
  });

  it('passes text whose event source is spelled with \\u escapes', () => {
    // Prepare
    const text = JSON.stringify(record()).replace('elasticloadbalancing', '\\u0065lasticloadbalancing');

    // Act
    const result = mayBeSelected(text);

    // Assess
    expect(result).toBe(true);
  });

  it('is not fooled into passing by escapes of punctuation CloudTrail writes', () => {
    // Prepare
    const text = JSON.stringify(record({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateKeyPair' })).replace(
      '}',
      ',"keyMaterial":"\\u003csensitiveDataRemoved\\u003e"}',
    );

    // Act
    const result = mayBeSelected(text);

    // Assess
    expect(result).toBe(false);
  });
});

describe('mayBeSelectedOrInsight', () => {
  const texts: [string, string][] = [
    ['an ELB record', JSON.stringify(record({ eventSource: 'elasticloadbalancing.amazonaws.com' }))],
    ['a Beanstalk record', JSON.stringify(record({ eventSource: 'elasticbeanstalk.amazonaws.com' }))],
    ['an Auto Scaling record', JSON.stringify(record({ eventSource: 'autoscaling.amazonaws.com' }))],
    ['an S3 record', JSON.stringify(record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' }))],
    ['an Insight event', JSON.stringify({ eventType: 'AwsCloudTrailInsight', eventID: 'x', insightDetails: {} })],
    ['an escaped event source', JSON.stringify(record()).replace('elasticloadbalancing', '\\u0065lasticloadbalancing')],
    ['an escaped dot', JSON.stringify(record()).replace('elasticloadbalancing.', 'elasticloadbalancing\\u002e')],
    ['escaped punctuation only', '{"eventSource":"ec2.amazonaws.com","k":"\\u003csensitiveDataRemoved\\u003e"}'],
    ['a near miss', '{"eventSource":"elasticloadbalancing-amazonaws.com"}'],
  ];

  /**
   * The Insight half of the pre-filter, spelled out as the oracle: the Insight event type, or an escape that could
   * hide a letter or a dot (as {@link mayBeSelected} reasons).
   */
  function mayBeInsightRecord(text: string): boolean {
    return text.includes('AwsCloudTrailInsight') || /\\u00(2[eE]|[67][0-9a-fA-F])/.test(text);
  }

  it.each(texts)('agrees with mayBeSelected || mayBeInsightRecord on %s', (_name, text) => {
    // Act
    const result = mayBeSelectedOrInsight(text);

    // Assess
    expect(result).toBe(mayBeSelected(text) || mayBeInsightRecord(text));
  });
});

describe('isInsightRecord', () => {
  it('recognises an Insight event without eventSource', () => {
    // Act
    const result = isInsightRecord({ eventType: 'AwsCloudTrailInsight', eventID: 'x', insightDetails: {} });

    // Assess
    expect(result).toBe(true);
  });

  it('does not take an API call for one', () => {
    // Act
    const result = isInsightRecord(record());

    // Assess
    expect(result).toBe(false);
  });
});
