import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { DEPLOYED_RULES_FILE, userRulesFiles, type ValidatedRulesFile } from '../user-rules';
import { createEncryptedLogGroup } from './kms-defaults';
import { createNodejsFunction } from './lambda-defaults';
import { TABLE_KEY_ACTIONS, type LogLevel } from './log-processor';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/app/metric-names';

/**
 * The DynamoDB actions of the seeder, one per command it sends: `BatchWriteItem` (event and lookup items),
 * `PutItem` (an Event-history event item, on condition that no log file's copy is there; ledger entries, which are
 * the checkpoints) and `GetItem` (checkpoints, consistent); with alerts, `UpdateItem` (alert ledger and burst
 * counters). No Query, Scan or DeleteItem.
 */
export const SEEDER_TABLE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'] as const;

/** What alerts on seeded events add to {@link SEEDER_TABLE_ACTIONS}. */
export const SEEDER_ALERT_TABLE_ACTIONS = ['dynamodb:UpdateItem'] as const;

/** Props of {@link EventHistorySeeder}. */
export interface EventHistorySeederProps {
  /** The event table. */
  readonly table: dynamodb.ITable;
  /**
   * The regions to seed.
   * @default every region enabled for the account, listed with `account:ListRegions` at each invocation
   */
  readonly regions?: readonly string[];
  /**
   * Evaluate the compliance rules on seeded events and send their alerts (exactly once: the alert ledger is keyed
   * by rule and eventID, so the same event arriving later in a log file does not alert again). Off seeds the table
   * without alerting on old events. Needs `alertTopic`.
   * @default true when `alertTopic` is given
   */
  readonly alerts?: boolean;
  /**
   * The topic compliance alerts are published to, and the seeding workflow's alarm notifies.
   * @default no alerts and no alarm notification
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * The event bus alerts are also put on.
   * @default the account's default event bus
   */
  readonly alertEventBus?: events.IEventBus;
  /** Drop read-only events, as the processor does. @default false */
  readonly dropReadOnly?: boolean;
  /** Expire stored events after this many days, as the processor does. @default events never expire */
  readonly tableRetentionDays?: number;
  /** The user rules file, as the processor's. @default built-in rules only */
  readonly userRules?: ValidatedRulesFile;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel?: LogLevel;
  /** Retention of the function's and the workflow's log groups. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The customer-managed key the seeder's log groups (function, workflow, start-on-create) are encrypted with; a key
   * created in this app (its policy gets CloudWatch Logs' statement).
   */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * Seeds the event table from CloudTrail Event history once, after the first deploy, so a fresh deployment can answer
 * "who changed this load balancer last week?" on day one.
 *
 * A custom resource starts a small Step Functions workflow when the stack creates it (never on an update, never
 * twice). The workflow invokes the seeder function with the time it started; the function reads the 90 days of Event
 * history before that time, region by region, for as long as its 15 minutes allow, and answers whether it is done;
 * the workflow invokes it again until it is. Each invocation goes on from the checkpoints the previous one left in
 * the table (one per region and event source), so no page is read twice, and a workflow started again by hand reads
 * only what is not covered yet. A failed invocation is retried with backoff; a workflow that fails for good raises
 * an alarm, and starting it again (`aws stepfunctions start-execution`) resumes it.
 *
 * Costs: LookupEvents is free; the table's writes are not (each event is 5 to 10 items, see docs/event-history.md).
 */
export class EventHistorySeeder extends Construct {
  /** The seeder function. */
  public readonly function: lambda.Function;
  /** The workflow that invokes it until the seeding is done. */
  public readonly stateMachine: sfn.StateMachine;
  /** A seeding workflow failed or timed out. */
  public readonly failedAlarm: cloudwatch.Alarm;
  /** The dashboard widgets of the seeding: pages, events stored, failed streams, completion. */
  public readonly dashboardWidgets: cloudwatch.IWidget[];

  private readonly logEncryptionKey: kms.IKey;

