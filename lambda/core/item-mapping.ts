/**
 * The key design, in one place: a kept event → the DynamoDB items that store it.
 *
 * One table, string keys `pk`/`sk`, no index: every question is ONE Query on the base table with the value a
 * person knows typed as it is into `pk`.
 * - The event item: `pk = eventID`, `sk = "EVENT"`; it holds the normalised event and the original record.
 * - One lookup item per thing to look up by: `pk = value`, `sk = "<eventTime>#<eventID>#<lookup>"`, with a readable
 *   summary of the event, so a console result needs no second read. The sort key starts with CloudTrail's
 *   `eventTime` (`YYYY-MM-DDTHH:MM:SSZ`, which compares lexicographically), so `ScanIndexForward: false` is newest
 *   first and a time range is a `BETWEEN` on `sk`.
 *
 * - One pair of alias items per two identifiers of one resource (a Beanstalk environment's name, `e-...` ID and ARN;
 *   a launch template's name, `lt-...` ID and ARN): `pk = <identifier>`, `sk = "ALIAS#<other identifier>"`. A
 *   call may name such a resource by either; the aliases let a lookup by one find the events that used another
 *   (`queryLookup` reads them first), and show a console user which other partitions to query.
 *
 * The same event always maps to the same keys, so a redelivered or repeated event overwrites identical items:
 * writes are idempotent by construction. Pure: no AWS SDK, no environment, no logging.
 *
 * Strings that are not well-formed UTF-16 (a lone surrogate: the decoder's escape of a byte that was not valid
 * UTF-8, or a `\uDC80`-style JSON escape) cannot be stored as DynamoDB strings, which are UTF-8: the SDK would turn
 * each into U+FFFD and two eventIDs differing only there would share one item. Every such string of an item, keys
 * included, is written with each lone surrogate spelled as the six characters `\udcXX` (see
 * {@link escapeLoneSurrogates}), so they stay apart; the event item then also keeps the record's raw bytes.
 */
import type { KeptEvent, RecordSource } from './pipeline';
import type { NormalisedEvent, Principal, Resource } from './types';

/** What a lookup item lets you look an event up by; the value of its `lookup` attribute. */
export type LookupKind =
  | 'principal'
  | 'principalName'
  | 'session'
  | 'accessKey'
  | 'action'
  | 'resource'
  | 'resourceName';

/** Every lookup kind, in the order items are written. */
export const LOOKUP_KINDS: readonly LookupKind[] = [
  'principal',
  'principalName',
  'session',
  'accessKey',
  'action',
  'resource',
  'resourceName',
];

/** Sort key of the item holding the whole event (mirrors `EVENT_ITEM_SORT_KEY` of the table definition). */
export const EVENT_SORT_KEY = 'EVENT';

/** The key under which a trimmed field of the original record keeps its original size in bytes. */
export const TRIMMED_MARKER = 'trail-audit:trimmed';

/**
 * The key under which a trimmed field's marker names where the untrimmed record is (`{uri, index, offset}`, as the
 * event item's `source`), so the field can be read back from the log object.
 */
export const TRIMMED_SOURCE = 'trail-audit:source';

/** The sort key prefix of alias items: `sk = "ALIAS#<other identifier of the same resource>"`. */
export const ALIAS_SORT_KEY_PREFIX = 'ALIAS#';

/**
 * Above this estimated size (bytes) the event item's record is trimmed. DynamoDB's hard limit is 400 KB; the
 * margin covers the estimate's approximations.
 */
export const MAX_EVENT_ITEM_BYTES = 350 * 1024;

/**
 * At most this many resources are listed in a lookup item's summary (`resourceCount` gives the total): a call
 * naming hundreds of instances would otherwise copy all of them into each of its hundreds of lookup items.
 */
export const MAX_SUMMARY_RESOURCES = 10;

/**
 * DynamoDB's limit on a partition key value, in bytes. A longer value (no real ARN or name comes close) cannot be
 * a key and could not be typed into the console anyway: it gets no lookup item rather than failing the batch.
 */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** Fields of the record that are never trimmed: they identify the event and are small. */
const NEVER_TRIMMED = new Set([
  'eventVersion',
  'eventID',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'eventType',
  'eventCategory',
  'recipientAccountId',
  'sourceIPAddress',
  'errorCode',
  'readOnly',
  'managementEvent',
  'requestID',
  'apiVersion',
]);

