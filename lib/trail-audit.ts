/**
 * The whole of trail-audit as one reusable construct, {@link TrailAudit}: what `TrailAuditStack` deploys, and what a
 * team with its own CDK app adds to one of its stacks.
 */
import { Annotations, Aws, CfnCondition, CfnOutput, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuditTrail, type ManagementEvents } from './constructs/audit-trail';
import { isKmsKeyArn } from './constructs/kms-defaults';
import { BackfillWorkflow } from './constructs/backfill-workflow';
import { ComplianceAlerts } from './constructs/compliance-alerts';
import { EventHistorySeeder } from './constructs/event-history-seeder';
import { EventTable } from './constructs/event-table';
import { LogBucket } from './constructs/log-bucket';
import { LogProcessor, type LogLevel, type LogTrigger } from './constructs/log-processor';
import { Monitoring } from './constructs/monitoring';
import type { ValidatedRulesFile } from './user-rules';
import { STACK_OUTPUTS } from '../lambda/app/backfill-names';

/** An existing trail's bucket to attach to, instead of creating a trail and a bucket. */
export interface ExistingTrail {
  /** The name of the bucket the existing trail writes to. */
  readonly bucketName: string;
  /**
   * The ARN of the KMS key the trail encrypts with, `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID` (its key policy must
   * let this account's IAM grant decrypt). An alias does not do: IAM grants `kms:Decrypt` on the key's ARN.
   * @default the log files are not KMS-encrypted (SSE-S3)
   */
  readonly kmsKeyArn?: string;
  /**
   * The trail's `S3KeyPrefix` (what comes before `AWSLogs/`).
   * @default none
   */
  readonly keyPrefix?: string;
  /**
   * The ARN of the SNS topic the trail publishes a notification to for every file it delivers (its `SnsTopicARN`);
   * the processor's queue subscribes to it. Only with `trigger: 'sns'`.
   * @default none
   */
  readonly topicArn?: string;
  /**
   * Whether the trail has log file integrity validation on (`LogFileValidationEnabled`): the processor proves
   * completeness from the digest files it delivers (docs/integrity.md). trail-audit cannot read the trail's settings
   * at synth, so say it: `true` when it is on; `false` leaves out the "no digest verified" alarm.
   * @default unknown: a synth warning asks to check it (`aws cloudtrail get-trail --name NAME`) and turn it on
   */
  readonly logFileValidation?: boolean;
}

/**
 * How the processor learns of new log files: an S3 notification on the bucket, the bucket's events through
 * EventBridge, or the trail's own SNS topic (docs/deploy.md, "Choose the trigger").
 */
export type TriggerKind = LogTrigger['kind'];

/** The triggers, as `-c trigger=` accepts them. */
export const TRIGGER_KINDS: readonly TriggerKind[] = ['s3-notification', 'eventbridge', 'sns'];

/**
 * Props of {@link TrailAudit} (and of `TrailAuditStack`, which adds the stack's own); `lib/config.ts` builds them
 * from CDK context.
 */
