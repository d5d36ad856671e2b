import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
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

// Each variant is synthesised once, without putting the function's asset together (the default-stack test does).

const EXISTING_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('attached to an existing trail\'s bucket', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    // The S3 notification, chosen explicitly (an existing bucket's default is EventBridge: see triggers.test.ts).
    synth = synthesise({
      existingTrail: { bucketName: 'org-trail-logs', kmsKeyArn: EXISTING_KEY_ARN, keyPrefix: 'central/' },
      trigger: 's3-notification',
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

  test('may only get objects under the trail\'s prefix, and only decrypt with the trail\'s key', () => {
    const statements = policyStatements(synth.template, 'ProcessorFunctionRoleDefaultPolicy');
    const s3Statements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const decrypt = statements.filter((s) => resourcesOf(s).includes(EXISTING_KEY_ARN));

    expect(s3Statements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs/central/AWSLogs/*']] },
      },
      // So that a deleted log file a digest lists answers 404, not 403 (docs/integrity.md).
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs']] },
      },
    ]);
    expect(decrypt.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
  });

  test('lets only the existing bucket, in this account, send to the queue', () => {
    expectResourceProperties(synth.template, 'AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 's3.amazonaws.com' },
            Condition: {
              ArnLike: {
                'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs']] },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
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
    // The processor's ten (no digest verified among them) and the Event-history seeding workflow's.
    expectResourceCount(synth.template, 'AWS::CloudWatch::Alarm', 11);
  });

  test("warns that it cannot tell whether the trail has log file validation on, and how to check and say so", () => {
    const warnings = Annotations.fromStack(synth.stack).findWarning('*', Match.stringLikeRegexp('cannot tell whether the existing trail'));

    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.entry.data)).toMatch(/--enable-log-file-validation.*existingLogFileValidation=true/);
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

  test.each([
    ['an alias ARN', 'arn:aws:kms:eu-west-1:111122223333:alias/trail'],
    ['a key ID', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a truncated key ARN', 'arn:aws:kms:eu-west-1:111122223333:key/k'],
  ])('rejects %s as the trail\'s key, naming the prop', (_label, kmsKeyArn) => {
    const existingTrail = { bucketName: 'logs', kmsKeyArn };

    expect(() => new TrailAuditStack(synth.app, `BadKey${kmsKeyArn.length}`, { existingTrail })).toThrow(
      /existingTrail\.kmsKeyArn ".*" is not a KMS key ARN/,
    );
  });

  test('accepts a multi-Region key ARN', () => {
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

    const existingTrail = { bucketName: 'logs', kmsKeyArn };

    expect(() => new TrailAuditStack(synth.app, 'MrkKey', { existingTrail })).not.toThrow();
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

  test('creates no AWS::CloudTrail::Trail, which CloudFormation would start and read by name and fail', () => {
    expectResourceCount(synth.template, 'AWS::CloudTrail::Trail', 0);
  });

  test('outputs the CLI calls that create the trail and start it by its ARN in the management account', () => {
    const output = (synth.template.toJSON().Outputs as Record<string, { Value: unknown }>)[
      'OrganizationTrailSetupCommands'
    ];
    const text = JSON.stringify(output?.Value);

    expect(text).toContain('aws cloudtrail create-trail --name org-audit --s3-bucket-name ');
    expect(text).toContain('--is-organization-trail --is-multi-region-trail');
    expect(text).toContain('--include-global-service-events --enable-log-file-validation');
    expect(text).toContain(`:${MANAGEMENT_ACCOUNT}:trail/org-audit --region `);
    expect(text).toMatch(/&& aws cloudtrail start-logging --name arn:.*:111122223333:trail\/org-audit --region /);
    expect(text).not.toContain('start-logging --name org-audit');
  });

  test('warns at synth that the trail is to be created with those commands', () => {
    const warnings = Annotations.fromStack(synth.stack).findWarning('*', Match.stringLikeRegexp('No trail is created'));

    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.entry.data)).toContain('OrganizationTrailSetupCommands');
  });

  test('refuses CloudWatch Logs delivery, which it would have to set on a trail it does not create', () => {
    expect(
      () =>
        new TrailAuditStack(synth.app, 'DelegatedWithLogs', {
          isOrganizationTrail: true,
          organizationId: 'o-a1b2c3d4e5',
          managementAccountId: MANAGEMENT_ACCOUNT,
          cloudWatchLogs: true,
        }),
    ).toThrow(/cloudWatchLogs cannot be set up for an organization trail managed from a delegated administrator/);
  });

  test('adds Insights to the commands when asked for, by ARN', () => {
    const withInsights = synthesise({
      isOrganizationTrail: true,
      organizationId: 'o-a1b2c3d4e5',
      managementAccountId: MANAGEMENT_ACCOUNT,
      insights: true,
      managementEvents: 'writeOnly',
    });
    const outputs = withInsights.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const text = JSON.stringify(outputs['OrganizationTrailSetupCommands']?.Value);
    withInsights.cleanup();

    expect(text).toMatch(/put-insight-selectors --trail-name arn:.*:111122223333:trail\/trail-audit --insight-/);
    expect(text).toContain('{\\"ReadWriteType\\":\\"WriteOnly\\",\\"IncludeManagementEvents\\":true}');
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
      noDigestAlarmHours: 6,
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

  test('encrypts the trail\'s log group, which holds whole records, with the log files\' key', () => {
    const logGroup = resourceOf(synth.template, 'AWS::Logs::LogGroup', 'TrailLogGroup');
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'LogBucketKey');
    const name = logGroup.properties.LogGroupName as string;

    expect(logGroup.properties).toMatchObject({ KmsKeyId: getAtt(key.logicalId), RetentionInDays: 365 });
    expect(name).toMatch(/^\/trail-audit\/TrailAudit-Trail-[0-9A-F]{8}\/LogGroup$/);
    expect((key.properties.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': regionalArn('logs', `log-group:${name}`) } },
      }),
    );
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

  test('sets the no-digest alarm period', () => {
    expectResourceProperties(synth.template, 'AWS::CloudWatch::Alarm', { MetricName: 'DigestsVerified', Period: 21600 });
  });
});

describe("an existing trail's log file validation, as the deployer states it", () => {
  const validationWarnings = (synth: SynthesisedStack): unknown[] =>
    Annotations.fromStack(synth.stack).findWarning('*', Match.stringLikeRegexp('log file validation'));
  let on: SynthesisedStack;
  let off: SynthesisedStack;

  beforeAll(() => {
    on = synthesise({ existingTrail: { bucketName: 'org-trail-logs', logFileValidation: true } });
    off = synthesise({ existingTrail: { bucketName: 'org-trail-logs', logFileValidation: false } });
  });

  afterAll(() => {
    on.cleanup();
    off.cleanup();
  });

  test('on: no warning, and the no-digest alarm', () => {
    expect(validationWarnings(on)).toEqual([]);
    expectResourceProperties(on.template, 'AWS::CloudWatch::Alarm', { MetricName: 'DigestsVerified' });
  });

  test('off: a warning saying completeness is not proved, and no no-digest alarm (no digest would ever come)', () => {
    const digestAlarms = Object.values(off.template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => (alarm as { Properties: { MetricName?: string } }).Properties.MetricName === 'DigestsVerified',
    );

    expect({ warnings: validationWarnings(off).length, digestAlarms }).toEqual({ warnings: 1, digestAlarms: [] });
  });
});

describe('refused at synth: what cannot deploy', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({});
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('Insights on a trail recording read-only events (API call rate Insights needs write events)', () => {
    expect(
      () => new TrailAuditStack(synth.app, 'ReadOnlyInsights', { managementEvents: 'readOnly', insights: true }),
    ).toThrow(/insights needs write management events .* managementEvents is 'readOnly'/);
  });

  test.each([64, 127, 10_241, 1536.5])('processor memory of %d MB', (processorMemorySize) => {
    const id = `Memory${String(processorMemorySize).replace('.', 'x')}`;

    expect(() => new TrailAuditStack(synth.app, id, { processorMemorySize })).toThrow(
      `memorySize must be a whole number of MB from 128 to 10240 (Lambda's limits), got ${processorMemorySize}`,
    );
  });

  test.each([128, 10_240])('not processor memory of %d MB, Lambda\'s limits', (processorMemorySize) => {
    const id = `MemoryOk${processorMemorySize}`;

    expect(() => new TrailAuditStack(synth.app, id, { processorMemorySize })).not.toThrow();
  });
});

describe('multi-account delivery without AWS Organizations (sourceAccountIds)', () => {
  const SOURCES = ['222233334444', '555566667777'];
  const trailArnIn = (account: string, name = 'trail-audit'): unknown => ({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:', { Ref: 'AWS::Region' }, `:${account}:trail/${name}`],
    ],
  });
  let synth: SynthesisedStack;
  let bucketPolicy: PolicyStatementJson[];
  let keyPolicy: PolicyStatementJson[];

  beforeAll(() => {
    synth = synthesise({ sourceAccountIds: SOURCES });
    const policy = resourceOf(synth.template, 'AWS::S3::BucketPolicy', 'LogBucketPolicy');
    bucketPolicy = (policy.properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement;
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'LogBucketKey');
    keyPolicy = (key.properties.KeyPolicy as { Statement: PolicyStatementJson[] }).Statement;
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('lets each account\'s trail write only under AWSLogs/<its account>/, as that trail', () => {
    const bucket = resourceOf(synth.template, 'AWS::S3::Bucket', 'LogBucket7');
    const arn = getAtt(bucket.logicalId);

    for (const account of SOURCES) {
      expect(bucketPolicy).toContainEqual({
        Sid: `AWSCloudTrailWrite${account}`,
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [arn, `/AWSLogs/${account}/*`]] },
        Condition: {
          StringEquals: {
            's3:x-amz-acl': 'bucket-owner-full-control',
            'aws:SourceArn': trailArnIn(account),
            'aws:SourceAccount': account,
          },
        },
      });
    }
  });

  test('lets those trails check the bucket ACL, and only them', () => {
    expect(bucketPolicy).toContainEqual(
      expect.objectContaining({
        Sid: 'AWSCloudTrailAclCheckSourceAccounts',
        Action: 's3:GetBucketAcl',
        Condition: {
          StringEquals: { 'aws:SourceArn': SOURCES.map((a) => trailArnIn(a)), 'aws:SourceAccount': SOURCES },
        },
      }),
    );
  });

  test('lets those trails encrypt with the log key, within their own accounts\' encryption context', () => {
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowSourceAccountTrailsToEncryptLogs',
        Action: 'kms:GenerateDataKey*',
        Condition: {
          StringEquals: { 'aws:SourceArn': SOURCES.map((a) => trailArnIn(a)) },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': SOURCES.map((account) => ({
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:*:${account}:trail/*`]],
            })),
          },
        },
      }),
    );
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowSourceAccountTrailsToDescribeKey',
        Action: 'kms:DescribeKey',
        Condition: { StringEquals: { 'aws:SourceArn': SOURCES.map((a) => trailArnIn(a)) } },
      }),
    );
  });

  test('keeps the home trail\'s grants as they were', () => {
    expect(bucketPolicy.filter((statement) => statement.Sid === 'AWSCloudTrailWrite')).toHaveLength(1);
    expect(bucketPolicy.find((statement) => statement.Sid === 'AWSCloudTrailWrite')?.Condition).toEqual({
      StringEquals: {
        's3:x-amz-acl': 'bucket-owner-full-control',
        'aws:SourceArn': regionalArn('cloudtrail', 'trail/trail-audit'),
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
      },
    });
  });

  test('processes their files like the home account\'s: one notification for all of AWSLogs/', () => {
    expect(queueNotifications(synth)).toHaveLength(1);
    expect(queueNotifications(synth)[0]?.FilterRules).toContainEqual({ Name: 'prefix', Value: 'AWSLogs/' });
  });

  test('outputs the log key ARN the other accounts\' trails encrypt with', () => {
    const key = resourceOf(synth.template, 'AWS::KMS::Key', 'LogBucketKey');

    expect(synth.template.toJSON().Outputs).toMatchObject({ LogKeyArn: { Value: getAtt(key.logicalId) } });
  });

  test('names the other trails by sourceTrailName when given', () => {
    const named = synthesise({ sourceAccountIds: ['222233334444'], sourceTrailName: 'org-feed' });
    const policy = resourceOf(named.template, 'AWS::S3::BucketPolicy', 'LogBucketPolicy');
    const statements = (policy.properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement;
    named.cleanup();

    expect(statements.find((s) => s.Sid === 'AWSCloudTrailWrite222233334444')?.Condition?.StringEquals).toMatchObject({
      'aws:SourceArn': trailArnIn('222233334444', 'org-feed'),
    });
  });

  test.each([
    [
      'an account ID that is not 12 digits',
      { sourceAccountIds: ['2222-3333-4444'] },
      /must be 12-digit account IDs, got 2222-3333-4444/,
    ],
    [
      'an account listed twice',
      { sourceAccountIds: ['222233334444', '222233334444'] },
      /lists 222233334444 more than once/,
    ],
    ['a trail name alone', { sourceTrailName: 'feed' }, /sourceTrailName is set but sourceAccountIds is empty/],
    ['a bad trail name', { sourceAccountIds: ['222233334444'], sourceTrailName: '-x' }, /invalid sourceTrailName "-x"/],
    [
      'more accounts than the bucket policy holds',
      { sourceAccountIds: Array.from({ length: 31 }, (_, i) => String(100000000000 + i)) },
      /31 sourceAccountIds would overflow the 20 KB bucket policy \(at most 30\)/,
    ],
    [
      'the home account itself',
      { sourceAccountIds: ['111122223333'], env: { account: '111122223333' } },
      /lists 111122223333, the account of trail trail-audit itself/,
    ],
    [
      'with an existing trail\'s bucket',
      { existingTrail: { bucketName: 'b' }, sourceAccountIds: ['222233334444'] },
      /sourceAccountIds apply to a new trail/,
    ],
  ])('rejects %s', (_label, props, message) => {
    expect(() => new TrailAuditStack(synth.app, `Bad${String(message).length}`, props)).toThrow(message);
  });
});
