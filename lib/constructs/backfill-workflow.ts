import { Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import {
  DEFAULT_TOLERATED_FAILURE_PERCENTAGE,
  DEFAULT_WRITE_BUDGET,
  ITEMS_PER_BATCH,
  maxConcurrencyFor,
} from '../../lambda/app/backfill-sizing';
import { BACKFILL_SERVICE_NAME, METRICS_NAMESPACE } from '../../lambda/app/metric-names';
import { backfillDefinition, type DefinitionPlaceholder } from './backfill-definition';
import { createEncryptedLogGroup } from './kms-defaults';
import { createNodejsFunction } from './lambda-defaults';
import { nagBucketArn, PROCESSOR_TABLE_ACTIONS, TABLE_KEY_ACTIONS, type LogLevel } from './log-processor';

/**
 * The DynamoDB actions of the backfill function: those of the processor, whose log-object service it runs —
 * `BatchWriteItem` (events and lookups), `GetItem` and `PutItem` (the file ledger), and for the digest files of the
 * range `Query` and `UpdateItem` (the integrity results). A backfill sends no alerts (see docs/backfill.md).
 */
export const BACKFILL_TABLE_ACTIONS = PROCESSOR_TABLE_ACTIONS;

/** The prefix of the results bucket the map runs write under (one folder per execution below it). */
export const RESULTS_PREFIX = 'runs/';

/** An S3 Inventory of the log bucket that the workflow may read keys from. */
export interface BackfillInventory {
  /** The bucket the inventory reports are delivered to. */
  readonly bucket: s3.IBucket;
  /**
   * The inventory's destination prefix: the workflow reads manifests and their data files only under it.
   * @default the whole bucket
   */
  readonly prefix?: string;
}

/** Props of {@link BackfillWorkflow}. */
export interface BackfillWorkflowProps {
  /** The trail's log bucket. */
  readonly bucket: s3.IBucket;
  /** The trail's `[PREFIX/]AWSLogs/`: the only part of the bucket the workflow lists and reads. */
  readonly logPrefix: string;
  /**
   * The key the log files are encrypted with, when the bucket does not name it.
   * @default the bucket's own encryption key, if any
   */
  readonly logKey?: kms.IKey;
  /** The event table. */
  readonly table: dynamodb.ITable;
  /**
   * Drop read-only events, as the processor does.
   * @default false
   */
  readonly dropReadOnly?: boolean;
  /**
   * Expire stored events after this many days, as the processor does.
   * @default events never expire
   */
  readonly tableRetentionDays?: number;
  /**
   * The table write rate (WRU/s) a backfill may use; the map runs' default `MaxConcurrency` is this over
   * `WRITE_UNITS_PER_WORKER` (docs/backfill.md). An execution may ask for another concurrency in its input.
   * @default DEFAULT_WRITE_BUDGET (3,000 WRU/s: three quarters of what a new on-demand table serves at once)
   */
  readonly writeBudget?: number;
  /**
   * The share of a map run's keys that may fail before the execution fails (a failed key fails its batch of 100).
   * @default DEFAULT_TOLERATED_FAILURE_PERCENTAGE (10)
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * An S3 Inventory of the log bucket: an execution may then read its keys from a manifest instead of listing.
   * @default listing only
   */
  readonly inventory?: BackfillInventory;
  /**
   * Where the results bucket's server access logs go.
   * @default none (acknowledged: the results are the workflow's own reports)
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Powertools log level of the function.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Retention of the function's and the state machine's log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The customer-managed key the function's and the state machine's log groups are encrypted with; a key created in
   * this app (its policy gets CloudWatch Logs' statement).
   */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * The backfill workflow: a Step Functions state machine whose Distributed Maps list the trail's log bucket (or read
 * an S3 Inventory manifest), batch the keys, and send each batch through the backfill function — the log-object
 * service, as the processor runs it — at a concurrency derived from the table's write budget; results, failed keys
 * included, go to a results bucket. `trail-audit backfill` starts and follows it (docs/backfill.md).
 *
 * Least privilege: the state machine lists only the log prefix (`s3:ListBucket` conditioned on `s3:prefix`),
 * invokes only the backfill function, writes results only under `runs/` of its own bucket, and starts, reads and
 * stops only its own child executions. The function reads only the log prefix's objects, lists the bucket (so that
 * a deleted key answers 404, as for the processor), reads CloudTrail's public keys (the digests of the range), calls
 * only the table actions it sends, and lists only this state machine's executions (the overlap check of its plan
 * step).
 */
