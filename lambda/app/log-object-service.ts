/**
 * The log-object service: the one flow that takes a log object into the event table. Every door uses it — the
 * processor Lambda (S3 notifications), `trail-audit ingest` (files, folders, `s3://`), and the doors to come — so a
 * step is written once and behaves the same whichever door an object came through:
 *
 *   route the key → ledger check → open → stream the pipeline (decode → select → normalise, the decompressed bytes
 *   hashed as they pass) → batched idempotent writes → observers (alerts) → the file's integrity index → ledger entry
 *
 * A digest file (with `integrity` configured) takes the same route, ledger check and open, then the digest step
 * (`digest-step.ts`: verify it, reconcile the log files it lists, taking in through this service those the ledger
 * lacks), then its ledger entry.
 *
 * It talks to the world only through the ports (`./ports`), logs nothing and emits no metric: it returns an
 * {@link LogObjectOutcome} with every count, and each door reports it its own way (log lines and metrics in the
 * Lambda, a progress bar and a summary in the CLI).
 */
import { createHash } from 'node:crypto';
import { parseDigestObjectName, type DigestStatus } from '../core/digest';
import { parseLogObjectKey, type LogObjectKind } from '../core/object-key';
import { isStoredTrimmed, newCounts, normaliseLogObject, type KeptEvent, type PipelineCounts } from '../core/pipeline';
import type { CloudTrailRecord, Service } from '../core/types';
import { DigestStep, MAX_DIGEST_BYTES, newIntegrityTally, type IntegrityDeps, type IntegrityTally } from './digest-step';
import {
  EventStoreWriteError,
  type CheckpointStore,
  type EventObserver,
  type EventStore,
  type FileLedger,
  type LogObjectRef,
  type OpenedLogObject,
  type PutEventsResult,
} from './ports';

/** Why a whole object was not read (or not read whole): its key's route, the pipeline's file-level reason, the ledger. */
export type ObjectSkipReason =
  | NonNullable<PipelineCounts['fileSkipped']>
  | 'digest-file'
  | 'insight-file'
  | 'not-a-log-file'
  | 'already-processed'
  | 'not-object-created';

const ROUTE_SKIP_REASONS: Readonly<Record<Exclude<LogObjectKind, 'log'>, ObjectSkipReason>> = {
  digest: 'digest-file',
  insight: 'insight-file',
  unrecognised: 'not-a-log-file',
  other: 'not-a-log-file',
};

/** One log object to take in: its identity, what is known of its version, and how to read it. */
export interface LogObjectInput {
  /** The file ledger's id: `s3://bucket/key` or `file:///abs/path`; also each stored event's `source.uri`. */
  readonly objectId: string;
  /** The key (decoded) or the path as the user gave it: routed, and named in every error. */
  readonly key: string;
  /**
   * The version known before reading (a notified or listed ETag, a file's `size:mtime`): when the ledger holds the
   * same, the object is skipped without being opened.
   * @default unknown: the ledger is not consulted before reading
   */
  readonly fingerprint?: string;
  /**
   * How strictly the key is routed. `strict` (what S3 notifies): only keys with CloudTrail's log-file layout are
   * read; digest, Insight, other and unrecognised keys are skipped by their key alone. `lenient` (a file or listing a
   * person chose): keys outside CloudTrail's layout are read and their content decides; CloudTrail's own digest and
   * Insight folders are still skipped by key.
   */
  readonly routing: 'strict' | 'lenient';
  /** Opens the object's bytes. */
  open(): Promise<OpenedLogObject>;
  /**
   * Finds, in the same source, an object a digest file names (a log file it lists, its previous digest): what lets
   * the service verify a digest read through this input.
   * @default none: a digest file is skipped (`digest-file`)
   */
  readonly locate?: (bucket: string, key: string) => LogObjectInput;
}

