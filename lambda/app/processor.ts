/**
 * The processor's door into the log-object service: an SQS batch of notifications (S3 event notifications,
 * EventBridge `Object Created` events or CloudTrail's SNS delivery notifications, see `notifications.ts`), or a
 * direct S3 event, in; each named object through {@link LogObjectService}; log lines, metrics and SQS batch item
 * failures out. Whichever shape named an object, it takes the same path from here on.
 *
 * A failing object fails its SQS message alone, so SQS retries it and, after `maxReceiveCount`, moves it (bucket and
 * key inside) to the dead-letter queue. Log lines carry identifiers and counts, never record content.
 */
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { normaliseETag } from '../core/object-key';
import type { PipelineCounts } from '../core/pipeline';
import { errorFields } from './error-fields';
import { InvocationMetrics } from './invocation-metrics';
import {
  LogObjectService,
  type LogObjectInput,
  type LogObjectOutcome,
  type LogObjectServiceDeps,
  type ObjectSkipReason,
  type ProcessObjectOptions,
} from './log-object-service';
import { METRIC, metricPerReason } from './metric-names';
import { isSQSEvent, notifiedObjects, objectKeyOf, parseMessageBody, type NotifiedObject } from './notifications';
import type { LogObjectSource, Logger, MessageRequeue, Metrics } from './ports';

/** Settings read once per execution environment. */
export interface ProcessorConfig {
  /** Drop read-only events (Describe*, Get*, List*). */
  readonly dropReadOnly: boolean;
  /**
   * Events buffered before a write: memory stays bounded whatever the file's size.
   * @default 100 (about 500 items, 20 BatchWriteItem calls)
   */
  readonly flushEvents?: number;
  /**
   * An SQS message is not started when less time than this remains in the invocation ("deferred", instead of the
   * invocation timing out midway, which would redeliver the whole batch): it is re-sent to the queue through
   * {@link ProcessorDeps.requeue}, or returned as a batch item failure. The first message of an invocation is always
   * started, so a function whose timeout is below this still makes progress instead of re-sending its messages
   * forever. Only applies when the Lambda context is passed.
   * @default 60_000 (one minute)
   */
  readonly minRemainingMs?: number;
}

/**
 * What the processor needs; production wires real adapters (`lambda/handler.ts`), tests wire fakes. The store,
 * ledger, observers and clock are the log-object service's ({@link LogObjectServiceDeps}).
 */
export interface ProcessorDeps extends Pick<LogObjectServiceDeps, 'store' | 'ledger' | 'observers' | 'now' | 'integrity'> {
  readonly source: LogObjectSource;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: ProcessorConfig;
  /**
   * Where a deferred SQS message is re-sent as a new message, the original then reported as done. Returning it as a
   * batch item failure instead would count its receive toward `maxReceiveCount` (SQS counts receives; changing the
   * visibility does not undo one), so a message deferred that many times would move to the dead-letter queue
   * without having failed. If the re-send fails, the message is returned as a batch item failure: never lost.
   * @default none: deferred messages are returned as batch item failures
   */
  readonly requeue?: MessageRequeue;
}

/** The S3 object an event came from. */
export interface NotifiedObjectRef {
  readonly bucket: string;
  /** The decoded key (the raw one when it could not be decoded). */
  readonly key: string;
}