export class BackfillWorkflow extends Construct {
  /** The backfill function (plan step and batches). */
  public readonly function: lambda.Function;
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The map runs' results: succeeded and failed batches, one folder per execution under `runs/`. */
  public readonly resultsBucket: s3.Bucket;
  /** Child executions at a time when an execution does not say. */
  public readonly defaultMaxConcurrency: number;

  public constructor(scope: Construct, id: string, props: BackfillWorkflowProps) {
    super(scope, id);
    const writeBudget = props.writeBudget ?? DEFAULT_WRITE_BUDGET;
    if (!Number.isInteger(writeBudget) || writeBudget < 1) {
      throw new Error(`BackfillWorkflow ${this.node.path}: writeBudget must be a whole number of WRU/s ≥ 1`);
    }
    const tolerated = props.toleratedFailurePercentage ?? DEFAULT_TOLERATED_FAILURE_PERCENTAGE;
    if (!Number.isInteger(tolerated) || tolerated < 0 || tolerated > 100) {
      throw new Error(`BackfillWorkflow ${this.node.path}: toleratedFailurePercentage must be a whole number from 0 to 100`);
    }
    if (!/(?:^|\/)AWSLogs\/$/.test(props.logPrefix)) {
      throw new Error(`BackfillWorkflow ${this.node.path}: logPrefix must end in AWSLogs/, got '${props.logPrefix}'`);
    }
    this.defaultMaxConcurrency = maxConcurrencyFor(writeBudget);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.resultsBucket = new s3.Bucket(this, 'Results', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Step Functions writes the results with its role: SSE-S3 needs no key grant. They hold keys, counts and
      // error messages, never record content.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A run's results are evidence of what a backfill did not take in: an overwrite or delete keeps the old version.
      versioned: true,
      ...(props.accessLogBucket === undefined
        ? {}
        : { serverAccessLogsBucket: props.accessLogBucket, serverAccessLogsPrefix: 'backfill-results/' }),
      lifecycleRules: [
        {
          id: 'expire-backfill-results',
          expiration: Duration.days(90),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // A run's failed keys stay readable after the stack is gone; the lifecycle rule empties the bucket.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = createNodejsFunction(this, 'Function', {
      bundle: 'backfill',
      description: 'trail-audit backfill: plans a backfill and takes batches of CloudTrail log files into the table',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      logRetention,
      logEncryptionKey: props.logEncryptionKey,
      environment: {
        POWERTOOLS_SERVICE_NAME: BACKFILL_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        DROP_READ_ONLY: String(props.dropReadOnly ?? false),
        DEFAULT_MAX_CONCURRENCY: String(this.defaultMaxConcurrency),
      },
    });
    const fn = this.function;

    // Reads the log files under the prefix, and lists the prefix for the plan's account and region folders.
    fn.addEnvironment('LOG_BUCKET', props.bucket.bucketName);
    fn.addEnvironment('LOG_PREFIX', props.logPrefix);
    // ListBucket on the bucket, unconditioned as the processor's: S3 then answers a GetObject of a deleted key with
    // 404 (NoSuchKey), not 403, so a log file a digest lists and that is gone is `missing` (and a key listed and since
    // expired is named so), not an access error retried.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${props.logPrefix}*`)] }),
    );
    // CloudTrail's public keys, to verify the signatures of the range's digest files. ListPublicKeys supports no
    // resource-level permission: `*` is the only resource IAM accepts for it.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudtrail:ListPublicKeys'], resources: ['*'] }));
    (props.logKey ?? props.bucket.encryptionKey)?.grantDecrypt(fn);

    fn.addEnvironment('TABLE_NAME', props.table.tableName);
    props.table.grant(fn, ...BACKFILL_TABLE_ACTIONS);
    props.table.encryptionKey?.grant(fn, ...TABLE_KEY_ACTIONS);
    if (props.tableRetentionDays !== undefined) fn.addEnvironment('RETENTION_DAYS', String(props.tableRetentionDays));
    fn.addEnvironment('RESULTS_BUCKET', this.resultsBucket.bucketName);
    if (props.inventory !== undefined) fn.addEnvironment('INVENTORY_BUCKET', props.inventory.bucket.bucketName);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Role of the trail-audit backfill state machine',
    });
    // Invokes the backfill function only (the unqualified ARN the definition names).
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
    // The S3 item reader lists the log prefix; the function, not the state machine, reads the objects.
    role.addToPolicy(listUnderPrefix(props.bucket, props.logPrefix));
    // The result writer: the objects of a map run's results, under runs/ only (as the Step Functions guide lists).
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.resultsBucket.arnForObjects(`${RESULTS_PREFIX}*`)],
      }),
    );
    if (props.inventory !== undefined) {
      // The inventory reader: the manifest and the data files it names, under the inventory's prefix.
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [props.inventory.bucket.arnForObjects(`${props.inventory.prefix ?? ''}*`)],
        }),
      );
      props.inventory.bucket.encryptionKey?.grantDecrypt(role);
    }

    const logGroup = createEncryptedLogGroup(this, 'StateMachineLogs', {
      retention: logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const substitutions: Record<DefinitionPlaceholder, string> = {
      Partition: Aws.PARTITION,
      BackfillFunctionArn: fn.functionArn,
      LogBucketName: props.bucket.bucketName,
      ResultsBucketName: this.resultsBucket.bucketName,
    };
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromString(
        JSON.stringify(
          backfillDefinition({
            itemsPerBatch: ITEMS_PER_BATCH,
            toleratedFailurePercentage: tolerated,
            inventory: props.inventory !== undefined,
          }),
        ),
      ),
      definitionSubstitutions: substitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      role,
      // Every state transition, without payloads (keys and counts are in the function's own log).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      comment: 'trail-audit backfill (docs/backfill.md)',
    });

    // Grants that name the state machine: in policies of their own, which the state machine does not wait for at
    // deployment (its role's default policy is one of its dependencies, so naming it there would be a cycle).
    const stateMachineArn = this.stateMachine.stateMachineArn;
    const executions = (pattern: string): string =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${Arn.split(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? ''}${pattern}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    // The Distributed Maps start, follow, stop and redrive their child executions (`execution:NAME/LABEL:ID`).
    new iam.Policy(this, 'ChildExecutionsPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
          resources: [executions('/*')],
        }),
      ],
    });
    // The plan step refuses to run over a running execution's range: it lists this state machine's executions.
    const fnRole = fn.role;
    if (fnRole === undefined) throw new Error(`BackfillWorkflow ${this.node.path}: the function has no role`);
    new iam.Policy(this, 'OverlapCheckPolicy', {
      roles: [fnRole],
      statements: [
        new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [stateMachineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions(':*')] }),
      ],
    });

    this.acknowledgeFindings(props);
  }

  /** The cdk-nag AwsSolutions findings of the workflow, each with the reason it is accepted. */
  private acknowledgeFindings(props: BackfillWorkflowProps): void {
    const ack = (scope: IConstruct, id: string, reason: string): void => Validations.of(scope).acknowledge({ id, reason });
    const role = this.stateMachine.role;
    const fnRole = this.function.role ?? this.function;
    const logPrefix = props.logPrefix;
    const prefixReason =
      `Object ARNs under the log prefix ${logPrefix}*: the backfill reads whichever log files the trail delivered ` +
      'in the range, whose keys are known only when listed. (The function\'s s3:ListBucket is on the bucket, ' +
      'unconditioned, as the processor\'s: S3 answers a GetObject of a deleted key with 404 only to a caller that may ' +
      'list the bucket; the state machine\'s is conditioned on the prefix.)';
    ack(fnRole, `AwsSolutions-IAM5[Resource::${nagBucketArn(props.bucket)}/${logPrefix}*]`, prefixReason);
    const resultsReason =
      'The result writer writes one folder per map run under runs/ of the workflow\'s own results bucket (names ' +
      'chosen by Step Functions); the actions are those the Step Functions guide lists for ResultWriter.';
    ack(role, `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.resultsBucket.node.defaultChild as s3.CfnBucket)}.Arn>/runs/*]`, resultsReason);
    if (props.inventory !== undefined) {
      ack(
        role,
        `AwsSolutions-IAM5[Resource::${nagBucketArn(props.inventory.bucket)}/${props.inventory.prefix ?? ''}*]`,
        'The S3 Inventory reader reads the manifest and the data files it names, all under the inventory\'s ' +
          'destination prefix; their names carry the report date and are not known in advance.',
      );
    }
    const executionsReason =
      'Child executions of the Distributed Maps (execution:NAME/LABEL:ID) and executions of this state machine ' +
      '(execution:NAME:ID) are named at run time; the wildcard covers only this state machine\'s executions.';
    // cdk-nag writes the name taken from the state machine's ARN as the CloudFormation function that takes it.
    const stateMachineId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const stack = Stack.of(this);
    const part = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const executionArn = (suffix: string): string =>
      `AwsSolutions-IAM5[Resource::arn:${part(stack.partition, 'Partition')}:states:${part(stack.region, 'Region')}:` +
      `${part(stack.account, 'AccountId')}:execution:` +
      `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stateMachineId}"}]}]}${suffix}]`;
    ack(this.node.findChild('ChildExecutionsPolicy'), executionArn('/*'), executionsReason);
    ack(this.node.findChild('OverlapCheckPolicy'), executionArn(':*'), executionsReason);
    ack(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and the rest) works only on resource "*", ' +
        'as the Step Functions guide documents; added by the CDK for the state machine\'s log group.',
    );
    ack(
      fnRole,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudtrail:ListPublicKeys only: the backfill verifies the signatures of the digest files in its range, and ' +
        'ListPublicKeys supports no resource-level permission (the Service Authorization Reference lists no resource ' +
        'type for it), so IAM accepts only "*".',
    );
    const kmsReason =
      'kms:GenerateDataKey* / kms:ReEncrypt* for the table key (DynamoDB encrypts and decrypts items with the ' +
      "caller's credentials): each wildcard covers the variants of one operation, on one key ARN.";
    ack(fnRole, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', kmsReason);
    ack(fnRole, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', kmsReason);
    ack(
      this.stateMachine,
      'AwsSolutions-SF2',
      'No X-Ray tracing: a backfill runs one trace per child execution (hundreds of thousands), billed per trace; ' +
        'the map run counts, the execution log and the function log locate a failure.',
    );
    if (props.accessLogBucket === undefined) {
      ack(
        this.resultsBucket,
        'AwsSolutions-S1',
        'No server access logs where the stack has no access-log bucket (an existing trail): the bucket holds ' +
          'only the workflow\'s own run reports (keys, counts, errors), written by Step Functions.',
      );
    }
  }
}

/** `s3:ListBucket` on the bucket, only for listings under the prefix. */
function listUnderPrefix(bucket: s3.IBucket, prefix: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  });
}