/** Settings and collaborators of the service, fixed for its lifetime. */
export interface LogObjectServiceDeps {
  readonly store: EventStore;
  readonly ledger: FileLedger;
  /** Drop read-only events (Describe*, Get*, List*). */
  readonly dropReadOnly: boolean;
  /** @default no observers */
  readonly observers?: readonly EventObserver[];
  /** @default the system clock; injectable so ledger entries are deterministic in tests */
  readonly now?: () => Date;
  /**
   * Events buffered before a write: memory stays bounded whatever the file's size.
   * @default 100 (about 500 items, 20 BatchWriteItem calls)
   */
  readonly flushEvents?: number;
  /**
   * Proof of completeness (docs/integrity.md): digest files are verified and their log files reconciled with the
   * ledger, and each processed log file's hash is indexed for them.
   * @default digest files are skipped (`digest-file`), nothing is verified
   */
  readonly integrity?: IntegrityDeps;
  /**
   * Where an interrupted object records how far it got, so its next run writes only what follows.
   * @default none: an interrupted object is written again from its start (idempotently)
   */
  readonly checkpoints?: CheckpointStore;
}

/** Per-call options: what a door asks of this one object. */
export interface ProcessObjectOptions {
  /** Read the object even when the ledger holds the same version. @default false */
  readonly force?: boolean;
  /**
   * Read, select and count as usual, but write nothing: no event, no ledger entry, no observer.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Store only events whose `eventTime` is in the range (both ends inclusive); the others are counted in
   * {@link StoreTally.outsideRange}, and an object with any is not recorded in the ledger (it was not taken in
   * whole, and a later run with another range must read it again).
   * @default no range: every event
   */
  readonly range?: { readonly since?: Date; readonly until?: Date };
  /**
   * Event IDs taken in during this run by other objects (several files may repeat an event). Such an event is not
   * written again and counts as a `duplicate-event` skip in this object's counts (its ledger entry still counts it
   * as the object's). The service adds each event as it takes it; if the object that took it then fails, that
   * object has no ledger entry and its next run writes the event.
   * @default none: every kept event of the object is written
   */
  readonly storedInRun?: Set<string>;
  /** Called after each write with the object's bytes read and events stored so far (a progress bar). */
  readonly onProgress?: (progress: { readonly bytesRead: number; readonly eventsStored: number }) => void | Promise<void>;
  /**
   * Stops the object between two writes: what is written stays (idempotent), no ledger entry is written, and the
   * outcome is `interrupted`.
   * @default never stopped
   */
  readonly signal?: AbortSignal;
  /**
   * Whether there is time, now, to take in a log file a digest lists that the ledger lacks (the processor asks the
   * Lambda's remaining time). When there is not, the log file is recorded `not-processed` and resolved when it is
   * processed.
   * @default always
   */
  readonly mayTakeInListed?: () => boolean;
  /**
   * Whether a digest takes in its previous digest when the table has no result of it (a lost notification, or a
   * digest from before the processor); the previous digest taken in does not take in its own.
   * @default true
   */
  readonly takeInPreviousDigest?: boolean;
}

/** What was stored of one object. */
export interface StoreTally {
  /** Events written by this call. */
  events: number;
  /** {@link StoreTally.events} per service. */
  byService: Partial<Record<Service, number>>;
  /** Items written, a failed write's share included. */
  itemsWritten: number;
  /** Write requests retried, a failed write's included. */
  retries: number;
  /** Events left out because their time is outside the range asked for. */
  outsideRange: number;
  /** Bytes read of the object (as its source delivered them: compressed when it is gzipped). */
  bytesRead: number;
  /**
   * Of {@link StoreTally.events}, Event-history copies not written because the table holds the event from a log
   * file (see {@link EventStore}).
   */
  superseded: number;
  /** Events of records before the object's checkpoint: stored by an earlier, interrupted run, not written again. */
  resumed: number;
}

