/**
 * The pure processing of one log object: decode → validate → select → normalise, record by record, with the
 * counts a handler logs and turns into metrics. The Lambda handler, the CLI and the benchmark all run this.
 */
import { decodeLogBatches, parseRecordText } from './decode';
import type { DecodedItem, FileSkipReason, RecordFilter } from './decode';
import { normaliseRecord } from './normalise';
import { validateRecord } from './record';
import {
  AUTO_SCALING_EVENT_SOURCE,
  ELASTIC_BEANSTALK_EVENT_SOURCE,
  ELB_EVENT_SOURCE,
  isInsightRecord,
  mayBeSelectedOrInsight,
  selectRecord,
} from './select';
import { storedRecordOf, storedWholeForCertain } from './item-mapping';
import type { CloudTrailRecord, KeptEvent, SkipReason, StoredRecord } from './types';

/** Options of {@link normaliseLogObject}. */
export interface PipelineOptions {
  /** The object's key (or file path): named in every error, and used to recognise digest and Insight files. */
  readonly objectKey: string;
  /**
   * Where the object can be read again (`s3://BUCKET/KEY`, a file path): written as each kept event's
   * `source.uri`, so a stored (possibly trimmed) record can be traced to its log object.
   * @default the objectKey
   */
  readonly objectUri?: string;
  /**
   * Drop read-only calls (Describe, List, Get) instead of keeping them.
   * @default false
   */
  readonly dropReadOnly?: boolean;
  /**
   * EventIDs already kept, shared across objects: a record whose eventID is in it is skipped as
   * `duplicate-event`, and every kept eventID is added. Pass one set to every object of a run so that each
   * event is kept once however often files repeat it.
   * @default a set local to this object: duplicates are detected within the object only
   */
  readonly seenEventIds?: Set<string>;
  /**
   * Called with every valid record of the object, before selection and whatever its service — the hook a rules
   * engine uses, since trail tampering and root use matter in every service. Setting it makes the pipeline parse
   * the records `mayMatchRecord` accepts besides the selection's candidates, so it costs throughput.
   * It sees duplicate eventIDs too (deduplication applies to kept events); invalid and Insight records are not
   * passed to it.
   * @default none: records of other services are not parsed
   */
  readonly onRecord?: (record: CloudTrailRecord) => void;
  /**
   * With `onRecord`: a conservative test on a record's raw text that says whether `onRecord` could care about it
   * (a rule set's pre-filter). Records that neither it nor the selection's pre-filter accept are counted as
   * `other-service` without being parsed, which keeps most of the pre-filter's speed with rules on.
   * @default every record is parsed and passed to `onRecord`
   */
  readonly mayMatchRecord?: (text: string) => boolean;
  /**
   * Called with every decompressed chunk of the object, in order (see the decoder's `onDecodedBytes`): hash the
   * uncompressed content while it streams.
   * @default none
   */
  readonly onDecodedBytes?: (chunk: Uint8Array) => void;
}

/**
 * What the pipeline did with one object.
 *
 * `recordsRead` counts every record the decoder delivered from the object — each element of a `Records` array
 * or of a top-level array, each line of newline-delimited JSON, or the one record of a single-record file —
 * before any parsing or filtering. Once the object has been read to the end, `recordsRead` equals `kept` plus
 * the sum of `skipped`, because every record ends up either kept or skipped for exactly one reason. A skipped
 * file (digest, Insight, empty, not a log file) sets `fileSkipped` and reads no records.
 */
export interface PipelineCounts {
  recordsRead: number;
  kept: number;
  /** Records not kept, by reason: `other-service`, `invalid-record`, `duplicate-event`, ... */
  skipped: Partial<Record<SkipReason, number>>;
  /** Kept events whose operation the resource table does not know (stored with generic resources). */
  unknownOperations: number;
  /**
   * Kept events whose record is not stored whole: trimmed to fit a DynamoDB item (see {@link StoredRecord.trimmed}),
   * or, for a record that was not valid UTF-8, stored without its raw bytes.
   */
  recordsTrimmed: number;
  /** Resources kept events name beyond the per-event cap, left out of their events (see `MAX_RESOURCES_PER_EVENT`). */
  resourcesOmitted: number;
  /** Set when the whole object was skipped, with the reason. */
  fileSkipped?: FileSkipReason;
  /**
   * The first {@link MAX_NAMED_PROBLEMS} records that cost something, in file order, each named by its position:
   * enough for a log line or the CLI to point at them without logging record content. The counts above are exact
   * however many there are.
   */
  problems: RecordProblem[];
}

