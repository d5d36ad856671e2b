/**
 * The reusable construct: `TrailAudit` inside a stack of the user's own, and `TrailAuditStack` keeping the logical
 * IDs a deployed stack already has (a changed logical ID would make CloudFormation replace the table and bucket).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TrailAudit } from '../../../lib';
import { synthesise } from './synth';

describe('TrailAudit construct', () => {
  it('puts the trail, table and processor into a stack of the user’s own', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'TheirStack');

    // Act
    const audit = new TrailAudit(stack, 'Audit', { alertEmail: 'security@example.com' });
    const template = Template.fromStack(stack);

    // Assess
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
    expect(audit.eventTable.table.node.path).toBe('TheirStack/Audit/EventTable/Table');
  });

  it('keeps the logical IDs TrailAuditStack gave its resources before the construct existed', () => {
    // Prepare
    const synth = synthesise({});

    // Act
    const logicalIds = Object.keys(synth.template.toJSON().Resources as Record<string, unknown>);
    synth.cleanup();

    // Assess
    expect(logicalIds).toEqual(
      expect.arrayContaining([
        'EventTable23755758',
        'LogBucket7273C8DB',
        'LogBucketKey46D5ACDF',
        'LogBucketAccessLogsE7D8D181',
        'Trail022F0CF2',
        'ProcessorFunction5B2A90E2',
        'ProcessorQueue70C98B0B',
        'ProcessorDeadLetterQueue959FA4E1',
        'AlertsTopicCF7C81C9',
        'MonitoringDashboard0C3675C6',
      ]),
    );
  });
});
