/**
 * The read side of the key design: each question is one Query on the base table, newest first, with the value a
 * person knows as the partition key (a resource question first reads the value's alias items, and queries the
 * partitions of the other identifiers of the same resource too). Used by `trail-audit query` and the integration
 * tests.
 */
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ALIAS_SORT_KEY_PREFIX,
  EVENT_SORT_KEY,
  LOOKUP_KINDS,
  type LookupItem,
  type LookupKind,
} from '../core/item-mapping';
import type { RecordSource } from '../core/pipeline';
import { storedAutoScalingArn } from '../core/resources/arn';
import type { NormalisedEvent, Principal, Resource, Service } from '../core/types';

/** The lookup kinds that look a resource up: values of these kinds are normalised and expanded to their aliases. */
const RESOURCE_KINDS: readonly LookupKind[] = ['resource', 'resourceName'];

/** Filters and bounds of {@link queryLookup}. */
export interface QueryOptions {
  /**
   * Earliest event time, inclusive (any ISO 8601 time; compared at CloudTrail's one-second precision).
   * @default no lower bound
   */
  readonly since?: string;
  /**
   * Latest event time, inclusive (to the second).
   * @default no upper bound
   */
  readonly until?: string;
  /**
   * At most this many events.
   * @default no limit: every match, read lazily page by page
   */
  readonly limit?: number;
  /** Only events in this region. @default every region */
  readonly awsRegion?: string;
  /** Only events of this account. @default every account */
  readonly accountId?: string;
}

/** Raised when a stored item does not have the shape trail-audit writes (another writer, or a damaged item). */
export class StoredItemError extends Error {
  override readonly name = 'StoredItemError';
  constructor(
    message: string,
    readonly pk: string,
    readonly sk: string,
  ) {
    super(message);
  }
}

