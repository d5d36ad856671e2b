import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CLOUDTRAIL_TAMPERING_EVENT_NAMES } from '../../lambda/core/rules/builtin';
import { createKey } from './kms-defaults';

/** A plausible e-mail address: enough to catch a typo in `-c alertEmail=...` at synth time. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Props of {@link ComplianceAlerts}. */
export interface ComplianceAlertsProps {
  /**
   * An e-mail address subscribed to the alerts topic (AWS sends a confirmation message first).
   * @default no subscription
   */
  readonly alertEmail?: string;
}

/**
 * The alerts topic (KMS-encrypted, TLS-only) that compliance findings, the trail-tampering fast path and the
 * operational alarms all publish to, and the EventBridge rule of that fast path.
 *
 * One topic, not two: in the accounts trail-audit is for, whoever answers "logging stopped" also answers "the trail
 * went quiet"; findings carry the `severity` and `rule` message attributes, so a subscriber that wants findings only
 * filters on them. The fast path exists because once logging stops, no log file arrives to alert from: EventBridge
 * sees the API call itself ("AWS API Call via CloudTrail") in the region it is made in — for a multi-region trail,
 * its home region, where these calls must be made — so deploy the stack in the trail's home region. A tampering
 * event EventBridge cannot publish after 24 hours of retries lands in a dead-letter queue.
 */
export class ComplianceAlerts extends Construct {
  /** The alerts topic. */
  public readonly topic: sns.Topic;
  /** The key encrypting the topic. */
  public readonly key: kms.Key;
  /** The EventBridge rule matching trail-tampering calls. */
  public readonly tamperingRule: events.Rule;
  /**
   * Where EventBridge puts a tampering event it could not publish to the topic after every retry (the event itself,
   * with the error in its message attributes): kept 14 days, and the `Monitoring` alarms watch it.
   */
  public readonly tamperingDeadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: ComplianceAlertsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.alertEmail !== undefined && !EMAIL.test(props.alertEmail)) {
      throw new Error(`ComplianceAlerts ${this.node.path}: alertEmail "${props.alertEmail}" is not an e-mail address`);
    }

    this.key = createKey(this, 'Key', {
      description: 'trail-audit: encrypts the alerts topic',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'trail-audit alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    // CloudWatch alarms publish as the CloudWatch service. The topic policy (which replaces SNS's default policy) is
    // where SNS checks which alarms may publish: this account's, in this region (confused-deputy protection).
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // The key statement is the one AWS documents for alarms publishing to an encrypted topic, without conditions:
    // SNS calls KMS for the publish, and that request need not carry the alarm's aws:SourceArn / aws:SourceAccount —
    // conditioned on them, the statement could fail to match and alarm notifications would be dropped silently. The
    // key only encrypts this topic, whose policy above admits this account's alarms alone.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseKey',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (props.alertEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    }

    this.tamperingRule = new events.Rule(this, 'TrailTampering', {
      description: 'trail-audit fast path: a CloudTrail trail was stopped, deleted or had what it records changed',
      eventPattern: {
        source: ['aws.cloudtrail'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudtrail.amazonaws.com'],
          eventName: [...CLOUDTRAIL_TAMPERING_EVENT_NAMES],
        },
      },
    });
    const targetRole = new iam.Role(this, 'TrailTamperingTargetRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: 'Lets the trail-tampering rule publish to the alerts topic',
    });
    this.tamperingDeadLetterQueue = new sqs.Queue(this, 'TrailTamperingDeadLetterQueue', {
      // SQS-managed encryption: EventBridge sends to it without a key policy; the queue policy CDK adds lets only
      // this rule send (aws:SourceArn).
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.tamperingDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the trail-tampering rule target (EventBridge ' +
        'DeadLetterConfig, which cdk-nag does not see as a redrive policy); a dead-letter queue of a dead-letter ' +
        'queue has nothing to catch. Its depth is alarmed on.',
    });
    const detail = (field: string): string => events.EventField.fromPath(`$.detail.${field}`);
    this.tamperingRule.addTarget(
      new targets.SnsTopic(this.topic, {
        // EventBridge publishes with a role of its own (identity policy: sns:Publish and the key), instead of an
        // unconditioned events.amazonaws.com grant in the topic and key policies.
        role: targetRole,
        // A tampering alert is never too old to deliver: EventBridge's longest retry (24 hours, 185 attempts), then
        // the dead-letter queue, where an alarm sees it.
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.tamperingDeadLetterQueue,
        message: events.RuleTargetInput.fromText(
          [
            // StopLogging, DeleteTrail and UpdateTrail name the trail in `name`, PutEventSelectors and
            // PutInsightSelectors in `trailName`; each call has one of the two, and a missing path renders empty.
            `[CRITICAL] CloudTrail tampering: ${detail('eventName')} — trail ` +
              `${detail('requestParameters.name')}${detail('requestParameters.trailName')}`,
            '',
            `Who: ${detail('userIdentity.arn')} from ${detail('sourceIPAddress')}`,
            `When: ${detail('eventTime')}`,
            `Where: account ${events.EventField.account}, region ${events.EventField.region}`,
            `Error (if the call failed): ${detail('errorCode')}`,
            `Event ID: ${detail('eventID')}`,
            '',
            'Why it matters: a stopped, deleted or narrowed trail leaves the account unaudited from now on, and no ' +
              'log file will arrive to raise any other alert.',
            'What to do: confirm the change was authorised; if not, restart logging (aws cloudtrail start-logging ' +
              '--name TRAIL), restore the trail configuration (cdk deploy), and investigate the principal.',
          ].join('\n'),
        ),
      }),
    );
    Validations.of(targetRole).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'topic.grantPublish on a KMS-encrypted topic: kms:GenerateDataKey* covers the variants of one operation, ' +
        'on the alerts key ARN only.',
    });
  }
}