export interface TrailAuditProps {
  /**
   * E-mail address subscribed to the alerts topic.
   * @default no subscription
   */
  readonly alertEmail?: string;
  /**
   * Attach to an existing trail's bucket: no trail, bucket or bucket key is created.
   * @default a new trail and log bucket are created
   */
  readonly existingTrail?: ExistingTrail;
  /**
   * How the processor learns of new log files. On an existing trail's bucket, `eventbridge` by default: it works
   * whatever notifications the bucket already has, and changes none of them (an S3 notification on a bucket that
   * already notifies another consumer of the same keys is refused by S3, and one that does not would keep that
   * consumer from adding one later). `sns` needs `existingTrail.topicArn`, and an existing trail.
   * @default 's3-notification' for a new trail and bucket; 'eventbridge' for an existing trail's bucket
   */
  readonly trigger?: TriggerKind;
  /**
   * The trail name (new trail only).
   * @default 'trail-audit'
   */
  readonly trailName?: string;
  /**
   * Management events recorded (new trail only).
   * @default 'all'
   */
  readonly managementEvents?: ManagementEvents;
  /**
   * Create an organization trail (new trail only); needs `organizationId`.
   * @default false
   */
  readonly isOrganizationTrail?: boolean;
  /**
   * The organization ID `o-...` of an organization trail.
   * @default none
   */
  readonly organizationId?: string;
  /**
   * The management account ID of an organization trail managed from a CloudTrail delegated administrator account
   * (the management account owns the trail; the bucket and key policies name it). CloudFormation cannot create such
   * a trail, so none is created: the output `OrganizationTrailSetupCommands` holds the AWS CLI calls that do.
   * @default the stack's account (CloudFormation creates the trail)
   */
  readonly managementAccountId?: string;
  /**
   * Other accounts whose own trails deliver to the log bucket, without AWS Organizations (new trail only): each may
   * write under `AWSLogs/<its account>/` only, as its trail named `sourceTrailName` in this stack's region.
   * @default none
   */
  readonly sourceAccountIds?: readonly string[];
  /**
   * The trail name the `sourceAccountIds` accounts use.
   * @default the trail name
   */
  readonly sourceTrailName?: string;
  /**
   * Also deliver the trail to CloudWatch Logs (new trail only).
   * @default false
   */
  readonly cloudWatchLogs?: boolean;
  /**
   * Turn on CloudTrail Insights (new trail only).
   * @default false
   */
  readonly insights?: boolean;
  /**
   * Days log files are kept in the bucket (new bucket only).
   * @default 2557 (seven years)
   */
  readonly logRetentionDays?: number;
  /**
   * Object Lock in compliance mode on the log bucket (new bucket only; irreversible).
   * @default false
   */
  readonly objectLock?: boolean;
  /**
   * Days stored events are kept in the table (DynamoDB TTL).
   * @default kept until deleted
   */
  readonly tableRetentionDays?: number;
  /**
   * Drop read-only events instead of storing them.
   * @default false
   */
  readonly dropReadOnly?: boolean;
  /**
   * A validated user rules file, bundled into the processor.
   * @default built-in rules only
   */
  readonly userRules?: ValidatedRulesFile;
  /**
   * Minutes without a processed log file before the "no log file processed" alarm.
   * @default 60
   */
  readonly noLogFileAlarmMinutes?: number;
  /**
   * Hours without a verified digest file before the "no digest verified" alarm (1 to 24). CloudTrail delivers a
   * digest every hour for each region, even without activity, while log file validation is on.
   * @default 3
   */
  readonly noDigestAlarmHours?: number;
  /**
   * Processor memory in MB, from 128 to 10240.
   * @default 1024
   */
  readonly processorMemorySize?: number;
  /**
   * Processor timeout.
   * @default Duration.minutes(5)
   */
  readonly processorTimeout?: Duration;
  /**
   * Most concurrent processor invocations.
   * @default 5
   */
  readonly processorMaxConcurrency?: number;
  /**
   * Powertools log level of the processor.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Retention of the processor's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly processorLogRetention?: logs.RetentionDays;
  /**
   * Seed the table once from CloudTrail Event history (the 90 days before the first deploy) by a workflow that runs
   * after the stack is created ({@link EventHistorySeeder}). LookupEvents is free; the table's writes are not.
   * @default true
   */
  readonly seedFromEventHistory?: boolean;
  /**
   * Evaluate the compliance rules on seeded events (each alert still once per rule and eventID); false seeds
   * without alerting on old events.
   * @default true
   */
  readonly seedAlerts?: boolean;
  /**
   * The regions to seed.
   * @default every region enabled for the account
   */
  readonly seedRegions?: readonly string[];
  /**
   * The table write rate (WRU/s) the backfill workflow may use; its default concurrency derives from it.
   * @default 3000
   */
  readonly backfillWriteBudget?: number;
  /**
   * The share (%) of a backfill map run's keys that may fail before the execution fails.
   * @default 10
   */
  readonly backfillToleratedFailurePercentage?: number;
  /**
   * An S3 Inventory of the log bucket that backfills may read keys from (`--manifest`).
   * @default backfills list the bucket
   */
  readonly backfillInventory?: BackfillInventoryLocation;
}

