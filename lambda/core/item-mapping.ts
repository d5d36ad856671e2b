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
 * `escapeLoneSurrogates`), so they stay apart; the event item then also keeps the record's raw bytes.
 *
 * Every item fits DynamoDB's limits, whatever the record: keys within their byte limits (values too long for a
 * key get no item), lookup summaries bounded (the pipeline's bounds on identifiers), and the event item trimmed
 * to fit — its record first (decided once, by {@link storedRecordOf}), then its resource list. Each item's size
 * and keys are checked before it is returned.
 */
import {
  DYNAMODB_ITEM_BYTES,
  escapeLoneSurrogates,
  fitsBytes,
  MAX_PARTITION_KEY_BYTES,
  MAX_SORT_KEY_BYTES,
  storedByteLength,
} from './limits';
import type { KeptEvent, NormalisedEvent, Principal, RecordSource, Resource, StoredRecord } from './types';

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
  /** Only when `resources` had to be cut to keep the item under 400 KB: how many resources the event lists. */
  readonly resourceCount?: number;
  /** Only when the record names more resources than the cap: how many were left out of the event (and the index). */
  readonly resourcesOmitted?: number;
  /** The original CloudTrail record as JSON, its largest fields replaced by a marker if it had to be trimmed. */
  readonly record: string;
  /**
   * Names of the record's fields replaced by `{"trail-audit:trimmed": <original bytes>, "trail-audit:source":
   * <source>}`; `["*"]` when every field but the identifying ones was (the marker then sits in the record itself).
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
 * Identical (pk, sk) pairs within the event are written once; empty values and values too long for a key get no
 * item. The event item stores the record as {@link storedRecordOf} decided (the pipeline's decision, carried in
 * `kept.storedRecord`), then lists as many resources as fit; the event is never dropped.
 * @throws ItemLimitError if an item would still break a DynamoDB limit: a bug, since the pipeline's bounds make
 *   every item fit, never a property of the record
 */
export function toItems(kept: KeptEvent, options: ItemMappingOptions = {}): Record<string, unknown>[] {
  const limit = options.maxEventItemBytes ?? MAX_EVENT_ITEM_BYTES;
  const stored = kept.storedRecord !== undefined && limit === MAX_EVENT_ITEM_BYTES ? kept.storedRecord : storedRecordOf(kept, limit);
  const event = stored.loneSurrogates === true ? escapeLoneSurrogatesIn(kept.event) : kept.event;
  const expiresAt = expiresAtOf(event.eventTime, options.retentionDays);
  const storedAt = (options.now ?? new Date()).toISOString();
  const candidates = [
    eventItem(kept, event, stored, { storedAt, expiresAt, limit }),
    ...lookupItems(event, expiresAt),
    ...aliasItems(event),
  ];
  const items: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const item of candidates) {
    const key = `${item.pk}\u0000${item.sk}`;
    if (seen.has(key)) continue;
    seen.add(key);
    checkLimits(item, event.eventID);
    items.push(item as unknown as Record<string, unknown>);
  }
  return items;
}

/** Raised by {@link toItems} when an item would break a DynamoDB limit (names the event and the item, not content). */
export class ItemLimitError extends Error {
  override readonly name = 'ItemLimitError';
}

function checkLimits(item: { readonly pk: string; readonly sk: string }, eventID: string): void {
  const problem = !fitsBytes(item.pk, MAX_PARTITION_KEY_BYTES)
    ? 'partition key too long'
    : !fitsBytes(item.sk, MAX_SORT_KEY_BYTES)
      ? 'sort key too long'
      : itemSize(item) > DYNAMODB_ITEM_BYTES
        ? `item of ${itemSize(item)} bytes`
        : undefined;
  if (problem !== undefined) {
    throw new ItemLimitError(`event ${eventID}: an item would break DynamoDB's limits (${problem})`);
  }
}

/** How JSON.stringify writes a lone surrogate (it writes paired ones as they are). */
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f]/;