/**
 * One lookup item: the key a person types and a readable summary of the event.
 * `principal` is the principal's stable id; `resources` holds each resource's ARN, else its name.
 */
export interface LookupItem {
  readonly pk: string;
  readonly sk: string;
  readonly lookup: LookupKind;
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly service: NormalisedEvent['service'];
  readonly awsRegion: string;
  readonly accountId: string;
  readonly readOnly: boolean;
  readonly errorCode?: string;
  readonly sourceIPAddress?: string;
  readonly principal: string;
  readonly sessionName?: string;
  readonly resources: readonly string[];
  /** Only when `resources` was cut at {@link MAX_SUMMARY_RESOURCES}: how many resources the event names. */
  readonly resourceCount?: number;
  /** Only on `resourceName` items: the CloudFormation types of the resources of that name. */
  readonly resourceTypes?: readonly string[];
  readonly expiresAt?: number;
}

/** The item holding the whole event under `pk = eventID`, `sk = "EVENT"`. */
export interface EventItem {
  readonly pk: string;
  readonly sk: typeof EVENT_SORT_KEY;
  readonly eventID: string;
  readonly eventTime: string;
  readonly service: NormalisedEvent['service'];
  readonly eventSource: string;
  readonly eventName: string;
  /** IAM-style action, `elasticloadbalancing:DeleteLoadBalancer`. */
  readonly action: string;
  readonly awsRegion: string;
  readonly accountId: string;
  readonly readOnly: boolean;
  readonly errorCode?: string;
  readonly sourceIPAddress?: string;
  readonly principal: Principal;
  readonly resources: readonly Resource[];
  /** Only when `resources` had to be cut to keep the item under 400 KB: how many resources the event names. */
  readonly resourceCount?: number;
  /** The original CloudTrail record as JSON, its largest fields replaced by a marker if it had to be trimmed. */
  readonly record: string;
  /**
   * Names of the record's fields replaced by `{"trail-audit:trimmed": <original bytes>, "trail-audit:source":
   * <source>}`.
   */
  readonly recordTrimmed?: readonly string[];
  /** Where the record was read: the log object's URI, the record's index in it and its byte offset. */
  readonly source?: RecordSource;
  /** Only when the record's bytes were not valid UTF-8 (see {@link NormalisedEvent.invalidUtf8}). */
  readonly invalidUtf8?: true;
  /**
   * With `invalidUtf8`: the record's bytes exactly as read, in base64, so nothing is lost — unless they do not fit
   * in the item beside the record, when `source` says where to read them again.
   */
  readonly rawRecordBase64?: string;
  readonly storedAt: string;
  readonly expiresAt?: number;
}

/**
 * An alias item: `pk` and `alias` are two identifiers of one resource (name, ID or ARN). Its `sk` is
 * `ALIAS#<alias>`, so it sorts apart from the time-ordered lookup items and has no `lookup` attribute: a lookup
 * Query's filter never returns it.
 */
export interface AliasItem {
  readonly pk: string;
  readonly sk: string;
  /** The other identifier: the partition to query too. */
  readonly alias: string;
  /** The CloudFormation type of the resource both identifiers name. */
  readonly resourceType: string;
}

/** Options of {@link toItems}. */
export interface ItemMappingOptions {
  /**
   * Keep items this many days after the event's time (DynamoDB TTL on `expiresAt`).
   * @default items never expire
   */
  readonly retentionDays?: number;
  /**
   * The time written as `storedAt`; injectable so tests are deterministic.
   * @default now
   */
  readonly now?: Date;
  /**
   * Trim the record when the event item would exceed this size (bytes).
   * @default {@link MAX_EVENT_ITEM_BYTES}
   */
  readonly maxEventItemBytes?: number;
}

/**
 * The IAM-style action of a call: `eventSource` without `.amazonaws.com`, a colon, `eventName`.
 * This is how IAM policies and people name an API call (`elasticloadbalancing:DeleteLoadBalancer`).
 */
export function actionOf(eventSource: string, eventName: string): string {
  const service = eventSource.endsWith('.amazonaws.com')
    ? eventSource.slice(0, -'.amazonaws.com'.length)
    : eventSource;
  return `${service}:${eventName}`;
}

