import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { EVENT_TABLE } from '../../../lambda/store/table-definition';
import { CLOUDTRAIL_TAMPERING_EVENT_NAMES } from '../../../lambda/core/rules/builtin';
import { DEPLOYED_RULES_FILE } from '../../../lib/constructs/log-processor';
import { EVENTS_STORED_BY_SERVICE } from '../../../lib/constructs/monitoring';
import { loadUserRulesFile } from '../../../lib/user-rules';
import {
  PROJECT_ROOT,
  actionsOf,
  expectOutput,
  expectResource,
  expectResourceCount,
  expectResourceProperties,
  fixturePath,
  getAtt,
  policyStatements,
  queueNotifications,
  regionalArn,
  resourceOf,
  resourcesOf,
  synthesise,
  type PolicyStatementJson,
  type SynthesisedStack,
} from './synth';

// The default stack, as `cdk synth -c rulesFile=...` builds it: the one synth of the suite that puts the function's
// asset together (the pre-built handler bundle and the rules file).
let synth: SynthesisedStack;

beforeAll(() => {
  synth = synthesise(
    { userRules: loadUserRulesFile(fixturePath('user-rules.json'), PROJECT_ROOT) },
    { bundle: true },
  );
});

afterAll(() => {
  synth.cleanup();
});

const bucketArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogBucket[0-9A-F]{8}$'), 'Arn'] };
const trailArn = regionalArn('cloudtrail', 'trail/trail-audit');
const thisAccount = { Ref: 'AWS::AccountId' };

/** An EventBridge target's input transformer as the template holds it. */
interface InputTransformerJson {
  readonly InputPathsMap: Record<string, string>;
  readonly InputTemplate: string;
}

function logBucketPolicy(): PolicyStatementJson[] {
  const policy = resourceOf(synth.template, 'AWS::S3::BucketPolicy', 'LogBucketPolicy');
  return (policy.properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement;
}

function processorStatements(): PolicyStatementJson[] {
  return policyStatements(synth.template, 'ProcessorFunctionRoleDefaultPolicy');
}

describe('log bucket', () => {
  test('blocks all public access, disables ACLs and keeps versions', () => {
    expectResourceProperties(synth.template, 'AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('is encrypted with the customer-managed key, which rotates and is retained', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'LogBucketKey');
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');

    expect(bucket.properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt(key.logicalId) },
        },
      ],
    });
    expect(key.properties.EnableKeyRotation).toBe(true);
    expectResource(synth.template, 'AWS::KMS::Key', {
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('CloudTrail') }),
      DeletionPolicy: 'Retain',
    });
  });

  test('logs server access to a separate SSE-S3 bucket', () => {
    const accessLogs = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucketAccessLogs');

    expectResourceProperties(synth.template, 'AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: accessLogs.logicalId },
        LogFilePrefix: 'cloudtrail-bucket/',
      },
    });
    expect(accessLogs.properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  test('moves logs to Standard-IA at 30 days and Glacier at 90, expires them at 7 years, cleans up', () => {
    expectResourceProperties(synth.template, 'AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'cloudtrail-logs',
            Status: 'Enabled',
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER', TransitionInDays: 90 },
            ],
            ExpirationInDays: 2557,
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    });
  });

  test('applies the lifecycle rule to every object, so digest files expire with the logs they prove', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');
    const rules = (bucket.properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    expect(rules).toHaveLength(1);
    expect(rules[0]).not.toHaveProperty('Prefix');
    expect(rules[0]).not.toHaveProperty('Filter');
  });

  test('is retained when the stack is deleted, as is its access-log bucket', () => {
    const buckets = Object.entries(synth.template.findResources('AWS::S3::Bucket'))
      .filter(([logicalId]) => logicalId.startsWith('LogBucket'))
      .map(([, bucket]) => bucket as unknown);

    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('has no Object Lock unless asked for', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');

    expect(bucket.properties).not.toHaveProperty('ObjectLockConfiguration');
  });
});

