import {
  actionOf,
  ItemLimitError,
  itemSize,
  storedRecordOf,
  storedWholeForCertain,
  toItems,
  TRIMMED_MARKER,
  TRIMMED_SOURCE,
  type LookupItem,
} from '../../../lambda/core/item-mapping';
import { timeRangeCondition } from '../../../lambda/store/event-queries';
import type { KeptEvent } from '../../../lambda/core/pipeline';
import type { CloudTrailRecord, NormalisedEvent, Resource } from '../../../lambda/core/types';
import { DYNAMODB_ITEM_BYTES, MAX_SORT_KEY_BYTES } from '../../../lambda/core/limits';
import { record } from '../../helpers/fixtures';
import { writeUnitsOf } from '../../helpers/write-units';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/ci/Deployer';
const SESSION_ARN = 'arn:aws:sts::123456789012:assumed-role/Deployer/deploy-session';
const LB_ARN = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const NOW = new Date('2026-11-21T00:00:00Z');
const ENV_ARN = 'arn:aws:elasticbeanstalk:us-west-2:123456789012:environment/shop/shop-prod';
const SOURCE = { uri: 's3://trail-bucket/AWSLogs/123456789012/CloudTrail/file.json.gz', index: 3, offset: 1234 };

/** A Beanstalk environment named by its name, its ID and its ARN. */
const ENVIRONMENT = { type: 'AWS::ElasticBeanstalk::Environment', arn: ENV_ARN, name: 'shop-prod', id: 'e-abcde12345' };

function keysOf(items: Record<string, unknown>[]): string[] {
  return items.map((item) => `${String(item.pk)}|${String(item.sk)}`);
}

