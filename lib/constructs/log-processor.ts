import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { ValidatedRulesFile } from '../user-rules';
import { createNodejsFunction } from './lambda-defaults';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/app/metric-names';

/** Where the validated user rules file sits in the deployed function (`LAMBDA_TASK_ROOT` of a zip function). */
export const DEPLOYED_RULES_FILE = '/var/task/user-rules.json';

/**
 * The DynamoDB actions of the processor, one per command the bundled handler sends: `BatchWriteItem` (event and
 * lookup items), `GetItem` (file ledger and alert-ledger reads, consistent), `PutItem` (file ledger, conditional) and
 * `UpdateItem` (alert ledger and burst counters, conditional). The handler sends no Query, Scan or DeleteItem; the
 * CLI's queries run with the caller's own credentials. Add an action here when the handler starts sending a new
 * command — the infra test pins this list.
 */
export const PROCESSOR_TABLE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

/**
 * What the processor may do with the table's customer-managed key: DynamoDB calls KMS with the caller's credentials
 * to decrypt the table key for reads and to encrypt for writes (the key actions CDK's `grantReadWriteData` grants).
 */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
] as const;

/** Powertools log levels. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Props of {@link LogProcessor}. */
export interface LogProcessorProps {
  /** The bucket CloudTrail writes to (created by the stack, or an existing one). */
  readonly bucket: s3.IBucket;
  /**
   * The key prefix in front of `AWSLogs/` (a trail's `S3KeyPrefix`), without slashes at either end.
   * @default none — log files start at `AWSLogs/`
   */
  readonly keyPrefix?: string;
  /**
   * A key the log files are encrypted with, when the bucket does not name it (an existing trail's KMS key).
   * @default the bucket's own encryption key, if any
   */
  readonly logKey?: kms.IKey;
  /** The event table. */
  readonly table: dynamodb.ITable;
  /** The topic compliance alerts are published to. */
  readonly alertTopic: sns.ITopic;
  /**
   * The event bus findings are also put on (source `trail-audit`).
   * @default the account's default event bus
   */
  readonly alertEventBus?: events.IEventBus;
  /**
   * Drop read-only events (Describe*, Get*, List*) instead of storing them.
   * @default false — read-only events are kept
   */
  readonly dropReadOnly?: boolean;
  /**
   * Expire stored events after this many days (DynamoDB TTL on the table's TTL attribute).
   * @default events never expire
   */
  readonly tableRetentionDays?: number;
  /**
   * A user rules file, already validated (see `loadUserRulesFile`); bundled into the function next to the code.
   * @default built-in rules only
   */
  readonly userRules?: ValidatedRulesFile;
  /**
   * The handler's TypeScript entry file, relative to the project root.
   * @default 'lambda/handler.ts'
   */
  readonly entry?: string;
  /**
   * Function memory in MB. The decode benchmark measures throughput by memory size: more memory is more CPU for
   * gunzip and JSON parsing.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Function timeout; a 50 MB compressed log file must fit in it.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * SQS messages (one log file each) per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * The most concurrent invocations the queue drives (2-1000): caps the write rate on the table during a backfill.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Receives of a message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * The processor: S3 `ObjectCreated` notifications for `[PREFIX/]AWSLogs/…json.gz` go to an SQS queue, which drives
 * the Lambda function with partial-batch responses; a file that fails `maxReceiveCount` times moves to a
 * dead-letter queue as the original S3 notification (bucket and key inside), ready to redrive. A message the function
 * has no time left to start is re-sent by the function to the same queue (`QUEUE_URL`, `sqs:SendMessage`), so
 * deferrals during a backfill do not use up its receives.
 *
 * Why a queue rather than a direct S3 → Lambda trigger: a direct async invocation retries only twice, and its
 * failure destination holds the invocation record, not a message SQS can redrive in one command; the queue also
 * absorbs bursts (backfills, organization trails) under `maxConcurrency`, so the table is not flooded.
 */
export class LogProcessor extends Construct {
  /** The processor function. */
  public readonly function: nodejs.NodejsFunction;
  /** The queue between S3 and the function. */
  public readonly queue: sqs.Queue;
  /** Notifications of log files that failed every retry. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The key prefix the notification and the read grant are limited to (`[PREFIX/]AWSLogs/`). */
  public readonly logPrefix: string;

