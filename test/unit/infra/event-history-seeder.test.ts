/**
 * The one-time seeding from Event history in the template: on by default, a seeder function with exactly the
 * permissions it uses (`cloudtrail:LookupEvents`, which has no resource-level permissions, the account's own
 * `account:ListRegions`, the table through `grant`), a workflow started once on create, and the switches.
 */
import { Match } from 'aws-cdk-lib/assertions';
import {
  actionsOf,
  expectResourceCount,
  expectResourceProperties,
  policyStatements,
  resourceOf,
  resourcesOf,
  synthesise,
  type PolicyStatementJson,
  type SynthesisedStack,
} from './synth';

let byDefault: SynthesisedStack;

beforeAll(() => {
  byDefault = synthesise({});
});

afterAll(() => byDefault.cleanup());

function seederStatements(synth: SynthesisedStack): PolicyStatementJson[] {
  return policyStatements(synth.template, 'EventHistorySeederFunctionRoleDefaultPolicy');
}

function seederEnvironment(synth: SynthesisedStack): Record<string, unknown> {
  const fn = resourceOf(synth.template, 'AWS::Lambda::Function', 'EventHistorySeederFunction');
  return (fn.properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('seeding from Event history', () => {
  it('is on by default: a seeder function and the workflow that invokes it until done', () => {
    // Prepare
    const fn = resourceOf(byDefault.template, 'AWS::Lambda::Function', 'EventHistorySeederFunction');
    const workflow = resourceOf(byDefault.template, 'AWS::StepFunctions::StateMachine', 'EventHistorySeederWorkflow');

    // Act
    const definition = JSON.stringify(workflow.properties.DefinitionString);

    // Assess
    expect({ timeout: fn.properties.Timeout, handler: fn.properties.Handler }).toEqual({ timeout: 900, handler: 'index.handler' });
    expect(definition).toContain('$$.Execution.StartTime');
    expect(definition).toContain('SeedingIncompleteError');
    expect(definition).toMatch(/"Variable\\":\\"\$\.done\\",\\"BooleanEquals\\":true/);
  });

  it('starts the workflow once, when the stack is created, and never on an update', () => {
    // Prepare
    const start = resourceOf(byDefault.template, 'Custom::AWS', 'EventHistorySeederStartOnCreate');

    // Act
    const create = JSON.stringify(start.properties.Create);

    // Assess
    expect({ create, update: start.properties.Update, delete: start.properties.Delete }).toEqual({
      create: expect.stringContaining('\\"action\\":\\"StartExecution\\"') as unknown,
      update: undefined,
      delete: undefined,
    });
  });

  it('lets the start call nothing but StartExecution on the seeding workflow', () => {
    // Prepare
    const workflow = resourceOf(byDefault.template, 'AWS::StepFunctions::StateMachine', 'EventHistorySeederWorkflow');

    // Act
    const statements = policyStatements(byDefault.template, 'EventHistorySeederStartOnCreateCustomResourcePolicy');

    // Assess
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: workflow.logicalId } }),
    ]);
  });

  it('grants cloudtrail:LookupEvents on * (it has no resource-level permissions) and nothing else on *', () => {
    // Act
    const onEverything = seederStatements(byDefault).filter((statement) => resourcesOf(statement).includes('*'));

    // Assess
    expect(onEverything.map((statement) => actionsOf(statement))).toEqual([['cloudtrail:LookupEvents']]);
  });

  it('grants account:ListRegions on the account itself only', () => {
    // Act
    const statements = seederStatements(byDefault).filter((statement) => actionsOf(statement).includes('account:ListRegions'));

    // Assess
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'account:ListRegions',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':account::', { Ref: 'AWS::AccountId' }, ':account']] },
      }),
    ]);
  });

  it('grants exactly the table actions the seeder sends, on the table', () => {
    // Prepare
    const table = resourceOf(byDefault.template, 'AWS::DynamoDB::Table', 'EventTable');

    // Act
    const statements = seederStatements(byDefault).filter((statement) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')));

    // Assess
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [table.logicalId, 'Arn'] },
      }),
    ]);
  });

  it('alarms on a failed seeding workflow and draws its progress on the dashboard', () => {
    // Prepare
    const dashboard = resourceOf(byDefault.template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');

    // Act
    const body = JSON.stringify(dashboard.properties.DashboardBody);

    // Assess
    expectResourceProperties(byDefault.template, 'AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed' }) }) }),
      ]),
    });
    expect(['EventHistoryPages', 'EventHistoryEventsStored', 'EventHistorySeedingComplete'].filter((name) => !body.includes(name))).toEqual([]);
  });
});

describe('the seeding switches', () => {
  it('seedFromEventHistory=false leaves the seeder out', () => {
    // Act
    const synth = synthesise({ seedFromEventHistory: false });
    const template = synth.template;
    synth.cleanup();

    // Assess
    expect(Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).filter((id) => id.startsWith('EventHistorySeeder'))).toEqual([]);
    expectResourceCount(template, 'Custom::AWS', 0);
  });

  it('seedAlerts=false seeds without alerts: no topic, no alert ledger writes', () => {
    // Act
    const synth = synthesise({ seedAlerts: false });
    const environment = seederEnvironment(synth);
    const actions = seederStatements(synth).flatMap(actionsOf);
    synth.cleanup();

    // Assess
    expect({
      seedAlerts: environment.SEED_ALERTS,
      topic: environment.ALERT_TOPIC_ARN,
      publishes: actions.includes('sns:Publish'),
      updates: actions.includes('dynamodb:UpdateItem'),
    }).toEqual({ seedAlerts: 'false', topic: undefined, publishes: false, updates: false });
  });

  it('seedRegions names the regions and drops account:ListRegions', () => {
    // Act
    const synth = synthesise({ seedRegions: ['eu-west-1', 'eu-central-1'] });
    const environment = seederEnvironment(synth);
    const actions = seederStatements(synth).flatMap(actionsOf);
    synth.cleanup();

    // Assess
    expect({ regions: environment.SEED_REGIONS, lists: actions.includes('account:ListRegions') }).toEqual({
      regions: 'eu-west-1,eu-central-1',
      lists: false,
    });
  });
});
