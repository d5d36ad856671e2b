import { getEvent, queryLookup, StoredItemError, timeRangeCondition } from '../../../lambda/store/event-queries';
import { fakeDocumentClient, type WireRequest, type WireResponse } from '../../helpers/dynamodb';
import { collect } from '../../helpers/fixtures';

const TABLE = 'events';

/** A lookup item as DynamoDB sends it on the wire. */
function wireLookup(pk: string, eventTime: string, eventID: string, lookup = 'principal'): Record<string, unknown> {
  const s = (value: string): { S: string } => ({ S: value });
  return {
    pk: s(pk),
    sk: s(`${eventTime}#${eventID}#${lookup}`),
    lookup: s(lookup),
    eventID: s(eventID),
    eventTime: s(eventTime),
    eventName: s('DeleteLoadBalancer'),
    eventSource: s('elasticloadbalancing.amazonaws.com'),
    service: s('elbv2'),
    awsRegion: s('us-west-2'),
    accountId: s('123456789012'),
    readOnly: { BOOL: false },
    principal: s('arn:aws:iam::123456789012:user/Alice'),
    resources: { L: [s('arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/1')] },
  };
}

/** Answers each Query from pages per partition value, following ExclusiveStartKey as a page number. */
function pagedTable(pages: Record<string, Record<string, unknown>[][]>): (request: WireRequest) => WireResponse {
  return (request) => {
    const values = request.body.ExpressionAttributeValues as Record<string, { S?: string }>;
    const pk = values[':pk']?.S ?? '';
    const start = request.body.ExclusiveStartKey as { page?: { N: string } } | undefined;
    const index = start?.page === undefined ? 0 : Number(start.page.N);
    const partition = pages[pk] ?? [];
    const hasMore = index + 1 < partition.length;
    return {
      body: {
        Items: partition[index] ?? [],
        Count: (partition[index] ?? []).length,
        ...(hasMore ? { LastEvaluatedKey: { page: { N: String(index + 1) } } } : {}),
      },
    };
  };
}

describe('timeRangeCondition', () => {
  it('makes an inclusive BETWEEN on the sort key, to the second', () => {
    // act
    const range = timeRangeCondition('2026-11-20', '2026-11-20T10:15:30.500Z');

    // assess
    expect(range).toEqual({
      expression: '#sk BETWEEN :since AND :until',
      values: { ':since': '2026-11-20T00:00:00Z', ':until': '2026-11-20T10:15:30Z#\uffff' },
    });
  });

  it('rejects a time it cannot read', () => {
    // act
    const making = (): unknown => timeRangeCondition('yesterday-ish', undefined);

    // assess
    expect(making).toThrow(/since/);
  });
});

describe('queryLookup', () => {
  it('sends one newest-first Query per value, filtered by kind', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(pagedTable({}));

    // act
    await collect(queryLookup(client, TABLE, ['arn:aws:iam::123456789012:user/Alice'], ['principal', 'session']));

    // assess
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#lookup IN (:kind0, :kind1)',
      ScanIndexForward: false,
    });
  });

  it('follows pages and merges several values newest first', async () => {
    // prepare
    const { client } = fakeDocumentClient(
      pagedTable({
        a: [[wireLookup('a', '2026-11-20T10:05:00Z', 'e3')], [wireLookup('a', '2026-11-20T10:01:00Z', 'e1')]],
        b: [[wireLookup('b', '2026-11-20T10:03:00Z', 'e2')]],
      }),
    );

    // act
    const items = await collect(queryLookup(client, TABLE, ['a', 'b'], ['principal']));

    // assess
    expect(items.map((item) => item.eventID)).toEqual(['e3', 'e2', 'e1']);
  });

  it('yields an event found under two values once', async () => {
    // prepare
    const { client } = fakeDocumentClient(
      pagedTable({
        a: [[wireLookup('a', '2026-11-20T10:05:00Z', 'e1', 'principal')]],
        b: [[wireLookup('b', '2026-11-20T10:05:00Z', 'e1', 'accessKey')]],
      }),
    );

    // act
    const items = await collect(queryLookup(client, TABLE, ['a', 'b'], ['principal', 'accessKey']));

    // assess
    expect(items.map((item) => item.eventID)).toEqual(['e1']);
  });

  it('stops at the limit without reading further pages', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(
      pagedTable({
        a: [[wireLookup('a', '2026-11-20T10:05:00Z', 'e2')], [wireLookup('a', '2026-11-20T10:01:00Z', 'e1')]],
      }),
    );

    // act
    const items = await collect(queryLookup(client, TABLE, ['a'], ['principal'], { limit: 1 }));

    // assess
    expect(items.map((item) => item.eventID)).toEqual(['e2']);
    expect(requests).toHaveLength(1);
  });

  it('rejects an item that is not a lookup item', async () => {
    // prepare
    const { client } = fakeDocumentClient(() => ({ body: { Items: [{ pk: { S: 'a' }, sk: { S: 'x' } }] } }));

    // act
    const reading = collect(queryLookup(client, TABLE, ['a'], ['principal']));

    // assess
    await expect(reading).rejects.toBeInstanceOf(StoredItemError);
  });
});

describe('getEvent', () => {
  it('answers undefined for an eventID that is not stored', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(() => ({ body: {} }));

    // act
    const stored = await getEvent(client, TABLE, 'missing');

    // assess
    expect(stored).toBeUndefined();
    expect(requests[0]?.body).toMatchObject({ Key: { pk: { S: 'missing' }, sk: { S: 'EVENT' } } });
  });
});