/** The `expiresAt` (epoch seconds) of an event, or undefined when no retention is set or the time is unreadable. */
export function expiresAtOf(eventTime: string, retentionDays: number | undefined): number | undefined {
  if (retentionDays === undefined) return undefined;
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new RangeError(`retentionDays must be a positive number, got ${String(retentionDays)}`);
  }
  const millis = Date.parse(eventTime);
  if (Number.isNaN(millis)) return undefined;
  return Math.floor(millis / 1000) + Math.round(retentionDays * 86_400);
}

/**
 * The `eventTime` part of a sort key: CloudTrail's whole-second `YYYY-MM-DDTHH:MM:SSZ`. Re-exported records may
 * carry fractional seconds (`...:05.250Z`), which would sort before the whole second (`.` < `Z`) and fall outside
 * a `--since` of exactly that second; the sort key drops them (the item's `eventTime` keeps them).
 */
export function sortKeyTime(eventTime: string): string {
  return eventTime.replace(/\.\d+Z$/, 'Z');
}

/**
 * The items that store one kept event: the event item first, then one lookup item per distinct
 * (value, lookup kind), in {@link LOOKUP_KINDS} order, then the alias items of its resources ({@link aliasItems}).
 *
 * Deterministic: the same event gives the same keys (only `storedAt` differs), so rewriting is harmless.
 * Identical (pk, sk) pairs within the event are written once; empty values and values longer than DynamoDB's
 * 2048-byte partition key limit get no lookup item. The event item's record is trimmed, field by
 * field from the largest, when the item would pass {@link MAX_EVENT_ITEM_BYTES}; the event is never dropped.
 */