/** `YYYY-MM-DDTHH:MM:SSZ`, CloudTrail's eventTime format, of any time `Date` can read. */
export function toEventTime(time: string, option: string): string {
  const millis = Date.parse(time);
  if (Number.isNaN(millis)) throw new RangeError(`${option} is not a readable time: '${time}'`);
  return new Date(Math.floor(millis / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The sort-key condition of a time range, and its values. */
export function timeRangeCondition(
  since: string | undefined,
  until: string | undefined,
): { expression?: string; values: Record<string, string> } {
  // Sort keys are `<eventTime>#<eventID>#<lookup>`: the lower bound is the bare time (every key of that second
  // sorts after it), the upper bound the time followed by a character above any in an eventID.
  const low = since === undefined ? undefined : toEventTime(since, 'since');
  const high = until === undefined ? undefined : `${toEventTime(until, 'until')}#\uffff`;
  if (low !== undefined && high !== undefined) {
    if (low > high) throw new RangeError(`since (${low}) is after until (${until ?? ''})`);
    return { expression: '#sk BETWEEN :since AND :until', values: { ':since': low, ':until': high } };
  }
  if (low !== undefined) return { expression: '#sk >= :since', values: { ':since': low } };
  if (high !== undefined) return { expression: '#sk <= :until', values: { ':until': high } };
  return { values: {} };
}

/**
 * The events whose lookup items sit under any of `values`, restricted to the lookup `kinds`, newest first.
 *
 * When `kinds` include a resource kind, each value is first put in the form the table stores (an Auto Scaling
 * group or launch configuration ARN with its UUID becomes the `*` form, see {@link storedAutoScalingArn}) and
 * expanded to its aliases (one extra Query per value on `begins_with(sk, "ALIAS#")`): the other identifiers of the
 * same resource, such as a Beanstalk environment's ID for its name, whose partitions are read too.
 *
 * One Query per value (the partition key), paged lazily; several values are merged by sort key (k-way), and an
 * event found under more than one value or kind is yielded once. `since`/`until` become a `BETWEEN` on the sort
 * key; kinds, region and account are a filter expression (DynamoDB reads, then filters: the Query still costs
 * the items it reads).
 */
export async function* queryLookup(
  client: DynamoDBDocumentClient,
  tableName: string,
  values: readonly string[],
  kinds: readonly LookupKind[] = LOOKUP_KINDS,
  options: QueryOptions = {},
): AsyncGenerator<LookupItem> {
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${String(options.limit)}`);
  }
  if (kinds.length === 0 || options.limit === 0) return;
  const range = timeRangeCondition(options.since, options.until);
  const filters = [`#lookup IN (${kinds.map((_, index) => `:kind${index}`).join(', ')})`];
  const names: Record<string, string> = { '#pk': 'pk', '#lookup': 'lookup' };
  const filterValues: Record<string, unknown> = Object.fromEntries(kinds.map((kind, index) => [`:kind${index}`, kind]));
  if (options.awsRegion !== undefined) {
    filters.push('#awsRegion = :awsRegion');
    names['#awsRegion'] = 'awsRegion';
    filterValues[':awsRegion'] = options.awsRegion;
  }
  if (options.accountId !== undefined) {
    filters.push('#accountId = :accountId');
    names['#accountId'] = 'accountId';
    filterValues[':accountId'] = options.accountId;
  }
  if (range.expression !== undefined) names['#sk'] = 'sk';

  let partitions = [...new Set(values)];
  if (kinds.some((kind) => RESOURCE_KINDS.includes(kind))) {
    partitions = [...new Set(partitions.map(storedAutoScalingArn))];
    const aliases = await Promise.all(partitions.map((value) => aliasesOf(client, tableName, value)));
    partitions = [...new Set([...partitions, ...aliases.flat()])];
  }
  const cursors = partitions.map((value) =>
    pages(client, {
      TableName: tableName,
      KeyConditionExpression: ['#pk = :pk', range.expression].filter((part) => part !== undefined).join(' AND '),
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': value, ...range.values, ...filterValues },
      ScanIndexForward: false,
      ...(options.limit === undefined ? {} : { Limit: Math.min(Math.max(options.limit, 25), 1000) }),
    }),
  );
  const heads = await Promise.all(cursors.map(async (cursor) => ({ cursor, head: await cursor.next() })));
  let yielded = 0;
  // Items of one event share the second their sort key starts with, so across values they arrive within that
  // second's run: remembering that second's eventIDs is enough to yield each event once (even where items written
  // before sort keys dropped fractional seconds sit beside newer ones), and memory stays bounded.
  let second: string | undefined;
  const seenInSecond = new Set<string>();
  for (;;) {
    let best: (typeof heads)[number] | undefined;
    for (const entry of heads) {
      if (entry.head.done === true) continue;
      if (best === undefined || sortKeyOf(entry.head.value) > sortKeyOf(best.head.value as LookupItem)) best = entry;
    }
    if (best === undefined || best.head.done === true) return;
    const item = best.head.value;
    const itemSecond = item.sk.slice(0, 'YYYY-MM-DDTHH:MM:SS'.length);
    if (itemSecond !== second) {
      second = itemSecond;
      seenInSecond.clear();
    }
    if (!seenInSecond.has(item.eventID)) {
      seenInSecond.add(item.eventID);
      yield item;
      yielded++;
      // Checked before advancing: reaching the limit reads no further page.
      if (options.limit !== undefined && yielded >= options.limit) return;
    }
    best.head = await best.cursor.next();
  }
}

function sortKeyOf(item: LookupItem): string {
  return item.sk;
}

/**
 * The other identifiers of the resource `value` identifies, from its alias items (`sk = "ALIAS#<alias>"`, written
 * by the item mapping when an event names a resource by two identifiers). Empty when it has none.
 */
export async function aliasesOf(client: DynamoDBDocumentClient, tableName: string, value: string): Promise<string[]> {
  const aliases: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :alias)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': value, ':alias': ALIAS_SORT_KEY_PREFIX },
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    for (const raw of output.Items ?? []) {
      const alias: unknown = raw.alias;
      if (typeof alias !== 'string' || alias === '') {
        throw new StoredItemError("alias item has no string attribute 'alias'", value, String(raw.sk));
      }
      aliases.push(alias);
    }
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return aliases;
}

async function* pages(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<LookupItem> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({ ...input, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }),
    );
    for (const raw of output.Items ?? []) yield toLookupItem(raw);
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** Checks that a stored item is a lookup item as trail-audit writes it. */
export function toLookupItem(raw: Record<string, unknown>): LookupItem {
  const pk = str(raw, 'pk', raw);
  const sk = str(raw, 'sk', raw);
  const lookup = str(raw, 'lookup', raw);
  if (!(LOOKUP_KINDS as readonly string[]).includes(lookup)) {
    throw new StoredItemError(`item has an unknown lookup kind '${lookup}'`, pk, sk);
  }
  const resources = raw.resources;
  if (!Array.isArray(resources) || !resources.every((value): value is string => typeof value === 'string')) {
    throw new StoredItemError('item has no resources list', pk, sk);
  }
  const resourceTypes = raw.resourceTypes;
  return {
    pk,
    sk,
    lookup: lookup as LookupKind,
    eventID: str(raw, 'eventID', raw),
    eventTime: str(raw, 'eventTime', raw),
    eventName: str(raw, 'eventName', raw),
    eventSource: str(raw, 'eventSource', raw),
    service: str(raw, 'service', raw) as Service,
    awsRegion: str(raw, 'awsRegion', raw),
    accountId: str(raw, 'accountId', raw),
    readOnly: raw.readOnly === true,
    ...optionalStr(raw, 'errorCode'),
    ...optionalStr(raw, 'sourceIPAddress'),
    principal: str(raw, 'principal', raw),
    ...optionalStr(raw, 'sessionName'),
    resources,
    ...(Array.isArray(resourceTypes)
      ? { resourceTypes: resourceTypes.filter((value): value is string => typeof value === 'string') }
      : {}),
    ...(typeof raw.resourceCount === 'number' ? { resourceCount: raw.resourceCount } : {}),
    ...(typeof raw.expiresAt === 'number' ? { expiresAt: raw.expiresAt } : {}),
  };
}

/** What {@link getEvent} returns: the normalised event and the original record (possibly trimmed). */
export interface StoredEvent {
  readonly event: NormalisedEvent;
  /** The original CloudTrail record as JSON. */
  readonly record: string;
  /** The record's fields replaced by `{"trail-audit:trimmed": <bytes>}` because the item would pass 400 KB. */
  readonly recordTrimmed?: string[];
  /** Where the record was read (log object URI, record index, byte offset), for events stored with it. */
  readonly source?: RecordSource;
}

/** The event with this eventID (one GetItem, strongly consistent), or undefined when it is not stored. */
export async function getEvent(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventID: string,
): Promise<StoredEvent | undefined> {
  const output = await client.send(
    new GetCommand({ TableName: tableName, Key: { pk: eventID, sk: EVENT_SORT_KEY }, ConsistentRead: true }),
  );
  const raw: Record<string, unknown> | undefined = output.Item;
  return raw === undefined ? undefined : toStoredEvent(raw);
}

/** BatchGetItem's limit of keys per call. */
export const BATCH_GET_LIMIT = 100;

/**
 * The events with these eventIDs (BatchGetItem, strongly consistent, keys the table could not serve at once asked
 * again), by eventID; an ID that is not stored is absent from the map. One round trip for up to 100 events, where
 * {@link getEvent} takes one each: what `query` uses to print a page of results.
 */
export async function getEvents(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventIDs: readonly string[],
): Promise<Map<string, StoredEvent>> {
  const found = new Map<string, StoredEvent>();
  const unique = [...new Set(eventIDs)];
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = unique
      .slice(start, start + BATCH_GET_LIMIT)
      .map((eventID) => ({ pk: eventID, sk: EVENT_SORT_KEY }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const output = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const raw of output.Responses?.[tableName] ?? []) {
        const stored = toStoredEvent(raw);
        found.set(stored.event.eventID, stored);
      }
      keys = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/** Checks that a stored item is an event item as trail-audit writes it, and reads it. */
function toStoredEvent(raw: Record<string, unknown>): StoredEvent {
  const pk = str(raw, 'pk', raw);
  const principal = raw.principal;
  const resources = raw.resources;
  if (!isObject(principal) || typeof principal.id !== 'string' || typeof principal.type !== 'string') {
    throw new StoredItemError('event item has no principal', pk, EVENT_SORT_KEY);
  }
  if (!Array.isArray(resources) || !resources.every(isObject)) {
    throw new StoredItemError('event item has no resources list', pk, EVENT_SORT_KEY);
  }
  const recordTrimmed = raw.recordTrimmed;
  const source = raw.source;
  const event: NormalisedEvent = {
    eventID: str(raw, 'eventID', raw),
    eventTime: str(raw, 'eventTime', raw),
    service: str(raw, 'service', raw) as Service,
    eventSource: str(raw, 'eventSource', raw),
    eventName: str(raw, 'eventName', raw),
    awsRegion: str(raw, 'awsRegion', raw),
    accountId: str(raw, 'accountId', raw),
    readOnly: raw.readOnly === true,
    ...optionalStr(raw, 'errorCode'),
    ...optionalStr(raw, 'sourceIPAddress'),
    principal: principal as unknown as Principal,
    resources: resources as unknown as Resource[],
    ...(typeof raw.resourcesOmitted === 'number' ? { resourcesOmitted: raw.resourcesOmitted } : {}),
  };
  return {
    event,
    record: str(raw, 'record', raw),
    ...(Array.isArray(recordTrimmed)
      ? { recordTrimmed: recordTrimmed.filter((value): value is string => typeof value === 'string') }
      : {}),
    ...(isRecordSource(source) ? { source: { uri: source.uri, index: source.index, offset: source.offset } } : {}),
  };
}

function isRecordSource(value: unknown): value is RecordSource {
  return (
    isObject(value) &&
    typeof value.uri === 'string' &&
    typeof value.index === 'number' &&
    typeof value.offset === 'number'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(raw: Record<string, unknown>, name: string, item: Record<string, unknown>): string {
  const value = raw[name];
  if (typeof value !== 'string') {
    throw new StoredItemError(`item has no string attribute '${name}'`, String(item.pk), String(item.sk));
  }
  return value;
}

function optionalStr(raw: Record<string, unknown>, name: string): Record<string, string> {
  const value = raw[name];
  return typeof value === 'string' ? { [name]: value } : {};
}
