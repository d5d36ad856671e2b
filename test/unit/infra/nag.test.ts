import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { loadUserRulesFile } from '../../../lib/user-rules';
import { PROJECT_ROOT, fixturePath, synthesise, type SynthesisedStack } from './synth';

/** Every unacknowledged AwsSolutions finding (errors and warnings alike) under a scope, as `rule at path`. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath ?? '?'}`,
    ),
  );
}

/** Every acknowledgment recorded under a scope: rule id and reason. */
function acknowledgments(scope: IConstruct): { id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason }))),
  );
}

describe('cdk-nag AwsSolutions', () => {
  const variants: SynthesisedStack[] = [];

  beforeAll(() => {
    variants.push(
      synthesise({ userRules: loadUserRulesFile(fixturePath('user-rules.json'), PROJECT_ROOT) }),
      synthesise({
        isOrganizationTrail: true,
        organizationId: 'o-a1b2c3d4e5',
        sourceAccountIds: ['222233334444'],
        cloudWatchLogs: true,
        insights: true,
        objectLock: true,
        alertEmail: 'security@example.com',
        tableRetentionDays: 365,
      }),
      synthesise({
        existingTrail: {
          bucketName: 'org-trail-logs',
          kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          keyPrefix: 'p',
        },
      }),
      synthesise({
        isOrganizationTrail: true,
        organizationId: 'o-a1b2c3d4e5',
        managementAccountId: '111122223333',
        insights: true,
      }),
      synthesise({
        existingTrail: { bucketName: 'org-trail-logs', topicArn: 'arn:aws:sns:eu-west-1:111122223333:cloudtrail' },
        trigger: 'sns',
      }),
      synthesise({ existingTrail: { bucketName: 'org-trail-logs' }, trigger: 's3-notification' }),
      synthesise({ trigger: 'eventbridge' }),
      // As `cdk synth` builds it with credentials at hand: ARNs hold the account and region themselves.
      synthesise({ env: { account: '123456789012', region: 'eu-west-1' }, backfillInventory: { bucketName: 'inventory' } }),
    );
  });

  afterAll(() => {
    for (const variant of variants) variant.cleanup();
  });

  test('finds nothing unacknowledged in the default stack', () => {
    expect(findings((variants[0] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged in the organization trail with every option and a source account on', () => {
    expect(findings((variants[1] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged when attached to an existing trail (EventBridge, its default trigger)', () => {
    expect(findings((variants[2] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged for an organization trail managed from a delegated administrator', () => {
    expect(findings((variants[3] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged when attached to an existing trail through its SNS topic', () => {
    expect(findings((variants[4] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged when attached to an existing trail through an S3 notification', () => {
    expect(findings((variants[5] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged in a new trail reached through EventBridge', () => {
    expect(findings((variants[6] as SynthesisedStack).stack)).toEqual([]);
  });

  test('finds nothing unacknowledged in a stack for a given account and region', () => {
    expect(findings((variants[7] as SynthesisedStack).stack)).toEqual([]);
  });

  test('has a written reason for every acknowledgment', () => {
    const all = variants.flatMap((variant) => acknowledgments(variant.stack));

    expect(all.length).toBeGreaterThan(0);
    for (const { id, reason } of all) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length).toBeGreaterThanOrEqual(60);
    }
  });

  test('acknowledges no whole rule where a finding ID would do', () => {
    const wholeRules = variants
      .flatMap((variant) => acknowledgments(variant.stack))
      .map(({ id }) => id.replace(/^annotation::/i, ''))
      .filter((id) => /^AwsSolutions-IAM5$/.test(id));

    expect(wholeRules).toEqual([]);
  });

  test('does report a finding (the pack is live): an unencrypted queue without a DLQ or TLS policy', () => {
    const control = new Stack((variants[0] as SynthesisedStack).app, 'NagControl');
    new sqs.Queue(control, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    expect(findings(control)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('AwsSolutions-SQS2'),
        expect.stringContaining('AwsSolutions-SQS3'),
        expect.stringContaining('AwsSolutions-SQS4'),
      ]),
    );
  });
});