export function toItems(kept: KeptEvent, options: ItemMappingOptions = {}): Record<string, unknown>[] {
  const event = kept.event;
  const expiresAt = expiresAtOf(event.eventTime, options.retentionDays);
  const recordJson = JSON.stringify(kept.record);
  const candidates = [eventItem(kept, recordJson, expiresAt, options), ...lookupItems(event, expiresAt), ...aliasItems(event)];
  // Every string of the event comes from the record: lone surrogates anywhere show in its JSON, which
  // JSON.stringify writes as `\udXXX` escapes.
  const storable = LONE_SURROGATE_ESCAPE.test(recordJson) ? candidates.map((item) => escapeLoneSurrogatesIn(item)) : candidates;
  const items: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const item of storable) {
    const key = `${item.pk}\u0000${item.sk}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(item as unknown as Record<string, unknown>);
  }
  return items;
}

/** How JSON.stringify writes a lone surrogate (it writes paired ones as they are). */
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f]/;

/** A surrogate code unit that is not part of a pair (the `u` flag reads pairs as one code point). */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * A string with each lone surrogate written as the six characters `\udXXX` (lower-case hex, as JSON.stringify
 * writes them): well-formed, so storable as UTF-8, and different for different surrogates. Strings without lone
 * surrogates are returned as they are. A surrogate the decoder made from a byte that was not valid UTF-8 is
 * U+DC00 + the byte: `\udcff` stands for byte 0xff.
 */
export function escapeLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, (surrogate) => `\\u${surrogate.charCodeAt(0).toString(16)}`);
}

function escapeLoneSurrogatesIn<T>(value: T): T {
  if (typeof value === 'string') return escapeLoneSurrogates(value) as T;
  if (Array.isArray(value)) return value.map((element: unknown) => escapeLoneSurrogatesIn(element)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, element]) => [escapeLoneSurrogates(name), escapeLoneSurrogatesIn(element)])) as T;
  }
  return value;
}

/**
 * The alias items of an event: for each resource it names by more than one identifier — a name and an ID beside
 * it (a Beanstalk environment's `e-...`, a launch template's `lt-...`), and the ARN when known — one item per
 * ordered pair of those identifiers, so one Query on any of them lists all the others.
 *
 * Failed calls (`errorCode`) write none. Only resources with an `id` get aliases: the other resources' names are
 * read from their ARNs, so every event naming them carries both and their lookup items already sit under both.
 * Alias items carry no `expiresAt`: they link identifiers, not events, and an older event rewriting them (a
 * backfill) must not shorten the link's life below that of newer events.
 */
export function aliasItems(event: NormalisedEvent): AliasItem[] {
  // A failed call proves nothing about which name goes with which ID (UpdateEnvironment with a mismatched pair is
  // refused): only successful calls link identifiers.
  if (event.errorCode !== undefined) return [];
  const items: AliasItem[] = [];
  for (const resource of event.resources) {
    if (resource.id === undefined || resource.id === resource.name) continue;
    const identifiers = [
      ...new Set([resource.arn, resource.name, resource.id].filter((value) => value !== undefined)),
    ].filter((value) => value !== '' && utf8Length(value) <= MAX_PARTITION_KEY_BYTES);
    for (const pk of identifiers) {
      for (const alias of identifiers) {
        if (alias === pk) continue;
        items.push({ pk, sk: `${ALIAS_SORT_KEY_PREFIX}${alias}`, alias, resourceType: resource.type });
      }
    }
  }
  return items;
}

/** The lookup items of an event (duplicates not yet removed). */
export function lookupItems(event: NormalisedEvent, expiresAt?: number): LookupItem[] {
  const summary = summaryOf(event, expiresAt);
  const principal = event.principal;
  const entries: { value: string | undefined; lookup: LookupKind; resourceTypes?: string[] }[] = [
    { value: principal.id, lookup: 'principal' },
    { value: principal.name !== principal.id ? principal.name : undefined, lookup: 'principalName' },
    { value: principal.sessionArn, lookup: 'session' },
    { value: principal.accessKeyId, lookup: 'accessKey' },
    { value: actionOf(event.eventSource, event.eventName), lookup: 'action' },
  ];
  for (const resource of event.resources) {
    entries.push({ value: resource.arn, lookup: 'resource' });
  }
  // A name can stand for several resources of different types (a load balancer and its target group both
  // named `web`): one item per name, carrying all their types. A resource's `id` (a Beanstalk environment's
  // `e-...`, named beside its name) is looked up like a name: people type whichever they have.
  const typesByName = new Map<string, Set<string>>();
  for (const resource of event.resources) {
    for (const name of [resource.name, resource.id]) {
      if (name === undefined || name === resource.arn) continue;
      const types = typesByName.get(name) ?? new Set<string>();
      types.add(resource.type);
      typesByName.set(name, types);
    }
  }
  for (const [name, types] of typesByName) {
    entries.push({ value: name, lookup: 'resourceName', resourceTypes: [...types].sort() });
  }
  const items: LookupItem[] = [];
  for (const entry of entries) {
    if (entry.value === undefined || entry.value === '' || utf8Length(entry.value) > MAX_PARTITION_KEY_BYTES) continue;
    items.push({
      pk: entry.value,
      sk: `${sortKeyTime(event.eventTime)}#${event.eventID}#${entry.lookup}`,
      lookup: entry.lookup,
      ...summary,
      ...(entry.resourceTypes === undefined ? {} : { resourceTypes: entry.resourceTypes }),
    });
  }
  return items;
}