/** What happened to one object. `counts` and `stored` are always set, however far it got. */
export type LogObjectOutcome =
  | {
      readonly status: 'processed';
      readonly counts: PipelineCounts;
      readonly stored: StoreTally;
      /** A digest file verified: its own status. */
      readonly digest?: { readonly status: DigestStatus };
      /** The verification work done (a digest; a log file that resolved listings waiting for it). */
      readonly integrity?: IntegrityTally;
    }
  | {
      readonly status: 'skipped';
      readonly reason: ObjectSkipReason;
      /** The key is under a `CloudTrail*` folder without CloudTrail's layout: maybe a layout this code misses. */
      readonly unrecognisedKey?: boolean;
      readonly counts: PipelineCounts;
      readonly stored: StoreTally;
    }
  | { readonly status: 'failed'; readonly error: unknown; readonly counts: PipelineCounts; readonly stored: StoreTally }
  | { readonly status: 'interrupted'; readonly counts: PipelineCounts; readonly stored: StoreTally };

/**
 * Whether an `eventTime` falls in the range (both ends inclusive). A time that does not parse cannot be placed in a
 * range: it is in range only when no range is asked for.
 */
export function inTimeRange(eventTime: string, range: { readonly since?: Date; readonly until?: Date } | undefined): boolean {
  if (range === undefined || (range.since === undefined && range.until === undefined)) return true;
  const time = Date.parse(eventTime);
  if (Number.isNaN(time)) return false;
  return (
    (range.since === undefined || time >= range.since.getTime()) &&
    (range.until === undefined || time <= range.until.getTime())
  );
}

/** The log-object service; see the module comment. */
export class LogObjectService {
  private readonly flushEvents: number;
  private readonly now: () => Date;
  private readonly digests: DigestStep | undefined;

  constructor(private readonly deps: LogObjectServiceDeps) {
    this.flushEvents = deps.flushEvents ?? 100;
    this.now = deps.now ?? (() => new Date());
    this.digests = deps.integrity === undefined ? undefined : new DigestStep(deps.integrity, deps.ledger, this.now);
  }

  /** Takes one object in. Never throws: a failure is returned as a `failed` outcome with its error. */
  async process(input: LogObjectInput, options: ProcessObjectOptions = {}): Promise<LogObjectOutcome> {
    const counts = newCounts();
    const stored = newStoreTally();
    try {
      const route = parseLogObjectKey(input.key);
      const readByContent = input.routing === 'lenient' && (route.kind === 'other' || route.kind === 'unrecognised');
      if (route.kind === 'digest' && this.verifiesDigests(input, options)) return await this.processDigest(input, options, counts, stored);
      if (route.kind !== 'log' && !readByContent) {
        return {
          status: 'skipped',
          reason: ROUTE_SKIP_REASONS[route.kind],
          ...(route.kind === 'unrecognised' ? { unrecognisedKey: true } : {}),
          counts,
          stored,
        };
      }
      if (options.force !== true && input.fingerprint !== undefined) {
        const entry = await this.deps.ledger.get(input.objectId);
        if (entry?.fingerprint === input.fingerprint) {
          return { status: 'skipped', reason: 'already-processed', counts, stored };
        }
      }
      const selection = selectionOf(options.range, this.deps.dropReadOnly);
      // Read when forced too, though not resumed from: it is removed once the object is taken in whole.
      const checkpoint =
        this.deps.checkpoints === undefined || options.dryRun === true
          ? undefined
          : await this.deps.checkpoints.get(input.objectId);
      const opened = await input.open();
      // Compared with the version opened (its ETag), not the one listed: an object replaced in between starts over.
      const fingerprint = opened.etag ?? input.fingerprint;
      const resumeFrom =
        checkpoint !== undefined &&
        options.force !== true &&
        checkpoint.fingerprint === fingerprint &&
        checkpoint.selection === selection
          ? checkpoint.records
          : 0;
      const streamed = await this.stream(input, opened, options, counts, stored, resumeFrom);
      if (streamed.interruptedAt !== undefined) {
        if (this.deps.checkpoints !== undefined && options.dryRun !== true && streamed.interruptedAt > resumeFrom) {
          await this.deps.checkpoints.put({
            objectId: input.objectId,
            fingerprint: opened.etag ?? input.fingerprint ?? 'unknown',
            records: streamed.interruptedAt,
            selection,
          });
        }
        return { status: 'interrupted', counts, stored };
      }
      let integrity: IntegrityTally | undefined;
      if (options.dryRun !== true) {
        const ref: LogObjectRef = { objectId: input.objectId, key: input.key };
        for (const observer of this.deps.observers ?? []) await observer.onObjectEnd?.(ref, counts);
        // The ledger entry is written last: an object that failed half-way is redone whole on its next delivery.
        if (stored.outsideRange === 0) {
          if (this.digests !== undefined) {
            // Before the ledger entry, so a failure here is retried: a digest that listed the file waits for it.
            integrity = newIntegrityTally();
            await this.digests.logFileProcessed(input.objectId, input.key, streamed.sha256, integrity);
          }
          await this.deps.ledger.put({
            objectId: input.objectId,
            fingerprint: opened.etag ?? input.fingerprint ?? 'unknown',
            events: streamed.objectEvents,
            processedAt: this.now().toISOString(),
            sha256: streamed.sha256,
          });
          if (checkpoint !== undefined) await this.deps.checkpoints?.delete(input.objectId);
        }
      }
      if (counts.fileSkipped !== undefined) return { status: 'skipped', reason: counts.fileSkipped, counts, stored };
      return { status: 'processed', counts, stored, ...(integrity === undefined ? {} : { integrity }) };
    } catch (error) {
      return { status: 'failed', error, counts, stored };
    }
  }

