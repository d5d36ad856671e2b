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

/** An alias item as DynamoDB sends it on the wire. */
function wireAlias(pk: string, alias: string): Record<string, unknown> {
  return {
    pk: { S: pk },
    sk: { S: `ALIAS#${alias}` },
    alias: { S: alias },
    resourceType: { S: 'AWS::ElasticBeanstalk::Environment' },
  };
}

/** Answers alias Queries (`begins_with(sk, :alias)`) from `aliases`, the others from one page per partition. */
function tableWithAliases(
  partitions: Record<string, Record<string, unknown>[]>,
  aliases: Record<string, Record<string, unknown>[]>,
): (request: WireRequest) => WireResponse {
  return (request) => {
    const values = request.body.ExpressionAttributeValues as Record<string, { S?: string }>;
    const pk = values[':pk']?.S ?? '';
    const items = values[':alias'] === undefined ? (partitions[pk] ?? []) : (aliases[pk] ?? []);
    return { body: { Items: items, Count: items.length } };
  };
}

/** The partition values of the lookup Queries (not the alias Queries) a fake received. */
function lookupPartitions(requests: readonly WireRequest[]): string[] {
  return requests
    .filter((request) => !String(request.body.KeyConditionExpression).includes('begins_with'))
    .map((request) => (request.body.ExpressionAttributeValues as Record<string, { S?: string }>)[':pk']?.S ?? '');
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

describe('queryLookup for resources', () => {
  it('reads the aliases of a resource value with one Query on begins_with(sk, ALIAS#)', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(tableWithAliases({}, {}));

    // act
    await collect(queryLookup(client, TABLE, ['shop-prod'], ['resource', 'resourceName']));

    // assess
    expect(requests[0]?.body).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :alias)',
      ExpressionAttributeValues: { ':pk': { S: 'shop-prod' }, ':alias': { S: 'ALIAS#' } },
    });
  });

  it('finds the events naming an environment only by its ID when asked by its name, newest first, once', async () => {
    // prepare
    const { client } = fakeDocumentClient(
      tableWithAliases(
        {
          'shop-prod': [
            wireLookup('shop-prod', '2026-11-20T10:05:00Z', 'e3', 'resourceName'),
            wireLookup('shop-prod', '2026-11-20T10:03:00Z', 'e2', 'resourceName'),
          ],
          'e-abcde12345': [
            wireLookup('e-abcde12345', '2026-11-20T10:04:00Z', 'e4', 'resourceName'),
            wireLookup('e-abcde12345', '2026-11-20T10:03:00Z', 'e2', 'resourceName'),
            wireLookup('e-abcde12345', '2026-11-20T10:01:00Z', 'e1', 'resourceName'),
          ],
        },
        { 'shop-prod': [wireAlias('shop-prod', 'e-abcde12345')] },
      ),
    );

    // act
    const items = await collect(queryLookup(client, TABLE, ['shop-prod'], ['resource', 'resourceName']));

    // assess
    expect(items.map((item) => item.eventID)).toEqual(['e3', 'e4', 'e2', 'e1']);
  });

  it('reads no aliases for a principal lookup', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(tableWithAliases({}, {}));

    // act
    await collect(queryLookup(client, TABLE, ['arn:aws:iam::123456789012:user/Alice'], ['principal']));

    // assess
    expect(requests.filter((request) => String(request.body.KeyConditionExpression).includes('begins_with'))).toEqual(
      [],
    );
  });

  it('yields an event once when its items sit under a fractional and a whole-second sort key', async () => {
    // prepare: an item written before sort keys dropped fractional seconds, and the same event rewritten since
    const { client } = fakeDocumentClient(
      tableWithAliases(
        {
          a: [
            wireLookup('a', '2026-11-20T10:05:00Z', 'e2', 'resourceName'),
            wireLookup('a', '2026-11-20T10:05:00.500Z', 'e2', 'resourceName'),
            wireLookup('a', '2026-11-20T10:04:00Z', 'e1', 'resourceName'),
          ],
        },
        {},
      ),
    );

    // act
    const items = await collect(queryLookup(client, TABLE, ['a'], ['resource', 'resourceName']));

    // assess
    expect(items.map((item) => item.eventID)).toEqual(['e2', 'e1']);
  });

  it.each([
    [
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:8e1b5a0e-1f4d-4b4f-9c1e-2f3a4b5c6d7e:' +
        'autoScalingGroupName/web-asg',
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web-asg',
    ],
    [
      'arn:aws-cn:autoscaling:cn-north-1:123456789012:launchConfiguration:0c5e8b2a-3d4f-4e5a-8b6c-7d8e9f0a1b2c:' +
        'launchConfigurationName/web-lc',
      'arn:aws-cn:autoscaling:cn-north-1:123456789012:launchConfiguration:*:launchConfigurationName/web-lc',
    ],
  ])('queries the stored form of the real ARN %s', async (real, stored) => {
    // prepare
    const { client, requests } = fakeDocumentClient(tableWithAliases({}, {}));

    // act
    await collect(queryLookup(client, TABLE, [real], ['resource', 'resourceName']));

    // assess
    expect(lookupPartitions(requests)).toEqual([stored]);
  });

  it('leaves a scaling policy ARN as it is: policies are stored with their UUID', async () => {
    // prepare
    const policy =
      'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:2233f3d7-6290-403b-b632-93c553560106:' +
      'autoScalingGroupName/web-asg:policyName/scale-out';
    const { client, requests } = fakeDocumentClient(tableWithAliases({}, {}));

    // act
    await collect(queryLookup(client, TABLE, [policy], ['resource', 'resourceName']));

    // assess
    expect(lookupPartitions(requests)).toEqual([policy]);
  });

  it('rejects an alias item without its alias', async () => {
    // prepare
    const { client } = fakeDocumentClient(
      tableWithAliases({}, { a: [{ pk: { S: 'a' }, sk: { S: 'ALIAS#b' } }] }),
    );

    // act
    const reading = collect(queryLookup(client, TABLE, ['a'], ['resource']));

    // assess
    await expect(reading).rejects.toBeInstanceOf(StoredItemError);
  });
});

describe('getEvent', () => {
  it('returns where the record was read', async () => {
    // prepare
    const source = { uri: 's3://trail-bucket/AWSLogs/file.json.gz', index: 2, offset: 512 };
    const { client } = fakeDocumentClient(() => ({
      body: {
        Item: {
          pk: { S: 'e1' },
          sk: { S: 'EVENT' },
          eventID: { S: 'e1' },
          eventTime: { S: '2026-11-20T10:00:00Z' },
          service: { S: 'elbv2' },
          eventSource: { S: 'elasticloadbalancing.amazonaws.com' },
          eventName: { S: 'DeleteLoadBalancer' },
          awsRegion: { S: 'us-west-2' },
          accountId: { S: '123456789012' },
          readOnly: { BOOL: false },
          principal: { M: { type: { S: 'IAMUser' }, id: { S: 'arn:aws:iam::123456789012:user/Alice' } } },
          resources: { L: [] },
          record: { S: '{}' },
          source: { M: { uri: { S: source.uri }, index: { N: '2' }, offset: { N: '512' } } },
        },
      },
    }));

    // act
    const stored = await getEvent(client, TABLE, 'e1');

    // assess
    expect(stored?.source).toEqual(source);
  });

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
