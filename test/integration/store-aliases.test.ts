/**
 * Alias items on DynamoDB Local: a Beanstalk environment named by its name in one call, by its `e-...` ID in
 * another and by its ARN in a third, and a launch template named by name or by `lt-...` ID, have one history
 * whichever identifier is asked. Records go through the real pipeline and store; the table is created from the
 * table definition the stack deploys.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newCounts, normaliseLogObject, type KeptEvent } from '../../lambda/core/pipeline';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../lambda/store/dynamodb-event-store';
import { queryLookup } from '../../lambda/store/event-queries';
import { createEventTable, localDocumentClient } from '../helpers/dynamodb';
import { chunked, collect, logFileText, record } from '../helpers/fixtures';

const TABLE = 'trail-audit-aliases';
const ENV_ID = 'e-abcde12345';
const ENV_NAME = 'shop-prod';
const ENV_ARN = `arn:aws:elasticbeanstalk:us-west-2:123456789012:environment/shop/${ENV_NAME}`;
const LT_ID = 'lt-0123456789abcdef0';
const LT_NAME = 'web-template';
const RESOURCE_KINDS = ['resource', 'resourceName'] as const;

const beanstalk = (eventID: string, eventTime: string, eventName: string, fields: Record<string, unknown>) =>
  record({
    eventID,
    eventTime,
    eventSource: 'elasticbeanstalk.amazonaws.com',
    eventName,
    apiVersion: '2010-12-01',
    readOnly: false,
    ...fields,
  });

const autoScaling = (eventID: string, eventTime: string, launchTemplate: Record<string, string>) =>
  record({
    eventID,
    eventTime,
    eventSource: 'autoscaling.amazonaws.com',
    eventName: 'UpdateAutoScalingGroup',
    apiVersion: '2011-01-01',
    readOnly: false,
    requestParameters: { autoScalingGroupName: 'web-asg', launchTemplate },
  });

/** The environment by name and application, answered with its ID and ARN; then by ID only; then by name only. */
const ENVIRONMENT_RECORDS = [
  beanstalk('a0000000-0000-4000-8000-000000000001', '2026-11-20T10:00:00Z', 'CreateEnvironment', {
    requestParameters: { applicationName: 'shop', environmentName: ENV_NAME },
    responseElements: {
      applicationName: 'shop',
      environmentName: ENV_NAME,
      environmentId: ENV_ID,
      environmentArn: ENV_ARN,
    },
  }),
  beanstalk('a0000000-0000-4000-8000-000000000002', '2026-11-20T10:05:00Z', 'RestartAppServer', {
    requestParameters: { environmentId: ENV_ID },
  }),
  beanstalk('a0000000-0000-4000-8000-000000000003', '2026-11-20T10:10:00Z', 'RebuildEnvironment', {
    requestParameters: { environmentName: ENV_NAME },
  }),
];

/** A launch template by name and ID, then by name only, then by ID only. */
const LAUNCH_TEMPLATE_RECORDS = [
  autoScaling('b0000000-0000-4000-8000-000000000001', '2026-11-20T11:00:00Z', {
    launchTemplateId: LT_ID,
    launchTemplateName: LT_NAME,
  }),
  autoScaling('b0000000-0000-4000-8000-000000000002', '2026-11-20T11:05:00Z', { launchTemplateName: LT_NAME }),
  autoScaling('b0000000-0000-4000-8000-000000000003', '2026-11-20T11:10:00Z', { launchTemplateId: LT_ID }),
];

const newestFirst = (records: readonly { eventID: string }[]): string[] =>
  [...records].reverse().map((value) => value.eventID);

let server: DynamoDBLocalServer | undefined;
let client: DynamoDBDocumentClient;

async function keptEvents(records: readonly unknown[]): Promise<KeptEvent[]> {
  return collect(normaliseLogObject(chunked(logFileText(records)), { objectKey: 'aliases.json' }, newCounts()));
}

async function eventIDsOf(value: string): Promise<string[]> {
  const items = await collect(queryLookup(client, TABLE, [value], RESOURCE_KINDS));
  return items.map((item) => item.eventID);
}

async function itemCount(): Promise<number> {
  const output = await client.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }));
  return output.Count ?? 0;
}

beforeAll(async () => {
  server = await startDynamoDBLocal();
  client = localDocumentClient(server.endpoint);
  await createEventTable(client, TABLE);
  const store = new DynamoDBEventStore({ client, tableName: TABLE });
  // One putEvents per record, as separate files would arrive: the aliases are not collapsed into one batch.
  for (const kept of await keptEvents([...ENVIRONMENT_RECORDS, ...LAUNCH_TEMPLATE_RECORDS])) {
    await store.putEvents([kept]);
  }
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('a Beanstalk environment named by name, ID or ARN', () => {
  it.each([ENV_NAME, ENV_ID, ENV_ARN])('has its whole history, newest first, under %s', async (value) => {
    // act
    const found = await eventIDsOf(value);

    // assess
    expect(found).toEqual(newestFirst(ENVIRONMENT_RECORDS));
  });
});

describe('a launch template named by name or ID', () => {
  it.each([LT_NAME, LT_ID])('has its whole history, newest first, under %s', async (value) => {
    // act
    const found = await eventIDsOf(value);

    // assess
    expect(found).toEqual(newestFirst(LAUNCH_TEMPLATE_RECORDS));
  });
});

describe('alias items', () => {
  it('are written once however often the events are stored again', async () => {
    // prepare
    const before = await itemCount();
    const store = new DynamoDBEventStore({ client, tableName: TABLE });

    // act
    await store.putEvents(await keptEvents([...ENVIRONMENT_RECORDS, ...LAUNCH_TEMPLATE_RECORDS]));

    // assess
    expect(await itemCount()).toBe(before);
    expect(await eventIDsOf(ENV_NAME)).toEqual(newestFirst(ENVIRONMENT_RECORDS));
  });

  it('stay out of a time-ranged lookup of the partition they sit in', async () => {
    // act
    const items = await collect(
      queryLookup(client, TABLE, [ENV_ID], RESOURCE_KINDS, { since: '2026-11-20T10:05:00Z' }),
    );

    // assess
    expect(items.map((item) => item.eventID)).toEqual(newestFirst(ENVIRONMENT_RECORDS).slice(0, 2));
  });
});