/** Raised (after every record was tried) when objects of a direct S3 event failed, so Lambda retries the event. */
export class ObjectsFailedError extends AggregateError {
  override readonly name = 'ObjectsFailedError';
  constructor(
    errors: readonly unknown[],
    readonly objects: readonly NotifiedObjectRef[],
  ) {
    super(errors, `${objects.length} log object(s) failed: ${objects.map((o) => `s3://${o.bucket}/${o.key}`).join(', ')}`);
  }
}

/** The processor function's signature. */
export type ProcessorHandler = (
  event: SQSEvent | S3Event,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse | undefined>;

/**
 * Builds the processor around its dependencies.
 * - SQS event: each message is a notification of one of the understood shapes (or `s3:TestEvent`, or an SNS
 *   subscription message, both ignored); messages whose objects fail are
 *   returned in `batchItemFailures`, the others are deleted by Lambda. Messages not started for lack of time are
 *   re-sent to the queue (see {@link ProcessorDeps.requeue}), or returned in `batchItemFailures` when that fails.
 * - Direct S3 event: every record is tried; if any failed, an {@link ObjectsFailedError} is thrown afterwards.
 */
export function createHandler(deps: ProcessorDeps): ProcessorHandler {
  const service = new LogObjectService({
    store: deps.store,
    ledger: deps.ledger,
    dropReadOnly: deps.config.dropReadOnly,
    ...(deps.observers === undefined ? {} : { observers: deps.observers }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.config.flushEvents === undefined ? {} : { flushEvents: deps.config.flushEvents }),
    ...(deps.integrity === undefined ? {} : { integrity: deps.integrity }),
  });
  const door = new NotificationDoor(service, deps);
  const minRemainingMs = deps.config.minRemainingMs ?? 60_000;
  return async (event, context) => {
    const counters = new InvocationMetrics();
    // A digest takes in the log files it lists that the ledger lacks while this much time is left.
    const options: ProcessObjectOptions = {
      mayTakeInListed: () => context === undefined || context.getRemainingTimeInMillis() >= minRemainingMs,
    };
    try {
      if (isSQSEvent(event)) {
        const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
        const deferred: SQSRecord[] = [];
        let started = 0;
        for (const message of (event as SQSEvent).Records) {
          // The first message is always started: with a timeout below `minRemainingMs`, deferring every message
          // would re-send them forever without processing any.
          const remainingMs = started > 0 ? context?.getRemainingTimeInMillis() : undefined;
          if (remainingMs !== undefined && remainingMs < minRemainingMs) {
            deps.logger.warn('SQS message deferred: too little time left in the invocation', {
              messageId: message.messageId,
              remainingMs,
            });
            counters.add(METRIC.MessagesDeferred, 1);
            deferred.push(message);
            continue;
          }
          started += 1;
          const failed = await door.message(message, counters, options);
          if (failed) batchItemFailures.push({ itemIdentifier: message.messageId });
        }
        // Re-sent together: the invocation is short of time by now, and each send is independent.
        const requeued = await Promise.all(
          deferred.map(async (message) => ({ message, handBack: await requeueDeferred(message, deps, counters) })),
        );
        for (const { message, handBack } of requeued) {
          if (handBack) batchItemFailures.push({ itemIdentifier: message.messageId });
        }
        return { batchItemFailures };
      }
      const objects = notifiedObjects(event, 'the S3 event');
      const errors: unknown[] = [];
      const failed: NotifiedObjectRef[] = [];
      for (const object of objects) {
        const outcome = await door.object(object, counters, options);
        if (outcome.error !== undefined) {
          errors.push(outcome.error);
          failed.push(outcome.ref);
        }
      }
      if (errors.length > 0) throw new ObjectsFailedError(errors, failed);
      return undefined;
    } finally {
      counters.emit(deps.metrics);
    }
  };
}

/**
 * Re-sends a deferred message as a new one (receive count 0); true when it must be returned as a batch item failure
 * instead: no requeue port, or the re-send failed (the error is logged and the message kept, never lost).
 *
 * A message re-sent and then also redelivered (the invocation dies before Lambda deletes the original) is processed
 * twice, which is harmless: the file ledger skips an object already processed with the same ETag, and every write
 * is idempotent (events keyed by eventID, alerts sent once per rule and eventID).
 */
async function requeueDeferred(message: SQSRecord, deps: ProcessorDeps, counters: InvocationMetrics): Promise<boolean> {
  if (deps.requeue === undefined) return true;
  try {
    await deps.requeue.requeue(message.body);
  } catch (error) {
    deps.logger.error('deferred SQS message could not be re-sent: returned as a batch item failure', {
      messageId: message.messageId,
      ...errorFields(error),
    });
    return true;
  }
  counters.add(METRIC.MessagesRequeued, 1);
  return false;
}

/** Turns notified objects into service calls, and their outcomes into log lines and metrics. */
class NotificationDoor {
  constructor(
    private readonly service: LogObjectService,
    private readonly deps: ProcessorDeps,
  ) {}

  /** Processes every object of one SQS message; true when the message must be retried. */
  async message(message: SQSRecord, counters: InvocationMetrics, options: ProcessObjectOptions): Promise<boolean> {
    const { logger } = this.deps;
    let objects: readonly NotifiedObject[];
    try {
      const parsed = parseMessageBody(message.body, `SQS message ${message.messageId}`);
      if (parsed.kind === 'test-event') {
        logger.info('s3:TestEvent ignored', { messageId: message.messageId });
        return false;
      }
      if (parsed.kind === 'sns-control') {
        // Not a delivery, and retrying cannot turn it into one: said loudly once, then let go.
        logger.warn('SNS subscription message ignored: the queue\'s subscription may need attention', {
          messageId: message.messageId,
          snsType: parsed.type,
          topicArn: parsed.topicArn,
        });
        return false;
      }
      objects = parsed.objects;
    } catch (error) {
      logger.error('SQS message is not a notification this processor understands', {
        messageId: message.messageId,
        ...errorFields(error),
      });
      counters.add(METRIC.MessagesInvalid, 1);
      return true;
    }
    let failed = false;
    // Every object of the message is tried even after a failure: the ones that succeed are in the ledger, so the
    // retry of the message only redoes the failed ones.
    for (const object of objects) {
      const outcome = await this.object(object, counters, options, message.messageId);
      if (outcome.error !== undefined) failed = true;
    }
    return failed;
  }

  /** Processes one notified object. Never throws: returns the error. */
  async object(
    object: NotifiedObject,
    counters: InvocationMetrics,
    options: ProcessObjectOptions,
    messageId?: string,
  ): Promise<{ ref: NotifiedObjectRef; error?: unknown }> {
    const { logger } = this.deps;
    // The key as notified until it is decoded: a key that fails to decode is still named in the error log.
    const context: Record<string, unknown> = {
      bucket: object.bucket,
      key: object.rawKey,
      notification: object.shape,
      ...(messageId === undefined ? {} : { messageId }),
    };
    let key: string;
    try {
      key = objectKeyOf(object);
    } catch (error) {
      counters.add(METRIC.FilesFailed, 1);
      logger.error('log object failed', { ...context, ...errorFields(error) });
      return { ref: { bucket: object.bucket, key: object.rawKey }, error };
    }
    const ref = { bucket: object.bucket, key };
    context.key = key;
    if (!object.objectCreated) {
      this.skipped(context, counters, 'not-object-created');
      return { ref };
    }
    const eTag = object.eTag === undefined ? undefined : normaliseETag(object.eTag);
    const outcome = await this.service.process(
      { ...this.inputOf(object.bucket, key), ...(eTag === undefined ? {} : { fingerprint: eTag }) },
      options,
    );
    this.count(outcome, counters);
    switch (outcome.status) {
      case 'skipped':
        if (outcome.unrecognisedKey === true) counters.add(METRIC.FilesUnrecognised, 1);
        this.skipped(context, counters, outcome.reason, outcome, outcome.unrecognisedKey === true ? 'warn' : 'info');
        return { ref };
      case 'processed':
        if (outcome.digest !== undefined) {
          logger.info('digest file verified', {
            ...context,
            digestStatus: outcome.digest.status,
            ...outcome.integrity,
            eventsStored: outcome.stored.events,
          });
          return { ref };
        }
        counters.add(METRIC.FilesProcessed, 1);
        logger.info('log object processed', { ...context, ...countFields(outcome.counts), eventsStored: outcome.stored.events });
        return { ref };
      case 'failed':
      case 'interrupted': {
        const error = outcome.status === 'failed' ? outcome.error : new Error('processing was interrupted');
        counters.add(METRIC.FilesFailed, 1);
        logger.error('log object failed', {
          ...context,
          ...countFields(outcome.counts),
          eventsStored: outcome.stored.events,
          ...errorFields(error),
        });
        return { ref, error };
      }
    }
  }

  /**
   * The service's input of an object of the bucket: what a notification names, and what a digest names (a log file
   * it lists, its previous digest) located the same way.
   */
  private inputOf(bucket: string, key: string): LogObjectInput {
    return {
      objectId: `s3://${bucket}/${key}`,
      key,
      routing: 'strict',
      open: () => this.deps.source.open(bucket, key),
      locate: (otherBucket, otherKey) => this.inputOf(otherBucket, otherKey),
    };
  }

  private skipped(
    context: Record<string, unknown>,
    counters: InvocationMetrics,
    reason: ObjectSkipReason,
    outcome?: LogObjectOutcome,
    level: 'info' | 'warn' = 'info',
  ): void {
    counters.add(METRIC.FilesSkipped, 1);
    counters.add(metricPerReason.filesSkipped(reason), 1);
    const message = level === 'warn' ? 'log object skipped: key under a CloudTrail folder without its layout' : 'log object skipped';
    // A skip decided before reading (route, ledger) has no counts worth logging.
    const read = outcome !== undefined && outcome.counts.fileSkipped !== undefined;
    this.deps.logger[level](message, { ...context, reason, ...(read ? countFields(outcome.counts) : {}) });
  }

  /** Record and storage counts of an outcome, whatever its status. */
  private count(outcome: LogObjectOutcome, counters: InvocationMetrics): void {
    const { counts, stored } = outcome;
    counters.add(METRIC.RecordsRead, counts.recordsRead);
    counters.add(METRIC.RecordsKept, counts.kept);
    counters.add(METRIC.UnknownOperations, counts.unknownOperations);
    counters.add(METRIC.RecordsTrimmed, counts.recordsTrimmed);
    counters.add(METRIC.ResourcesOmitted, counts.resourcesOmitted);
    for (const [reason, value] of Object.entries(counts.skipped)) {
      counters.add(METRIC.RecordsSkipped, value ?? 0);
      counters.add(metricPerReason.recordsSkipped(reason), value ?? 0);
    }
    counters.addStored(stored);
    if (outcome.status === 'processed' && outcome.integrity !== undefined) counters.addIntegrity(outcome.integrity);
  }
}

function countFields(counts: PipelineCounts): Record<string, unknown> {
  return {
    recordsRead: counts.recordsRead,
    kept: counts.kept,
    skipped: counts.skipped,
    unknownOperations: counts.unknownOperations,
    ...(counts.recordsTrimmed === 0 ? {} : { recordsTrimmed: counts.recordsTrimmed }),
    ...(counts.resourcesOmitted === 0 ? {} : { resourcesOmitted: counts.resourcesOmitted }),
    // The records that cost something, by position and reason (field names and sizes, never content).
    ...(counts.problems.length === 0 ? {} : { problems: counts.problems }),
  };
}