  /**
   * Whether a digest key goes to the digest step: verification is on, the door can locate what the digest names,
   * and the call takes whole objects in (no dry run, no time range).
   */
  private verifiesDigests(input: LogObjectInput, options: ProcessObjectOptions): boolean {
    const ranged = options.range !== undefined && (options.range.since !== undefined || options.range.until !== undefined);
    return this.digests !== undefined && input.locate !== undefined && options.dryRun !== true && !ranged;
  }

  /**
   * A digest file: ledger check, read whole (a few KB), the digest step (which may take in the log files it lists
   * through {@link process}), then its own ledger entry, so a redelivered digest is skipped cheaply.
   */
  private async processDigest(
    input: LogObjectInput,
    options: ProcessObjectOptions,
    counts: PipelineCounts,
    stored: StoreTally,
  ): Promise<LogObjectOutcome> {
    const name = parseDigestObjectName(input.key);
    const locate = input.locate;
    if (name === undefined || locate === undefined || this.digests === undefined) {
      return { status: 'skipped', reason: 'not-a-log-file', unrecognisedKey: true, counts, stored };
    }
    if (options.force !== true && input.fingerprint !== undefined) {
      const entry = await this.deps.ledger.get(input.objectId);
      if (entry?.fingerprint === input.fingerprint) return { status: 'skipped', reason: 'already-processed', counts, stored };
    }
    const opened = await input.open();
    const bytes = await readWhole(opened.body, MAX_DIGEST_BYTES + 1, (n) => {
      stored.bytesRead += n;
    });
    const integrity = newIntegrityTally();
    const mayTakeIn = (): boolean => options.signal?.aborted !== true && (options.mayTakeInListed?.() ?? true);
    const listedOptions: ProcessObjectOptions = {
      ...(options.storedInRun === undefined ? {} : { storedInRun: options.storedInRun }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.mayTakeInListed === undefined ? {} : { mayTakeInListed: options.mayTakeInListed }),
    };
    const verified = await this.digests.verify(
      {
        objectId: input.objectId,
        key: input.key,
        name,
        bytes,
        ...(opened.metadata === undefined ? {} : { metadata: opened.metadata }),
        locate,
        takeIn: async (object, force) => {
          const outcome = await this.process(object, { ...listedOptions, ...(force ? { force: true } : {}) });
          // What the log file stored counts as this digest's work: it was read because of it.
          addStored(stored, outcome.stored);
          return outcome;
        },
        mayTakeIn,
        takeInDigest: (object) => this.process(object, { ...listedOptions, takeInPreviousDigest: false }),
        mayTakeInDigest: () => options.takeInPreviousDigest !== false && mayTakeIn(),
      },
      integrity,
    );
    await this.deps.ledger.put({
      objectId: input.objectId,
      fingerprint: opened.etag ?? input.fingerprint ?? 'unknown',
      events: 0,
      processedAt: this.now().toISOString(),
      sha256: verified.sha256,
    });
    return { status: 'processed', counts, stored, digest: { status: verified.status }, integrity };
  }