  public constructor(scope: Construct, id: string, props: EventHistorySeederProps) {
    super(scope, id);
    this.logEncryptionKey = props.logEncryptionKey;
    const alerts = props.alertTopic !== undefined && (props.alerts ?? true);
    const userRules = props.userRules;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.function = createNodejsFunction(this, 'Function', {
      bundle: 'seeder',
      description: 'trail-audit: seeds the event table from CloudTrail Event history (LookupEvents)',
      memorySize: 512,
      // As long as Lambda allows: fewer invocations, each stopping a minute before its end.
      timeout: Duration.minutes(15),
      logRetention: retention,
      logEncryptionKey: props.logEncryptionKey,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        DROP_READ_ONLY: String(props.dropReadOnly ?? false),
        SEED_ALERTS: String(alerts),
        ...(props.tableRetentionDays === undefined ? {} : { RETENTION_DAYS: String(props.tableRetentionDays) }),
      },
      ...(userRules === undefined ? {} : { extraFiles: userRulesFiles(userRules) }),
    });
    const fn = this.function;
    if (userRules !== undefined) fn.addEnvironment('RULES_FILE', DEPLOYED_RULES_FILE);

    // LookupEvents has no resource-level permissions (the service authorization reference lists no resource type
    // for it): `*` is the only resource it can be granted on.
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['cloudtrail:LookupEvents'], resourceArns: ['*'] });
    if (props.regions === undefined) {
      // The account's enabled regions: ListRegions on this account's own ARN.
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['account:ListRegions'],
        resourceArns: [Stack.of(this).formatArn({ service: 'account', region: '', resource: 'account' })],
      });
    } else {
      fn.addEnvironment('SEED_REGIONS', props.regions.join(','));
    }

    fn.addEnvironment('TABLE_NAME', props.table.tableName);
    props.table.grant(fn, ...SEEDER_TABLE_ACTIONS, ...(alerts ? SEEDER_ALERT_TABLE_ACTIONS : []));
    props.table.encryptionKey?.grant(fn, ...TABLE_KEY_ACTIONS);
    if (alerts && props.alertTopic !== undefined) {
      fn.addEnvironment('ALERT_TOPIC_ARN', props.alertTopic.topicArn);
      props.alertTopic.grantPublish(fn);
      const eventBus = props.alertEventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
      fn.addEnvironment('ALERT_EVENT_BUS_NAME', eventBus.eventBusName);
      eventBus.grantPutEventsTo(fn);
    }

    this.stateMachine = this.workflow(retention);
    this.startOnCreate();
    this.failedAlarm = this.alarm(props.alertTopic);
    this.dashboardWidgets = this.widgets();
    this.acknowledgeFindings();
  }

  /** Invoke → done? → end, or invoke again; a failed invocation is retried with backoff. */
  private workflow(retention: logs.RetentionDays): sfn.StateMachine {
    const seed = new tasks.LambdaInvoke(this, 'Seed', {
      lambdaFunction: this.function,
      // The range ends when the workflow started, whichever invocation asks.
      payload: sfn.TaskInput.fromObject({ startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    });
    seed.addRetry({
      // Streams that failed with an error worth retrying, and an invocation that ran out of time: the retry goes on
      // from the checkpoints. A configuration error is not retried.
      errors: ['SeedingIncompleteError', 'Sandbox.Timedout', 'States.Timeout'],
      interval: Duration.minutes(1),
      backoffRate: 2,
      maxAttempts: 6,
    });
    const done = new sfn.Choice(this, 'Done')
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(this, 'Seeded'))
      .otherwise(seed);
    return new sfn.StateMachine(this, 'Workflow', {
      definitionBody: sfn.DefinitionBody.fromChainable(seed.next(done)),
      // Far more than 90 days of Event history takes at two calls per second per region.
      timeout: Duration.days(2),
      tracingEnabled: true,
      logs: {
        destination: createEncryptedLogGroup(this, 'WorkflowLogGroup', {
          retention,
          encryptionKey: this.logEncryptionKey,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        // Inputs and outputs are times and counts, but the log needs none of them.
        includeExecutionData: false,
      },
    });
  }

  /** Starts the workflow once, when the stack creates this construct (no onUpdate: never again). */
  private startOnCreate(): void {
    new cr.AwsCustomResource(this, 'StartOnCreate', {
      onCreate: {
        service: 'SFN',
        action: 'StartExecution',
        parameters: { stateMachineArn: this.stateMachine.stateMachineArn },
        physicalResourceId: cr.PhysicalResourceId.of('event-history-seeding'),
      },
      // Exactly states:StartExecution on this state machine.
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.stateMachine.stateMachineArn] }),
      // Offline synth and deploy: the SDK in the Lambda runtime, not one downloaded at deploy time.
      installLatestAwsSdk: false,
      logGroup: createEncryptedLogGroup(this, 'StartOnCreateLogGroup', {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.logEncryptionKey,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
  }

  private alarm(topic: sns.ITopic | undefined): cloudwatch.Alarm {
    const period = Duration.minutes(5);
    const alarm = new cloudwatch.Alarm(this, 'WorkflowFailed', {
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
          timedOut: this.stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
        },
        period,
      }),
      alarmDescription:
        'trail-audit: the Event-history seeding workflow failed or timed out after its retries. See the seeder ' +
        'function\'s log ("event history stream failed"), fix the cause, then start the workflow again: it goes on ' +
        'from its checkpoints (docs/event-history.md).',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (topic !== undefined) {
      const notify = new actions.SnsAction(topic);
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    return alarm;
  }

  private widgets(): cloudwatch.IWidget[] {
    const metric = (name: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
        label,
      });
    return [
      new cloudwatch.GraphWidget({
        title: 'Event history seeding',
        left: [metric(METRIC.EventHistoryPages, 'Pages read'), metric(METRIC.EventHistoryEventsStored, 'Events stored')],
        right: [
          metric(METRIC.EventHistoryStreamsFailed, 'Streams failed or refused'),
          metric(METRIC.EventHistorySeedingComplete, 'Seeding complete'),
        ],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Event history seeding workflow', alarms: [this.failedAlarm], width: 12 }),
    ];
  }

  /** The cdk-nag AwsSolutions findings of the seeder, each with the reason it is accepted. */
  private acknowledgeFindings(): void {
    const ack = (scope: IConstruct, id: string, reason: string): void => Validations.of(scope).acknowledge({ id, reason });
    const role = this.function.role ?? this.function;
    ack(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudtrail:LookupEvents supports no resource-level permissions: the service authorization reference lists no ' +
        'resource type for it, so it can only be granted on *. It reads the account\'s own 90-day Event history.',
    );
    const kmsReason =
      "kms:GenerateDataKey* / kms:ReEncrypt* for the table key (DynamoDB encrypts and decrypts items with the caller's " +
      'credentials) and from grantPublish on the KMS-encrypted topic: each wildcard covers the variants of one ' +
      'operation, on one key ARN.';
    ack(role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', kmsReason);
    ack(role, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', kmsReason);
    const workflowRole = this.stateMachine.role;
    ack(
      workflowRole,
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions logging (logs:CreateLogDelivery, ...) and X-Ray tracing (xray:PutTraceSegments, ...) accept ' +
        'only * as their resource; both are added by aws-cdk-lib for the workflow\'s log group and tracing.',
    );
    ack(
      workflowRole,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnElement)}.Arn>:*]`,
      'lambda:InvokeFunction on the seeder function and its versions (`ARN:*`), from grantInvoke through ' +
        'tasks.LambdaInvoke: the workflow invokes nothing else.',
    );
    // The AwsCustomResource provider: a singleton function of aws-cdk-lib, run only at deploy time.
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287')) continue;
      ack(
        child,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'aws-cdk-lib AwsCustomResource provider: starts the seeding workflow once at deploy time; its role and ' +
          'managed policy are defined by aws-cdk-lib, not by this stack.',
      );
      ack(
        child,
        'AwsSolutions-L1',
        'aws-cdk-lib AwsCustomResource provider: its runtime is chosen by aws-cdk-lib, and it runs only at deploy time.',
      );
    }
  }
}