function summaryOf(event: NormalisedEvent, expiresAt: number | undefined): Omit<LookupItem, 'pk' | 'sk' | 'lookup'> {
  return {
    eventID: event.eventID,
    eventTime: event.eventTime,
    eventName: event.eventName,
    eventSource: event.eventSource,
    service: event.service,
    awsRegion: event.awsRegion,
    accountId: event.accountId,
    readOnly: event.readOnly,
    ...(event.errorCode === undefined ? {} : { errorCode: event.errorCode }),
    ...(event.sourceIPAddress === undefined ? {} : { sourceIPAddress: event.sourceIPAddress }),
    principal: event.principal.id,
    ...(event.principal.sessionName === undefined ? {} : { sessionName: event.principal.sessionName }),
    resources: [...new Set(event.resources.map((resource) => resource.arn ?? resource.name ?? resource.type))].slice(
      0,
      MAX_SUMMARY_RESOURCES,
    ),
    ...(event.resources.length > MAX_SUMMARY_RESOURCES ? { resourceCount: event.resources.length } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function eventItem(kept: KeptEvent, fullRecord: string, expiresAt: number | undefined, options: ItemMappingOptions): EventItem {
  const limit = options.maxEventItemBytes ?? MAX_EVENT_ITEM_BYTES;
  if (kept.rawBytes === undefined) return fittedEventItem(kept, fullRecord, expiresAt, options, {});
  const marked = { invalidUtf8: true } as const;
  // The raw bytes are the whole truth about the record: worth trimming the record's fields to keep them; but when
  // even that does not fit, they are left out (the source is noted) rather than fail the write.
  const withRaw = fittedEventItem(kept, fullRecord, expiresAt, options, {
    ...marked,
    rawRecordBase64: Buffer.from(kept.rawBytes).toString('base64'),
  });
  return itemSize(withRaw) <= limit ? withRaw : fittedEventItem(kept, fullRecord, expiresAt, options, marked);
}

/** The event item with `extra` attributes, its record trimmed (then its resources cut) until it fits the limit. */
function fittedEventItem(
  kept: KeptEvent,
  fullRecord: string,
  expiresAt: number | undefined,
  options: ItemMappingOptions,
  extra: Pick<EventItem, 'invalidUtf8' | 'rawRecordBase64'>,
): EventItem {
  const event = kept.event;
  const base = {
    pk: event.eventID,
    sk: EVENT_SORT_KEY,
    eventID: event.eventID,
    eventTime: event.eventTime,
    service: event.service,
    eventSource: event.eventSource,
    eventName: event.eventName,
    action: actionOf(event.eventSource, event.eventName),
    awsRegion: event.awsRegion,
    accountId: event.accountId,
    readOnly: event.readOnly,
    ...(event.errorCode === undefined ? {} : { errorCode: event.errorCode }),
    ...(event.sourceIPAddress === undefined ? {} : { sourceIPAddress: event.sourceIPAddress }),
    principal: withoutUndefined(event.principal),
    resources: event.resources.map(withoutUndefined),
    ...(kept.source === undefined ? {} : { source: kept.source }),
    ...extra,
    storedAt: (options.now ?? new Date()).toISOString(),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  } as const;
  const limit = options.maxEventItemBytes ?? MAX_EVENT_ITEM_BYTES;
  if (itemSize({ ...base, record: fullRecord }) <= limit) return { ...base, record: fullRecord };

  // Too large: replace the record's largest fields, one at a time, by a marker with their size and where the
  // whole record can be read again.
  const fields = Object.entries(kept.record as Record<string, unknown>)
    .filter(([name, value]) => !NEVER_TRIMMED.has(name) && value !== undefined && value !== null)
    .map(([name, value]) => ({ name, bytes: utf8Length(JSON.stringify(value)) }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const trimmedRecord: Record<string, unknown> = { ...(kept.record as Record<string, unknown>) };
  const recordTrimmed: string[] = [];
  let item: EventItem = { ...base, record: fullRecord, recordTrimmed };
  for (const field of fields) {
    trimmedRecord[field.name] = {
      [TRIMMED_MARKER]: field.bytes,
      ...(kept.source === undefined ? {} : { [TRIMMED_SOURCE]: kept.source }),
    };
    recordTrimmed.push(field.name);
    item = { ...base, record: JSON.stringify(trimmedRecord), recordTrimmed };
    if (itemSize(item) <= limit) return item;
  }
  // Still too large with every large field trimmed: only a resource list of thousands of entries does that. The
  // lookup items hold every resource; the event item keeps as many as fit and says how many there were.
  let keep = base.resources.length;
  while (keep > 0 && itemSize(item) > limit) {
    keep = Math.floor(keep / 2);
    item = { ...item, resources: base.resources.slice(0, keep), resourceCount: base.resources.length };
  }
  return item;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * An estimate of an item's size as DynamoDB counts it (attribute names plus values; strings in UTF-8 bytes,
 * numbers up to 21 bytes, 1 byte for a boolean, 3 bytes plus 1 per element for maps and lists).
 * It errs on the large side; used to trim in time and to state write costs.
 */
export function itemSize(item: object): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8Length(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Length(value);
  if (typeof value === 'number') return Math.min(21, 1 + Math.ceil(String(value).replace(/[-.]/g, '').length / 2));
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value).reduce<number>(
        (sum, [name, element]) => (element === undefined ? sum : sum + 1 + utf8Length(name) + valueSize(element)),
        0,
      )
    );
  }
  return 0;
}