/** A normalised DeleteLoadBalancer by an assumed-role session; overrides replace fields. */
function kept(overrides: Partial<NormalisedEvent> = {}, recordOverrides: Partial<CloudTrailRecord> = {}): KeptEvent {
  const event: NormalisedEvent = {
    eventID: '11111111-2222-3333-4444-555555555555',
    eventTime: '2026-11-20T10:15:00Z',
    service: 'elbv2',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: 'DeleteLoadBalancer',
    awsRegion: 'us-west-2',
    accountId: '123456789012',
    readOnly: false,
    sourceIPAddress: '198.51.100.7',
    principal: {
      type: 'AssumedRole',
      id: ROLE_ARN,
      arn: SESSION_ARN,
      name: 'Deployer',
      sessionArn: SESSION_ARN,
      sessionName: 'deploy-session',
      accessKeyId: 'ASIAJEXAMPLEXEG2JICEA',
    },
    resources: [{ type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', arn: LB_ARN, name: 'web' }],
    ...overrides,
  };
  return { event, record: record({ eventID: event.eventID, eventName: event.eventName, ...recordOverrides }) };
}

function lookups(items: Record<string, unknown>[]): LookupItem[] {
  return items.slice(1) as unknown as LookupItem[];
}

describe('actionOf', () => {
  it('names a call as IAM does', () => {
    // act
    const action = actionOf('elasticloadbalancing.amazonaws.com', 'DeleteLoadBalancer');

    // assess
    expect(action).toBe('elasticloadbalancing:DeleteLoadBalancer');
  });
});

describe('toItems', () => {
  it('puts the event item first under pk = eventID, sk = EVENT, with the original record', () => {
    // prepare
    const event = kept();

    // act
    const [first] = toItems(event, { now: NOW });

    // assess
    expect(first).toMatchObject({
      pk: event.event.eventID,
      sk: 'EVENT',
      action: 'elasticloadbalancing:DeleteLoadBalancer',
      principal: { id: ROLE_ARN, sessionArn: SESSION_ARN },
      storedAt: NOW.toISOString(),
    });
    expect(JSON.parse(String(first?.record))).toEqual(event.record);
  });

  it('writes one lookup item per thing to look up by, keyed by the value as typed', () => {
    // act
    const items = toItems(kept(), { now: NOW });

    // assess
    expect(lookups(items).map((item) => [item.pk, item.lookup])).toEqual([
      [ROLE_ARN, 'principal'],
      ['Deployer', 'principalName'],
      [SESSION_ARN, 'session'],
      ['ASIAJEXAMPLEXEG2JICEA', 'accessKey'],
      ['elasticloadbalancing:DeleteLoadBalancer', 'action'],
      [LB_ARN, 'resource'],
      ['web', 'resourceName'],
    ]);
  });

  it('orders lookup sort keys by time, then eventID, then lookup kind', () => {
    // act
    const items = lookups(toItems(kept(), { now: NOW }));

    // assess
    expect(items[0]?.sk).toBe('2026-11-20T10:15:00Z#11111111-2222-3333-4444-555555555555#principal');
  });

  it('carries a readable summary on each lookup item', () => {
    // act
    const resourceItem = lookups(toItems(kept(), { now: NOW })).find((item) => item.lookup === 'resource');

    // assess
    expect(resourceItem).toEqual({
      pk: LB_ARN,
      sk: `2026-11-20T10:15:00Z#11111111-2222-3333-4444-555555555555#resource`,
      lookup: 'resource',
      eventID: '11111111-2222-3333-4444-555555555555',
      eventTime: '2026-11-20T10:15:00Z',
      eventName: 'DeleteLoadBalancer',
      eventSource: 'elasticloadbalancing.amazonaws.com',
      service: 'elbv2',
      awsRegion: 'us-west-2',
      accountId: '123456789012',
      readOnly: false,
      sourceIPAddress: '198.51.100.7',
      principal: ROLE_ARN,
      sessionName: 'deploy-session',
      resources: [LB_ARN],
    });
  });

  it('writes no name item when the name is the id', () => {
    // prepare
    const event = kept({ principal: { type: 'AWSService', id: 'elasticbeanstalk.amazonaws.com', name: 'elasticbeanstalk.amazonaws.com' } });

    // act
    const kinds = lookups(toItems(event, { now: NOW })).map((item) => item.lookup);

    // assess
    expect(kinds).not.toContain('principalName');
  });

  it('writes no lookup item for a value past the partition key limit', () => {
    // prepare
    const event = kept({ resources: [{ type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name: 'n'.repeat(2049) }] });

    // act
    const kinds = lookups(toItems(event, { now: NOW })).map((item) => item.lookup);

    // assess
    expect(kinds).not.toContain('resourceName');
  });

  it('writes a repeated resource once', () => {
    // prepare
    const resource = { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', arn: LB_ARN, name: 'web' };
    const event = kept({ resources: [resource, resource] });

    // act
    const keys = toItems(event, { now: NOW }).map((item) => `${String(item.pk)}|${String(item.sk)}`);

    // assess
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(8);
  });

  it('writes one name item for resources of different types sharing a name, with their types', () => {
    // prepare
    const event = kept({
      resources: [
        { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', arn: LB_ARN, name: 'web' },
        { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', name: 'web' },
      ],
    });

    // act
    const nameItems = lookups(toItems(event, { now: NOW })).filter((item) => item.lookup === 'resourceName');

    // assess
    expect(nameItems).toHaveLength(1);
    expect(nameItems[0]?.resourceTypes).toEqual([
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
    ]);
  });

  it('looks a resource up by its id too, as people type a Beanstalk environment id as readily as its name', () => {
    // prepare
    const event = kept({
      resources: [{ type: 'AWS::ElasticBeanstalk::Environment', name: 'shop-prod', id: 'e-a1b2c3d4e5' }],
    });

    // act
    const names = lookups(toItems(event, { now: NOW }))
      .filter((item) => item.lookup === 'resourceName')
      .map((item) => item.pk);

    // assess
    expect(names.sort()).toEqual(['e-a1b2c3d4e5', 'shop-prod']);
  });

  it('maps the same event to the same keys every time', () => {
    // act
    const first = toItems(kept(), { now: NOW });
    const second = toItems(kept(), { now: new Date('2027-01-01T00:00:00Z') });

    // assess
    expect(second.map((item) => [item.pk, item.sk])).toEqual(first.map((item) => [item.pk, item.sk]));
  });

  it('sets expiresAt to eventTime plus the retention on every item', () => {
    // act
    const items = toItems(kept(), { retentionDays: 90, now: NOW });

    // assess
    const expected = Date.parse('2026-11-20T10:15:00Z') / 1000 + 90 * 86_400;
    expect(new Set(items.map((item) => item.expiresAt))).toEqual(new Set([expected]));
  });

  it('writes no expiresAt without a retention', () => {
    // act
    const items = toItems(kept(), { now: NOW });

    // assess
    expect(items.filter((item) => 'expiresAt' in item)).toEqual([]);
  });

  it('trims the largest fields of a record past the size limit and lists them', () => {
    // prepare: 420 KB of responseElements, 30 KB of requestParameters
    const event = kept(
      {},
      {
        responseElements: { blob: 'r'.repeat(420 * 1024) },
        requestParameters: { blob: 'q'.repeat(30 * 1024) },
      },
    );

    // act
    const [eventItem] = toItems(event, { now: NOW });

    // assess
    const stored = JSON.parse(String(eventItem?.record)) as Record<string, unknown>;
    expect(eventItem?.recordTrimmed).toEqual(['responseElements']);
    expect(stored.responseElements).toEqual({ [TRIMMED_MARKER]: JSON.stringify(event.record.responseElements).length });
    expect(stored.requestParameters).toEqual(event.record.requestParameters);
  });

  it('keeps a trimmed event item under the 400 KB item limit', () => {
    // prepare: three large fields
    const event = kept(
      {},
      {
        responseElements: { blob: 'r'.repeat(300 * 1024) },
        requestParameters: { blob: 'q'.repeat(250 * 1024) },
        additionalEventData: { blob: 'a'.repeat(150 * 1024) },
      },
    );

    // act
    const [eventItem] = toItems(event, { now: NOW });

    // assess
    expect(itemSize(eventItem ?? {})).toBeLessThan(400 * 1024);
    expect(eventItem?.recordTrimmed).toEqual(['responseElements', 'requestParameters']);
  });

  it('lists at most ten resources in a lookup summary, with the total', () => {
    // prepare
    const resources = Array.from({ length: 25 }, (_, index) => ({ type: 'AWS::EC2::Instance', name: `i-${index}` }));

    // act
    const [principalItem] = lookups(toItems(kept({ resources }), { now: NOW }));

    // assess
    expect(principalItem?.resources).toHaveLength(10);
    expect(principalItem?.resourceCount).toBe(25);
  });

  it('keeps an event naming thousands of resources under the limit, every resource still a lookup', () => {
    // prepare
    const resources = Array.from({ length: 6000 }, (_, index) => ({
      type: 'AWS::EC2::Instance',
      arn: `arn:aws:ec2:us-west-2:123456789012:instance/i-${String(index).padStart(17, '0')}`,
    }));

    // act
    const items = toItems(kept({ resources }), { now: NOW });

    // assess
    expect(itemSize(items[0] ?? {})).toBeLessThan(400 * 1024);
    expect(items[0]?.resourceCount).toBe(6000);
    expect(lookups(items).filter((item) => item.lookup === 'resource')).toHaveLength(6000);
  });

  it('costs one write unit per lookup item and ceil(size / 1 KB) for the event item', () => {
    // act
    const units = writeUnitsOf(toItems(kept(), { now: NOW }));

    // assess
    expect(units).toBe(2 + 7);
  });

  it('stores where the record was read on the event item', () => {
    // act
    const [eventItem] = toItems({ ...kept(), source: SOURCE }, { now: NOW });

    // assess
    expect(eventItem?.source).toEqual(SOURCE);
  });

  it('names the source of the record in the marker of a trimmed field', () => {
    // prepare
    const event = { ...kept({}, { responseElements: { blob: 'r'.repeat(420 * 1024) } }), source: SOURCE };

    // act
    const [eventItem] = toItems(event, { now: NOW });

    // assess
    const stored = JSON.parse(String(eventItem?.record)) as Record<string, unknown>;
    expect(stored.responseElements).toEqual({
      [TRIMMED_MARKER]: JSON.stringify(event.record.responseElements).length,
      [TRIMMED_SOURCE]: SOURCE,
    });
  });

  it('writes an alias item for each ordered pair of a resource’s name, ID and ARN', () => {
    // act
    const items = toItems(kept({ resources: [ENVIRONMENT] }), { now: NOW });

    // assess
    const aliases = items.filter((item) => String(item.sk).startsWith('ALIAS#'));
    expect(keysOf(aliases).sort()).toEqual(
      [
        `${ENV_ARN}|ALIAS#shop-prod`,
        `${ENV_ARN}|ALIAS#e-abcde12345`,
        `shop-prod|ALIAS#${ENV_ARN}`,
        'shop-prod|ALIAS#e-abcde12345',
        `e-abcde12345|ALIAS#${ENV_ARN}`,
        'e-abcde12345|ALIAS#shop-prod',
      ].sort(),
    );
    expect(aliases.find((item) => item.pk === 'e-abcde12345' && item.alias === 'shop-prod')).toEqual({
      pk: 'e-abcde12345',
      sk: 'ALIAS#shop-prod',
      alias: 'shop-prod',
      resourceType: 'AWS::ElasticBeanstalk::Environment',
    });
  });

  it('writes no alias item for a resource named by its ARN and the name read from it', () => {
    // act
    const items = toItems(kept(), { now: NOW });

    // assess
    expect(items.filter((item) => String(item.sk).startsWith('ALIAS#'))).toEqual([]);
  });

  it('writes no alias item for a failed call, which proves no name goes with the ID', () => {
    // act
    const items = toItems(kept({ resources: [ENVIRONMENT], errorCode: 'InvalidParameterValue' }), { now: NOW });

    // assess
    expect(items.filter((item) => String(item.sk).startsWith('ALIAS#'))).toEqual([]);
  });

  it('gives alias items no expiry, so a backfill cannot shorten a link newer events rely on', () => {
    // act
    const items = toItems(kept({ resources: [ENVIRONMENT] }), { now: NOW, retentionDays: 30 });

    // assess
    expect(items.filter((item) => String(item.sk).startsWith('ALIAS#') && 'expiresAt' in item)).toEqual([]);
  });

  it('costs one write unit per alias item', () => {
    // prepare
    const withoutId = { type: ENVIRONMENT.type, arn: ENVIRONMENT.arn, name: ENVIRONMENT.name };
    const withoutAliases = writeUnitsOf(toItems(kept({ resources: [withoutId] }), { now: NOW }));

    // act
    const withAliases = writeUnitsOf(toItems(kept({ resources: [ENVIRONMENT] }), { now: NOW }));

    // assess: six aliases, and the ID's own resourceName lookup item
    expect(withAliases - withoutAliases).toBe(6 + 1);
  });

  it('puts an event time with fractional seconds in the sort key to the whole second', () => {
    // act
    const [principalItem] = lookups(toItems(kept({ eventTime: '2026-11-20T10:15:00.250Z' }), { now: NOW }));

    // assess
    expect(principalItem?.sk).toBe('2026-11-20T10:15:00Z#11111111-2222-3333-4444-555555555555#principal');
    expect(principalItem?.eventTime).toBe('2026-11-20T10:15:00.250Z');
  });

  it('keeps an event with fractional seconds inside a time range starting at its second', () => {
    // prepare
    const range = timeRangeCondition('2026-11-20T10:15:00Z', '2026-11-20T10:15:00Z');

    // act
    const [principalItem] = lookups(toItems(kept({ eventTime: '2026-11-20T10:15:00.250Z' }), { now: NOW }));

    // assess
    const sk = String(principalItem?.sk);
    expect(sk >= String(range.values[':since']) && sk <= String(range.values[':until'])).toBe(true);
  });
});

describe('toItems: every item fits DynamoDB, whatever the record', () => {
  /** Every item's size and key sizes, for one assertion. */
  const limitsOf = (items: Record<string, unknown>[]): { largest: number; longestSortKey: number } => ({
    largest: Math.max(...items.map((item) => itemSize(item))),
    longestSortKey: Math.max(...items.map((item) => Buffer.byteLength(String(item.sk)))),
  });

  it('stores a record of very many small fields as its identifying fields and one marker, listed as "*"', () => {
    // prepare: 40,000 fields of a few bytes, 600 KB: no one field is worth a marker
    const fields = Object.fromEntries(Array.from({ length: 40_000 }, (_, index) => [`f${index}`, index]));
    const event = { ...kept({}, fields), source: SOURCE };

    // act
    const [eventItem] = toItems(event, { now: NOW });

    // assess
    const stored = JSON.parse(String(eventItem?.record)) as Record<string, unknown>;
    expect({
      fits: itemSize(eventItem ?? {}) <= DYNAMODB_ITEM_BYTES,
      trimmed: eventItem?.recordTrimmed,
      eventID: stored.eventID,
      marker: stored[TRIMMED_MARKER],
      source: stored[TRIMMED_SOURCE],
      f0: stored.f0,
    }).toEqual({
      fits: true,
      trimmed: ['*'],
      eventID: event.event.eventID,
      marker: Buffer.byteLength(JSON.stringify(event.record)),
      source: SOURCE,
      f0: undefined,
    });
  });

  it('keeps every lookup item small when a resource is named by a string too long to be a key', () => {
    // prepare: a resource whose name alone is 500 KB (the pipeline never builds one; the mapping copes all the same)
    const resources = [
      { type: 'AWS::ElasticLoadBalancing::LoadBalancer', name: 'n'.repeat(500 * 1024) },
      { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', arn: LB_ARN, name: 'web' },
    ];

    // act
    const items = toItems(kept({ resources }), { now: NOW });

    // assess
    expect(Math.max(...lookups(items).map((item) => itemSize(item)))).toBeLessThan(4 * 1024);
  });

  it('writes no alias item whose sort key would pass 1,024 bytes', () => {
    // prepare: an environment whose name fits a partition key (2,048 bytes) but not a sort key after ALIAS#
    const environment = { ...ENVIRONMENT, name: 'e'.repeat(1500) };

    // act
    const items = toItems(kept({ resources: [environment] }), { now: NOW });

    // assess
    expect(limitsOf(items).longestSortKey).toBeLessThanOrEqual(MAX_SORT_KEY_BYTES);
  });

  it('raises an error naming the event rather than return an item DynamoDB would refuse', () => {
    // prepare: an eventID longer than a partition key (the pipeline counts such a record as invalid)
    const valid = kept();
    const event = { ...valid, event: { ...valid.event, eventID: 'e'.repeat(3000) } };

    // act
    const mapping = (): unknown => toItems(event, { now: NOW });

    // assess
    expect(mapping).toThrow(ItemLimitError);
  });

  it('writes the record as the pipeline decided to store it', () => {
    // prepare
    const event = kept({}, { responseElements: { blob: 'r'.repeat(420 * 1024) } });
    const decided = { ...event, storedRecord: storedRecordOf(event) };

    // act
    const [eventItem] = toItems(decided, { now: NOW });

    // assess
    expect({ record: eventItem?.record, trimmed: eventItem?.recordTrimmed }).toEqual({
      record: decided.storedRecord.json,
      trimmed: decided.storedRecord.trimmed,
    });
  });

  it('keeps the record whole when it fits, saying so by leaving out the trimmed list', () => {
    // prepare
    const event = kept();

    // act
    const stored = storedRecordOf(event);

    // assess
    expect({ trimmed: stored.trimmed, whole: stored.json === JSON.stringify(event.record) }).toEqual({
      trimmed: undefined,
      whole: true,
    });
  });

  it('is certain a record is stored whole only when it is, however much of the item the resources take', () => {
    // prepare: from no resources to resources with 3-byte names that leave the record almost no room, beside records
    // of 1 to 23 KB (where the room ends), 66 KB (about where certainty ends without resources) and 400 KB, of 1- or
    // 3-byte characters. Measuring the resources' strings at 1 byte a code unit makes 190 of these cases wrong.
    const resources = (count: number): Resource[] =>
      Array.from({ length: count }, (_, index) => ({ type: 'AWS::EC2::Instance', name: `${'€'.repeat(30)}-${index}` }));
    const counts = [0, 200, ...Array.from({ length: 10 }, (_, step) => 2_700 + 20 * step)];
    const kilobytes = [...Array.from({ length: 12 }, (_, step) => 2 * step + 1), 66, 400];
    const cases = counts.flatMap((count) =>
      [1, 3].flatMap((bytesPerCharacter) =>
        kilobytes.map((size) => {
          const text = (bytesPerCharacter === 1 ? 'a' : '€').repeat(Math.floor((size * 1024) / bytesPerCharacter));
          const event = { ...kept({ resources: resources(count) }, { requestParameters: { text } }), source: SOURCE };
          return { event, recordText: JSON.stringify(event.record) };
        }),
      ),
    );

    // act
    const decided = cases.map(({ event, recordText }) => ({
      certain: storedWholeForCertain(event, recordText),
      whole: storedRecordOf(event).trimmed === undefined,
    }));

    // assess: never certain of a trimmed record; certain of some, and the sweep reaches trimmed ones
    expect({
      certainButTrimmed: decided.filter(({ certain, whole }) => certain && !whole).length,
      certain: decided.some(({ certain }) => certain),
      trimmed: decided.some(({ whole }) => !whole),
    }).toEqual({ certainButTrimmed: 0, certain: true, trimmed: true });
  });

  it('writes how many resources beyond the cap the event left out', () => {
    // act
    const [eventItem] = toItems(kept({ resourcesOmitted: 48_001 }), { now: NOW });

    // assess
    expect(eventItem?.resourcesOmitted).toBe(48_001);
  });
});

describe('itemSize', () => {
  it.each([
    [0, 2],
    [-0, 2],
    [7, 2],
    [-12, 2],
    [123, 3],
    [1234, 3],
    [-98765, 4],
    [1_700_000_000, 6],
    [Number.MAX_SAFE_INTEGER, 9],
    [-Number.MAX_SAFE_INTEGER, 9],
    [1.5, 2],
    [-0.125, 3],
    [1e20, 12],
    [1e21, 4],
    [2 ** 60, 11],
  ])('sizes the number %p as 1 byte plus 1 per 2 digits, at most 21 (%i bytes)', (value, bytes) => {
    // Act
    const size = itemSize({ n: value });

    // Assess: the name's 1 byte and the number's size.
    expect(size).toBe(1 + bytes);
  });
});