/** At most this many {@link RecordProblem}s are named per object (a forged file may hold millions). */
export const MAX_NAMED_PROBLEMS = 20;

/**
 * A record that cost something: left out as invalid, or kept with a mark (its stored record trimmed, resources
 * beyond the cap left out). The same record gets the same problem, with the same words, from every door.
 */
export interface RecordProblem {
  /** The record's 0-based position among the object's records. */
  readonly index: number;
  /** The byte offset of the record's first byte in the decoded (uncompressed) text. */
  readonly offset: number;
  /** `invalid-record` (not kept), `record-trimmed` or `resources-omitted` (kept, marked). */
  readonly problem: 'invalid-record' | 'record-trimmed' | 'resources-omitted';
  /** What was wrong or what was done, in words that name fields and sizes, never record content. */
  readonly reason: string;
}

// The kept event's shapes live in `./types` (the item mapping needs them without importing the pipeline).
export type { KeptEvent, RecordSource, StoredRecord } from './types';

/** Fresh, zeroed counts for one object (or a run, merged by the caller). */
export function newCounts(): PipelineCounts {
  return {
    recordsRead: 0,
    kept: 0,
    skipped: {},
    unknownOperations: 0,
    recordsTrimmed: 0,
    resourcesOmitted: 0,
    problems: [],
  };
}

/**
 * Streams the kept events of one log object, counting what it skips in `counts` as it goes.
 *
 * Records that cannot belong to a selected service are counted as `other-service` without being parsed: the
 * decoder passes over those whose top-level `eventSource` names another service without even making text of them,
 * and the text of the rest must pass `mayBeSelectedOrInsight`. With `onRecord` set, every record is made text, and
 * those `mayMatchRecord` accepts are parsed too. A record that parses but fails `validateRecord` (bounds included:
 * impossible times, identifiers too long, nesting too deep) is counted as `invalid-record`, named in
 * `counts.problems`, and processing goes on. A kept event costs at most itself: resources beyond the cap are left
 * out, and a record too large for an item is stored trimmed, each counted and named (`resources-omitted`,
 * `record-trimmed`); the event carries its {@link KeptEvent.storedRecord}. A record whose JSON does not parse, a truncated or corrupt file, or
 * garbage around the JSON raises the decoder's `LogDecodeError` (naming the object and how far it got): the caller
 * decides whether to retry (the Lambda) or report and continue (the CLI). A record whose bytes are not valid UTF-8
 * is kept apart from others (see {@link KeptEvent.rawBytes}) and its event marked `invalidUtf8`. Counts are updated
 * before each event is yielded, so they are right even if the consumer stops early.
 */