  /**
   * Streams the object through the pipeline into the store in batches of {@link LogObjectServiceDeps.flushEvents},
   * hashing its decompressed bytes as they pass (the hash a digest file records, over the whole object even when it
   * resumes); the events of records before `resumeFrom` (a checkpoint's) are counted, not written.
   * @returns how many records had all their events written when it was interrupted, or the object's events in the
   *   table (written now, earlier in the run, or by the interrupted run the checkpoint is from) and its hash
   */
  private async stream(
    input: LogObjectInput,
    opened: OpenedLogObject,
    options: ProcessObjectOptions,
    counts: PipelineCounts,
    stored: StoreTally,
    resumeFrom: number,
  ): Promise<{ interruptedAt: number } | { interruptedAt?: undefined; objectEvents: number; sha256: string }> {
    const dryRun = options.dryRun === true;
    const ref: LogObjectRef = { objectId: input.objectId, key: input.key };
    const observers = dryRun ? [] : (this.deps.observers ?? []);
    const recordObservers = observers.filter((observer) => observer.onRecord !== undefined);
    let alreadyStored = 0;
    let buffer: KeptEvent[] = [];
    const hash = createHash('sha256');
    // Records from the object's start whose events are all written: what a checkpoint records.
    let recordsDone = resumeFrom;

    const flush = async (): Promise<void> => {
      if (buffer.length > 0 && !dryRun) await this.write(buffer, stored);
      for (const kept of buffer) {
        stored.events += 1;
        stored.byService[kept.event.service] = (stored.byService[kept.event.service] ?? 0) + 1;
        if (kept.source !== undefined) recordsDone = Math.max(recordsDone, kept.source.index + 1);
      }
      buffer = [];
      await options.onProgress?.({ bytesRead: stored.bytesRead, eventsStored: stored.events });
    };

    const bytes = countBytes(
      opened.body,
      (n) => {
        stored.bytesRead += n;
      },
      options.signal,
    );
    const events = normaliseLogObject(
      bytes,
      {
        objectKey: input.key,
        // Stored with each event (its `source`), as the ledger names the object.
        objectUri: input.objectId,
        dropReadOnly: this.deps.dropReadOnly,
        seenEventIds: new Set<string>(),
        onDecodedBytes: (chunk: Uint8Array) => {
          hash.update(chunk);
        },
        ...(recordObservers.length === 0
          ? {}
          : {
              onRecord: (record: CloudTrailRecord) => {
                for (const observer of recordObservers) observer.onRecord?.(record, ref);
              },
              mayMatchRecord: (text: string) =>
                recordObservers.some((observer) => observer.mayMatch === undefined || observer.mayMatch(text)),
            }),
      },
      counts,
    );
    try {
      let unknownOperations = counts.unknownOperations;
      for await (const kept of events) {
        // The pipeline counts an event (kept, unknown operation) before yielding it: an event this service leaves
        // out is taken back out of those counts and counted as what it is instead.
        const unknownOperation = counts.unknownOperations > unknownOperations;
        unknownOperations = counts.unknownOperations;
        const inRange = inTimeRange(kept.event.eventTime, options.range);
        const storedBefore = options.storedInRun?.has(kept.event.eventID) === true;
        if (!inRange || storedBefore) {
          counts.kept -= 1;
          counts.resourcesOmitted -= kept.event.resourcesOmitted ?? 0;
          if (isStoredTrimmed(kept)) counts.recordsTrimmed -= 1;
          if (unknownOperation) {
            counts.unknownOperations -= 1;
            unknownOperations -= 1;
          }
          if (!inRange) stored.outsideRange += 1;
          else {
            counts.skipped['duplicate-event'] = (counts.skipped['duplicate-event'] ?? 0) + 1;
            alreadyStored += 1;
          }
          continue;
        }
        if (kept.source !== undefined && kept.source.index < resumeFrom) {
          // Stored by the run the checkpoint is from (observers saw it then).
          stored.resumed += 1;
          options.storedInRun?.add(kept.event.eventID);
          continue;
        }
        for (const observer of observers) await observer.onEvent?.(kept, ref);
        options.storedInRun?.add(kept.event.eventID);
        buffer.push(kept);
        if (buffer.length >= this.flushEvents) await flush();
        if (options.signal?.aborted === true) return { interruptedAt: recordsDone };
      }
      await flush();
    } catch (error) {
      if (error instanceof ObjectInterrupted) return { interruptedAt: recordsDone };
      throw error;
    }
    return { objectEvents: stored.events + alreadyStored + stored.resumed, sha256: hash.digest('hex') };
  }

