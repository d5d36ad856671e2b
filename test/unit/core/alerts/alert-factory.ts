/** A factory of alerts for the format, channel and delivery tests: a realistic alert with fields replaced. */
import type { Alert } from '../../../../lambda/core/alerts/alert';

let sequence = 0;

/** An `elbv2.deletion-protection-disabled` alert by a role session, with a fresh eventID per call. */
export function alert(overrides: Partial<Alert> = {}): Alert {
  sequence += 1;
  const eventID = overrides.eventID ?? `a0000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  return {
    rule: 'elbv2.deletion-protection-disabled',
    severity: 'high',
    title: 'Load balancer deletion protection turned off',
    eventID,
    eventName: 'ModifyLoadBalancerAttributes',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventTime: '2026-11-20T10:00:00Z',
    principal: 'arn:aws:iam::123456789012:role/Deployer',
    principalType: 'AssumedRole',
    principalArn: 'arn:aws:sts::123456789012:assumed-role/Deployer/alice',
    sessionName: 'alice',
    sourceIPAddress: '203.0.113.7',
    accountId: '123456789012',
    awsRegion: 'eu-west-1',
    resources: [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188',
        name: 'shop-alb',
      },
    ],
    target: 'shop-alb',
    description: 'Deletion protection was set to false.',
    remediation: 'Set it back to true.',
    references: ['Security Hub ELB.6'],
    notes: [],
    links: {
      eventHistory: `https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/${eventID}`,
      tableItem: `https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#edit-item?itemMode=2&pk=${eventID}&sk=EVENT&table=events`,
    },
    key: { pk: eventID, sk: 'ALERT#elbv2.deletion-protection-disabled' },
    ...overrides,
  };
}
