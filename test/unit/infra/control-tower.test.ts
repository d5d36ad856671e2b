/**
 * The AWS Control Tower proactive controls (the cfn-guard rules `@cdklabs/cdk-validator-cfnguard` ships) on the
 * synthesised template. The controls that still fail are pinned, each with its reason in docs/security.md:
 * a new failure, or a fixed one, changes the set and fails the test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { PROJECT_ROOT, synthesise, type SynthesisedStack } from './synth';

/** One failed control: the rule, the resource, and the control ID (`CT.S3.PR.2`) from the rule's message. */
interface FailedControl {
  readonly rule: string;
  readonly logicalId: string;
  readonly control: string;
}

/** Runs the Control Tower rules on a synthesised stack's template file. */
function failedControls(templatePath: string): FailedControl[] {
  // The validator only reads `templatePaths` from the context CDK would pass it.
  const context = { templatePaths: [templatePath] } as unknown as Parameters<CfnGuardValidator['validate']>[0];
  const report = new CfnGuardValidator().validate(context);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      logicalId: resource.resourceLogicalId,
      control: /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description)?.[1] ?? 'unknown',
    })),
  );
}

/** `rule logicalId`, sorted: the form the expectations are written in. */
function summary(failures: readonly FailedControl[]): string[] {
  return [...new Set(failures.map((failure) => `${failure.rule} ${failure.logicalId}`))].sort();
}

/** The failures every variant has (see docs/security.md for why each stays). */
const ALWAYS = [
  // No function runs in a VPC: the processor, the Event-history seeder, aws-cdk-lib's notification handler and its
  // AwsCustomResource function (which starts the seeding) call AWS APIs only.
  'lambda_inside_vpc_check AWS679f53fac002430cb0da5b7982bd22872D164C4C',
  'lambda_inside_vpc_check BackfillFunction19A2381B',
  'lambda_inside_vpc_check BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691',
  'lambda_inside_vpc_check EventHistorySeederFunction91FB9F85',
  'lambda_inside_vpc_check ProcessorFunction5B2A90E2',
  // The access-log bucket: SSE-S3 (S3 delivers access logs to no other), not logged (to itself or a third bucket),
  // no notifications (nothing processes access logs), no Object Lock (S3 does not log to a locked bucket).
  's3_bucket_default_encryption_kms_check LogBucketAccessLogsE7D8D181',
  's3_bucket_logging_enabled_check LogBucketAccessLogsE7D8D181',
  's3_bucket_object_lock_enabled_check LogBucketAccessLogsE7D8D181',
  's3_event_notifications_enabled_check LogBucketAccessLogsE7D8D181',
  // The log bucket's notification is set by a custom resource, which the rule cannot see.
  's3_event_notifications_enabled_check LogBucket7273C8DB',
  // The backfill results bucket: SSE-S3 (its objects are keys, counts and error messages, written by Step Functions'
  // result writer without a key grant), no Object Lock (results expire after 90 days), no notifications (nothing
  // consumes them).
  's3_bucket_default_encryption_kms_check BackfillResults50B04890',
  's3_bucket_object_lock_enabled_check BackfillResults50B04890',
  's3_event_notifications_enabled_check BackfillResults50B04890',
  // Dead-letter queues have no dead-letter queue.
  'sqs_dlq_check AlertsTrailTamperingDeadLetterQueue087F364B',
  'sqs_dlq_check ProcessorDeadLetterQueue959FA4E1',
];

describe('AWS Control Tower proactive controls', () => {
  const variants: SynthesisedStack[] = [];
  let defaults: FailedControl[];
  let everyOption: FailedControl[];

  beforeAll(() => {
    const defaultStack = synthesise({});
    const everyOptionStack = synthesise({
      cloudWatchLogs: true,
      insights: true,
      objectLock: true,
      sourceAccountIds: ['222233334444'],
      alertEmail: 'security@example.com',
    });
    variants.push(defaultStack, everyOptionStack);
    defaults = failedControls(path.join(defaultStack.outdir, 'TrailAudit.template.json'));
    everyOption = failedControls(path.join(everyOptionStack.outdir, 'TrailAudit.template.json'));
  });

  afterAll(() => {
    for (const variant of variants) variant.cleanup();
  });

  test('fail on the default stack exactly where a reason is written down', () => {
    expect(summary(defaults)).toEqual(
      [
        ...ALWAYS,
        // Opt-in: cloudWatchLogs=true (a second copy of every record, billed per GB).
        'cloud_trail_cloud_watch_logs_enabled_check Trail022F0CF2',
        // Opt-in: objectLock=true (irreversible: a locked bucket cannot be emptied).
        's3_bucket_object_lock_enabled_check LogBucket7273C8DB',
      ].sort(),
    );
  });

  test('fail with CloudWatch Logs and Object Lock on only where the design rules them out', () => {
    expect(summary(everyOption)).toEqual([...ALWAYS].sort());
  });

  test('pass the log group, key policy and trail controls the stack was changed for', () => {
    const passed = ['CT.CLOUDWATCH.PR.2', 'CT.CLOUDWATCH.PR.3', 'CT.KMS.PR.3'];

    expect(defaults.filter((failure) => passed.includes(failure.control))).toEqual([]);
  });

  test('each control that fails has its reason in docs/security.md', () => {
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
    const controls = [...new Set([...defaults, ...everyOption].map((failure) => failure.control))];

    expect(controls).not.toContain('unknown');
    expect(controls.filter((control) => !doc.includes(control))).toEqual([]);
  });

  test('report a weakness (the rules are live): a log group kept a week, without a customer-managed key', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trail-audit-guard-'));
    const stack = new Stack(new App({ outdir }), 'GuardControl');
    new logs.LogGroup(stack, 'Plain', { retention: logs.RetentionDays.ONE_WEEK });
    Template.fromStack(stack);

    const failures = failedControls(path.join(outdir, 'GuardControl.template.json'));
    fs.rmSync(outdir, { recursive: true, force: true });

    expect(failures.map((failure) => failure.control).sort()).toEqual(['CT.CLOUDWATCH.PR.2', 'CT.CLOUDWATCH.PR.3']);
  });
});
