import type { KeptEvent } from '../../../lambda/core/pipeline';
import type { NormalisedEvent } from '../../../lambda/core/types';
import { EventStoreWriteError } from '../../../lambda/app/ports';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { batchItems, fakeDocumentClient, wireError, wireString, type WireRequest } from '../../helpers/dynamodb';
import { record } from '../../helpers/fixtures';

const TABLE = 'events';

/** A kept event with `resourceCount` resources, so it maps to 1 event item + 2 principal/action lookups + 2 per resource. */
function kept(eventID: string, resourceCount = 1): KeptEvent {
  const event: NormalisedEvent = {
    eventID,
    eventTime: '2026-11-20T10:00:00Z',
    service: 'elbv2',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: 'DeleteLoadBalancer',
    awsRegion: 'us-west-2',
    accountId: '123456789012',
    readOnly: false,
    principal: { type: 'IAMUser', id: 'arn:aws:iam::123456789012:user/Alice' },
    resources: Array.from({ length: resourceCount }, (_, index) => ({
      type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      arn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/lb-${index}/0123456789abcdef`,
      name: `lb-${index}`,
    })),
  };
  return { event, record: record({ eventID }) };
}

function ok(): { body: Record<string, unknown> } {
  return { body: { UnprocessedItems: {} } };
}

const noWait = (): Promise<void> => Promise.resolve();

function keysOf(request: WireRequest): string[] {
  return batchItems(request, TABLE).map((item) => `${wireString(item, 'pk')}|${wireString(item, 'sk')}`);
}

describe('DynamoDBEventStore', () => {
  it('writes in BatchWriteItem chunks of at most 25 items', async () => {
    // prepare: 10 events × (1 event item + principal + action + 2 × 5 resource lookups) = 130 items
    const { client, requests } = fakeDocumentClient(ok);
    const store = new DynamoDBEventStore({ client, tableName: TABLE, sleep: noWait });
    const events = Array.from({ length: 10 }, (_, index) => kept(`e-${index}`, 5));

    // act
    const result = await store.putEvents(events);

    // assess
    expect(requests.map((request) => batchItems(request, TABLE).length).sort((a, b) => b - a)).toEqual([
      25, 25, 25, 25, 25, 5,
    ]);
    expect(result).toEqual({ itemsWritten: 130, retries: 0 });
  });

  it('never puts the same key twice in one batch, even when an event repeats', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(ok);
    const store = new DynamoDBEventStore({ client, tableName: TABLE, sleep: noWait });

    // act
    await store.putEvents([kept('same', 3), kept('other', 3), kept('same', 3)]);

    // assess
    const keys = requests.flatMap(keysOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(2 * (1 + 2 + 2 * 3));
  });

  it('re-sends UnprocessedItems until every item is written', async () => {
    // prepare: the first answer leaves the last 5 items of the batch unprocessed
    let calls = 0;
    const { client, requests } = fakeDocumentClient((request) => {
      calls += 1;
      if (calls > 1) return ok();
      const items = batchItems(request, TABLE).slice(-5);
      return { body: { UnprocessedItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) } } };
    });
    const store = new DynamoDBEventStore({ client, tableName: TABLE, sleep: noWait });

    // act
    const result = await store.putEvents([kept('e-1', 4)]);

    // assess
    expect(keysOf(requests[1] as WireRequest)).toEqual(keysOf(requests[0] as WireRequest).slice(-5));
    expect(result).toEqual({ itemsWritten: 11, retries: 1 });
  });

  it('retries a throttled BatchWriteItem call', async () => {
    // prepare
    let calls = 0;
    const { client } = fakeDocumentClient(() => {
      calls += 1;
      return calls === 1 ? wireError('ProvisionedThroughputExceededException') : ok();
    });
    const store = new DynamoDBEventStore({ client, tableName: TABLE, sleep: noWait });

    // act
    const result = await store.putEvents([kept('e-1')]);

    // assess
    expect(result).toEqual({ itemsWritten: 5, retries: 1 });
  });

  it('waits a full-jitter exponential backoff between attempts', async () => {
    // prepare
    const { client } = fakeDocumentClient((request) => ({
      body: { UnprocessedItems: { [TABLE]: batchItems(request, TABLE).map((Item) => ({ PutRequest: { Item } })) } },
    }));
    const waits: number[] = [];
    const store = new DynamoDBEventStore({
      client,
      tableName: TABLE,
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 0.5,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });

    // act
    const writing = store.putEvents([kept('e-1')]);

    // assess
    await expect(writing).rejects.toBeInstanceOf(EventStoreWriteError);
    expect(waits).toEqual([100, 200, 400, 500]);
  });

  it('throws an error with the counts when attempts run out', async () => {
    // prepare: every call leaves every item unprocessed
    const { client, requests } = fakeDocumentClient((request) => ({
      body: { UnprocessedItems: { [TABLE]: batchItems(request, TABLE).map((Item) => ({ PutRequest: { Item } })) } },
    }));
    const store = new DynamoDBEventStore({ client, tableName: TABLE, maxAttempts: 3, sleep: noWait });

    // act
    const writing = store.putEvents([kept('e-1')]);

    // assess
    await expect(writing).rejects.toMatchObject({
      name: 'EventStoreWriteError',
      details: { tableName: TABLE, itemsWritten: 0, retries: 2, itemsFailed: 5, attempts: 3, eventIDs: ['e-1'] },
    });
    expect(requests).toHaveLength(3);
  });

  it('does not retry an error that retrying cannot fix', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(() => wireError('ValidationException', 'Item size has exceeded'));
    const store = new DynamoDBEventStore({ client, tableName: TABLE, sleep: noWait });

    // act
    const writing = store.putEvents([kept('e-1')]);

    // assess
    await expect(writing).rejects.toThrow(/ValidationException/);
    expect(requests).toHaveLength(1);
  });

  it('counts in the error the items of chunks written beside the one that failed', async () => {
    // prepare: 10 events of 5 items = two chunks sent at once; the first is refused for good, the second is
    // throttled once and written on its retry, after the first has given up
    let calls = 0;
    const { client } = fakeDocumentClient((request) => {
      calls += 1;
      if (calls === 1) return wireError('ValidationException', 'One or more parameter values were invalid');
      if (calls === 2) {
        return { body: { UnprocessedItems: { [TABLE]: batchItems(request, TABLE).map((Item) => ({ PutRequest: { Item } })) } } };
      }
      return ok();
    });
    const store = new DynamoDBEventStore({ client, tableName: TABLE, sleep: noWait });
    const events = Array.from({ length: 10 }, (_, index) => kept(`e-${index}`));

    // act
    const writing = store.putEvents(events);

    // assess
    await expect(writing).rejects.toMatchObject({ name: 'EventStoreWriteError', details: { itemsWritten: 25 } });
  });

  it('writes the retention as expiresAt on every item', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(ok);
    const store = new DynamoDBEventStore({ client, tableName: TABLE, retentionDays: 1, sleep: noWait });

    // act
    await store.putEvents([kept('e-1')]);

    // assess
    const expiresAt = Date.parse('2026-11-21T10:00:00Z') / 1000;
    const items = requests.flatMap((request) => batchItems(request, TABLE));
    expect(items.map((item) => (item.expiresAt as { N: string }).N)).toEqual(Array(5).fill(String(expiresAt)));
  });
});
