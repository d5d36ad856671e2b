import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The CloudWatch namespace the processor's Powertools Metrics emit to (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'TrailAudit';
/** The Powertools service name (`POWERTOOLS_SERVICE_NAME`), also the `service` dimension of every metric. */
export const SERVICE_NAME = 'trail-audit';

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The processor function. */
  readonly function: lambda.IFunction;
  /** The processor's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Where alarms notify (on alarm and back to OK). */
  readonly alarmTopic: sns.ITopic;
  /**
   * Raise "no log file processed" after this long without a processed file. CloudTrail delivers every ~5 minutes
   * while there is activity; an account that is truly idle for this long raises it too (raise it for such accounts).
   * @default Duration.minutes(60)
   */
  readonly noLogFileAlarmAfter?: Duration;
  /**
   * The dashboard name.
   * @default CloudFormation's generated name
   */
  readonly dashboardName?: string;
}

/**
 * CloudWatch alarms and a dashboard for the processor.
 *
 * The alarms: function errors, throttles, a dead-letter queue that is not empty, and "no log file processed for N
 * minutes" — which treats missing data as breaching, so a trail that stops delivering does not look like a quiet
 * account. Each alarm notifies the alarm topic when it fires and when it recovers.
 */
export class Monitoring extends Construct {
  /** Lambda errors ≥ 1 in 5 minutes. */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Lambda throttles ≥ 1 in 5 minutes. */
  public readonly throttlesAlarm: cloudwatch.Alarm;
  /** A message in the dead-letter queue: a log file failed every retry. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** No log file processed for the configured period. */
  public readonly noLogFileAlarm: cloudwatch.Alarm;
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

    this.errorsAlarm = props.function
      .metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })
      .createAlarm(this, 'Errors', {
        alarmDescription: 'trail-audit: the processor failed on a log file (it is retried, then sent to the DLQ).',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.throttlesAlarm = props.function
      .metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })
      .createAlarm(this, 'Throttles', {
        alarmDescription: 'trail-audit: the processor was throttled (account concurrency exhausted).',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.deadLetterAlarm = props.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, 'DeadLetterQueueNotEmpty', {
        alarmDescription:
          'trail-audit: a log file failed every retry and is in the dead-letter queue; fix the cause, then redrive ' +
          '(see the README, "Redrive the dead-letter queue").',
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.noLogFileAlarm = this.metric('FilesProcessed', silence).createAlarm(this, 'NoLogFileProcessed', {
      alarmDescription:
        `trail-audit: no CloudTrail log file processed for ${silenceMinutes} minutes — the trail may have stopped ` +
        'delivering (StopLogging, bucket policy or key policy changed) or the notification is broken.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const notify = new actions.SnsAction(props.alarmTopic);
    for (const alarm of [this.errorsAlarm, this.throttlesAlarm, this.deadLetterAlarm, this.noLogFileAlarm]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    const metric = (name: string): cloudwatch.Metric => this.metric(name, fiveMinutes);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }),
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Log files',
            left: [metric('FilesProcessed'), metric('FilesSkipped')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Records and events',
            left: [metric('RecordsRead'), metric('RecordsSkipped'), metric('EventsStored')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Alerts sent',
            left: [metric('AlertsSent')],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Processor errors and throttles',
            left: [
              props.function.metricErrors({ period: fiveMinutes }),
              props.function.metricThrottles({ period: fiveMinutes }),
            ],
            right: [metric('WriteRetries'), metric('UnknownOperations')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Processor duration (ms)',
            left: [
              props.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.AVERAGE }),
              props.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.percentile(99) }),
              props.function.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queue depth',
            left: [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: fiveMinutes,
                statistic: cloudwatch.Stats.MAXIMUM,
              }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [this.errorsAlarm, this.throttlesAlarm, this.deadLetterAlarm, this.noLogFileAlarm],
            width: 24,
          }),
        ],
      ],
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