  public constructor(scope: Construct, id: string, props: LogProcessorProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    const keyPrefix = props.keyPrefix?.replace(/^\/+|\/+$/g, '') ?? '';
    this.logPrefix = keyPrefix === '' ? 'AWSLogs/' : `${keyPrefix}/AWSLogs/`;
    const tableRetentionDays = props.tableRetentionDays;
    if (tableRetentionDays !== undefined && (!Number.isInteger(tableRetentionDays) || tableRetentionDays < 1)) {
      throw new Error(`LogProcessor ${this.node.path}: tableRetentionDays must be a whole number ≥ 1`);
    }
    const maxConcurrency = props.maxConcurrency ?? 5;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      // The limits of an SQS event source's maximum concurrency.
      throw new Error(`LogProcessor ${this.node.path}: maxConcurrency must be a whole number from 2 to 1000`);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A moved message keeps its original enqueue time: 14 days here leaves ≥ 10 days to redrive after the
      // source queue's 4.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      // The messages hold bucket and key names only: SQS-managed SSE suffices, and S3 can send to it without a
      // KMS key policy.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    const userRules = props.userRules;
    this.function = createNodejsFunction(this, 'Function', {
      entry: props.entry ?? 'lambda/handler.ts',
      description: 'trail-audit: CloudTrail log files to the event table and compliance alerts',
      memorySize: props.memorySize ?? 1024,
      timeout,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        DROP_READ_ONLY: String(props.dropReadOnly ?? false),
      },
      // The validated rules file travels inside the bundle (and its asset hash): what synth checked is what runs.
      ...(userRules === undefined
        ? {}
        : {
            afterBundling: (_inputDir: string, outputDir: string): string[] => [
              `cp ${shellQuote(userRules.path)} ${shellQuote(`${outputDir}/user-rules.json`)}`,
            ],
          }),
    });
    const fn = this.function;
    if (userRules !== undefined) {
      fn.addEnvironment('RULES_FILE', DEPLOYED_RULES_FILE);
    }

    // Read only the log objects (and, through the bucket's key, decrypt them).
    props.bucket.grantRead(fn, `${this.logPrefix}*`);
    props.logKey?.grantDecrypt(fn);

    // Exactly the calls the bundled handler makes (see PROCESSOR_TABLE_ACTIONS), not grantReadWriteData's Scan,
    // Query, DeleteItem, BatchGetItem and stream reads. The table key: DynamoDB uses it with the caller's
    // credentials to read and write the encrypted items.
    fn.addEnvironment('TABLE_NAME', props.table.tableName);
    props.table.grant(fn, ...PROCESSOR_TABLE_ACTIONS);
    props.table.encryptionKey?.grant(fn, ...TABLE_KEY_ACTIONS);
    if (tableRetentionDays !== undefined) {
      fn.addEnvironment('RETENTION_DAYS', String(tableRetentionDays));
    }

    fn.addEnvironment('ALERT_TOPIC_ARN', props.alertTopic.topicArn);
    props.alertTopic.grantPublish(fn);

    const eventBus = props.alertEventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    fn.addEnvironment('ALERT_EVENT_BUS_NAME', eventBus.eventBusName);
    eventBus.grantPutEventsTo(fn);

    // A message the function has no time left to start is re-sent to its own queue as a new message (receive
    // count 0), so deferrals during a backfill do not push it to the dead-letter queue. Only SendMessage, which the
    // handler calls with the queue URL (grantSendMessages would add GetQueueAttributes and GetQueueUrl, which it
    // never calls). SQS-managed encryption: no key to grant.
    fn.addEnvironment('QUEUE_URL', this.queue.queueUrl);
    this.queue.grant(fn, 'sqs:SendMessage');

    fn.addEventSource(
      new lambdaEventSources.SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
      prefix: this.logPrefix,
      suffix: '.json.gz',
    });

    this.acknowledgeFindings(props.bucket);
  }

  /** The cdk-nag AwsSolutions findings of the processor's grants, each with the reason it is accepted. */
  private acknowledgeFindings(bucket: s3.IBucket): void {
    const ack = (scope: IConstruct, id: string, reason: string): void =>
      Validations.of(scope).acknowledge({ id, reason });
    // The grants land in the role's default policy, which is not under the function in the construct tree.
    const role = this.function.role ?? this.function;
    const readReason =
      'Read-only S3 actions (GetObject*, GetBucket*, List*) from bucket.grantRead, limited to the log prefix ' +
      `${this.logPrefix}*: the processor reads whichever log files CloudTrail delivers; their keys are not known ` +
      'in advance.';
    for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*']) {
      ack(role, `AwsSolutions-IAM5[${finding}]`, readReason);
    }
    ack(role, `AwsSolutions-IAM5[Resource::${nagBucketArn(bucket)}/${this.logPrefix}*]`, readReason);
    const kmsReason =
      'kms:GenerateDataKey* / kms:ReEncrypt* for the table key (DynamoDB encrypts and decrypts items with the ' +
      'caller\'s credentials) and from grantPublish on the KMS-encrypted topic: ' +
      'each wildcard covers the variants of one operation, on one key ARN.';
    ack(role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', kmsReason);
    ack(role, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', kmsReason);

    // CDK configures bucket notifications through a singleton custom resource (for a created bucket too: it breaks
    // the bucket → queue policy → notification cycle). Its function and role are fixed by aws-cdk-lib.
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      ack(
        child,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'aws-cdk-lib BucketNotificationsHandler: sets the S3 → SQS notification at deploy time and runs only then; ' +
          'its role and managed policy are defined by aws-cdk-lib, not by this stack.',
      );
    }
  }
}

/** A bucket's ARN as cdk-nag writes it in IAM5 findings: `<LogicalId.Arn>` when created here, the ARN when imported. */
export function nagBucketArn(bucket: s3.IBucket): string {
  const cfnBucket = bucket.node.defaultChild;
  return cfnBucket instanceof s3.CfnBucket
    ? `<${Stack.of(cfnBucket).getLogicalId(cfnBucket)}.Arn>`
    : `arn:<AWS::Partition>:s3:::${bucket.bucketName}`;
}

/** Quotes a path for the POSIX shell esbuild's command hooks run in. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
