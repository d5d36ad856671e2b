import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Service } from '../../lambda/core/types';

// The processor's metric names, namespace and service dimension, defined once beside the code that emits them.
import { METRIC, METRICS_NAMESPACE, metricPerReason, SERVICE_NAME } from '../../lambda/app/metric-names';

/**
 * The per-service event counts the handler emits (`EventsStored.<service>`), with the dashboard label of each. A
 * record keyed by every {@link Service}, so a service added to the contract cannot be left off the dashboard.
 */
export const EVENTS_STORED_BY_SERVICE: Readonly<Record<Service, string>> = {
  elb: 'Classic Load Balancing (elb)',
  elbv2: 'ALB / NLB / GWLB (elbv2)',
  elasticbeanstalk: 'Elastic Beanstalk',
  autoscaling: 'EC2 Auto Scaling',
};

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The processor function. */
  readonly function: lambda.IFunction;
  /** The processor's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Where alarms notify (on alarm and back to OK). */
  readonly alarmTopic: sns.ITopic;
  /**
   * The trail-tampering fast path (EventBridge rule → alerts topic) and its target's dead-letter queue, to alarm when
   * a tampering alert could not be delivered.
   * @default no alarms on the fast path
   */
  readonly tamperingAlerts?: TamperingAlertsDelivery;
  /**
   * Raise "no log file processed" after this long without a processed file. CloudTrail delivers every ~5 minutes
   * while there is activity; an account that is truly idle for this long raises it too (raise it for such accounts).
   * @default Duration.minutes(60)
   */
  readonly noLogFileAlarmAfter?: Duration;
  /**
   * Raise "no digest verified" after this long without a verified digest file (whole hours, 1 to 24). CloudTrail
   * delivers a digest for each region every hour, even without activity, while log file validation is on; `null`
   * leaves the alarm out (a trail known to have validation off).
   * @default Duration.hours(3)
   */
  readonly noDigestVerifiedAlarmAfter?: Duration | null;
  /**
   * The dashboard name.
   * @default CloudFormation's generated name
   */
  readonly dashboardName?: string;
}

/** The trail-tampering fast path, as {@link Monitoring} watches it. */
export interface TamperingAlertsDelivery {
  /** The EventBridge rule whose target publishes the alert. */
  readonly rule: events.IRule;
  /** The target's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * CloudWatch alarms and a dashboard for the processor.
 *
 * The alarms: a log file that failed (`FilesFailed`) and a queue message that is not a notification the handler reads
 * (`MessagesInvalid`) — the handler reports both as SQS batch item failures without throwing, so Lambda's `Errors`
 * metric never sees them; a key under a CloudTrail folder without CloudTrail's layout (`FilesUnrecognised`), which
 * the handler skips and which may be a log file it fails to recognise; function errors (crashes and timeouts, which
 * fail the whole batch), throttles, a dead-letter queue that is not empty, and "no log file processed for N
 * minutes" — which treats missing data as breaching, so a trail that stops delivering does not look like a quiet
 * account; "no digest verified for N hours" (proof of completeness, docs/integrity.md), silence breaching too;
 * and, given the trail-tampering fast path, a tampering alert EventBridge could not publish. Each alarm
 * notifies the alarm topic when it fires and when it recovers.
 */
export class Monitoring extends Construct {
  /** `FilesFailed` ≥ 1 in 5 minutes: a log file could not be processed this attempt (it is retried). */
  public readonly filesFailedAlarm: cloudwatch.Alarm;
  /** `MessagesInvalid` ≥ 1 in 5 minutes: a queue message that is not a notification the handler reads (it ends in the DLQ). */
  public readonly messagesInvalidAlarm: cloudwatch.Alarm;
  /**
   * `FilesUnrecognised` ≥ 1 in an hour: a key under a CloudTrail folder without CloudTrail's layout was skipped — it
   * may be a log file the processor fails to recognise.
   */
  public readonly filesUnrecognisedAlarm: cloudwatch.Alarm;
  /** Lambda errors ≥ 1 in 5 minutes: the function crashed or timed out. */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Lambda throttles ≥ 1 in 5 minutes. */
  public readonly throttlesAlarm: cloudwatch.Alarm;
  /** A message in the dead-letter queue: a log file failed every retry. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** No log file processed for the configured period. */
  public readonly noLogFileAlarm: cloudwatch.Alarm;
  /**
   * No digest file verified for the configured period (`DigestsVerified` < 1, silence breaching): digests stopped
   * arriving (validation or logging turned off, the trigger broken) or every one fails verification. Absent when
   * `noDigestVerifiedAlarmAfter` is `null`.
   */
  public readonly noDigestVerifiedAlarm?: cloudwatch.Alarm;
  /**
   * EventBridge `FailedInvocations` ≥ 1 for the tampering rule: a publish to the alerts topic failed for good (then
   * the event went to the dead-letter queue), when `tamperingAlerts` is given.
   */
  public readonly tamperingAlertFailedAlarm?: cloudwatch.Alarm;
  /** A tampering event in the fast path's dead-letter queue, when `tamperingAlerts` is given. */
  public readonly tamperingDeadLetterAlarm?: cloudwatch.Alarm;
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const silence = props.noLogFileAlarmAfter ?? Duration.minutes(60);
    const silenceMinutes = silence.toMinutes();
    if (!Number.isInteger(silenceMinutes) || silenceMinutes < 5 || silenceMinutes > 1440) {
      throw new Error(
        `Monitoring ${this.node.path}: the no-log-file period must be a whole number of minutes from 5 to 1440, ` +
          `got ${silence.toHumanString()}`,
      );
    }

