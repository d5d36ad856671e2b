/**
 * CloudTrail Event history (LookupEvents) as log objects: the identity of an Event-history "object" (one region and
 * one event source), the bytes a page of LookupEvents becomes, and the checkpoint of what has been read (the time
 * ranges covered). Pure: no AWS SDK, no environment, no logging.
 *
 * Why pages become log-file bytes: the log-object service takes bytes and runs decode → select → normalise → store →
 * observers → ledger. A page written as `{"Records":[...]}` goes through that one flow unchanged, so an event read
 * from Event history is stored, alerted on and counted exactly as the same event read from a log file.
 */
import { isJsonObject } from './record';
import { SELECTED_EVENT_SOURCES } from './select';

/** The scheme of Event-history object IDs and of the `source.uri` of events stored from Event history. */
export const EVENT_HISTORY_SCHEME = 'event-history://';

/**
 * The event sources read from Event history: LookupEvents takes one lookup attribute per call, so each is one pass
 * per region (`LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue }]`).
 */
export const EVENT_HISTORY_EVENT_SOURCES: readonly string[] = SELECTED_EVENT_SOURCES;

/** How far back Event history goes: CloudTrail keeps 90 days of management events per region. */
export const EVENT_HISTORY_RETENTION_DAYS = 90;

/**
 * The ledger id of one Event-history stream (`event-history://REGION/EVENTSOURCE`): its ledger entry is the
 * stream's checkpoint, and it is the `source.uri` of every event stored from it.
 */
export function eventHistoryObjectId(region: string, eventSource: string): string {
  return `${EVENT_HISTORY_SCHEME}${region}/${eventSource}`;
}

/** Whether a `source.uri` (or ledger id) names Event history rather than a log file. */
export function isEventHistoryUri(uri: string): boolean {
  return uri.startsWith(EVENT_HISTORY_SCHEME);
}

const REGION_NAME = /^[a-z]{2,}(-[a-z0-9]+)+-\d+$/;

/**
 * Parses a list of region names separated by commas (`us-east-1,eu-west-1`): trimmed, without repeats.
 * @throws RangeError naming the value when it is empty or holds something that is not a region name
 */
export function parseRegionList(value: string): string[] {
  const regions = [...new Set(value.split(',').map((region) => region.trim()).filter((region) => region !== ''))];
  const bad = regions.find((region) => !REGION_NAME.test(region));
  if (regions.length === 0 || bad !== undefined) {
    throw new RangeError(`'${value}' is not a list of region names separated by commas (us-east-1,eu-west-1)`);
  }
  return regions;
}

/** One entry of a LookupEvents page: its `EventId`, `EventTime` and `CloudTrailEvent` (the record's JSON text). */
export interface EventHistoryEntry {
  readonly eventId: string;
  /** `EventTime` in epoch milliseconds: where the next page (or a resumed run) goes on from. */
  readonly eventTime: number | undefined;
  readonly cloudTrailEvent: string | undefined;
}

/** A page as a log object's bytes, and the entries that could not be part of it. */
export interface EventHistoryPageBytes {
  /** `{"Records":[...]}` holding each readable `CloudTrailEvent` as it came (its text is not re-serialised). */
  readonly bytes: Uint8Array;
  /** Records in `bytes`. */
  readonly records: number;
  /** Event IDs of the entries whose `CloudTrailEvent` is missing or not a JSON object: counted, never guessed at. */
  readonly unreadable: readonly string[];
}

/**
 * The bytes of a LookupEvents page as a CloudTrail log file. A `CloudTrailEvent` that is missing or not a JSON
 * object is left out and named in `unreadable` (the decoder would fail the whole page on it, and the other events
 * of the page must not be lost to one bad entry).
 */
export function pageAsLogFile(entries: readonly EventHistoryEntry[]): EventHistoryPageBytes {
  const records: string[] = [];
  const unreadable: string[] = [];
  for (const entry of entries) {
    const text = entry.cloudTrailEvent;
    if (text !== undefined && isJsonObjectText(text)) records.push(text);
    else unreadable.push(entry.eventId);
  }
  return { bytes: Buffer.from(`{"Records":[${records.join(',')}]}`, 'utf8'), records: records.length, unreadable };
}

function isJsonObjectText(text: string): boolean {
  try {
    return isJsonObject(JSON.parse(text));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Coverage: the time ranges of a stream already taken in

/** A closed time range in epoch milliseconds: `[from, to]`, both ends included. */
export interface TimeSpan {
  readonly from: number;
  readonly to: number;
}

const COVERAGE_VERSION = 'covered:v1';

/**
 * The ledger fingerprint of a stream's coverage: `covered:v1 FROM/TO FROM/TO` (ISO 8601, oldest first). A stream's
 * "version", as an ETag is a file's: what of it has been read.
 */
export function formatCoverage(spans: readonly TimeSpan[]): string {
  return [COVERAGE_VERSION, ...spans.map((span) => `${iso(span.from)}/${iso(span.to)}`)].join(' ');
}

/**
 * The coverage a fingerprint records; an empty list for anything else (no entry, another format): reading a range
 * again costs time and writes, never correctness, as every write is idempotent.
 */
export function parseCoverage(fingerprint: string | undefined): TimeSpan[] {
  if (fingerprint === undefined) return [];
  const [version, ...parts] = fingerprint.split(' ');
  if (version !== COVERAGE_VERSION) return [];
  const spans: TimeSpan[] = [];
  for (const part of parts) {
    const [from, to, extra] = part.split('/').map((value) => Date.parse(value));
    if (from === undefined || to === undefined || extra !== undefined || Number.isNaN(from) || Number.isNaN(to) || from > to) {
      return [];
    }
    spans.push({ from, to });
  }
  return mergeSpans(spans);
}

/** Adds a span to a coverage: the result is sorted, and overlapping or touching spans are merged. */
export function addSpan(spans: readonly TimeSpan[], span: TimeSpan): TimeSpan[] {
  if (span.from > span.to) return mergeSpans(spans);
  return mergeSpans([...spans, span]);
}

/** The spans of `range` that `covered` does not cover, newest first (the order LookupEvents pages in). */
export function uncoveredSpans(range: TimeSpan, covered: readonly TimeSpan[]): TimeSpan[] {
  const gaps: TimeSpan[] = [];
  let end = range.to;
  for (const span of [...mergeSpans(covered)].reverse()) {
    if (span.from > end) continue;
    if (span.to < range.from) break;
    if (span.to < end) gaps.push({ from: Math.max(span.to + 1, range.from), to: end });
    end = span.from - 1;
    if (end < range.from) return gaps;
  }
  if (end >= range.from) gaps.push({ from: range.from, to: end });
  return gaps;
}

/** Drops the spans (or their parts) older than `oldest`: Event history no longer holds them. */
export function trimCoverage(spans: readonly TimeSpan[], oldest: number): TimeSpan[] {
  return mergeSpans(spans)
    .filter((span) => span.to >= oldest)
    .map((span) => ({ from: Math.max(span.from, oldest), to: span.to }));
}

/** Total milliseconds of the spans. */
export function spanLength(spans: readonly TimeSpan[]): number {
  return spans.reduce((sum, span) => sum + (span.to - span.from + 1), 0);
}

function mergeSpans(spans: readonly TimeSpan[]): TimeSpan[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const merged: TimeSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    // Touching spans (`to + 1 === from`) leave no millisecond between them: one span.
    if (last !== undefined && span.from <= last.to + 1) {
      merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, span.to) };
    } else {
      merged.push(span);
    }
  }
  return merged;
}

function iso(millis: number): string {
  return new Date(millis).toISOString();
}