/** Escapes the strings of a normalised event's value (plain data a few levels deep: no record content). */
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
 * ordered pair of those identifiers, so one Query on any of them lists all the others. A pair whose identifier is
 * too long for the partition key, or whose alias is too long for the sort key, gets no item.
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
    ].filter((value) => value !== '' && fitsBytes(value, MAX_PARTITION_KEY_BYTES));
    for (const pk of identifiers) {
      for (const alias of identifiers) {
        const sk = `${ALIAS_SORT_KEY_PREFIX}${alias}`;
        if (alias === pk || !fitsBytes(sk, MAX_SORT_KEY_BYTES)) continue;
        items.push({ pk, sk, alias, resourceType: resource.type });
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
    if (entry.value === undefined || entry.value === '' || !fitsBytes(entry.value, MAX_PARTITION_KEY_BYTES)) continue;
    const sk = `${sortKeyTime(event.eventTime)}#${event.eventID}#${entry.lookup}`;
    if (!fitsBytes(sk, MAX_SORT_KEY_BYTES)) continue;
    items.push({
      pk: entry.value,
      sk,
      lookup: entry.lookup,
      ...summary,
      ...(entry.resourceTypes === undefined ? {} : { resourceTypes: entry.resourceTypes }),
    });
  }
  return items;
}