describe('log bucket policy', () => {
  test('denies every request without TLS', () => {
    expect(logBucketPolicy()).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  test('lets CloudTrail read the ACL only for this trail in this account', () => {
    expectResourceProperties(synth.template, 'AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AWSCloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: bucketArn,
            Condition: { StringEquals: { 'aws:SourceArn': trailArn, 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });

  test('lets CloudTrail write only under AWSLogs/ACCOUNT/, only for this trail in this account', () => {
    expectResourceProperties(synth.template, 'AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [bucketArn, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
            Condition: {
              StringEquals: {
                's3:x-amz-acl': 'bucket-owner-full-control',
                'aws:SourceArn': trailArn,
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              },
            },
          },
        ]),
      },
    });
  });

  test('grants CloudTrail nothing without the source conditions', () => {
    const cloudTrailStatements = logBucketPolicy().filter(
      (statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'cloudtrail.amazonaws.com' }),
    );

    expect(cloudTrailStatements).toHaveLength(2);
    for (const statement of cloudTrailStatements) {
      expect(statement.Condition?.StringEquals).toMatchObject({
        'aws:SourceArn': trailArn,
        'aws:SourceAccount': thisAccount,
      });
    }
  });
});

describe('trail', () => {
  test('is multi-region with global service events, log file validation, KMS and an explicit name', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'LogBucketKey');

    expectResourceProperties(synth.template, 'AWS::CloudTrail::Trail', {
      TrailName: 'trail-audit',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsOrganizationTrail: false,
      KMSKeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
    });
  });

  test('records read and write management events and no data events', () => {
    const trail = resourceOf(synth.template, 'AWS::CloudTrail::Trail', 'Trail');

    expect(trail.properties.EventSelectors).toEqual([{ IncludeManagementEvents: true, ReadWriteType: 'All' }]);
    expect(trail.properties).not.toHaveProperty('AdvancedEventSelectors');
  });

  test('is created after the bucket policy that lets it write', () => {
    const policy = resourceOf(synth.template, 'AWS::S3::BucketPolicy', 'LogBucketPolicy');

    expectResource(synth.template, 'AWS::CloudTrail::Trail', { DependsOn: Match.arrayWith([policy.logicalId]) });
  });

  test('has no CloudWatch Logs delivery or Insights unless asked for', () => {
    const trail = resourceOf(synth.template, 'AWS::CloudTrail::Trail', 'Trail');

    expect(trail.properties).not.toHaveProperty('CloudWatchLogsLogGroupArn');
    expect(trail.properties).not.toHaveProperty('InsightSelectors');
  });

  test('may encrypt with the key only for this trail, within this account\'s trails\' encryption context', () => {
    expectResourceProperties(synth.template, 'AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Condition: {
              StringEquals: { 'aws:SourceArn': trailArn },
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:', thisAccount, ':trail/*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('event table', () => {
  test('has the keys and TTL attribute of the table definition', () => {
    expectResourceProperties(synth.template, 'AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: EVENT_TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: EVENT_TABLE.sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: EVENT_TABLE.partitionKey.name, AttributeType: 'S' },
        { AttributeName: EVENT_TABLE.sortKey.name, AttributeType: 'S' },
      ],
      TimeToLiveSpecification: { AttributeName: EVENT_TABLE.timeToLiveAttribute, Enabled: true },
    });
  });

  test('has no secondary index (every access pattern is a Query on the base table)', () => {
    const table = resourceOf(synth.template, 'AWS::DynamoDB::Table', 'EventTable');

    expect(table.properties).not.toHaveProperty('GlobalSecondaryIndexes');
    expect(table.properties).not.toHaveProperty('LocalSecondaryIndexes');
  });

  test('is on-demand, with point-in-time recovery and deletion protection', () => {
    expectResourceProperties(synth.template, 'AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  test('is encrypted with a customer-managed key of its own, not the log files\' key', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'EventTableKey');

    expectResourceProperties(synth.template, 'AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] } },
    });
    expect(key.properties.EnableKeyRotation).toBe(true);
    expectResource(synth.template, 'AWS::KMS::Key', {
      Properties: Match.objectLike({ Description: 'trail-audit: encrypts the event table' }),
      DeletionPolicy: 'Retain',
    });
  });

  test('is retained when the stack is deleted', () => {
    expectResource(synth.template, 'AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('processor trigger', () => {
  test('notifies the queue of created objects under AWSLogs/ ending .json.gz', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');

    expect(queueNotifications(synth)).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        FilterRules: [
          { Name: 'prefix', Value: 'AWSLogs/' },
          { Name: 'suffix', Value: '.json.gz' },
        ],
        QueueArn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] },
      },
    ]);
  });

  test('lets only the log bucket, owned by this account, send to the queue', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');
    const policy = Object.values(synth.template.findResources('AWS::SQS::QueuePolicy')).find(
      (resource) => JSON.stringify((resource as { Properties: { Queues: unknown } }).Properties.Queues) ===
        JSON.stringify([{ Ref: queue.logicalId }]),
    ) as { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } } };
    const fromS3 = policy.Properties.PolicyDocument.Statement.filter(
      (statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: 's3.amazonaws.com' }),
    );

    expect(fromS3).toHaveLength(1);
    expect(fromS3[0]).toMatchObject({
      Effect: 'Allow',
      Action: expect.arrayContaining(['sqs:SendMessage']) as unknown,
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^LogBucket[0-9A-F]{8}$/), 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': thisAccount },
      },
    });
  });

  test('moves a message to the dead-letter queue after 5 receives', () => {
    const dlq = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorDeadLetterQueue');
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');

    expect(queue.properties.RedrivePolicy).toEqual({ deadLetterTargetArn: getAtt(dlq.logicalId), maxReceiveCount: 5 });
  });

  test('keeps dead letters 14 days, longer than the source queue keeps messages', () => {
    const dlq = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorDeadLetterQueue');
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');

    expect(dlq.properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue.properties.MessageRetentionPeriod).toBeLessThan(dlq.properties.MessageRetentionPeriod as number);
  });

  test('hides a received message for at least six function timeouts', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');
    const fn = resourceOf(synth.template, 'AWS::Lambda::Function', 'ProcessorFunction');

    expect(queue.properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * (fn.properties.Timeout as number));
  });

  test('encrypts every queue (processor, its dead letters, tampering dead letters) and denies it without TLS', () => {
    const queues = Object.values(synth.template.findResources('AWS::SQS::Queue'));
    const policies = Object.values(synth.template.findResources('AWS::SQS::QueuePolicy'));

    expect(queues).toHaveLength(3);
    for (const queue of queues) expect(queue).toMatchObject({ Properties: { SqsManagedSseEnabled: true } });
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy).toMatchObject({
        Properties: {
          PolicyDocument: {
            Statement: expect.arrayContaining([
              expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]) as unknown,
          },
        },
      });
    }
  });

  test('drives the function with partial batch responses, batches of 10 and at most 5 concurrent invocations', () => {
    expectResourceProperties(synth.template, 'AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('processor function', () => {
  test('runs Node.js 22 on arm64 with 1024 MB and a 5-minute timeout', () => {
    expectResourceProperties(synth.template, 'AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 300,
      Handler: 'index.handler',
    });
  });

  test('has the environment the handler reads', () => {
    const table = resourceOf(synth.template, 'AWS::DynamoDB::Table', 'EventTable');
    const topic = resourceOf(synth.template, 'AWS::SNS::Topic', 'AlertsTopic');
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');

    expectResourceProperties(synth.template, 'AWS::Lambda::Function', {
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          TABLE_NAME: { Ref: table.logicalId },
          DROP_READ_ONLY: 'false',
          ALERT_TOPIC_ARN: { Ref: topic.logicalId },
          ALERT_EVENT_BUS_NAME: 'default',
          QUEUE_URL: { Ref: queue.logicalId },
          POWERTOOLS_SERVICE_NAME: 'trail-audit',
          POWERTOOLS_METRICS_NAMESPACE: 'TrailAudit',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          RULES_FILE: DEPLOYED_RULES_FILE,
        },
      },
    });
  });

  test('sets no RETENTION_DAYS unless a table retention is configured', () => {
    const fn = resourceOf(synth.template, 'AWS::Lambda::Function', 'ProcessorFunction');

    const environment = (fn.properties.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(environment).not.toHaveProperty('RETENTION_DAYS');
  });

  test('logs to its own log group, kept a year', () => {
    const logGroup = resourceOf(synth.template, 'AWS::Logs::LogGroup', 'ProcessorFunctionLogGroup');

    expect(logGroup.properties.RetentionInDays).toBe(365);
    expectResourceProperties(synth.template, 'AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logGroup.logicalId } },
    });
  });

  test('encrypts its log group with the functions’ logs key, which CloudWatch Logs may use for named log groups only', () => {
    const logGroup = resourceOf(synth.template, 'AWS::Logs::LogGroup', 'ProcessorFunctionLogGroup');
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'ProcessorLogGroupKey');
    const name = logGroup.properties.LogGroupName as string;
    const logsStatements = (key.properties.KeyPolicy as { Statement: PolicyStatementJson[] }).Statement.filter((s) =>
      JSON.stringify(s.Principal).includes('logs.'),
    );

    expect(logGroup.properties.KmsKeyId).toEqual(getAtt(key.logicalId));
    expect(name).toMatch(/^\/trail-audit\/TrailAudit-Processor-[0-9A-F]{8}\/FunctionLogGroup$/);
    expect(logsStatements).toContainEqual({
      Effect: 'Allow',
      Principal: {
        Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
      },
      Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': regionalArn('logs', `log-group:${name}`) } },
    });
    // Every log group the key serves is named: none is a wildcard.
    for (const statement of logsStatements) {
      expect(JSON.stringify(statement.Condition)).toMatch(/log-group:\/trail-audit\/[^*"]+"/);
    }
  });

  test('has no managed policy: its role may write only to its own log group', () => {
    const logGroup = resourceOf(synth.template, 'AWS::Logs::LogGroup', 'ProcessorFunctionLogGroup');
    const role = resourceOf(synth.template, 'AWS::IAM::Role', 'ProcessorFunctionRole');
    const logStatements = processorStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));

    expect(role.properties).not.toHaveProperty('ManagedPolicyArns');
    expect(logStatements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(logGroup.logicalId) },
    ]);
  });

  test('bundles the handler, minified, with its source map and the validated rules file', () => {
    const fn = resourceOf(synth.template, 'AWS::Lambda::Function', 'ProcessorFunction');
    const assetPath = fn.metadata?.['aws:asset:path'];
    expect(typeof assetPath).toBe('string');
    const assetDir = path.join(synth.outdir, assetPath as string);

    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map', 'user-rules.json']);
    expect(fs.readFileSync(path.join(assetDir, 'user-rules.json'), 'utf8')).toBe(
      fs.readFileSync(fixturePath('user-rules.json'), 'utf8'),
    );
    const bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    // Minified (comments stripped), and pointing at its source map.
    expect(bundle).not.toMatch(/^\s*\/\/ /m);
    expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
  });
});

describe('processor permissions', () => {
  test('may only get objects under AWSLogs/ (log and digest files), and list the bucket (a deleted key is then a 404): no bucket settings', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');
    const arn = { 'Fn::GetAtt': [bucket.logicalId, 'Arn'] };
    const s3Statements = processorStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));

    expect(s3Statements).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [arn, '/AWSLogs/*']] } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: arn },
    ]);
  });

  test('may list CloudTrail\'s public keys, on "*" (ListPublicKeys has no resource-level permission), and no other CloudTrail call', () => {
    const cloudTrailStatements = processorStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('cloudtrail:')));

    expect(cloudTrailStatements).toEqual([{ Effect: 'Allow', Action: 'cloudtrail:ListPublicKeys', Resource: '*' }]);
  });

  test('may send exactly the DynamoDB calls the handler makes, on the event table only', () => {
    const table = resourceOf(synth.template, 'AWS::DynamoDB::Table', 'EventTable');
    const dynamoStatements = processorStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    expect(dynamoStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: getAtt(table.logicalId),
      },
    ]);
  });

  test('may consume its queue and send to it (deferred messages re-sent), and nothing else on SQS', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');
    const sqsStatements = processorStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));

    // The event source's consume grant and the handler's SendMessage, merged into one statement on the queue.
    expect(sqsStatements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
          'sqs:SendMessage',
        ],
        Resource: getAtt(queue.logicalId),
      },
    ]);
  });

  test('may use the table key to encrypt and decrypt items, and do nothing else with it', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'EventTableKey');
    const keyStatements = processorStatements().filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(getAtt(key.logicalId))),
    );

    expect(keyStatements.flatMap(actionsOf).sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
    ]);
  });

  test('grants no S3, DynamoDB or KMS action on every resource', () => {
    const wildcard = processorStatements().filter(
      (s) => resourcesOf(s).includes('*') && actionsOf(s).some((a) => /^(s3|dynamodb|kms):/.test(a)),
    );

    expect(wildcard).toEqual([]);
  });

  test('may publish to the alerts topic and put events on the default bus only', () => {
    const topic = resourceOf(synth.template, 'AWS::SNS::Topic', 'AlertsTopic');
    const statements = processorStatements();

    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic.logicalId } });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: regionalArn('events', 'event-bus/default'),
    });
  });

  test('may only decrypt with the log files\' key, never encrypt', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'LogBucketKey');
    const kmsStatements = processorStatements().filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [key.logicalId, 'Arn'] })),
    );

    expect(kmsStatements.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
  });
});

describe('alerts', () => {
  test('encrypts the topic with its own rotating key and denies publishing without TLS', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'AlertsKey');

    expectResourceProperties(synth.template, 'AWS::SNS::Topic', { KmsMasterKeyId: getAtt(key.logicalId) });
    expect(key.properties.EnableKeyRotation).toBe(true);
    expectResourceProperties(synth.template, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('lets only this account\'s CloudWatch alarms publish, in the topic policy', () => {
    expectResourceProperties(synth.template, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': regionalArn('cloudwatch', 'alarm:*') },
            },
          }),
        ]),
      },
    });
  });

  test('lets CloudWatch use the topic key with the documented statement, which has no source conditions', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'AlertsKey');
    const statements = (key.properties.KeyPolicy as { Statement: PolicyStatementJson[] }).Statement;

    expect(statements.filter((s) => s.Sid === 'AllowCloudWatchAlarmsToUseKey')).toEqual([
      {
        Sid: 'AllowCloudWatchAlarmsToUseKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
  });

  test('routes the trail-tampering calls to the topic through EventBridge', () => {
    const topic = resourceOf(synth.template, 'AWS::SNS::Topic', 'AlertsTopic');

    expectResourceProperties(synth.template, 'AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudtrail'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudtrail.amazonaws.com'],
          eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'],
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic.logicalId }, RoleArn: Match.anyValue() })],
    });
    expect(CLOUDTRAIL_TAMPERING_EVENT_NAMES).toHaveLength(5);
  });

  test('names the trail in the tampering alert from requestParameters.name or .trailName', () => {
    const rule = resourceOf(synth.template, 'AWS::Events::Rule', 'AlertsTrailTampering');
    const targets = rule.properties.Targets as { InputTransformer: InputTransformerJson }[];
    expect(targets).toHaveLength(1);
    const transformer = (targets[0] as { InputTransformer: InputTransformerJson }).InputTransformer;
    const variableOf = (path: string): string | undefined =>
      Object.entries(transformer.InputPathsMap).find(([, value]) => value === path)?.[0];
    const name = variableOf('$.detail.requestParameters.name');
    const trailName = variableOf('$.detail.requestParameters.trailName');

    expect(name).toBeDefined();
    expect(trailName).toBeDefined();
    expect(transformer.InputTemplate.split('\n')[0]).toContain(`trail <${name ?? ''}><${trailName ?? ''}>`);
  });

  test('publishes the tampering alert with a role that may publish to the topic and use its key', () => {
    const role = resourceOf(synth.template, 'AWS::IAM::Role', 'AlertsTrailTamperingTargetRole');
    const topic = resourceOf(synth.template, 'AWS::SNS::Topic', 'AlertsTopic');
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'AlertsKey');
    const statements = policyStatements(synth.template, 'AlertsTrailTamperingTargetRoleDefaultPolicy');

    expect(role.properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': thisAccount } },
        },
      ],
    });
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic.logicalId } },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: getAtt(key.logicalId) },
    ]);
  });

  test('retries a tampering alert for 24 hours, then puts it in a dead-letter queue', () => {
    const rule = resourceOf(synth.template, 'AWS::Events::Rule', 'AlertsTrailTampering');
    const dlq = resourceOf(synth.template, 'AWS::SQS::Queue', 'AlertsTrailTamperingDeadLetterQueue');

    expect(rule.properties.Targets).toEqual([
      expect.objectContaining({
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 24 * 3600 },
        DeadLetterConfig: { Arn: getAtt(dlq.logicalId) },
      }),
    ]);
    expect(dlq.properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('lets only the tampering rule send to its dead-letter queue', () => {
    const rule = resourceOf(synth.template, 'AWS::Events::Rule', 'AlertsTrailTampering');
    const dlq = resourceOf(synth.template, 'AWS::SQS::Queue', 'AlertsTrailTamperingDeadLetterQueue');

    expectResourceProperties(synth.template, 'AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlq.logicalId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': getAtt(rule.logicalId) } },
          }),
        ]),
      },
    });
  });

  test('has no e-mail subscription unless an address is given', () => {
    expectResourceCount(synth.template, 'AWS::SNS::Subscription', 0);
  });
});

describe('monitoring', () => {
  test('alarms on a failed log file and on an invalid queue message, from the handler\'s own metrics', () => {
    for (const metricName of ['FilesFailed', 'MessagesInvalid']) {
      expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
        Namespace: 'TrailAudit',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'trail-audit' }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  test('alarms on a key under a CloudTrail folder without CloudTrail\'s layout, summed over an hour', () => {
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'TrailAudit',
      MetricName: 'FilesUnrecognised',
      Dimensions: [{ Name: 'service', Value: 'trail-audit' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('alarms on function errors and throttles', () => {
    for (const metricName of ['Errors', 'Throttles']) {
      expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  test('describes the function errors alarm as crashes and timeouts, not failed log files', () => {
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      AlarmDescription: Match.stringLikeRegexp('crash, timeout.*FilesFailed alarm'),
    });
  });

  /** Asserts an alarm fires when the queue with this logical ID prefix holds a visible message. */
  function expectResourceAlarmOnQueueNotEmpty(queuePrefix: string): void {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', queuePrefix);
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.logicalId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  }

  test('alarms when the dead-letter queue holds a message', () => {
    expectResourceAlarmOnQueueNotEmpty('ProcessorDeadLetterQueue');
  });

  test('alarms when no log file was processed for 60 minutes, counting silence as breaching', () => {
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'TrailAudit',
      MetricName: 'FilesProcessed',
      Dimensions: [{ Name: 'service', Value: 'trail-audit' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('alarms when no digest file was verified for 3 hours, counting silence as breaching', () => {
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'TrailAudit',
      MetricName: 'DigestsVerified',
      Dimensions: [{ Name: 'service', Value: 'trail-audit' }],
      Statistic: 'Sum',
      Period: 10800,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('graphs the hours verified and the integrity problems, hour by hour', () => {
    const dashboard = resourceOf(synth.template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');

    expect([
      widgetMetrics(dashboard.properties.DashboardBody, 'Hours verified: digest files and log files verified per hour'),
      widgetMetrics(
        dashboard.properties.DashboardBody,
        'Integrity problems per hour (missing, altered, unlisted, badly signed, never processed)',
      ),
    ]).toEqual([
      ['TrailAudit/DigestsVerified/service=trail-audit', 'TrailAudit/LogFilesVerified/service=trail-audit'],
      ['TrailAudit/IntegrityProblems/service=trail-audit'],
    ]);
  });

  test('alarms when EventBridge could not publish a tampering alert, and when one is in its dead-letter queue', () => {
    const rule = resourceOf(synth.template, 'AWS::Events::Rule', 'AlertsTrailTampering');

    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: rule.logicalId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expectResourceAlarmOnQueueNotEmpty('AlertsTrailTamperingDeadLetterQueue');
  });

  test('notifies the alerts topic when each alarm fires and when it recovers', () => {
    const topic = resourceOf(synth.template, 'AWS::SNS::Topic', 'AlertsTopic');
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'));

    // The processor's ten (no digest verified among them) and the Event-history seeding workflow's.
    expect(alarms).toHaveLength(11);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Properties: { AlarmActions: [{ Ref: topic.logicalId }], OKActions: [{ Ref: topic.logicalId }] },
      });
    }
  });

  test('has a dashboard with the processor metrics, Lambda errors and duration, and the dead-letter depth', () => {
    const dashboard = resourceOf(synth.template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');

    expect(dashboardMetrics(dashboard.properties.DashboardBody)).toEqual(
      expect.arrayContaining([
        ...HANDLER_METRICS.map((name) => `TrailAudit/${name}/service=trail-audit`),
        'TrailAudit/FilesFailed/service=trail-audit',
        'TrailAudit/MessagesInvalid/service=trail-audit',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Duration',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
      ]),
    );
  });

  test('graphs the events stored by service next to their total', () => {
    const dashboard = resourceOf(synth.template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');

    expect(widgetMetrics(dashboard.properties.DashboardBody, 'Events stored by service')).toEqual([
      'TrailAudit/EventsStored.elb/service=trail-audit',
      'TrailAudit/EventsStored.elbv2/service=trail-audit',
      'TrailAudit/EventsStored.elasticbeanstalk/service=trail-audit',
      'TrailAudit/EventsStored.autoscaling/service=trail-audit',
      'TrailAudit/EventsStored/service=trail-audit',
    ]);
    expect(Object.keys(EVENTS_STORED_BY_SERVICE)).toHaveLength(4);
  });
});

/** The metrics the handler emits (Powertools, namespace TrailAudit, dimension service). */
const HANDLER_METRICS = [
  'FilesProcessed',
  'FilesSkipped',
  'RecordsRead',
  'RecordsSkipped',
  'EventsStored',
  'AlertsSent',
  'WriteRetries',
  'UnknownOperations',
  'FilesUnrecognised',
  'MessagesDeferred',
  'MessagesRequeued',
];

/**
 * The metrics of a dashboard body (`Fn::Join` of JSON text and tokens) as `namespace/name[/dim=value]`, the tokens
 * (function name, queue name) left out.
 */
function dashboardMetrics(body: unknown): string[] {
  return dashboardWidgets(body).flatMap(metricNames);
}

/** The metrics of the dashboard widget with this title, in the order it graphs them. */
function widgetMetrics(body: unknown, title: string): string[] {
  return dashboardWidgets(body)
    .filter((widget) => widget.properties.title === title)
    .flatMap(metricNames);
}

/** A dashboard widget as its JSON body holds it. */
interface DashboardWidgetJson {
  readonly properties: { readonly title?: string; readonly metrics?: unknown[][] };
}

/** The widgets of a dashboard body (`Fn::Join` of JSON text and tokens), the tokens replaced by `TOKEN`. */
function dashboardWidgets(body: unknown): DashboardWidgetJson[] {
  const parts = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const json = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (JSON.parse(json) as { widgets: DashboardWidgetJson[] }).widgets;
}

/** A widget's metrics as `namespace/name[/service=value]`. */
function metricNames(widget: DashboardWidgetJson): string[] {
  return (widget.properties.metrics ?? []).map((metric) => {
    const [namespace, name, dimension, value] = metric as [string, string, string?, string?];
    return dimension === 'service' ? `${namespace}/${name}/service=${value}` : `${namespace}/${name}`;
  });
}

describe('keys', () => {
  test('every key rotates and refuses grants not made for an AWS resource or by an AWS service', () => {
    const keys = Object.entries(synth.template.findResources('AWS::KMS::Key'));

    expect(keys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'AlertsKey',
      'EventTableKey',
      'LogBucketKey',
      'ProcessorLogGroupKey',
    ]);
    for (const [, key] of keys) {
      expect(key).toMatchObject({
        Properties: {
          EnableKeyRotation: true,
          KeyPolicy: {
            Statement: expect.arrayContaining([
              {
                Sid: 'DenyGrantsNotForAwsResources',
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 'kms:CreateGrant',
                Resource: '*',
                Condition: {
                  BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
                },
              },
            ]) as unknown,
          },
        },
      });
    }
  });
});

describe('outputs', () => {
  test('name the bucket, keys, table, function, topic and dead-letter queue', () => {
    const outputs = Object.keys(synth.template.findOutputs('*'));

    expect(outputs).toEqual(
      expect.arrayContaining([
        'LogBucketName',
        'TrailArn',
        'LogKeyArn',
        'EventTableName',
        'EventTableKeyArn',
        'ProcessorFunctionName',
        'AlertTopicArn',
        'DeadLetterQueueUrl',
        'DeadLetterQueueArn',
      ]),
    );
  });

  test('link to the table\'s items in the DynamoDB console of the stack\'s partition', () => {
    const table = resourceOf(synth.template, 'AWS::DynamoDB::Table', 'EventTable');
    const conditions = synth.template.toJSON().Conditions as Record<string, unknown>;
    const chinaCondition = Object.keys(conditions).find((id) => id.startsWith('InAwsChinaPartition'));
    const govCloudCondition = Object.keys(conditions).find((id) => id.startsWith('InAwsGovCloudPartition'));

    expect(conditions[chinaCondition ?? 'missing']).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws-cn'] });
    expect(conditions[govCloudCondition ?? 'missing']).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws-us-gov'],
    });
    expectOutput(synth.template, 'EventTableConsoleUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            {
              'Fn::If': [
                chinaCondition,
                'console.amazonaws.cn',
                { 'Fn::If': [govCloudCondition, 'console.amazonaws-us-gov.com', 'console.aws.amazon.com'] },
              ],
            },
            '/dynamodbv2/home?region=',
            { Ref: 'AWS::Region' },
            '#item-explorer?table=',
            { Ref: table.logicalId },
          ],
        ],
      },
    });
  });
});
