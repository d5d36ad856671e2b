/**
 * The processor Lambda: S3 → SQS → this function (with `reportBatchItemFailures`), or a direct S3 notification.
 *
 * Thin by design: it validates the notification, decodes and routes every object key, streams each log object
 * through the core pipeline into the event store in bounded batches, records the object in the file ledger, and
 * logs identifiers and counts (never record content) and emits metrics. A failing object fails its SQS message
 * alone, so SQS retries it and, after `maxReceiveCount`, moves it (bucket and key inside) to the dead-letter queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CloudTrailRecord } from './core/types';
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeS3Key, parseLogObjectKey, type LogObjectKind } from './core/object-key';
import { newCounts, normaliseLogObject, type KeptEvent, type PipelineCounts } from './core/pipeline';
import { S3LogObjectSource, normaliseETag, type LogObjectSource } from './adapters/s3-log-reader';
import { SqsMessageRequeue, type MessageRequeue } from './adapters/sqs-message-requeue';
import { alertObserverFromEnv } from './alerts/from-env';
import { logger as sharedLogger, metrics as sharedMetrics } from './observability';
import { DynamoDBEventStore, EventStoreWriteError } from './store/dynamodb-event-store';
import type { EventStore, PutEventsResult } from './store/event-store';
import { DynamoDBFileLedger, s3ObjectId, type FileLedger } from './store/file-ledger';

/** The log methods the handler uses; Powertools' `Logger` has them. */
export interface HandlerLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The metric methods the handler uses; Powertools' `Metrics` has them. */
export interface HandlerMetrics {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** The S3 object an event came from. */
export interface LogObjectRef {
  readonly bucket: string;
  /** The decoded key. */
  readonly key: string;
}

/**
 * Hooks for what else happens to an object's records (the compliance alerts). An error thrown by a hook fails the
 * object like any other error, so it is retried; hooks must therefore be idempotent per (rule, event).
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

/** Settings read once per execution environment. */
export interface HandlerConfig {
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
   * {@link HandlerDeps.requeue}, or returned as a batch item failure. The first message of an invocation is always
   * started, so a function whose timeout is below this still makes progress instead of re-sending its messages
   * forever. Only applies when the Lambda context is passed.
   * @default 60_000 (one minute)
   */
  readonly minRemainingMs?: number;
}

/** What the handler needs; production wires real adapters ({@link handler}), tests wire fakes. */
export interface HandlerDeps {
  readonly source: LogObjectSource;
  readonly store: EventStore;
  readonly ledger: FileLedger;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
  readonly config: HandlerConfig;
  /** @default no observers */
  readonly observers?: readonly EventObserver[];
  /** @default `() => new Date()`; injectable so ledger entries are deterministic in tests */
  readonly now?: () => Date;
  /**
   * Where the store reports its retries as they happen (production passes {@link WriteRetryTally.onRetry} to the
   * store's `onRetry`). When set, `WriteRetries` is taken from it after each write, failed or not, instead of from
   * the write's result, so the retries of a write that finally fails are counted too.
   * @default retries counted from `putEvents` results only
   */
  readonly writeRetries?: WriteRetryTally;
  /**
   * Where a deferred SQS message is re-sent as a new message, the original then reported as done. Returning it as a
   * batch item failure instead would count its receive toward `maxReceiveCount` (SQS counts receives; changing the
   * visibility does not undo one), so a message deferred that many times would move to the dead-letter queue
   * without having failed. If the re-send fails, the message is returned as a batch item failure: never lost.
   * @default none: deferred messages are returned as batch item failures
   */
  readonly requeue?: MessageRequeue;
}

/**
 * Retries reported by the event store while a write runs. The handler writes one batch at a time, so the tally
 * taken after a write holds that write's retries.
 */
export class WriteRetryTally {
  private pending = 0;

  /** The store's `onRetry` callback: adds `n` re-sent requests. */
  readonly onRetry = (n: number): void => {
    this.pending += n;
  };

  /** Returns the retries since the last call and starts again from zero. */
  take(): number {
    const taken = this.pending;
    this.pending = 0;
    return taken;
  }
}

/** Raised when an SQS message body is not an S3 notification this handler understands. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
}

/** Raised (after every record was tried) when objects of a direct S3 event failed, so Lambda retries the event. */
export class ObjectsFailedError extends AggregateError {
  override readonly name = 'ObjectsFailedError';
  constructor(
    errors: readonly unknown[],
    readonly objects: readonly LogObjectRef[],
  ) {
    super(errors, `${objects.length} log object(s) failed: ${objects.map((o) => s3ObjectId(o.bucket, o.key)).join(', ')}`);
  }
}

/** Why a whole object was skipped: the key's route, the pipeline's file-level reason, or the ledger. */
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

/** One object named by a notification, before its key is decoded. */
interface NotifiedObject {
  readonly bucket: string;
  readonly rawKey: string;
  readonly eTag?: string;
  readonly eventName: string;
}

/** Counts over one invocation, emitted as metrics at its end. */
class InvocationMetrics {
  private readonly values = new Map<string, number>();