/** Where an S3 Inventory of the log bucket is delivered. */
export interface BackfillInventoryLocation {
  /** The inventory's destination bucket (same account and region as the stack). */
  readonly bucketName: string;
  /**
   * The inventory's destination prefix.
   * @default the whole bucket
   */
  readonly prefix?: string;
  /**
   * The KMS key the inventory reports are encrypted with.
   * @default SSE-S3
   */
  readonly kmsKeyArn?: string;
}

/** Props that configure the trail and bucket this stack creates: meaningless with an existing trail. */
const NEW_TRAIL_ONLY_PROPS = [
  'trailName',
  'managementEvents',
  'isOrganizationTrail',
  'organizationId',
  'managementAccountId',
  'sourceAccountIds',
  'sourceTrailName',
  'cloudWatchLogs',
  'insights',
  'logRetentionDays',
  'objectLock',
] as const;

/**
 * trail-audit as one construct: a CloudTrail trail and its log bucket (or an existing trail's bucket), the processor
 * that indexes Elastic Load Balancing, Elastic Beanstalk and EC2 Auto Scaling events into a DynamoDB table and raises
 * compliance alerts, and the monitoring around it. Add it to a stack of your own
 * (`new TrailAudit(this, 'Audit', { alertEmail })`), or deploy `TrailAuditStack`, which holds just this.
 */
export class TrailAudit extends Construct {
  /** The log bucket (created or imported). */
  public readonly logBucket: s3.IBucket;
  /** The trail, when this stack creates one. */
  public readonly trail?: AuditTrail;
  /** The event table. */
  public readonly eventTable: EventTable;
  /** The processor. */
  public readonly processor: LogProcessor;
  /** The alerts topic and the tampering fast path. */
  public readonly alerts: ComplianceAlerts;
  /** Alarms and dashboard. */
  public readonly monitoring: Monitoring;
  /** The one-time seeding from Event history, unless `seedFromEventHistory` is false. */
  public readonly eventHistorySeeder?: EventHistorySeeder;
  /** The backfill workflow (Step Functions Distributed Map over the log bucket). */
  public readonly backfill: BackfillWorkflow;