    // A failed file is returned in `batchItemFailures` and the invocation succeeds: only the handler's own metrics
    // see it. Lambda's Errors alarm stays for what the handler cannot count (a crash, a timeout, out of memory).
    this.filesFailedAlarm = this.alarmOnAny(
      this.metric(METRIC.FilesFailed, fiveMinutes),
      'FilesFailed',
      'trail-audit: the processor could not process a CloudTrail log file (read, decode or table write failed). ' +
        'The file is retried; after the last receive it moves to the dead-letter queue. See the function log for ' +
        'the bucket, key and error.',
    );
    this.messagesInvalidAlarm = this.alarmOnAny(
      this.metric(METRIC.MessagesInvalid, fiveMinutes),
      'MessagesInvalid',
      'trail-audit: a message on the processor queue is not a notification the handler reads (an S3 event ' +
        'notification, an EventBridge S3 event or CloudTrail\'s SNS notification; not JSON, or no bucket and key): a ' +
        'message sent to the queue by hand, or a format the handler does not read. It is retried, then moves to ' +
        'the dead-letter queue.',
    );
    // Summed over an hour: such keys are rare and not urgent (the file stays in the bucket), yet a single one is
    // worth a look, since it may be a log file the processor is missing.
    this.filesUnrecognisedAlarm = this.alarmOnAny(
      this.metric(METRIC.FilesUnrecognised, Duration.hours(1)),
      'FilesUnrecognised',
      'trail-audit: the processor skipped a key under a CloudTrail folder that does not have CloudTrail\'s key ' +
        'layout (AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/...): it may be a log file the processor does not recognise ' +
        'and is missing. Search the function log for "key under a CloudTrail folder without its layout" for the key.',
    );
    this.errorsAlarm = this.alarmOnAny(
      props.function.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      'Errors',
      'trail-audit: the processor function itself failed (crash, timeout or out of memory): the whole batch is ' +
        'retried. A log file that fails is reported by the FilesFailed alarm, not by this one.',
    );
    this.throttlesAlarm = this.alarmOnAny(
      props.function.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      'Throttles',
      'trail-audit: the processor was throttled (account concurrency exhausted).',
    );
    this.deadLetterAlarm = this.alarmOnNotEmpty(
      props.deadLetterQueue,
      'DeadLetterQueueNotEmpty',
      'trail-audit: a log file failed every retry and is in the dead-letter queue; fix the cause, then redrive ' +
        '(see docs/operations.md, "When a log file fails: the dead-letter queue").',
    );
    const tampering = props.tamperingAlerts;
    if (tampering !== undefined) {
      this.tamperingAlertFailedAlarm = this.alarmOnAny(
        new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: tampering.rule.ruleName },
          statistic: cloudwatch.Stats.SUM,
          period: fiveMinutes,
        }),
        'TamperingAlertFailed',
        'trail-audit: EventBridge could not publish a trail-tampering alert to the alerts topic after every retry ' +
          '(topic policy, key policy or target role changed?). This alarm itself may not reach the topic for the ' +
          'same reason: check the alarm console and the tampering dead-letter queue.',
      );
      this.tamperingDeadLetterAlarm = this.alarmOnNotEmpty(
        tampering.deadLetterQueue,
        'TamperingDeadLetterQueueNotEmpty',
        'trail-audit: a trail-tampering event (StopLogging, DeleteTrail, ...) could not be published and is in the ' +
          'tampering dead-letter queue: read it (aws sqs receive-message), act on it, and fix the delivery.',
      );
    }
    this.noLogFileAlarm = this.metric(METRIC.FilesProcessed, silence).createAlarm(this, 'NoLogFileProcessed', {
      alarmDescription:
        `trail-audit: no CloudTrail log file processed for ${silenceMinutes} minutes — the trail may have stopped ` +
        'delivering (StopLogging, bucket policy or key policy changed) or the notification is broken.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const digestSilence = props.noDigestVerifiedAlarmAfter === undefined ? Duration.hours(3) : props.noDigestVerifiedAlarmAfter;
    if (digestSilence !== null) {
      const hours = digestSilence.toHours({ integral: false });
      if (!Number.isInteger(hours) || hours < 1 || hours > 24) {
        throw new Error(
          `Monitoring ${this.node.path}: the no-digest period must be a whole number of hours from 1 to 24, got ` +
            `${digestSilence.toHumanString()}`,
        );
      }
      this.noDigestVerifiedAlarm = this.metric(METRIC.DigestsVerified, digestSilence).createAlarm(this, 'NoDigestVerified', {
        alarmDescription:
          `trail-audit: no CloudTrail digest file verified for ${hours} hour${hours === 1 ? '' : 's'} — the hours since ` +
          'cannot be proved complete. Digests arrive hourly for each region even without activity: log file validation ' +
          'or logging may be off, the notification broken, or every digest fails verification (see the ' +
          'IntegrityProblems metric and the integrity alerts; docs/operations.md).',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    const alarms = [
      this.filesFailedAlarm,
      this.messagesInvalidAlarm,
      this.filesUnrecognisedAlarm,
      this.errorsAlarm,
      this.throttlesAlarm,
      this.deadLetterAlarm,
      this.noLogFileAlarm,
      ...(this.noDigestVerifiedAlarm === undefined ? [] : [this.noDigestVerifiedAlarm]),
      ...(this.tamperingAlertFailedAlarm === undefined ? [] : [this.tamperingAlertFailedAlarm]),
      ...(this.tamperingDeadLetterAlarm === undefined ? [] : [this.tamperingDeadLetterAlarm]),
    ];
    const notify = new actions.SnsAction(props.alarmTopic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    const metric = (name: string, label?: string): cloudwatch.Metric =>
      this.metric(name, fiveMinutes).with(label === undefined ? {} : { label });
    const storedByService = Object.entries(EVENTS_STORED_BY_SERVICE).map(([service, label]) =>
      metric(metricPerReason.eventsStored(service), label),
    );
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }),
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Log files',
            left: [
              metric(METRIC.FilesProcessed),
              metric(METRIC.FilesSkipped),
              metric(METRIC.FilesFailed),
              metric(METRIC.FilesUnrecognised),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Records and events',
            left: [metric(METRIC.RecordsRead), metric(METRIC.RecordsSkipped), metric(METRIC.EventsStored)],
            // What damaged or forged records cost: each is counted, never a failed file (docs/operations.md).
            right: [
              metric(metricPerReason.recordsSkipped('invalid-record'), 'Invalid records'),
              metric(METRIC.RecordsTrimmed),
              metric(METRIC.ResourcesOmitted),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Events stored by service',
            left: [...storedByService, metric(METRIC.EventsStored, 'All services')],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Alerts sent',
            left: [metric(METRIC.AlertsSent)],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Queue messages, processor errors and throttles',
            left: [
              metric(METRIC.MessagesInvalid),
              metric(METRIC.MessagesDeferred),
              metric(METRIC.MessagesRequeued),
              props.function.metricErrors({ period: fiveMinutes }),
              props.function.metricThrottles({ period: fiveMinutes }),
            ],
            right: [metric(METRIC.WriteRetries), metric(METRIC.UnknownOperations)],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Processor duration (ms)',
            left: [
              props.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.AVERAGE }),
              props.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.percentile(99) }),
              props.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
            ],
            width: 6,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queue depth',
            left: [props.deadLetterQueue, ...(tampering === undefined ? [] : [tampering.deadLetterQueue])].map(
              (queue) =>
                queue.metricApproximateNumberOfMessagesVisible({
                  period: fiveMinutes,
                  statistic: cloudwatch.Stats.MAXIMUM,
                }),
            ),
            width: 6,
          }),
        ],
        [
          // Proof of completeness, hour by hour: about one verified digest per trail, region and hour.
          new cloudwatch.GraphWidget({
            title: 'Hours verified: digest files and log files verified per hour',
            left: [
              this.metric(METRIC.DigestsVerified, Duration.hours(1)).with({ label: 'Digests verified (hours proved, per region)' }),
            ],
            right: [this.metric(METRIC.LogFilesVerified, Duration.hours(1)).with({ label: 'Log files verified' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Integrity problems per hour (missing, altered, unlisted, badly signed, never processed)',
            left: [this.metric(METRIC.IntegrityProblems, Duration.hours(1)).with({ label: 'Integrity problems' })],
            width: 12,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 })],
      ],
    });
  }

  /** An alarm that fires when `metric` (a sum of occurrences) counts at least one in a period; no data is quiet. */
  private alarmOnAny(metric: cloudwatch.IMetric, id: string, alarmDescription: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** An alarm that fires when a queue holds a visible message (maximum over 5 minutes); no data is quiet. */
  private alarmOnNotEmpty(queue: sqs.IQueue, id: string, alarmDescription: string): cloudwatch.Alarm {
    return queue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, id, {
        alarmDescription,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  /** A processor metric as Powertools emits it: namespace `TrailAudit`, dimension `service=trail-audit`, summed. */
  private metric(metricName: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: SERVICE_NAME },
      statistic: cloudwatch.Stats.SUM,
      period,
    });
  }
}