  add(name: string, value: number): void {
    if (value === 0) return;
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }

  /** Adds every non-zero count and publishes; an invocation that counted nothing (an s3:TestEvent) emits nothing. */
  emit(metrics: HandlerMetrics): void {
    if (this.values.size === 0) return;
    for (const [name, value] of this.values) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
}

/**
 * Builds the handler around its dependencies.
 * - SQS event: each message is an S3 notification (or `s3:TestEvent`, ignored); messages whose objects fail are
 *   returned in `batchItemFailures`, the others are deleted by Lambda. Messages not started for lack of time are
 *   re-sent to the queue (see {@link HandlerDeps.requeue}), or returned in `batchItemFailures` when that fails.
 * - Direct S3 event: every record is tried; if any failed, an {@link ObjectsFailedError} is thrown afterwards.
 */
export function createHandler(
  deps: HandlerDeps,
): (event: SQSEvent | S3Event, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse | undefined> {
  const processor = new ObjectProcessor(deps);
  const minRemainingMs = deps.config.minRemainingMs ?? 60_000;
  return async (event, context) => {
    const counters = new InvocationMetrics();
    try {
      if (isSQSEvent(event)) {
        const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
        const deferred: SQSRecord[] = [];
        let started = 0;
        for (const message of event.Records) {
          // The first message is always started: with a timeout below `minRemainingMs`, deferring every message
          // would re-send them forever without processing any.
          const remainingMs = started > 0 ? context?.getRemainingTimeInMillis() : undefined;
          if (remainingMs !== undefined && remainingMs < minRemainingMs) {
            deps.logger.warn('SQS message deferred: too little time left in the invocation', {
              messageId: message.messageId,
              remainingMs,
            });
            counters.add('MessagesDeferred', 1);
            deferred.push(message);
            continue;
          }
          started += 1;
          const failed = await processMessage(processor, message, deps.logger, counters);
          if (failed) batchItemFailures.push({ itemIdentifier: message.messageId });
        }
        // Re-sent together: the invocation is short of time by now, and each send is independent.
        const requeued = await Promise.all(
          deferred.map(async (message) => ({
            message,
            handBack: await requeueDeferred(message, deps.requeue, deps.logger, counters),
          })),
        );
        for (const { message, handBack } of requeued) {
          if (handBack) batchItemFailures.push({ itemIdentifier: message.messageId });
        }
        return { batchItemFailures };
      }
      const objects = notifiedObjects(event, 'the S3 event');
      const errors: unknown[] = [];
      const failed: LogObjectRef[] = [];
      for (const object of objects) {
        const outcome = await processor.process(object, counters);
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
async function requeueDeferred(
  message: SQSRecord,
  requeue: MessageRequeue | undefined,
  logger: HandlerLogger,
  counters: InvocationMetrics,
): Promise<boolean> {
  if (requeue === undefined) return true;
  try {
    await requeue.requeue(message.body);
  } catch (error) {
    logger.error('deferred SQS message could not be re-sent: returned as a batch item failure', {
      messageId: message.messageId,
      ...errorFields(error),
    });
    return true;
  }
  counters.add('MessagesRequeued', 1);
  return false;
}

async function processMessage(
  processor: ObjectProcessor,
  message: SQSRecord,
  logger: HandlerLogger,
  counters: InvocationMetrics,
): Promise<boolean> {
  let body: unknown;
  try {
    body = JSON.parse(message.body) as unknown;
  } catch {
    logger.error('SQS message body is not JSON', { messageId: message.messageId });
    counters.add('MessagesInvalid', 1);
    return true;
  }
  if (isObject(body) && body.Event === 's3:TestEvent') {
    logger.info('s3:TestEvent ignored', { messageId: message.messageId });
    return false;
  }
  let objects: NotifiedObject[];
  try {
    objects = notifiedObjects(body, `SQS message ${message.messageId}`);
  } catch (error) {
    logger.error('SQS message is not an S3 notification', { messageId: message.messageId, ...errorFields(error) });
    counters.add('MessagesInvalid', 1);
    return true;
  }
  let failed = false;
  // Every object of the message is tried even after a failure: the ones that succeed are in the ledger, so the
  // retry of the message only redoes the failed ones.
  for (const object of objects) {
    const outcome = await processor.process(object, counters, message.messageId);
    if (outcome.error !== undefined) failed = true;
  }
  return failed;
}

/** Processes one object: route, ledger check, stream, store, ledger entry. Never throws: returns the error. */
class ObjectProcessor {
  constructor(private readonly deps: HandlerDeps) {}

  async process(
    object: NotifiedObject,
    counters: InvocationMetrics,
    messageId?: string,
  ): Promise<{ ref: LogObjectRef; error?: unknown }> {
    const { logger } = this.deps;
    let ref: LogObjectRef = { bucket: object.bucket, key: object.rawKey };
    // The key as notified until it is decoded: a key that fails to decode is still named in the error log.
    const context: Record<string, unknown> = {
      bucket: object.bucket,
      key: object.rawKey,
      ...(messageId === undefined ? {} : { messageId }),
    };
    const counts = newCounts();
    let eventsStored = 0;
    const storedByService = new Map<string, number>();
    try {
      ref = { bucket: object.bucket, key: decodeS3Key(object.rawKey) };
      context.key = ref.key;
      if (!object.eventName.startsWith('ObjectCreated:')) {
        return this.skipped(ref, context, counters, 'not-object-created');
      }
      const route = parseLogObjectKey(ref.key);
      if (route.kind === 'unrecognised') {
        // Under a CloudTrail folder yet not CloudTrail's layout: possibly a log file this code fails to recognise.
        counters.add('FilesUnrecognised', 1);
        return this.skipped(ref, context, counters, ROUTE_SKIP_REASONS[route.kind], undefined, 'warn');
      }
      if (route.kind !== 'log') return this.skipped(ref, context, counters, ROUTE_SKIP_REASONS[route.kind]);

      const objectId = s3ObjectId(ref.bucket, ref.key);
      const notifiedETag = object.eTag === undefined ? undefined : normaliseETag(object.eTag);
      if (notifiedETag !== undefined) {
        const entry = await this.deps.ledger.get(objectId);
        if (entry?.fingerprint === notifiedETag) {
          return this.skipped(ref, context, counters, 'already-processed');
        }
      }
      const opened = await this.deps.source.open(ref.bucket, ref.key);
      const fingerprint = opened.etag ?? notifiedETag;
      const flushEvents = this.deps.config.flushEvents ?? 100;
      let buffer: KeptEvent[] = [];
      const flush = async (): Promise<void> => {
        if (buffer.length === 0) return;
        const tally = this.deps.writeRetries;
        let result: PutEventsResult;
        try {
          result = await this.deps.store.putEvents(buffer);
        } catch (error) {
          // What a failed write did still happened: its items are in the table and its retries were made.
          if (error instanceof EventStoreWriteError) counters.add('ItemsWritten', error.details.itemsWritten);
          if (tally !== undefined) counters.add('WriteRetries', tally.take());
          throw error;
        }
        eventsStored += buffer.length;
        for (const kept of buffer) storedByService.set(kept.event.service, (storedByService.get(kept.event.service) ?? 0) + 1);
        counters.add('ItemsWritten', result.itemsWritten);
        counters.add('WriteRetries', tally === undefined ? result.retries : tally.take());
        buffer = [];
      };
      const observers = this.deps.observers ?? [];
      const recordObservers = observers.filter((observer) => observer.onRecord !== undefined);
      const objectRef = ref;
      const events = normaliseLogObject(
        opened.body,
        {
          objectKey: ref.key,
          objectUri: `s3://${ref.bucket}/${ref.key}`,
          dropReadOnly: this.deps.config.dropReadOnly,
          seenEventIds: new Set<string>(),
          ...(recordObservers.length === 0
            ? {}
            : {
                onRecord: (record: CloudTrailRecord) => {
                  for (const observer of recordObservers) observer.onRecord?.(record, objectRef);
                },
                mayMatchRecord: (text: string) =>
                  recordObservers.some((observer) => observer.mayMatch === undefined || observer.mayMatch(text)),
              }),
        },
        counts,
      );
      for await (const kept of events) {
        for (const observer of observers) await observer.onEvent?.(kept, ref);
        buffer.push(kept);
        if (buffer.length >= flushEvents) await flush();
      }
      await flush();
      for (const observer of observers) await observer.onObjectEnd?.(ref, counts);
      await this.deps.ledger.put({
        objectId,
        fingerprint: fingerprint ?? 'unknown',
        events: eventsStored,
        processedAt: (this.deps.now ?? (() => new Date()))().toISOString(),
      });
      this.countRecords(counts, counters);
      this.countStored(eventsStored, storedByService, counters);
      if (counts.fileSkipped !== undefined) {
        return this.skipped(ref, context, counters, counts.fileSkipped, counts);
      }
      counters.add('FilesProcessed', 1);
      logger.info('log object processed', { ...context, ...countFields(counts), eventsStored });
      return { ref };
    } catch (error) {
      this.countRecords(counts, counters);
      this.countStored(eventsStored, storedByService, counters);
      counters.add('FilesFailed', 1);
      logger.error('log object failed', { ...context, ...countFields(counts), eventsStored, ...errorFields(error) });
      return { ref, error };
    }
  }

  private skipped(
    ref: LogObjectRef,
    context: Record<string, unknown>,
    counters: InvocationMetrics,
    reason: ObjectSkipReason,
    counts?: PipelineCounts,
    level: 'info' | 'warn' = 'info',
  ): { ref: LogObjectRef } {
    counters.add('FilesSkipped', 1);
    counters.add(`FilesSkipped.${reason}`, 1);
    const message = level === 'warn' ? 'log object skipped: key under a CloudTrail folder without its layout' : 'log object skipped';
    this.deps.logger[level](message, {
      ...context,
      reason,
      ...(counts === undefined ? {} : countFields(counts)),
    });
    return { ref };
  }

  private countRecords(counts: PipelineCounts, counters: InvocationMetrics): void {
    counters.add('RecordsRead', counts.recordsRead);
    counters.add('RecordsKept', counts.kept);
    counters.add('UnknownOperations', counts.unknownOperations);
    for (const [reason, value] of Object.entries(counts.skipped)) {
      counters.add('RecordsSkipped', value ?? 0);
      counters.add(`RecordsSkipped.${reason}`, value ?? 0);
    }
  }

  /** `EventsStored` and `EventsStored.<service>`: events whose write succeeded (a failed write's are not counted). */
  private countStored(eventsStored: number, byService: ReadonlyMap<string, number>, counters: InvocationMetrics): void {
    counters.add('EventsStored', eventsStored);
    for (const [service, value] of byService) counters.add(`EventsStored.${service}`, value);
  }
}

function countFields(counts: PipelineCounts): Record<string, unknown> {
  return {
    recordsRead: counts.recordsRead,
    kept: counts.kept,
    skipped: counts.skipped,
    unknownOperations: counts.unknownOperations,
    ...(counts.firstInvalidRecord === undefined ? {} : { firstInvalidRecord: counts.firstInvalidRecord }),
  };
}

/**
 * What is logged of an error: its name, message and position, and the same of its cause. The message of a JSON
 * syntax error, or of an error caused by one, is withheld: V8 quotes the text it choked on ("Unexpected token 's',
 * "{"a": secret..." is not valid JSON"), which would put record content in the log. Name, byte offset and
 * records read still locate the problem.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!isErrorLike(error)) return { errorName: typeof error };
  const fields: Record<string, unknown> = { errorName: error.name };
  const cause = isErrorLike(error.cause) ? error.cause : undefined;
  const quotesContent = error.name === 'SyntaxError' || cause?.name === 'SyntaxError';
  fields.errorMessage = quotesContent ? '(withheld: a JSON parser message may quote record content)' : error.message;
  for (const name of ['objectKey', 'byteOffset', 'recordsRead', 'details', 'code'] as const) {
    const value = (error as unknown as Record<string, unknown>)[name];
    if (value !== undefined) fields[name] = value;
  }
  if (cause !== undefined) {
    fields.causeName = cause.name;
    if (!quotesContent) fields.causeMessage = cause.message;
  }
  return fields;
}

/**
 * Whether a value is an error, by shape: errors made by Node's own modules can come from another realm (a VM
 * context, as under jest), where `instanceof Error` is false.
 */
function isErrorLike(value: unknown): value is { name: string; message: string; cause?: unknown } {
  return isObject(value) && typeof value.name === 'string' && typeof value.message === 'string';
}

function isSQSEvent(event: SQSEvent | S3Event): event is SQSEvent {
  const first: unknown = (event as { Records?: unknown[] }).Records?.[0];
  return isObject(first) && first.eventSource === 'aws:sqs';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of an S3 notification, validated: every record needs a bucket name and an object key. */
function notifiedObjects(notification: unknown, where: string): NotifiedObject[] {
  if (!isObject(notification) || !Array.isArray(notification.Records)) {
    throw new NotificationError(`${where} has no Records list`);
  }
  return notification.Records.map((record: unknown, index) => {
    const s3 = isObject(record) ? record.s3 : undefined;
    const bucket = isObject(s3) && isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = isObject(s3) ? s3.object : undefined;
    const key = isObject(object) ? object.key : undefined;
    if (typeof bucket !== 'string' || typeof key !== 'string' || bucket === '' || key === '') {
      throw new NotificationError(`${where}: record ${index} has no s3.bucket.name or s3.object.key`);
    }
    const eTag = isObject(object) && typeof object.eTag === 'string' && object.eTag !== '' ? object.eTag : undefined;
    const eventName = isObject(record) && typeof record.eventName === 'string' ? record.eventName : 'ObjectCreated:';
    return { bucket, rawKey: key, ...(eTag === undefined ? {} : { eTag }), eventName };
  });
}

/** Raised at cold start when the function's environment is misconfigured. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The production settings, from the environment: `TABLE_NAME`, `DROP_READ_ONLY`, `RETENTION_DAYS`, `QUEUE_URL` (the
 * processor's own queue, where deferred messages are re-sent; optional). (The alerts read theirs, `ALERT_TOPIC_ARN`
 * and the rest, in `alerts/from-env.ts`.)
 */
export function configFromEnv(env: NodeJS.ProcessEnv): {
  tableName: string;
  dropReadOnly: boolean;
  retentionDays?: number;
  queueUrl?: string;
} {
  const tableName = env.TABLE_NAME;
  if (tableName === undefined || tableName === '') throw new ConfigError('TABLE_NAME is not set');
  const drop = env.DROP_READ_ONLY ?? 'false';
  if (drop !== 'true' && drop !== 'false') {
    throw new ConfigError(`DROP_READ_ONLY must be 'true' or 'false', got '${drop}'`);
  }
  const queueUrl = env.QUEUE_URL;
  if (queueUrl !== undefined && queueUrl !== '' && !isHttpsUrl(queueUrl)) {
    throw new ConfigError(`QUEUE_URL must be an https:// SQS queue URL, got '${queueUrl}'`);
  }
  const retention = env.RETENTION_DAYS;
  let retentionDays: number | undefined;
  if (retention !== undefined && retention !== '') {
    retentionDays = Number(retention);
    if (!Number.isInteger(retentionDays) || retentionDays <= 0) {
      throw new ConfigError(`RETENTION_DAYS must be a positive whole number of days, got '${retention}'`);
    }
  }
  return {
    tableName,
    dropReadOnly: drop === 'true',
    ...(retentionDays === undefined ? {} : { retentionDays }),
    ...(queueUrl === undefined || queueUrl === '' ? {} : { queueUrl }),
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

type Handler = ReturnType<typeof createHandler>;

let production: Handler | undefined;

function productionHandler(): Handler {
  const config = configFromEnv(process.env);
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Compliance alerts are on when the stack passes an alert topic (ALERT_TOPIC_ARN).
  const alerts = alertObserverFromEnv(process.env, dynamodb, { logger: sharedLogger, metrics: sharedMetrics });
  const writeRetries = new WriteRetryTally();
  if (config.queueUrl === undefined) {
    // Once per execution environment: this runs at cold start only.
    sharedLogger.warn('QUEUE_URL is not set: deferred messages are returned as batch item failures', {
      consequence: 'each deferral counts toward maxReceiveCount',
    });
  }
  return createHandler({
    source: new S3LogObjectSource(new S3Client({})),
    store: new DynamoDBEventStore({
      client: dynamodb,
      tableName: config.tableName,
      onRetry: writeRetries.onRetry,
      ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
    }),
    ledger: new DynamoDBFileLedger({ client: dynamodb, tableName: config.tableName }),
    logger: sharedLogger,
    metrics: sharedMetrics,
    config: { dropReadOnly: config.dropReadOnly },
    observers: alerts === undefined ? [] : [alerts],
    writeRetries,
    ...(config.queueUrl === undefined
      ? {}
      : { requeue: new SqsMessageRequeue({ client: new SQSClient({}), queueUrl: config.queueUrl }) }),
  });
}

/**
 * The Lambda entry point. Configuration and clients are built on the first invocation of an execution
 * environment (its cold start) and reused; a misconfiguration fails that invocation with a {@link ConfigError}.
 */
export const handler = async (event: SQSEvent | S3Event, context?: Context): Promise<SQSBatchResponse | undefined> => {
  if (context !== undefined) sharedLogger.addContext(context);
  production ??= productionHandler();
  return production(event, context);
};
