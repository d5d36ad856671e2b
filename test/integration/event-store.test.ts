/**
 * The event store and its queries against DynamoDB Local, on what the handler tests do not reach: the retention
 * written as the table's TTL attribute, and a filtered, limited query that has to read a second page.
 */
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EVENT_SORT_KEY, sortKeyTime } from '../../lambda/core/item-mapping';
import { newCounts, normaliseLogObject, type KeptEvent } from '../../lambda/core/pipeline';
import type { CloudTrailRecord } from '../../lambda/core/types';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../lambda/store/dynamodb-event-store';
import { queryLookup } from '../../lambda/store/event-queries';
import { TTL_ATTRIBUTE } from '../../lambda/store/table-definition';
import { createEventTable, localDocumentClient } from '../helpers/dynamodb';
import { ALICE, chunked, collect, logFileText, record } from '../helpers/fixtures';

jest.setTimeout(60_000);

let server: DynamoDBLocalServer | undefined;
let client: DynamoDBDocumentClient | undefined;

beforeAll(async () => {
  server = await startDynamoDBLocal();
  client = localDocumentClient(server.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

function local(): DynamoDBDocumentClient {
  if (client === undefined) throw new Error('DynamoDB Local did not start');
  return client;
}

async function keptEvents(records: readonly CloudTrailRecord[]): Promise<KeptEvent[]> {
  return collect(normaliseLogObject(chunked(logFileText(records)), { objectKey: 'store.json' }, newCounts()));
}

describe('DynamoDBEventStore with a retention', () => {
  const TABLE = 'store-retention';
  const RETENTION_DAYS = 30;
  const deletion = record({ eventName: 'DeleteLoadBalancer', readOnly: false, eventTime: '2026-11-20T10:00:00Z' });
  /** 2026-11-20T10:00:00Z in epoch seconds, plus 30 days. */
  const EXPIRES_AT = Date.UTC(2026, 10, 20, 10) / 1000 + RETENTION_DAYS * 86_400;

  beforeAll(async () => {
    await createEventTable(local(), TABLE);
    const store = new DynamoDBEventStore({ client: local(), tableName: TABLE, retentionDays: RETENTION_DAYS });
    await store.putEvents(await keptEvents([deletion]));
  });

  it('writes the event item with the TTL attribute the table expires items by', async () => {
    // act
    const output = await local().send(
      new GetCommand({ TableName: TABLE, Key: { pk: deletion.eventID, sk: EVENT_SORT_KEY }, ConsistentRead: true }),
    );

    // assess
    expect(output.Item?.[TTL_ATTRIBUTE]).toBe(EXPIRES_AT);
  });

  it('writes the same TTL on the event\'s lookup items', async () => {
    // prepare: the action lookup item's key, as the item mapping writes it
    const key = {
      pk: 'elasticloadbalancing:DeleteLoadBalancer',
      sk: `${sortKeyTime(deletion.eventTime)}#${deletion.eventID}#action`,
    };

    // act
    const output = await local().send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));

    // assess
    expect(output.Item?.[TTL_ATTRIBUTE]).toBe(EXPIRES_AT);
  });
});

describe('DynamoDBEventStore given one event twice in one call', () => {
  const TABLE = 'store-twice';

  it('writes one batch without the repeated keys DynamoDB rejects, and each item once', async () => {
    // prepare: a deletion is an event item and 6 lookup items (Alice's ARN, name and key, action, LB ARN and name)
    await createEventTable(local(), TABLE);
    const deletion = record({
      eventName: 'DeleteLoadBalancer',
      readOnly: false,
      requestParameters: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/twice/0123456789abcdef' },
    });
    const [kept] = await keptEvents([deletion]);
    if (kept === undefined) throw new Error('the deletion must be kept');

    // act
    const result = await new DynamoDBEventStore({ client: local(), tableName: TABLE }).putEvents([kept, kept]);

    // assess
    const scan = await local().send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }));
    expect([result.itemsWritten, scan.Count]).toEqual([7, 7]);
  });
});

describe('queryLookup with a filter and a limit, on DynamoDB Local', () => {
  const TABLE = 'store-paging';
  const EVENTS = 60;
  const LIMIT = 25;
  // Alice alternates writes in us-west-2 and read-only calls in eu-west-1, one a minute: a region filter keeps
  // every other item of her partition. The client asks pages of max(limit, 25) items, so the first page holds
  // only 12 or 13 matches and the query must read on to reach 25.
  const records = Array.from({ length: EVENTS }, (_, index) => {
    const eventTime = `2026-11-23T10:${String(index).padStart(2, '0')}:00Z`;
    return index % 2 === 0
      ? record({ eventName: 'DeleteLoadBalancer', readOnly: false, awsRegion: 'us-west-2', eventTime })
      : record({ eventName: 'DescribeLoadBalancers', readOnly: true, awsRegion: 'eu-west-1', eventTime });
  });

  beforeAll(async () => {
    await createEventTable(local(), TABLE);
    await new DynamoDBEventStore({ client: local(), tableName: TABLE }).putEvents(await keptEvents(records));
  });

  it('reads past the first page to return the newest matches up to the limit', async () => {
    // prepare
    const writesNewestFirst = records
      .filter((r) => r.readOnly === false)
      .reverse()
      .map((r) => r.eventID);

    // act
    const items = await collect(
      queryLookup(local(), TABLE, [ALICE.arn ?? ''], ['principal'], { awsRegion: 'us-west-2', limit: LIMIT }),
    );

    // assess
    expect(items.map((item) => item.eventID)).toEqual(writesNewestFirst.slice(0, LIMIT));
  });

  it('returns every match, newest first, when there is no limit', async () => {
    // act
    const items = await collect(queryLookup(local(), TABLE, [ALICE.arn ?? ''], ['principal'], { awsRegion: 'eu-west-1' }));

    // assess
    expect(items.map((item) => item.eventID)).toEqual(
      records
        .filter((r) => r.readOnly === true)
        .reverse()
        .map((r) => r.eventID),
    );
  });
});