export async function* normaliseLogObject(
  bytes: AsyncIterable<Uint8Array>,
  options: PipelineOptions,
  counts: PipelineCounts,
): AsyncGenerator<KeptEvent> {
  const seenEventIds = options.seenEventIds ?? new Set<string>();
  const objectUri = options.objectUri ?? options.objectKey;
  // What must be parsed: the candidates of the selection, and, with a record hook, what the hook may care about.
  const mayMatchRecord = options.onRecord === undefined ? undefined : (options.mayMatchRecord ?? (() => true));
  const skip = (reason: SkipReason, count = 1): void => {
    counts.skipped[reason] = (counts.skipped[reason] ?? 0) + count;
  };
  const name = (item: DecodedRecord, problem: RecordProblem['problem'], reason: string): void => {
    if (counts.problems.length < MAX_NAMED_PROBLEMS) counts.problems.push({ index: item.index, offset: item.offset, problem, reason });
  };
  // Records the decoder's filter passed over (never turned into text) are counted as `other-service` in order, up
  // to the next record delivered: counts stay exact for a consumer that stops early.
  let counted = 0;
  const countPassedOver = (upTo: number): void => {
    if (upTo <= counted) return;
    counts.recordsRead += upTo - counted;
    skip('other-service', upTo - counted);
    counted = upTo;
  };
  const batches = decodeLogBatches(bytes, {
    objectKey: options.objectKey,
    onDecodedBytes: options.onDecodedBytes,
    // A record hook may care about any record: then every record is delivered as text.
    recordFilter: options.onRecord === undefined ? SELECTION_FILTER : undefined,
  });

  for await (const batch of batches) {
    for (const item of batch.items) {
      if (item.kind === 'file-skipped') {
        counts.fileSkipped = item.reason;
        continue;
      }
      countPassedOver(item.index);
      counted = item.index + 1;
      counts.recordsRead += 1;
      const kept = processRecord(item);
      if (kept !== undefined) yield kept;
    }
    countPassedOver(batch.recordsRead);
  }

  function processRecord(item: DecodedRecord): KeptEvent | undefined {
    if (!mayBeSelectedOrInsight(item.text) && mayMatchRecord?.(item.text) !== true) {
      skip('other-service');
      return undefined;
    }
    const value = parseRecordText(item, options.objectKey);
    // Insight events have no top-level eventSource or eventName: recognised before validation would reject them.
    if (isInsightRecord(value)) {
      skip('insight-event');
      return undefined;
    }
    const validation = validateRecord(value);
    if (!validation.ok) {
      skip('invalid-record');
      name(item, 'invalid-record', validation.reason);
      return undefined;
    }
    const record = validation.record;
    options.onRecord?.(record);
    const selection = selectRecord(record, { dropReadOnly: options.dropReadOnly });
    if (!selection.keep) {
      skip(selection.reason);
      return undefined;
    }
    if (seenEventIds.has(record.eventID)) {
      skip('duplicate-event');
      return undefined;
    }
    seenEventIds.add(record.eventID);
    const { event, knownOperation } = normaliseRecord(record, selection.service);
    if (!knownOperation) {
      counts.unknownOperations += 1;
    }
    counts.kept += 1;
    if (event.resourcesOmitted !== undefined) {
      counts.resourcesOmitted += event.resourcesOmitted;
      name(item, 'resources-omitted', resourcesOmittedReason(event.resources.length, event.resourcesOmitted));
    }
    const source = { uri: objectUri, index: item.index, offset: item.offset };
    const kept: KeptEvent =
      item.rawBytes === undefined
        ? { event, record, source }
        : { event: { ...event, invalidUtf8: true }, record, source, rawBytes: item.rawBytes };
    // How the record will be stored is decided here, so that every door (`process` too) names a trimmed record;
    // a record far from the size limit is certainly stored whole, which its text alone tells.
    if (storedWholeForCertain(kept, item.text)) return kept;
    const decided = { ...kept, storedRecord: storedRecordOf(kept) };
    if (isStoredTrimmed(decided)) {
      counts.recordsTrimmed += 1;
      name(item, 'record-trimmed', trimmedReason(decided.storedRecord, kept.rawBytes !== undefined));
    }
    return decided;
  }
}

/**
 * Whether a kept event's record is not stored whole: trimmed, or (a record that was not valid UTF-8) stored without
 * its raw bytes. What {@link PipelineCounts.recordsTrimmed} counts.
 */
export function isStoredTrimmed(kept: KeptEvent): boolean {
  const stored = kept.storedRecord;
  return stored !== undefined && (stored.trimmed !== undefined || (kept.rawBytes !== undefined && stored.rawBase64 === undefined));
}

/** A record as the decoder delivers it. */
type DecodedRecord = Extract<DecodedItem, { kind: 'record' }>;

function resourcesOmittedReason(listed: number, omitted: number): string {
  return `names ${listed + omitted} resources: the first ${listed} are indexed, ${omitted} beyond the cap are left out`;
}

/** Field names are named when they look like CloudTrail's (an attacker's key could hold anything). */
const FIELD_NAME = /^[A-Za-z@][A-Za-z0-9@_.-]{0,63}$/;

function trimmedReason(stored: StoredRecord, invalidUtf8: boolean): string {
  const parts: string[] = [];
  if (stored.trimmed !== undefined) {
    const fields =
      stored.trimmed[0] === '*'
        ? 'every field but the identifying ones'
        : stored.trimmed.every((field) => FIELD_NAME.test(field)) && stored.trimmed.length <= 5
          ? stored.trimmed.join(', ')
          : `${stored.trimmed.length} fields`;
    parts.push(`record of ${stored.bytes} bytes stored trimmed to fit a DynamoDB item (replaced by their size: ${fields})`);
  }
  if (invalidUtf8 && stored.rawBase64 === undefined) parts.push('its raw bytes are not stored (read them from its source)');
  return parts.join('; ');
}

/**
 * The decoder-side half of the selection's pre-filter: a record of a records array is turned into text only when
 * its top-level `eventSource` is one of the selected services, or is missing or not a plain string (an Insight
 * event has none; an invalid record is then counted as such). Every other record is one `selectRecord` would skip
 * as `other-service`, whatever else its text holds; the decoder reads this member while it delimits the record,
 * so such records cost no text and no parse.
 */
const SELECTION_FILTER: RecordFilter = {
  key: 'eventSource',
  values: [ELB_EVENT_SOURCE, ELASTIC_BEANSTALK_EVENT_SOURCE, AUTO_SCALING_EVENT_SOURCE],
};
