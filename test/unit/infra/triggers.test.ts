/**
 * The processor's triggers in the template: an existing trail's bucket reached through EventBridge (its default) or
 * the trail's SNS topic, without any change to the bucket's notification configuration; a new bucket through
 * EventBridge; and the combinations synth refuses.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { TrailAuditStack } from '../../../lib/trail-audit-stack';
import {
  actionsOf,
  expectResourceCount,
  expectResourceProperties,
  getAtt,
  policyStatements,
  resourceOf,
  synthesise,
  type PolicyStatementJson,
  type SynthesisedStack,
} from './synth';

const BUCKET = 'org-trail-logs';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:cloudtrail-deliveries';

/** The statements of the processor queue's policy that let a service send to it. */
function queueSendStatements(synth: SynthesisedStack, queuePrefix = 'ProcessorQueue'): PolicyStatementJson[] {
  const policy = resourceOf(synth.template, 'AWS::SQS::QueuePolicy', `${queuePrefix}Policy`);
  const document = policy.properties.PolicyDocument as { Statement: PolicyStatementJson[] };
  return document.Statement.filter((statement) => statement.Effect === 'Allow');
}

describe('an existing trail\'s bucket, default trigger: EventBridge', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({ existingTrail: { bucketName: BUCKET, keyPrefix: 'central/' } });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('leaves the bucket\'s notification configuration to the delivery resource: no S3 notification', () => {
    expectResourceCount(synth.template, 'Custom::S3BucketNotifications', 0);
    expectResourceProperties(synth.template, 'Custom::BucketEventBridgeDelivery', {
      BucketName: BUCKET,
      ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
    });
  });

  test('routes Object Created events of the log and digest keys under the trail\'s prefix to the queue', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');
    const deadLetterQueue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorDeadLetterQueue');

    expectResourceProperties(synth.template, 'AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [BUCKET] }, object: { key: [{ wildcard: 'central/AWSLogs/*.json.gz' }] } },
      },
      Targets: [
        Match.objectLike({ Arn: getAtt(queue.logicalId), DeadLetterConfig: { Arn: getAtt(deadLetterQueue.logicalId) } }),
      ],
    });
  });

  test('lets EventBridge send to the queue only for that rule', () => {
    const rule = resourceOf(synth.template, 'AWS::Events::Rule', 'ProcessorLogObjectCreated');

    expect(queueSendStatements(synth)).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: expect.arrayContaining(['sqs:SendMessage']) as unknown,
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt(rule.logicalId) } },
      }),
    ]);
  });

  test('lets EventBridge dead-letter an undeliverable event only for that rule', () => {
    const rule = resourceOf(synth.template, 'AWS::Events::Rule', 'ProcessorLogObjectCreated');

    expect(queueSendStatements(synth, 'ProcessorDeadLetterQueue')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt(rule.logicalId) } },
      }),
    ]);
  });

  test('lets the delivery resource read and write that bucket\'s notification configuration, nothing else', () => {
    const statements = policyStatements(synth.template, 'ProcessorEventBridgeDeliveryFunctionRoleDefaultPolicy');
    const s3Statements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));

    expect(s3Statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}`]] },
      },
    ]);
  });
});

describe('an existing trail\'s bucket, trigger: the trail\'s SNS topic', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({ existingTrail: { bucketName: BUCKET, topicArn: TOPIC_ARN }, trigger: 'sns' });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('subscribes the queue to the topic, for this bucket\'s log keys only', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');

    expectResourceProperties(synth.template, 'AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: TOPIC_ARN,
      Endpoint: getAtt(queue.logicalId),
      Region: 'eu-west-1',
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { s3Bucket: [BUCKET], s3ObjectKey: [{ prefix: 'AWSLogs/' }] },
    });
  });

  test('lets SNS send to the queue only for that topic', () => {
    expect(queueSendStatements(synth)).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: expect.anything() as unknown,
        Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
      },
    ]);
  });

  test('changes nothing on the bucket: no notification, no EventBridge delivery, no S3 rule', () => {
    expectResourceCount(synth.template, 'Custom::S3BucketNotifications', 0);
    expectResourceCount(synth.template, 'Custom::BucketEventBridgeDelivery', 0);
    // The only rule is the alerts' tampering fast path.
    expectResourceCount(synth.template, 'AWS::Events::Rule', 1);
  });
});

describe('a new trail and bucket, trigger: EventBridge', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({ trigger: 'eventbridge' });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('turns on the stack\'s own bucket\'s EventBridge delivery, with no queue notification', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');

    expectResourceProperties(synth.template, 'Custom::S3BucketNotifications', {
      BucketName: { Ref: bucket.logicalId },
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    expectResourceCount(synth.template, 'Custom::BucketEventBridgeDelivery', 0);
  });

  test('routes Object Created events of the bucket\'s log and digest keys to the queue', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');

    expectResourceProperties(synth.template, 'AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { bucket: { name: [{ Ref: bucket.logicalId }] }, object: { key: [{ wildcard: 'AWSLogs/*.json.gz' }] } },
      }),
    });
  });
});

describe('trigger options synth refuses', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({});
  });

  afterAll(() => {
    synth.cleanup();
  });

  const refused: readonly [string, ConstructorParameters<typeof TrailAuditStack>[2], RegExp][] = [
    ['sns without a topic', { existingTrail: { bucketName: BUCKET }, trigger: 'sns' }, /trigger "sns" needs existingTrail\.topicArn/],
    ['a topic without sns', { existingTrail: { bucketName: BUCKET, topicArn: TOPIC_ARN } }, /topicArn is set but trigger is "eventbridge"/],
    [
      'a topic with the S3 notification',
      { existingTrail: { bucketName: BUCKET, topicArn: TOPIC_ARN }, trigger: 's3-notification' },
      /topicArn is set but trigger is "s3-notification"/,
    ],
    [
      'a topic ARN that is not one',
      { existingTrail: { bucketName: BUCKET, topicArn: 'arn:aws:sqs:eu-west-1:111122223333:q' }, trigger: 'sns' },
      /must be a standard SNS topic ARN/,
    ],
    [
      'a FIFO topic (CloudTrail cannot publish to one)',
      { existingTrail: { bucketName: BUCKET, topicArn: `${TOPIC_ARN}.fifo` }, trigger: 'sns' },
      /must be a standard SNS topic ARN/,
    ],
    ['sns for a new trail', { trigger: 'sns' }, /a new trail uses "s3-notification" or "eventbridge"/],
  ];

  test.each(refused.map(([name, props, message], index) => [name, props, message, `Refused${index}`] as const))(
    'refuses %s',
    (_case, props, message, stackId) => {
      expect(() => new TrailAuditStack(synth.app, stackId, props)).toThrow(message);
    },
  );
});

describe('a trail prefix with a *', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({ existingTrail: { bucketName: BUCKET, keyPrefix: 'logs*' } });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('is escaped in the rule, whose wildcard would otherwise read it as any text', () => {
    expectResourceProperties(synth.template, 'AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ object: { key: [{ wildcard: 'logs\\*/AWSLogs/*.json.gz' }] } }) }),
    });
  });
});
