/**
 * The ports: every interface the application layer (`lambda/app/`) needs from the outside world, in one place.
 *
 * Adapters (`lambda/store/`, `lambda/adapters/`, `lambda/alerts/`) implement them against DynamoDB, S3, SQS, SNS and
 * EventBridge; tests implement them with fakes. The application imports nothing but these types and the pure core,
 * so the Lambda, the CLI and every later door run the same flow whatever is behind each port. Lint keeps it so
 * (`eslint.config.mjs`, the layer rule).
 */
import type { Alert } from '../core/alerts/alert';
import type { CloudTrailPublicKey } from '../core/digest';
import type { EventHistoryEntry } from '../core/event-history';
import type {
  AwaitingListing,
  DigestId,
  DigestRecords,
  DigestResult,
  ListedLogFileResult,
  ListingRef,
  LogFileEntry,
  LogFileId,
  NextLinkResult,
} from '../core/integrity-items';
import type { KeptEvent, PipelineCounts } from '../core/pipeline';
import type { PartialBurst } from '../core/rules/engine';
import type { CloudTrailRecord } from '../core/types';

// ---------------------------------------------------------------------------------------------------------------
// Log objects

/** An opened log object: its bytes as a stream and what its source says about its version and size. */
export interface OpenedLogObject {
  readonly body: AsyncIterable<Uint8Array>;
  /** The ETag without its quotes: the fingerprint the file ledger keeps. */
  readonly etag?: string;
  readonly size?: number;
  /**
   * The object's S3 user metadata, names without `x-amz-meta-` and in lower case: where CloudTrail keeps a digest
   * file's signature. Absent where objects have none (a local file).
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Raised by a source when the object it was asked to open does not exist (S3 `NoSuchKey`, a file that is not
 * there): a digest that lists it proves it was deleted. Any other failure to open is not an absence.
 */
export class LogObjectNotFoundError extends Error {
  override readonly name = 'LogObjectNotFoundError';
  constructor(
    /** `s3://bucket/key` or the path. */
    readonly objectId: string,
    options?: { cause?: unknown },
  ) {
    super(`${objectId} does not exist`, options);
  }
}

/** Where S3 log objects come from; production reads S3, tests pass a fake or s3rver. */
export interface LogObjectSource {
  /** Opens the object; the caller consumes (or abandons) the body. */
  open(bucket: string, key: string): Promise<OpenedLogObject>;
}

/** A log object as the observers see it: its ledger id and its key. */
export interface LogObjectRef {
  /** `s3://bucket/key` or `file:///abs/path`: the file ledger's id. */
  readonly objectId: string;
  /** The object key (decoded) or the path as the user gave it. */
  readonly key: string;
}

/** Lists the folders (common prefixes) of a bucket: how the backfill finds a trail's account and region folders. */
export interface FolderLister {
  /**
   * The immediate sub-folders of `prefix` (a delimiter listing, every page), each ending in `/`, sorted.
   * @param prefix ends in `/`, or is empty for the bucket's top level
   */
  listFolders(bucket: string, prefix: string): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// The backfill workflow

/** A running execution of the backfill workflow, as the overlap check sees it. */
export interface RunningBackfill {
  readonly executionArn: string;
  /** The execution's input (JSON text), as it was started with. */
  readonly input: string;
  readonly startDate: Date;
}

/** The executions of the backfill workflow that are running now. */
export interface RunningBackfills {
  /** Every RUNNING execution of the state machine, with its input. */
  list(stateMachineArn: string): Promise<RunningBackfill[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// CloudTrail Event history

/** One LookupEvents call: one region, one event source (the lookup attribute), a time range, maybe a page token. */
export interface EventHistoryLookup {
  readonly region: string;
  /** The `EventSource` lookup attribute (`elasticloadbalancing.amazonaws.com`, ...). */
  readonly eventSource: string;
  /** Events at or after this time. */
  readonly startTime: Date;
  /** Events at or before this time. */
  readonly endTime: Date;
  /** The previous page's token (only with the same region, source and times). */
  readonly nextToken?: string;
}

/** One page of LookupEvents: newest event first, as the API returns them. */
export interface EventHistoryPage {
  readonly events: readonly EventHistoryEntry[];
  /** Absent on the last page. */
  readonly nextToken?: string;
}

/** CloudTrail Event history and the account's regions; production calls CloudTrail and Account Management. */
export interface EventHistorySource {
  /** The regions enabled for the account (opted in, or enabled by default). */
  listRegions(): Promise<string[]>;
  /**
   * One page of LookupEvents, paced to the API's limit per region and retried when throttled.
   * @throws EventHistoryRegionUnavailable when the region refuses the call (access denied, region not enabled)
   */
  lookupEvents(lookup: EventHistoryLookup, signal?: AbortSignal): Promise<EventHistoryPage>;
}

/**
 * Raised by an {@link EventHistorySource} when a region refuses LookupEvents for good (access denied by a policy or
 * an SCP, a region that is not enabled): retrying cannot help, so the region is reported and the others go on.
 */
export class EventHistoryRegionUnavailable extends Error {
  override readonly name = 'EventHistoryRegionUnavailable';
  constructor(
    readonly region: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The event table

/** What one {@link EventStore.putEvents} call did. */
export interface PutEventsResult {
  /** Items written (event items plus lookup items, after removing duplicate keys). */
  readonly itemsWritten: number;
  /** Write requests retried (unprocessed items re-sent and throttled batches retried). */
  readonly retries: number;
  /**
   * Events read from Event history that were not written because the table already holds them from a log file
   * (the log file's copy is the one kept).
   * @default 0
   */
  readonly superseded?: number;
}

/**
 * Stores kept events idempotently: writing the same event twice leaves the same items. One exception to "the last
 * write wins": an event read from Event history (its `source.uri` is `event-history://...`) never replaces the same
 * event stored from a log file, while a log file's copy always replaces an Event-history copy.
 */
export interface EventStore {
  /**
   * Writes the events' items. Resolves once every item is stored.
   * @throws EventStoreWriteError when items still fail after the store's retries (what was written is in it).
   */
  putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult>;
}

/**
 * Raised by an {@link EventStore} when items could not be written: after its last attempt, or on an error that
 * retrying cannot fix. It says what the failed call did write, so counts stay true.
 */
export class EventStoreWriteError extends Error {
  override readonly name = 'EventStoreWriteError';
  constructor(
    message: string,
    readonly details: {
      readonly tableName: string;
      /** Items written by this `putEvents` call before it gave up. */
      readonly itemsWritten: number;
      /** Write requests this `putEvents` call re-sent (throttled or with unprocessed items) before it gave up. */
      readonly retries: number;
      /** Items of the failing batch that were not written. */
      readonly itemsFailed: number;
      readonly attempts: number;
      /** The event IDs whose items were in the failing batch (IDs only, never content). */
      readonly eventIDs: readonly string[];
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One processed log object in the file ledger. */
export interface LedgerEntry {
  /** `s3://bucket/key` or `file:///abs/path`. */
  readonly objectId: string;
  /** The object's version as its source names it: the S3 ETag, or `size:mtime` of a local file. */
  readonly fingerprint: string;
  /** Events of the object stored in the table (each distinct event of the object once). */
  readonly events: number;
  /** When processing finished (ISO 8601). */
  readonly processedAt: string;
  /**
   * Hex SHA-256 of the object's decompressed bytes, computed while it streamed: what a CloudTrail digest file
   * records for a log file (`hashValue`). Absent in entries written before trail-audit kept it (they read as
   * before; a digest that lists such a file has it read again to hash it).
   */
  readonly sha256?: string;
}

/** Records and recalls processed log objects. */
export interface FileLedger {
  /** The entry of an object, or undefined when it was never processed. */
  get(objectId: string): Promise<LedgerEntry | undefined>;
  /** Records (or overwrites) the entry of an object. */
  put(entry: LedgerEntry): Promise<void>;
}

/**
 * Where an object that was stopped part-way had got to (an interrupted `ingest`): every record before `records` has
 * its events in the table, so the next run decodes those records again but does not write them again.
 */
export interface ObjectCheckpoint {
  /** `s3://bucket/key` or `file:///abs/path`. */
  readonly objectId: string;
  /** The object's version the checkpoint is about: a changed object is read whole again. */
  readonly fingerprint: string;
  /** How many records from the object's start have all their events stored. */
  readonly records: number;
  /** What was selected then (time range, read-only calls): a run that selects otherwise starts over. */
  readonly selection: string;
}

/** Records and recalls {@link ObjectCheckpoint}s. */
export interface CheckpointStore {
  get(objectId: string): Promise<ObjectCheckpoint | undefined>;
  put(checkpoint: ObjectCheckpoint): Promise<void>;
  /** Removes an object's checkpoint once the object is taken in whole. */
  delete(objectId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Proof of completeness (docs/integrity.md)

/** Where CloudTrail's public keys come from: ListPublicKeys in production, a file or a fake elsewhere. */
export interface PublicKeySource {
  /** The keys of `region` whose private keys signed digests between `start` and `end`. */
  listPublicKeys(region: string, start: Date, end: Date): Promise<CloudTrailPublicKey[]>;
}

/**
 * The verification results in the event table: per digest file, per log file a digest lists, what a digest says
 * of the one before it, and an index of log files by time for the unlisted check (key design:
 * `lambda/core/integrity-items.ts`). Every write is idempotent; none overwrites what another party owns.
 */
export interface IntegrityStore {
  /** A digest's own result and what the next digest recorded of it, each when stored. */
  readDigest(id: DigestId): Promise<DigestRecords>;
  /** Stores a digest's own result (replacing an earlier one of the same digest). */
  putDigest(result: DigestResult): Promise<void>;
  /** Stores what a digest says of the digest before it (replacing an earlier one). */
  putNextLink(result: NextLinkResult): Promise<void>;
  /** Stores the results of the log files a digest lists. */
  putListedLogFiles(results: readonly ListedLogFileResult[]): Promise<void>;
  /** One listed log file's result, when stored. */
  getListedLogFile(ref: ListingRef): Promise<ListedLogFileResult | undefined>;
  /**
   * Replaces a listed log file's result that is still `not-processed` (a file processed after its digest).
   * @returns false when it was not (another attempt resolved it first, or it is gone)
   */
  resolveListedLogFile(ref: ListingRef, result: ListedLogFileResult): Promise<boolean>;
  /**
   * Notes in the log file's index entry that a digest lists it and, when `awaited`, that the listing awaits its
   * processing.
   * @returns the hash its index entry holds: the file was processed meanwhile
   */
  markListed(file: LogFileId, listing: ListingRef, awaited: boolean): Promise<{ readonly sha256?: string }>;
  /**
   * Records a processed log file's hash in its index entry.
   * @returns the digests' listings of it: those that were waiting for it to be processed, and all of them
   */
  recordLogFile(
    file: LogFileId,
    sha256: string,
    processedAt: string,
  ): Promise<{ readonly awaitedBy: readonly AwaitingListing[]; readonly listedBy: readonly ListingRef[] }>;
  /** The index entries of one trail folder's log files whose name's time is in the range (both ends inclusive). */
  logFilesBetween(accountId: string, region: string, folder: string, from: Date, to: Date): Promise<LogFileEntry[]>;
  /** Marks an index entry unlisted (no digest lists it). */
  markUnlisted(file: LogFileId, judgedAt: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Compliance alerts

/** A channel alerts are delivered on: SNS, EventBridge. */
export interface AlertChannel {
  /** Stable name, recorded in the ledger per alert (`sns`, `eventbridge`). */
  readonly name: string;
  /**
   * Delivers alerts, retrying transient per-entry failures.
   * @throws AlertDeliveryError naming the alerts that were and were not delivered
   */
  deliver(alerts: readonly Alert[]): Promise<void>;
}

/** The outcome of a claim in the {@link AlertLedger}. */
export type ClaimResult =
  | { readonly status: 'claimed'; readonly token: string; readonly deliveredTo: readonly string[] }
  | { readonly status: 'sent' }
  | { readonly status: 'in-flight' };

/** The exactly-once ledger: a lease per alert key, and which channels each alert reached. */
export interface AlertLedger {
  claim(alert: Alert): Promise<ClaimResult>;
  /** Records that a channel accepted the alert. */
  recordDelivery(alert: Alert, channel: string): Promise<void>;
  /** Marks the alert sent (every channel reached). Returns false when the lease was lost to another attempt. */
  complete(alert: Alert, token: string): Promise<boolean>;
  /** Ends the lease at once, so the next attempt can claim the alert. */
  release(alert: Alert, token: string): Promise<void>;
}

/**
 * Which events an alert already reported, for the rules that alert per log object (a single call is enough: root
 * activity, a region not allowed). Such an alert's ledger key names its object, so the same calls read twice — from
 * Event history, then from their log file — would alert twice; the observer sends the second only when it reports a
 * call no other alert of the rule reported.
 */
export interface AlertCoverage {
  /** Of `eventIDs`, those an alert of `alert.rule` other than `alert` (another ledger key) already reported. */
  reportedElsewhere(alert: Alert, eventIDs: readonly string[]): Promise<Set<string>>;
  /** Records that `alert` reported these events (idempotent). */
  recordReported(alert: Alert, eventIDs: readonly string[]): Promise<void>;
}

/** Counts a burst's events across log files. */
export interface BurstCounter {
  /** Adds the file's events of a window and returns the window's distinct events so far (at least the threshold once reached). */
  add(partial: PartialBurst): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------------
// The processor's queue

/** Where the processor re-sends the messages it had no time to start. */
export interface MessageRequeue {
  /** Sends `body` to the queue as a new message; rejects when the queue did not accept it. */
  requeue(body: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Observability

/** The log methods the application uses; Powertools' `Logger` has them. Identifiers and counts only. */
export interface Logger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The metric methods the application uses; Powertools' `Metrics` has them. */
export interface Metrics {
  addMetric(name: string, unit: 'Count', value: number): unknown;
  publishStoredMetrics(): unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Observers of the log-object flow

/**
 * Hooks for what else happens to an object's records (the compliance alerts, later the digest reconciliation). An
 * error thrown by a hook fails the object like any other error, so it is retried; hooks must therefore be
 * idempotent per (rule, event).
 */
export interface EventObserver {
  /**
   * Every valid record of the object that `mayMatch` accepts, whatever its service, in file order (the pipeline's
   * `onRecord`).
   */
  onRecord?(record: CloudTrailRecord, object: LogObjectRef): void;
  /**
   * A conservative test on a record's raw text: false only when `onRecord` cannot care about the record, which is
   * then not parsed (unless the selection needs it).
   * @default every record is parsed for `onRecord`, which costs throughput
   */
  readonly mayMatch?: (text: string) => boolean;
  /** Every kept event, in file order, before its batch is stored. */
  onEvent?(kept: KeptEvent, object: LogObjectRef): void | Promise<void>;
  /** Once the object's events are stored, before its ledger entry is written. */
  onObjectEnd?(object: LogObjectRef, counts: PipelineCounts): void | Promise<void>;
}
