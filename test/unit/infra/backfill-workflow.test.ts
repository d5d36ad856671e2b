/**
 * The backfill workflow in the synthesised template: its state machine is valid Amazon States Language (checked
 * offline with `asl-validator`, after CloudFormation's substitutions), lists the log prefix with the S3 item reader,
 * batches the keys into the backfill function at a concurrency derived from the table write budget, tolerates a
 * share of failures and writes every run's results to S3; and each role may do exactly that.
 */
import validateAsl from 'asl-validator';
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_WRITE_BUDGET, maxConcurrencyFor } from '../../../lambda/app/backfill-sizing';
import {
  backfillDefinition,
  DEFINITION_PLACEHOLDERS,
  type DefinitionPlaceholder,
} from '../../../lib/constructs/backfill-definition';
import {
  actionsOf,
  expectOutput,
  expectResourceProperties,
  getAtt,
  policyStatements,
  resourceOf,
  resourcesOf,
  synthesise,
  type PolicyStatementJson,
  type SynthesisedStack,
} from './synth';

/** A definition's text with CloudFormation's substitutions made, as at deploy time. */
function substituted(text: string): Record<string, unknown> {
  const values: Record<DefinitionPlaceholder, string> = {
    Partition: 'aws',
    BackfillFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:backfill',
    LogBucketName: 'trail-logs',
    ResultsBucketName: 'backfill-results',
  };
  for (const name of DEFINITION_PLACEHOLDERS) text = text.split(`\${${name}}`).join(values[name]);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The deployed definition of a synthesised stack. */
function deployedDefinition(synth: SynthesisedStack): Record<string, unknown> {
  const machine = resourceOf(synth.template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
  return substituted(machine.properties.DefinitionString as string);
}

function aslErrors(definition: unknown): string {
  const { isValid, errorsText } = validateAsl(structuredClone(definition) as Record<string, unknown>);
  return isValid ? '' : errorsText('\n');
}

function statementWith(statements: readonly PolicyStatementJson[], action: string): PolicyStatementJson[] {
  return statements.filter((statement) => actionsOf(statement).includes(action));
}

const logBucketArn = getAtt('LogBucket7273C8DB');

describe('the backfill workflow', () => {
  let synth: SynthesisedStack;
  let functionId: string;
  let roleStatements: PolicyStatementJson[];
  let functionStatements: PolicyStatementJson[];

  beforeAll(() => {
    synth = synthesise({});
    functionId = resourceOf(synth.template, 'AWS::Lambda::Function', 'BackfillFunction').logicalId;
    roleStatements = policyStatements(synth.template, 'BackfillRoleDefaultPolicy');
    functionStatements = policyStatements(synth.template, 'BackfillFunctionRoleDefaultPolicy');
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('is valid Amazon States Language once deployed', () => {
    expect(aslErrors(deployedDefinition(synth))).toBe('');
  });

  test('substitutes the function, the log bucket, the results bucket and the partition, and nothing else', () => {
    const machine = resourceOf(synth.template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
    const results = resourceOf(synth.template, 'AWS::S3::Bucket', 'BackfillResults');

    expect(machine.properties.DefinitionSubstitutions).toEqual({
      Partition: { Ref: 'AWS::Partition' },
      BackfillFunctionArn: getAtt(functionId),
      LogBucketName: { Ref: 'LogBucket7273C8DB' },
      ResultsBucketName: { Ref: results.logicalId },
    });
    expect(Object.keys(machine.properties.DefinitionSubstitutions as object).sort()).toEqual([...DEFINITION_PLACEHOLDERS].sort());
  });

  test('lists each unit\'s prefix of the log bucket, batches 100 keys into the function, with the plan\'s concurrency, a failure threshold and results written to S3', () => {
    expectResourceProperties(synth.template, 'AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionString: Match.serializedJson(
        Match.objectLike({
          StartAt: 'Plan',
          States: Match.objectLike({
            Units: Match.objectLike({
              Type: 'Map',
              ItemsPath: '$.units',
              MaxConcurrency: 1,
              ItemProcessor: Match.objectLike({
                ProcessorConfig: { Mode: 'INLINE' },
                States: {
                  Objects: Match.objectLike({
                    ItemReader: {
                      Resource: 'arn:${Partition}:states:::s3:listObjectsV2',
                      Parameters: { Bucket: '${LogBucketName}', 'Prefix.$': '$.prefix' },
                    },
                    ItemBatcher: { MaxItemsPerBatch: 100, BatchInput: { 'scope.$': '$.scope' } },
                    MaxConcurrencyPath: '$.maxConcurrency',
                    ToleratedFailurePercentage: 10,
                    ResultWriter: {
                      Resource: 'arn:${Partition}:states:::s3:putObject',
                      Parameters: { Bucket: '${ResultsBucketName}', 'Prefix.$': '$.resultsPrefix' },
                    },
                    ItemProcessor: Match.objectLike({
                      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
                      States: {
                        ListedBatch: Match.objectLike({
                          Resource: 'arn:${Partition}:states:::lambda:invoke',
                          Parameters: { FunctionName: '${BackfillFunctionArn}', 'Payload.$': '$' },
                        }),
                      },
                    }),
                  }),
                },
              }),
            }),
          }),
        }),
      ),
    });
  });

  test('logs every state transition without payloads', () => {
    const logGroup = resourceOf(synth.template, 'AWS::Logs::LogGroup', 'BackfillStateMachineLogs');

    expectResourceProperties(synth.template, 'AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(logGroup.logicalId) } }],
      },
    });
  });

  test('derives the default concurrency from the table write budget', () => {
    expectResourceProperties(synth.template, 'AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DEFAULT_MAX_CONCURRENCY: String(maxConcurrencyFor(DEFAULT_WRITE_BUDGET)),
          LOG_PREFIX: 'AWSLogs/',
          LOG_BUCKET: { Ref: 'LogBucket7273C8DB' },
          POWERTOOLS_SERVICE_NAME: 'trail-audit-backfill',
        }),
      },
    });
  });

  test('lets the state machine invoke the backfill function only', () => {
    expect(roleStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('lambda:')))).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: getAtt(functionId) },
    ]);
  });

  test('lets the state machine list only under the log prefix, and read no log object (the function reads them)', () => {
    expect({
      list: statementWith(roleStatements, 's3:ListBucket'),
      get: roleStatements.filter((statement) => resourcesOf(statement).some((resource) => JSON.stringify(resource).includes('LogBucket7273C8DB')) && actionsOf(statement).includes('s3:GetObject')),
    }).toEqual({
      list: [
        { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['AWSLogs/*'] } }, Effect: 'Allow', Resource: logBucketArn },
      ],
      get: [],
    });
  });

  test('lets the result writer write only under runs/ of the results bucket', () => {
    const results = resourceOf(synth.template, 'AWS::S3::Bucket', 'BackfillResults');

    expect(statementWith(roleStatements, 's3:PutObject')).toEqual([
      {
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [getAtt(results.logicalId), '/runs/*']] },
      },
    ]);
  });

  test('lets the Distributed Maps start, follow and stop only this state machine\'s child executions', () => {
    const machine = resourceOf(synth.template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
    const statements = policyStatements(synth.template, 'BackfillChildExecutionsPolicy');

    expect(statements).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine.logicalId } },
      {
        Action: ['states:DescribeExecution', 'states:RedriveExecution', 'states:StopExecution'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':execution:',
              { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: machine.logicalId }] }] },
              '/*',
            ],
          ],
        },
      },
    ]);
  });

  test('lets the function read only the log objects, list the bucket (404 for a deleted key), read public keys, and send only its table actions', () => {
    expect({
      get: statementWith(functionStatements, 's3:GetObject'),
      list: statementWith(functionStatements, 's3:ListBucket'),
      publicKeys: statementWith(functionStatements, 'cloudtrail:ListPublicKeys'),
      table: functionStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:'))),
    }).toEqual({
      get: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [logBucketArn, '/AWSLogs/*']] } }],
      list: [{ Action: 's3:ListBucket', Effect: 'Allow', Resource: logBucketArn }],
      publicKeys: [{ Action: 'cloudtrail:ListPublicKeys', Effect: 'Allow', Resource: '*' }],
      table: [
        {
          Action: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          Effect: 'Allow',
          Resource: getAtt(resourceOf(synth.template, 'AWS::DynamoDB::Table', 'EventTable').logicalId),
        },
      ],
    });
  });

  test('lets the function list this state machine\'s executions only (the plan\'s overlap check)', () => {
    const machine = resourceOf(synth.template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');
    const statements = policyStatements(synth.template, 'BackfillOverlapCheckPolicy');

    expect(statements.map((statement) => [statement.Action, statement.Resource])).toEqual([
      ['states:ListExecutions', { Ref: machine.logicalId }],
      ['states:DescribeExecution', expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([':execution:', ':*'])] })],
    ]);
  });

  test('keeps the results private, encrypted, TLS-only, for 90 days', () => {
    const results = resourceOf(synth.template, 'AWS::S3::Bucket', 'BackfillResults');

    expect(results.properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })] },
      LoggingConfiguration: { LogFilePrefix: 'backfill-results/' },
    });
    expectResourceProperties(synth.template, 'AWS::S3::BucketPolicy', {
      Bucket: { Ref: results.logicalId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('outputs the state machine, the results bucket and the log prefix for the CLI', () => {
    const machine = resourceOf(synth.template, 'AWS::StepFunctions::StateMachine', 'BackfillStateMachine');

    expectOutput(synth.template, 'BackfillStateMachineArn', { Value: { Ref: machine.logicalId } });
    expectOutput(synth.template, 'LogPrefix', { Value: 'AWSLogs/' });
    expectOutput(synth.template, 'BackfillResultsBucketName', {
      Value: { Ref: resourceOf(synth.template, 'AWS::S3::Bucket', 'BackfillResults').logicalId },
    });
  });
});

describe('the backfill workflow of an existing trail with a prefix, a larger write budget and an S3 Inventory', () => {
  let synth: SynthesisedStack;

  beforeAll(() => {
    synth = synthesise({
      existingTrail: { bucketName: 'org-trail-logs', keyPrefix: 'central' },
      backfillWriteBudget: 6_000,
      backfillToleratedFailurePercentage: 2,
      backfillInventory: { bucketName: 'inventory-reports', prefix: 'org-trail-logs/all/' },
    });
  });

  afterAll(() => {
    synth.cleanup();
  });

  test('is valid Amazon States Language once deployed, with the inventory branch', () => {
    const definition = deployedDefinition(synth);

    expect({ errors: aslErrors(definition), states: Object.keys(definition.States as object).sort() }).toEqual({
      errors: '',
      states: ['Done', 'Inventory', 'Plan', 'Source', 'Units'],
    });
  });

  test('reads the keys of an inventory manifest the plan names', () => {
    expectResourceProperties(synth.template, 'AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.serializedJson(
        Match.objectLike({
          States: Match.objectLike({
            Inventory: Match.objectLike({
              ItemReader: {
                Resource: 'arn:${Partition}:states:::s3:getObject',
                ReaderConfig: { InputType: 'MANIFEST' },
                Parameters: { 'Bucket.$': '$.manifest.bucket', 'Key.$': '$.manifest.key' },
              },
              ToleratedFailurePercentage: 2,
            }),
          }),
        }),
      ),
    });
  });

  test('lists only under the trail\'s prefix and reads only the inventory\'s prefix', () => {
    const statements = policyStatements(synth.template, 'BackfillRoleDefaultPolicy');

    expect({
      list: statementWith(statements, 's3:ListBucket').map((statement) => statement.Condition),
      get: statementWith(statements, 's3:GetObject').flatMap(resourcesOf),
    }).toEqual({
      list: [{ StringLike: { 's3:prefix': ['central/AWSLogs/*'] } }],
      get: expect.arrayContaining([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::inventory-reports/org-trail-logs/all/*']] },
        { 'Fn::Join': ['', [getAtt(resourceOf(synth.template, 'AWS::S3::Bucket', 'BackfillResults').logicalId), '/runs/*']] },
      ]) as unknown,
    });
    expect(statementWith(statements, 's3:GetObject').flatMap(resourcesOf)).toHaveLength(2);
  });

  test('runs twice the workers for twice the write budget, and tells the function where inventories come from', () => {
    expectResourceProperties(synth.template, 'AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DEFAULT_MAX_CONCURRENCY: String(maxConcurrencyFor(6_000)),
          LOG_PREFIX: 'central/AWSLogs/',
          INVENTORY_BUCKET: 'inventory-reports',
        }),
      },
    });
    expect(maxConcurrencyFor(6_000)).toBe(2 * maxConcurrencyFor(3_000));
  });
});

describe('the backfill definition', () => {
  test('fails validation when broken (the validator is live): a Distributed Map without a processor', () => {
    const definition = substituted(
      JSON.stringify(backfillDefinition({ itemsPerBatch: 100, toleratedFailurePercentage: 10, inventory: true })),
    );
    const states = definition.States as Record<string, Record<string, unknown>>;
    delete states.Inventory?.ItemProcessor;

    expect(aslErrors(definition)).toMatch(/ItemProcessor|Iterator/);
  });
});