  public constructor(scope: Construct, id: string, props: TrailAuditProps = {}) {
    super(scope, id);
    const existing = props.existingTrail;
    if (existing !== undefined) {
      const newTrailOnly = NEW_TRAIL_ONLY_PROPS.filter((key) => props[key] !== undefined);
      if (newTrailOnly.length > 0) {
        throw new Error(
          `TrailAudit: ${newTrailOnly.join(', ')} apply to a new trail, not to an existing trail's bucket`,
        );
      }
      if (existing.kmsKeyArn !== undefined && !isKmsKeyArn(existing.kmsKeyArn)) {
        throw new Error(
          `TrailAudit ${this.node.path}: existingTrail.kmsKeyArn "${existing.kmsKeyArn}" is not a KMS key ARN ` +
            '(arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID; an alias ARN does not do)',
        );
      }
    }

    const trigger = this.triggerOf(props);

    let logKey: kms.IKey | undefined;
    let logBucketKeyArn = '';
    let accessLogBucket: s3.IBucket | undefined;
    if (existing === undefined) {
      const logBucket = new LogBucket(this, 'LogBucket', {
        ...(props.logRetentionDays === undefined ? {} : { retention: Duration.days(props.logRetentionDays) }),
        ...(props.objectLock === undefined ? {} : { objectLock: props.objectLock }),
      });
      this.logBucket = logBucket.bucket;
      logBucketKeyArn = logBucket.key.keyArn;
      accessLogBucket = logBucket.accessLogBucket;
      this.trail = new AuditTrail(this, 'Trail', {
        bucket: logBucket.bucket,
        encryptionKey: logBucket.key,
        ...(props.trailName === undefined ? {} : { trailName: props.trailName }),
        ...(props.managementEvents === undefined ? {} : { managementEvents: props.managementEvents }),
        ...(props.isOrganizationTrail === undefined ? {} : { isOrganizationTrail: props.isOrganizationTrail }),
        ...(props.organizationId === undefined ? {} : { organizationId: props.organizationId }),
        ...(props.managementAccountId === undefined ? {} : { managementAccountId: props.managementAccountId }),
        ...(props.sourceAccountIds === undefined ? {} : { sourceAccountIds: props.sourceAccountIds }),
        ...(props.sourceTrailName === undefined ? {} : { sourceTrailName: props.sourceTrailName }),
        ...(props.cloudWatchLogs === undefined ? {} : { cloudWatchLogs: props.cloudWatchLogs }),
        ...(props.insights === undefined ? {} : { insights: props.insights }),
      });
    } else {
      logKey =
        existing.kmsKeyArn === undefined ? undefined : kms.Key.fromKeyArn(this, 'ExistingTrailKey', existing.kmsKeyArn);
      this.logBucket = s3.Bucket.fromBucketAttributes(this, 'ExistingTrailBucket', {
        bucketName: existing.bucketName,
        ...(logKey === undefined ? {} : { encryptionKey: logKey }),
      });
    }

    // The table has a key of its own: the processor encrypts items with it, and may only decrypt the log files.
    this.eventTable = new EventTable(this, 'EventTable');
    this.alerts = new ComplianceAlerts(
      this,
      'Alerts',
      props.alertEmail === undefined ? {} : { alertEmail: props.alertEmail },
    );
    this.processor = new LogProcessor(this, 'Processor', {
      bucket: this.logBucket,
      ...(existing?.keyPrefix === undefined ? {} : { keyPrefix: existing.keyPrefix }),
      ...(logKey === undefined ? {} : { logKey }),
      table: this.eventTable.table,
      alertTopic: this.alerts.topic,
      ...(props.dropReadOnly === undefined ? {} : { dropReadOnly: props.dropReadOnly }),
      ...(props.tableRetentionDays === undefined ? {} : { tableRetentionDays: props.tableRetentionDays }),
      ...(props.userRules === undefined ? {} : { userRules: props.userRules }),
      ...(props.processorMemorySize === undefined ? {} : { memorySize: props.processorMemorySize }),
      ...(props.processorTimeout === undefined ? {} : { timeout: props.processorTimeout }),
      ...(props.processorMaxConcurrency === undefined ? {} : { maxConcurrency: props.processorMaxConcurrency }),
      ...(props.logLevel === undefined ? {} : { logLevel: props.logLevel }),
      ...(props.processorLogRetention === undefined ? {} : { logRetention: props.processorLogRetention }),
      trigger,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      function: this.processor.function,
      deadLetterQueue: this.processor.deadLetterQueue,
      alarmTopic: this.alerts.topic,
      tamperingAlerts: { rule: this.alerts.tamperingRule, deadLetterQueue: this.alerts.tamperingDeadLetterQueue },
      ...(props.noLogFileAlarmMinutes === undefined
        ? {}
        : { noLogFileAlarmAfter: Duration.minutes(props.noLogFileAlarmMinutes) }),
      // No digest arrives from a trail without log file validation: such a stack has nothing to alarm on.
      ...(existing?.logFileValidation === false
        ? { noDigestVerifiedAlarmAfter: null }
        : props.noDigestAlarmHours === undefined
          ? {}
          : { noDigestVerifiedAlarmAfter: Duration.hours(props.noDigestAlarmHours) }),
    });
    if (existing !== undefined) this.warnAboutValidation(existing);
    if (props.seedFromEventHistory ?? true) {
      this.eventHistorySeeder = new EventHistorySeeder(this, 'EventHistorySeeder', {
        table: this.eventTable.table,
        alertTopic: this.alerts.topic,
        // The processor's operational-logs key: one key for the functions' logs, not one per function.
        logEncryptionKey: this.processor.logGroupKey,
        ...(props.seedAlerts === undefined ? {} : { alerts: props.seedAlerts }),
        ...(props.seedRegions === undefined ? {} : { regions: props.seedRegions }),
        ...(props.dropReadOnly === undefined ? {} : { dropReadOnly: props.dropReadOnly }),
        ...(props.tableRetentionDays === undefined ? {} : { tableRetentionDays: props.tableRetentionDays }),
        ...(props.userRules === undefined ? {} : { userRules: props.userRules }),
        ...(props.logLevel === undefined ? {} : { logLevel: props.logLevel }),
      });
      this.monitoring.dashboard.addWidgets(...this.eventHistorySeeder.dashboardWidgets);
    }

    const inventory = props.backfillInventory;
    this.backfill = new BackfillWorkflow(this, 'Backfill', {
      bucket: this.logBucket,
      logEncryptionKey: this.processor.logGroupKey,
      logPrefix: this.processor.logPrefix,
      ...(logKey === undefined ? {} : { logKey }),
      table: this.eventTable.table,
      ...(props.dropReadOnly === undefined ? {} : { dropReadOnly: props.dropReadOnly }),
      ...(props.tableRetentionDays === undefined ? {} : { tableRetentionDays: props.tableRetentionDays }),
      ...(props.backfillWriteBudget === undefined ? {} : { writeBudget: props.backfillWriteBudget }),
      ...(props.backfillToleratedFailurePercentage === undefined
        ? {}
        : { toleratedFailurePercentage: props.backfillToleratedFailurePercentage }),
      ...(inventory === undefined
        ? {}
        : {
            inventory: {
              bucket: s3.Bucket.fromBucketAttributes(this, 'BackfillInventoryBucket', {
                bucketName: inventory.bucketName,
                ...(inventory.kmsKeyArn === undefined
                  ? {}
                  : { encryptionKey: kms.Key.fromKeyArn(this, 'BackfillInventoryKey', inventory.kmsKeyArn) }),
              }),
              ...(inventory.prefix === undefined ? {} : { prefix: inventory.prefix }),
            },
          }),
      ...(accessLogBucket === undefined ? {} : { accessLogBucket }),
      ...(props.logLevel === undefined ? {} : { logLevel: props.logLevel }),
    });

    new CfnOutput(this, 'LogBucketName', { value: this.logBucket.bucketName, description: 'CloudTrail log bucket' });
    new CfnOutput(this, STACK_OUTPUTS.logPrefix, {
      value: this.processor.logPrefix,
      description: 'Where the log files start in the bucket ([PREFIX/]AWSLogs/)',
    });
    if (this.trail !== undefined) {
      new CfnOutput(this, 'TrailArn', { value: this.trail.trailArn, description: 'CloudTrail trail' });
      new CfnOutput(this, 'LogKeyArn', {
        value: logBucketKeyArn,
        description: 'KMS key of the log files (the --kms-key-id of the trails of sourceAccountIds accounts)',
      });
      if (this.trail.setupCommands.length > 0) {
        new CfnOutput(this, 'OrganizationTrailSetupCommands', {
          value: this.trail.setupCommands.join(' && '),
          description:
            'Run from this (delegated administrator) account: creates the organization trail, starts it by ARN',
        });
      }
    }
    const tableName = this.eventTable.table.tableName;
    new CfnOutput(this, 'EventTableName', { value: tableName, description: 'DynamoDB event table' });
    new CfnOutput(this, 'EventTableKeyArn', {
      value: this.eventTable.key.keyArn,
      description: 'KMS key of the event table: readers of the table need kms:Decrypt on it',
    });
    new CfnOutput(this, 'EventTableConsoleUrl', {
      value: `https://${consoleDomain(this)}/dynamodbv2/home?region=${Stack.of(this).region}#item-explorer?table=${tableName}`,
      description: 'The event table in the DynamoDB console (type an ARN, a name or an access key ID as pk)',
    });
    new CfnOutput(this, 'ProcessorFunctionName', {
      value: this.processor.function.functionName,
      description: 'Processor Lambda function',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn, description: 'Alerts and alarms topic' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.processor.deadLetterQueue.queueUrl,
      description: 'Notifications of log files that failed every retry',
    });
    new CfnOutput(this, 'DeadLetterQueueArn', {
      value: this.processor.deadLetterQueue.queueArn,
      description: 'For aws sqs start-message-move-task --source-arn',
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    if (this.eventHistorySeeder !== undefined) {
      new CfnOutput(this, 'EventHistorySeedingStateMachineArn', {
        value: this.eventHistorySeeder.stateMachine.stateMachineArn,
        description: 'The one-time seeding from Event history; start it again to resume a failed seeding',
      });
    }
    new CfnOutput(this, STACK_OUTPUTS.backfillStateMachineArn, {
      value: this.backfill.stateMachine.stateMachineArn,
      description: 'The backfill workflow (trail-audit backfill finds it by the EventTableName output)',
    });
    new CfnOutput(this, STACK_OUTPUTS.backfillResultsBucketName, {
      value: this.backfill.resultsBucket.bucketName,
      description: 'Backfill results: runs/EXECUTION/MAPRUN/ (FAILED_*.json list the failed keys)',
    });
  }

  /**
   * An existing trail must have log file validation on for the processor to prove completeness; its settings cannot
   * be read at synth, so unless `logFileValidation` says it is on, a warning says what to check.
   */
  private warnAboutValidation(existing: ExistingTrail): void {
    if (existing.logFileValidation === true) return;
    Annotations.of(this).addWarningV2(
      'trail-audit:existingTrailLogFileValidation',
      existing.logFileValidation === false
        ? `The existing trail of bucket ${existing.bucketName} has log file validation off: no digest file is delivered, ` +
            'so completeness is not proved and the "no digest verified" alarm is left out. Turn it on with ' +
            '`aws cloudtrail update-trail --name TRAIL --enable-log-file-validation`, then set existingLogFileValidation=true.'
        : `trail-audit cannot tell whether the existing trail of bucket ${existing.bucketName} has log file validation ` +
            'on (its settings are not readable at synth). The processor proves completeness from its digest files, and ' +
            'the "no digest verified" alarm fires without them: check with `aws cloudtrail get-trail --name TRAIL` ' +
            '(LogFileValidationEnabled), turn it on with `aws cloudtrail update-trail --name TRAIL ' +
            '--enable-log-file-validation`, and set existingLogFileValidation=true to say so.',
    );
  }

  /** The processor's trigger, checked against the rest of the props: a combination that cannot work fails synth. */
  private triggerOf(props: TrailAuditProps): LogTrigger {
    const existing = props.existingTrail;
    const kind = props.trigger ?? (existing === undefined ? 's3-notification' : 'eventbridge');
    if (!TRIGGER_KINDS.includes(kind)) {
      throw new Error(`TrailAudit: trigger must be one of ${TRIGGER_KINDS.join(', ')}, got "${String(kind)}"`);
    }
    const topicArn = existing?.topicArn;
    if (kind !== 'sns') {
      if (topicArn !== undefined) {
        throw new Error(
          `TrailAudit: existingTrail.topicArn is set but trigger is "${kind}": set trigger to "sns" to subscribe to the ` +
            'trail\'s topic, or leave the topic out',
        );
      }
      return { kind };
    }
    if (existing === undefined) {
      throw new Error(
        'TrailAudit: trigger "sns" subscribes to an existing trail\'s SNS topic (existingTrail.topicArn); a new trail ' +
          'uses "s3-notification" or "eventbridge"',
      );
    }
    if (topicArn === undefined) {
      throw new Error('TrailAudit: trigger "sns" needs existingTrail.topicArn, the topic the trail publishes to');
    }
    if (!Token.isUnresolved(topicArn) && !TOPIC_ARN.test(topicArn)) {
      throw new Error(
        `TrailAudit: existingTrail.topicArn must be a standard SNS topic ARN (arn:PARTITION:sns:REGION:ACCOUNT:NAME), got "${topicArn}"`,
      );
    }
    return { kind, topic: sns.Topic.fromTopicArn(this, 'ExistingTrailTopic', topicArn) };
  }
}

/** An SNS topic ARN a trail can publish to (CloudTrail cannot publish to a FIFO topic). */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * The AWS Management Console's domain in the partition the stack is deployed to, resolved by CloudFormation:
 * `console.amazonaws.cn` in China, `console.amazonaws-us-gov.com` in GovCloud (US), `console.aws.amazon.com`
 * elsewhere. Conditions rather than a mapping: a mapping lookup fails the deployment in a partition it does not list,
 * while the console link is not worth a failed deployment.
 */
function consoleDomain(scope: Construct): string {
  const inPartition = (id: string, partition: string): CfnCondition =>
    new CfnCondition(scope, id, { expression: Fn.conditionEquals(Aws.PARTITION, partition) });
  return Fn.conditionIf(
    inPartition('InAwsChinaPartition', 'aws-cn').logicalId,
    'console.amazonaws.cn',
    Fn.conditionIf(
      inPartition('InAwsGovCloudPartition', 'aws-us-gov').logicalId,
      'console.amazonaws-us-gov.com',
      'console.aws.amazon.com',
    ),
  ).toString();
}