function summaryOf(event: NormalisedEvent, expiresAt: number | undefined): Omit<LookupItem, 'pk' | 'sk' | 'lookup'> {
  // Each resource is shown by what a person would query it by: its ARN, else its name (one too long to be a key
  // could not be queried, and would make every lookup item of the event as large as itself).
  const shown = event.resources.map(
    (resource) => [resource.arn, resource.name].find((value) => value !== undefined && fitsBytes(value, MAX_PARTITION_KEY_BYTES)) ?? resource.type,
  );
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
    resources: [...new Set(shown)].slice(0, MAX_SUMMARY_RESOURCES),
    ...(event.resources.length > MAX_SUMMARY_RESOURCES ? { resourceCount: event.resources.length } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** What an event item's fixed part needs besides the event: the store's time, the TTL, the size limit. */
interface EventItemContext {
  readonly storedAt: string;
  readonly expiresAt: number | undefined;
  readonly limit: number;
}

/** The event item: its fixed part, the stored record, then as many resources as fit under the limit. */
function eventItem(kept: KeptEvent, event: NormalisedEvent, stored: StoredRecord, context: EventItemContext): EventItem {
  const item: EventItem = {
    ...eventItemBase(kept, event, context.storedAt, context.expiresAt),
    principal: withoutUndefined(event.principal),
    record: stored.json,
    ...(stored.trimmed === undefined ? {} : { recordTrimmed: stored.trimmed.map(escapeLoneSurrogates) }),
    ...(stored.rawBase64 === undefined ? {} : { rawRecordBase64: stored.rawBase64 }),
    resources: event.resources.map(withoutUndefined),
  };
  if (itemSize(item) <= context.limit) return item;
  // Still too large with the record fitted: a resource list of thousands of long entries. The lookup items hold
  // every listed resource; the event item keeps as many as fit and says how many there were.
  let keep = item.resources.length;
  let cut: EventItem = item;
  while (keep > 0 && itemSize(cut) > context.limit) {
    keep = Math.floor(keep / 2);
    cut = { ...item, resources: item.resources.slice(0, keep), resourceCount: item.resources.length };
  }
  return cut;
}

/** The event item without its record and resources: what is left is what {@link storedRecordOf} fits the record into. */
function eventItemBase(kept: KeptEvent, event: NormalisedEvent, storedAt: string, expiresAt: number | undefined) {
  return {
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
    // Sized as it is (the size skips undefined members); the item itself drops them (see eventItem).
    principal: event.principal,
    ...(event.resourcesOmitted === undefined ? {} : { resourcesOmitted: event.resourcesOmitted }),
    ...(kept.source === undefined ? {} : { source: { ...kept.source, uri: escapeLoneSurrogates(kept.source.uri) } }),
    ...(event.invalidUtf8 === true ? { invalidUtf8: true as const } : {}),
    storedAt,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  } as const;
}

/**
 * Bytes set aside in the event item for what {@link storedRecordOf} does not know when it decides: the store's
 * `storedAt` (an ISO time) and `expiresAt` (a number, at most 21 bytes), and `resourceCount` should the resource
 * list be cut.
 */
const EVENT_ITEM_RESERVE_BYTES = 'storedAt'.length + 30 + 'expiresAt'.length + 21 + 'resourceCount'.length + 21;

/**
 * How the event item stores a kept event's record, decided once (the pipeline does, and every door reports it):
 * whole when it fits beside the rest of the item (the normalised event and its resources) under `limit`; else
 * trimmed field by field from the largest, each replaced by `{"trail-audit:trimmed": <bytes>,
 * "trail-audit:source": <source>}`; and when even that is not enough (a record of very many small fields), every
 * field but the identifying ones replaced by one such marker in the record itself (`trimmed: ["*"]`). A record that
 * was not valid UTF-8 keeps its raw bytes when they fit with the record (trimmed if need be), else they are left
 * out (`source` says where to read them). Only when the resource list alone leaves too little room (thousands of
 * resources) does the item mapping then cut that list.
 *
 * Linear in the record's size: each field is measured once, and the trimmed record serialised once.
 */
export function storedRecordOf(kept: KeptEvent, limit: number = MAX_EVENT_ITEM_BYTES): StoredRecord {
  const json = JSON.stringify(kept.record);
  // Every string of the event comes from the record: a lone surrogate anywhere shows in its JSON as an escape.
  const loneSurrogates = LONE_SURROGATE_ESCAPE.test(json);
  const event = loneSurrogates ? escapeLoneSurrogatesIn(kept.event) : kept.event;
  const budget = recordBudget(kept, event, limit);
  const whole = { record: kept.record, json, bytes: utf8Length(json), source: kept.source };
  const flag = loneSurrogates ? { loneSurrogates } : {};
  if (kept.rawBytes !== undefined) {
    const rawBase64 = Buffer.from(kept.rawBytes).toString('base64');
    // The raw bytes are the whole truth about the record: worth trimming the record's fields to keep them.
    const withRaw = fitRecord(whole, budget - attributeSize('rawRecordBase64', rawBase64), false);
    if (withRaw !== undefined) return { ...withRaw, rawBase64, ...flag };
  }
  return { ...(fitRecord(whole, budget, true) ?? collapsedRecord(whole)), ...flag };
}

/**
 * Whether a kept event's record is certainly stored whole, judged from the size of its text without serialising
 * it: what {@link storedRecordOf} would decide, at a fraction of its cost, for the records that are far from the
 * limit (all but a few). `JSON.stringify` of a parsed JSON text is at most 5.25 times its size — strings, literals
 * and structure never grow, and a number grows at most from `1e20` (4 bytes) to its 21 digits — plus the
 * `eventTime` a Logstash record gains. Only for text that was valid UTF-8 with no escaped lone surrogate (the
 * event's strings are then stored as they are).
 */
export function storedWholeForCertain(kept: KeptEvent, text: string): boolean {
  if (kept.rawBytes !== undefined || (text.includes('\\u') && /\\u[dD][89a-fA-F]/.test(text))) return false;
  // The rest of the item measured at most (3 bytes per code unit): no native call per string, and a budget that is
  // never more than the exact one, so "certain" stays certain.
  const budget = recordBudget(kept, kept.event, MAX_EVENT_ITEM_BYTES, utf8LengthAtMost);
  // A UTF-16 code unit is at most 3 bytes of UTF-8: the exact size is needed only near the limit.
  const bound = (bytes: number): number => 'record'.length + Math.ceil(5.25 * bytes) + 64;
  return bound(3 * text.length) <= budget || bound(Buffer.byteLength(text, 'utf8')) <= budget;
}

/**
 * The bytes left for the record in the event item of `event` (already storable) under `limit`, with strings measured
 * by `stringBytes` (exact by default).
 */
function recordBudget(
  kept: KeptEvent,
  event: NormalisedEvent,
  limit: number,
  stringBytes: (text: string) => number = utf8Length,
): number {
  const resourcesSize = 'resources'.length + valueSize(event.resources, stringBytes);
  return limit - sizeOf(eventItemBase(kept, event, '', undefined), stringBytes) - resourcesSize - EVENT_ITEM_RESERVE_BYTES;
}

/** A record with its JSON and size, and where it was read (named in the markers). */
interface WholeRecord {
  readonly record: object;
  readonly json: string;
  readonly bytes: number;
  readonly source: RecordSource | undefined;
}

/**
 * The record fitted into `budget` bytes of item (its `record` and `recordTrimmed` attributes): whole, or with its
 * largest fields replaced by markers; with `collapse`, every field but the identifying ones as a last resort.
 * Undefined when it cannot fit without collapsing and `collapse` is false.
 */
function fitRecord(whole: WholeRecord, budget: number, collapse: boolean): StoredRecord | undefined {
  const recordAttribute = 'record'.length;
  if (recordAttribute + whole.bytes <= budget) return { json: whole.json, bytes: whole.bytes };
  const fields = Object.entries(whole.record)
    .filter(([name, value]) => !NEVER_TRIMMED.has(name) && value !== undefined && value !== null)
    .map(([name, value]) => {
      const bytes = utf8Length(JSON.stringify(value));
      return { name, bytes, markerBytes: utf8Length(JSON.stringify(marker(whole, bytes))) };
    })
    .sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Sizes are exact: replacing a field's value changes the JSON by the difference of the two values' texts.
  let size = recordAttribute + whole.bytes + 'recordTrimmed'.length + 3;
  const trimmed = new Map<string, number>();
  for (const field of fields) {
    // Sorted by size: once a field is no larger than its marker, no later one is worth replacing.
    if (field.bytes <= field.markerBytes) break;
    size += field.markerBytes - field.bytes + 1 + storedByteLength(field.name);
    trimmed.set(field.name, field.bytes);
    if (size <= budget) {
      const record = Object.fromEntries(
        Object.entries(whole.record).map(([name, value]: [string, unknown]) => {
          const bytes = trimmed.get(name);
          return [name, bytes === undefined ? value : marker(whole, bytes)];
        }),
      );
      return { json: JSON.stringify(record), bytes: whole.bytes, trimmed: [...trimmed.keys()] };
    }
  }
  if (!collapse) return undefined;
  const collapsed = collapsedRecord(whole);
  return recordAttribute + utf8Length(collapsed.json) + 'recordTrimmed'.length + 5 <= budget ? collapsed : undefined;
}

/** The record reduced to its identifying fields and one marker for all the others. */
function collapsedRecord(whole: WholeRecord): StoredRecord {
  const identifying = Object.entries(whole.record).filter(([name]) => NEVER_TRIMMED.has(name));
  const record = { ...Object.fromEntries(identifying), ...marker(whole, whole.bytes) };
  return { json: JSON.stringify(record), bytes: whole.bytes, trimmed: ['*'] };
}

/** The marker that stands for `bytes` bytes of the record: its size, and where the record can be read again. */
function marker(whole: WholeRecord, bytes: number): Record<string, unknown> {
  return { [TRIMMED_MARKER]: bytes, ...(whole.source === undefined ? {} : { [TRIMMED_SOURCE]: whole.source }) };
}

/** The size of a string attribute, as {@link itemSize} counts it. */
function attributeSize(name: string, value: string): number {
  return name.length + utf8Length(value);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** At least a string's UTF-8 size: a UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 4 for 2). */
function utf8LengthAtMost(text: string): number {
  return 3 * text.length;
}

/** DynamoDB's size of a number: about one byte per two significant digits, plus one; at most 21. */
function numberSize(value: number): number {
  // A safe integer's digits are counted without making text of it (the common case: offsets, counts, times).
  if (Number.isSafeInteger(value)) {
    let digits = 1;
    for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) digits++;
    return 1 + Math.ceil(digits / 2);
  }
  return Math.min(21, 1 + Math.ceil(String(value).replace(/[-.]/g, '').length / 2));
}

/**
 * An estimate of an item's size as DynamoDB counts it (attribute names plus values; strings in UTF-8 bytes,
 * numbers up to 21 bytes, 1 byte for a boolean, 3 bytes plus 1 per element for maps and lists).
 * It errs on the large side; used to trim in time, to check every item, and to state write costs. Items are a few
 * levels deep by construction (the record is a string), so the walk's recursion is bounded.
 */
export function itemSize(item: object): number {
  return sizeOf(item, utf8Length);
}

/** {@link itemSize}, with strings (names and values) measured by `stringBytes`. */
function sizeOf(item: object, stringBytes: (text: string) => number): number {
  let size = 0;
  const members = item as Record<string, unknown>;
  for (const name in members) {
    const value = members[name];
    if (value !== undefined) size += stringBytes(name) + valueSize(value, stringBytes);
  }
  return size;
}

function valueSize(value: unknown, stringBytes: (text: string) => number): number {
  if (typeof value === 'string') return stringBytes(value);
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return numberSize(value);
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value as unknown[]) size += 1 + valueSize(element, stringBytes);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    const members = value as Record<string, unknown>;
    for (const name in members) {
      const member = members[name];
      if (member !== undefined) size += 1 + stringBytes(name) + valueSize(member, stringBytes);
    }
    return size;
  }
  return 0;
}