  /** One write, its items and retries counted whether it succeeds or not (what a failed write did still happened). */
  private async write(batch: readonly KeptEvent[], stored: StoreTally): Promise<void> {
    let result: PutEventsResult;
    try {
      result = await this.deps.store.putEvents(batch);
    } catch (error) {
      if (error instanceof EventStoreWriteError) {
        stored.itemsWritten += error.details.itemsWritten;
        stored.retries += error.details.retries;
      }
      throw error;
    }
    stored.itemsWritten += result.itemsWritten;
    stored.retries += result.retries;
    stored.superseded += result.superseded ?? 0;
  }
}

/** A zeroed {@link StoreTally}: what a call has stored before it reads anything. */
export function newStoreTally(): StoreTally {
  return { events: 0, byService: {}, itemsWritten: 0, retries: 0, outsideRange: 0, bytesRead: 0, superseded: 0, resumed: 0 };
}

/** Adds what a log object taken in for a digest stored to the digest's tally. */
function addStored(into: StoreTally, from: StoreTally): void {
  into.events += from.events;
  for (const [service, value] of Object.entries(from.byService) as [Service, number][]) {
    into.byService[service] = (into.byService[service] ?? 0) + value;
  }
  into.itemsWritten += from.itemsWritten;
  into.retries += from.retries;
  into.bytesRead += from.bytesRead;
  into.superseded += from.superseded;
  into.resumed += from.resumed;
}

/** Reads a stream whole, stopping once it passes `limit` bytes (what is read then is only the start). */
async function readWhole(body: AsyncIterable<Uint8Array>, limit: number, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    onChunk(chunk.byteLength);
    if (size >= limit) break;
  }
  return Buffer.concat(chunks);
}

/** What a checkpoint was made under: the time range and whether read-only calls were dropped. */
function selectionOf(range: ProcessObjectOptions['range'], dropReadOnly: boolean): string {
  return `${range?.since?.toISOString() ?? ''}..${range?.until?.toISOString() ?? ''}${dropReadOnly ? ' writes-only' : ''}`;
}

/** Thrown into the pipeline by {@link countBytes} when the signal stops the object between two chunks. */
class ObjectInterrupted extends Error {
  override readonly name = 'ObjectInterrupted';
}

/**
 * Passes the stream through, telling `onChunk` how many bytes each chunk had, and stops it between two chunks once
 * `signal` is aborted: an interrupt takes effect within a chunk's time even in a file none of whose events is kept.
 */
async function* countBytes(
  source: AsyncIterable<Uint8Array>,
  onChunk: (bytes: number) => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (signal?.aborted === true) throw new ObjectInterrupted('interrupted');
    onChunk(chunk.byteLength);
    yield chunk;
  }
}
