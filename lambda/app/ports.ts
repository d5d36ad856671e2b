/**
 * The ports: every interface the application layer (`lambda/app/`) needs from the outside world, in one place.
 *
 * Adapters (`lambda/store/`, `lambda/adapters/`, `lambda/alerts/`) implement them against DynamoDB, S3, SQS, SNS and
 * EventBridge; tests implement them with fakes. The application imports nothing but these types and the pure core,
 * so the Lambda, the CLI and every later door run the same flow whatever is behind each port. Lint keeps it so
 * (`eslint.config.mjs`, the layer rule).
 */
import type { Alert } from '../core/alerts/alert';
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

// ---------------------------------------------------------------------------------------------------------------
// The event table

/** What one {@link EventStore.putEvents} call did. */
export interface PutEventsResult {
  /** Items written (event items plus lookup items, after removing duplicate keys). */
  readonly itemsWritten: number;
  /** Write requests retried (unprocessed items re-sent and throttled batches retried). */
  readonly retries: number;
}

/** Stores kept events idempotently: writing the same event twice leaves the same items. */
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
