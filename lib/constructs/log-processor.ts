import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { DEPLOYED_RULES_FILE, userRulesFiles, type ValidatedRulesFile } from '../user-rules';
import { BucketEventBridgeDelivery } from './bucket-eventbridge-delivery';
import { createKey } from './kms-defaults';
import { createNodejsFunction } from './lambda-defaults';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/app/metric-names';

export { DEPLOYED_RULES_FILE } from '../user-rules';

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
  // The digest step reads the log file index of a trail folder's last hours (the unlisted check).
  'dynamodb:Query',
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

/** The S3 action of the processor: it reads each log file it is notified of, and nothing else in the bucket. */
export const PROCESSOR_BUCKET_ACTIONS = ['s3:GetObject'] as const;

/** Lambda's memory limits in MB (`MemorySize`). */
export const MEMORY_SIZE_MB = { min: 128, max: 10_240 } as const;

/** Powertools log levels. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * How the processor's queue learns that CloudTrail delivered a file (docs/deploy.md, "Choose the trigger"):
 * - `s3-notification`: an `ObjectCreated` notification on the bucket, for `[PREFIX/]AWSLogs/…json.gz`. S3 allows one
 *   notification per overlapping prefix and suffix, so this fails on a bucket that already notifies something else
 *   of those keys.
 * - `eventbridge`: the bucket sends its events to EventBridge (turned on without touching its notification
 *   configuration) and a rule routes `Object Created` events of those keys to the queue.
 * - `sns`: the queue subscribes to the SNS topic the trail already publishes a notification to for every file.
 */
export type LogTrigger =
  | { readonly kind: 's3-notification' }
  | { readonly kind: 'eventbridge' }
  | { readonly kind: 'sns'; readonly topic: sns.ITopic };

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
   * Function memory in MB, a whole number from 128 to 10240 (Lambda's limits). The decode benchmark measures
   * throughput by memory size: more memory is more CPU for gunzip and JSON parsing.
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
   * Retention of the function's log group (encrypted with a key of its own, {@link LogProcessor.logGroupKey}).
   * @default logs.RetentionDays.ONE_YEAR
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
  /**
   * How the queue learns of new log files (see {@link LogTrigger}).
   * @default { kind: 's3-notification' }
   */
  readonly trigger?: LogTrigger;
}

/**
 * The processor: notifications of `[PREFIX/]AWSLogs/…json.gz` files (from S3, EventBridge or the trail's SNS topic:
 * see {@link LogTrigger}) go to an SQS queue, which drives the Lambda function with partial-batch responses; a file
 * that fails `maxReceiveCount` times moves to a dead-letter queue as the original notification (bucket and key
 * inside), ready to redrive. A message the function
 * has no time left to start is re-sent by the function to the same queue (`QUEUE_URL`, `sqs:SendMessage`), so
 * deferrals during a backfill do not use up its receives.
 *
 * Why a queue rather than a direct S3 → Lambda trigger: a direct async invocation retries only twice, and its
 * failure destination holds the invocation record, not a message SQS can redrive in one command; the queue also
 * absorbs bursts (backfills, organization trails) under `maxConcurrency`, so the table is not flooded.
 */
export class LogProcessor extends Construct {
  /** The processor function. */
  public readonly function: lambda.Function;
  /** The queue between S3 and the function. */
  public readonly queue: sqs.Queue;
  /** Notifications of log files that failed every retry. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The key prefix the notification and the read grant are limited to (`[PREFIX/]AWSLogs/`). */
  public readonly logPrefix: string;
  /** The customer-managed key of the function's log group. */
  public readonly logGroupKey: kms.Key;

