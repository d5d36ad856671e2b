import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { TrailAuditStack } from '../../../lib/trail-audit-stack';
import {
  actionsOf,
  expectResourceCount,
  expectResourceProperties,
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

// Each variant is synthesised once, without bundling (the default-stack test bundles the real handler).

const EXISTING_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('attached to an existing trail\'s bucket', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({
      existingTrail: { bucketName: 'org-trail-logs', kmsKeyArn: EXISTING_KEY_ARN, keyPrefix: 'central/' },
    });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('creates no trail and no log bucket: the only bucket is the backfill workflow\'s results bucket', () => {
    const buckets = Object.keys(synth.template.findResources('AWS::S3::Bucket'));
    const policies = Object.keys(synth.template.findResources('AWS::S3::BucketPolicy'));

    expectResourceCount(synth.template, 'AWS::CloudTrail::Trail', 0);
    expect({ buckets, policies }).toEqual({
      buckets: [expect.stringMatching(/^BackfillResults[0-9A-F]{8}$/)],
      policies: [expect.stringMatching(/^BackfillResultsPolicy[0-9A-F]{8}$/)],
    });
  });

  test('notifies on the existing bucket, under the trail\'s prefix, keeping its other notifications', () => {
    const queue = resourceOf(synth.template, 'AWS::SQS::Queue', 'ProcessorQueue');

    expectResourceProperties(synth.template, 'Custom::S3BucketNotifications', {
      BucketName: 'org-trail-logs',
      Managed: false,
    });
    expect(queueNotifications(synth)).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        FilterRules: [
          { Name: 'prefix', Value: 'central/AWSLogs/' },
          { Name: 'suffix', Value: '.json.gz' },
        ],
        QueueArn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] },
      },
    ]);
  });

  test('reads only the trail\'s prefix and decrypts with the trail\'s key', () => {
    const statements = policyStatements(synth.template, 'ProcessorFunctionRoleDefaultPolicy');
    const s3Statement = statements.find((s) => actionsOf(s).some((a) => a.startsWith('s3:'))) as PolicyStatementJson;
    const decrypt = statements.filter((s) => resourcesOf(s).includes(EXISTING_KEY_ARN));

    expect(resourcesOf(s3Statement)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs/central/AWSLogs/*']] },
    ]);
    expect(decrypt.flatMap(actionsOf)).toContain('kms:Decrypt');
  });

  test('encrypts the table with a key of its own, not the existing trail\'s', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'EventTableKey');

    expectResourceProperties(synth.template, 'AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] } },
    });
    expect(key.properties.EnableKeyRotation).toBe(true);
  });

  test('still has the processor, alerts and alarms', () => {
    expectResourceCount(synth.template, 'AWS::Lambda::EventSourceMapping', 1);
    expectResourceCount(synth.template, 'AWS::Events::Rule', 1);
    expectResourceCount(synth.template, 'AWS::CloudWatch::Alarm', 7);
  });

  test('rejects options that only apply to a new trail', () => {
    expect(
      () =>
        new TrailAuditStack(synth.app, 'Conflicting', {
          existingTrail: { bucketName: 'org-trail-logs' },
          trailName: 'another',
        }),
    ).toThrow(/trailName apply to a new trail/);
  });
});

describe('organization trail', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({ isOrganizationTrail: true, organizationId: 'o-a1b2c3d4e5', trailName: 'org-audit' });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('is an organization trail with the explicit name', () => {
    expectResourceProperties(synth.template, 'AWS::CloudTrail::Trail', {
      IsOrganizationTrail: true,
      TrailName: 'org-audit',
    });
  });

  test('lets the trail write under AWSLogs/o-.../ and under the management account, only for this trail', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');
    const arn = { 'Fn::GetAtt': [bucket.logicalId, 'Arn'] };

    expectResourceProperties(synth.template, 'AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AWSCloudTrailWrite',
            Resource: [
              { 'Fn::Join': ['', [arn, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
              { 'Fn::Join': ['', [arn, '/AWSLogs/o-a1b2c3d4e5/*']] },
            ],
            Condition: {
              StringEquals: {
                's3:x-amz-acl': 'bucket-owner-full-control',
                'aws:SourceArn': regionalArn('cloudtrail', 'trail/org-audit'),
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              },
            },
          }),
        ]),
      },
    });
  });

  test('processes member accounts\' files too (their keys start with AWSLogs/o-.../)', () => {
    expect(queueNotifications(synth)[0]?.FilterRules).toContainEqual({ Name: 'prefix', Value: 'AWSLogs/' });
  });

  test('needs a valid organization ID', () => {
    expect(() => new TrailAuditStack(synth.app, 'NoOrgId', { isOrganizationTrail: true })).toThrow(/organizationId/);
    expect(
      () => new TrailAuditStack(synth.app, 'BadOrgId', { isOrganizationTrail: true, organizationId: '123456789012' }),
    ).toThrow(/organizationId/);
  });
});

describe('organization trail deployed from a delegated administrator account', () => {
  const MANAGEMENT_ACCOUNT = '111122223333';
  const managementTrailArn = {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:', { Ref: 'AWS::Region' }, `:${MANAGEMENT_ACCOUNT}:trail/org-audit`],
    ],
  };
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({
      isOrganizationTrail: true,
      organizationId: 'o-a1b2c3d4e5',
      trailName: 'org-audit',
      managementAccountId: MANAGEMENT_ACCOUNT,
    });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('conditions the bucket policy on the management account\'s trail and account, which own the trail', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');
    const arn = { 'Fn::GetAtt': [bucket.logicalId, 'Arn'] };
    const sourceConditions = { 'aws:SourceArn': managementTrailArn, 'aws:SourceAccount': MANAGEMENT_ACCOUNT };

    expectResourceProperties(synth.template, 'AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AWSCloudTrailAclCheck', Condition: { StringEquals: sourceConditions } }),
          Match.objectLike({
            Sid: 'AWSCloudTrailWrite',
            Resource: [
              { 'Fn::Join': ['', [arn, `/AWSLogs/${MANAGEMENT_ACCOUNT}/*`]] },
              { 'Fn::Join': ['', [arn, '/AWSLogs/o-a1b2c3d4e5/*']] },
            ],
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...sourceConditions } },
          }),
        ]),
      },
    });
  });

  test('conditions the key policy on the management account\'s trail and encryption context', () => {
    expectResourceProperties(synth.template, 'AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudTrailToEncryptLogs',
            Condition: {
              StringEquals: { 'aws:SourceArn': managementTrailArn },
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:*:${MANAGEMENT_ACCOUNT}:trail/*`]],
                },
              },
            },
          }),
          Match.objectLike({
            Sid: 'AllowCloudTrailToDescribeKey',
            Condition: { StringEquals: { 'aws:SourceArn': managementTrailArn } },
          }),
        ]),
      },
    });
  });

  test('outputs the trail ARN in the management account', () => {
    expect(synth.template.toJSON().Outputs).toMatchObject({ TrailArn: { Value: managementTrailArn } });
  });

  test('rejects a management account on an account trail, or one that is not an account ID', () => {
    expect(() => new TrailAuditStack(synth.app, 'AccountTrail', { managementAccountId: MANAGEMENT_ACCOUNT })).toThrow(
      /managementAccountId is set but isOrganizationTrail is not/,
    );
    expect(
      () =>
        new TrailAuditStack(synth.app, 'BadAccount', {
          isOrganizationTrail: true,
          organizationId: 'o-a1b2c3d4e5',
          managementAccountId: '1111-2222-3333',
        }),
    ).toThrow(/managementAccountId must be a 12-digit account ID/);
  });
});

describe('options', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({
      alertEmail: 'security@example.com',
      objectLock: true,
      logRetentionDays: 365,
      cloudWatchLogs: true,
      insights: true,
      managementEvents: 'writeOnly',
      tableRetentionDays: 400,
      dropReadOnly: true,
      noLogFileAlarmMinutes: 120,
      processorMemorySize: 2048,
      processorTimeout: Duration.minutes(10),
      processorMaxConcurrency: 2,
      logLevel: 'DEBUG',
    });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('subscribes the alert e-mail address to the topic', () => {
    const topic = resourceOf(synth.template, 'AWS::SNS::Topic', 'AlertsTopic');

    expectResourceCount(synth.template, 'AWS::SNS::Subscription', 1);
    expectResourceProperties(synth.template, 'AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'security@example.com',
      TopicArn: { Ref: topic.logicalId },
    });
  });

  test('locks log files in compliance mode for the whole retention, which also sets the expiry', () => {
    expectResourceProperties(synth.template, 'AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] },
    });
  });

  test('delivers the trail to a CloudWatch Logs group through a role CloudTrail assumes', () => {
    const logGroup = resourceOf(synth.template, 'AWS::Logs::LogGroup', 'TrailLogGroup');
    const role = resourceOf(synth.template, 'AWS::IAM::Role', 'TrailCloudWatchLogsRole');

    expectResourceProperties(synth.template, 'AWS::CloudTrail::Trail', {
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logGroup.logicalId, 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [role.logicalId, 'Arn'] },
    });
    expect(policyStatements(synth.template, 'TrailCloudWatchLogsRoleDefaultPolicy')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(logGroup.logicalId) },
    ]);
  });

  test('turns on Insights and records write events only', () => {
    expectResourceProperties(synth.template, 'AWS::CloudTrail::Trail', {
      InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }],
    });
  });

  test('passes the table retention, read-only choice and log level to the handler', () => {
    expectResourceProperties(synth.template, 'AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ RETENTION_DAYS: '400', DROP_READ_ONLY: 'true', POWERTOOLS_LOG_LEVEL: 'DEBUG' }),
      },
    });
  });

  test('sizes the function and keeps the queue\'s visibility at six timeouts', () => {
    expectResourceProperties(synth.template, 'AWS::Lambda::Function', { MemorySize: 2048, Timeout: 600 });
    expectResourceProperties(synth.template, 'AWS::SQS::Queue', { VisibilityTimeout: 3600 });
    expectResourceProperties(synth.template, 'AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  test('sets the no-log-file alarm period', () => {
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', { MetricName: 'FilesProcessed', Period: 7200 });
  });
});