  public constructor(scope: Construct, id: string, props: LogProcessorProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    const keyPrefix = props.keyPrefix?.replace(/^\/+|\/+$/g, '') ?? '';
    this.logPrefix = keyPrefix === '' ? 'AWSLogs/' : `${keyPrefix}/AWSLogs/`;
    const tableRetentionDays = props.tableRetentionDays;
    if (tableRetentionDays !== undefined && (!Number.isInteger(tableRetentionDays) || tableRetentionDays < 1)) {
      throw new Error(`LogProcessor ${this.node.path}: tableRetentionDays must be a whole number ≥ 1`);
    }
    const memorySize = props.memorySize ?? 1024;
    if (!Number.isInteger(memorySize) || memorySize < MEMORY_SIZE_MB.min || memorySize > MEMORY_SIZE_MB.max) {
      throw new Error(
        `LogProcessor ${this.node.path}: memorySize must be a whole number of MB from ${MEMORY_SIZE_MB.min} to ` +
          `${MEMORY_SIZE_MB.max} (Lambda's limits), got ${memorySize}`,
      );
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
      // The messages hold bucket and key names only: SQS-managed SSE suffices, and S3, EventBridge and SNS can send
      // to it without a KMS key policy.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    this.logGroupKey = createKey(this, 'LogGroupKey', {
      description: 'trail-audit: encrypts the processor function\'s log group',
      // The log group goes with the stack (operational logs, not evidence); its key goes with it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const userRules = props.userRules;
    this.function = createNodejsFunction(this, 'Function', {
      bundle: 'processor',
      description: 'trail-audit: CloudTrail log files to the event table and compliance alerts',
      memorySize,
      timeout,
      logEncryptionKey: this.logGroupKey,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        DROP_READ_ONLY: String(props.dropReadOnly ?? false),
      },
      // The validated rules file travels beside the bundle (and in its asset hash): what synth checked is what runs.
      ...(userRules === undefined ? {} : { extraFiles: userRulesFiles(userRules) }),
    });
    const fn = this.function;
    if (userRules !== undefined) {
      fn.addEnvironment('RULES_FILE', DEPLOYED_RULES_FILE);
    }

    // Read only the objects under the log prefix, and only with GetObject: no listing, no bucket settings, no ACLs or
    // tags. `AWSLogs/` rather than its `CloudTrail/` folders, so a digest check can read `CloudTrail-Digest/` files
    // with the same grant. Decrypt only with the log files' key: the processor never encrypts with it.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: [...PROCESSOR_BUCKET_ACTIONS],
      resourceArns: [props.bucket.arnForObjects(`${this.logPrefix}*`)],
    });
    (props.logKey ?? props.bucket.encryptionKey)?.grantDecrypt(fn);
    // ListBucket on the bucket, only so that S3 answers a GetObject of a deleted key with 404 (NoSuchKey) rather than
    // 403: a log file a digest lists and that is gone is then `missing`, not an access error retried forever. The
    // processor never lists (the keys it reads are notified or named by digests).
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['s3:ListBucket'], resourceArns: [props.bucket.bucketArn] });
    // CloudTrail's public keys, to verify digest signatures (docs/integrity.md). ListPublicKeys supports no
    // resource-level permission: `*` is the only resource IAM accepts for it.
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['cloudtrail:ListPublicKeys'], resourceArns: ['*'] });

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
    const trigger = props.trigger ?? { kind: 's3-notification' };
    switch (trigger.kind) {
      case 's3-notification':
        props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new BucketOwnerQueueDestination(this.queue), {
          prefix: this.logPrefix,
          suffix: '.json.gz',
        });
        break;
      case 'eventbridge':
        this.routeEventBridgeEvents(props.bucket);
        break;
      case 'sns':
        this.subscribeToTrailTopic(trigger.topic, props.bucket);
        break;
    }

    this.acknowledgeFindings(props.bucket);
  }

  /**
   * Turns on the bucket's EventBridge delivery, and routes `Object Created` events of the log and digest keys to the
   * queue. A bucket this stack creates is its own (CDK's notification resource manages its whole configuration); an
   * existing bucket keeps every notification it has ({@link BucketEventBridgeDelivery}).
   */
  private routeEventBridgeEvents(bucket: s3.IBucket): void {
    if (bucket.node.defaultChild instanceof s3.CfnBucket) bucket.enableEventBridgeNotification();
    else new BucketEventBridgeDelivery(this, 'EventBridgeDelivery', { bucket });
    new events.Rule(this, 'LogObjectCreated', {
      description: 'trail-audit: CloudTrail log and digest files written to the log bucket, to the processor queue',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [bucket.bucketName] },
          // Prefix and suffix of one field: a wildcard (a `prefix` and a `suffix` matcher side by side would match
          // either). What the S3 notification's filter selects, digest files included.
          object: { key: events.Match.wildcard(`${escapeWildcard(this.logPrefix)}*.json.gz`) },
        },
      },
      // The queue policy lets EventBridge send only for this rule (`aws:SourceArn`). An event it cannot deliver after
      // its retries (24 hours) lands in the dead-letter queue, as an event the processor reads once redriven.
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });
  }

  /**
   * Subscribes the queue to the topic CloudTrail publishes a notification to for every file it delivers. The queue
   * policy lets SNS send only for that topic (`aws:SourceArn`); a filter on the message body keeps out the
   * notifications of another bucket or prefix (a topic can serve several trails).
   */
  private subscribeToTrailTopic(topic: sns.ITopic, bucket: s3.IBucket): void {
    topic.addSubscription(
      new subscriptions.SqsSubscription(this.queue, {
        filterPolicyWithMessageBody: {
          s3Bucket: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: [bucket.bucketName] })),
          s3ObjectKey: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ matchPrefixes: [this.logPrefix] })),
        },
      }),
    );
  }

  /** The cdk-nag AwsSolutions findings of the processor's grants, each with the reason it is accepted. */
  private acknowledgeFindings(bucket: s3.IBucket): void {
    const ack = (scope: IConstruct, id: string, reason: string): void =>
      Validations.of(scope).acknowledge({ id, reason });
    // The grants land in the role's default policy, which is not under the function in the construct tree.
    const role = this.function.role ?? this.function;
    ack(
      role,
      `AwsSolutions-IAM5[Resource::${nagBucketArn(bucket)}/${this.logPrefix}*]`,
      `s3:GetObject only, on the log prefix ${this.logPrefix}*: the processor reads whichever log files CloudTrail ` +
        'delivers, and their keys are not known in advance.',
    );
    ack(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudtrail:ListPublicKeys only: the processor reads CloudTrail\'s public keys to verify digest signatures, and ' +
        'ListPublicKeys supports no resource-level permission (the Service Authorization Reference lists no resource ' +
        'type for it), so IAM accepts only "*".',
    );
    const kmsReason =
      'kms:GenerateDataKey* / kms:ReEncrypt* on the event table\'s own key (DynamoDB encrypts and decrypts items ' +
      'with the caller\'s credentials) and from grantPublish on the KMS-encrypted topic: each wildcard covers the ' +
      'variants of one operation, on one key ARN.';
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

/**
 * The S3 → SQS notification destination: like aws-cdk-lib's `SqsDestination`, whose queue-policy statement lets S3
 * send for this bucket (`aws:SourceArn`), plus `aws:SourceAccount` = the bucket owner's account. A bucket ARN has no
 * account in it, so without the account condition a bucket of the same name in another account (after this one is
 * deleted and the name taken) could send to the queue. The queue is SQS-encrypted: no key policy to change.
 */
class BucketOwnerQueueDestination implements s3.IBucketNotificationDestination {
  public constructor(private readonly queue: sqs.IQueue) {}

  public bind(_scope: Construct, bucket: s3.IBucketRef): s3.BucketNotificationDestinationConfig {
    this.queue.grantSendMessages(
      new iam.ServicePrincipal('s3.amazonaws.com', {
        conditions: {
          ArnLike: { 'aws:SourceArn': bucket.bucketRef.bucketArn },
          StringEquals: { 'aws:SourceAccount': bucket.env.account },
        },
      }),
    );
    return { arn: this.queue.queueArn, type: s3.BucketNotificationDestinationType.QUEUE, dependencies: [this.queue] };
  }
}

/** A bucket's ARN as cdk-nag writes it in IAM5 findings: `<LogicalId.Arn>` when created here, the ARN when imported. */
export function nagBucketArn(bucket: s3.IBucket): string {
  const cfnBucket = bucket.node.defaultChild;
  return cfnBucket instanceof s3.CfnBucket
    ? `<${Stack.of(cfnBucket).getLogicalId(cfnBucket)}.Arn>`
    : `arn:<AWS::Partition>:s3:::${bucket.bucketName}`;
}

/** A literal for an EventBridge wildcard pattern: `*` and `\\` escaped with a backslash. */
function escapeWildcard(value: string): string {
  return value.replace(/[\\*]/g, (character) => `\\${character}`);
}
