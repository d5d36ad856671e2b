/**
 * The DynamoDB adapter of the event store: BatchWriteItem in chunks of 25, `UnprocessedItems` and throttling
 * retried with full-jitter exponential backoff, an error with counts when the attempts run out.
 *
 * Events read from Event history (`source.uri` = `event-history://...`) yield to log files: their event item is
 * written first, alone, by a PutItem on condition that the table holds no copy of the event or only another
 * Event-history copy; when a log file's copy is there, nothing of the event is written (its lookup items are the log
 * file's already). A log file's events are written as ever, unconditionally, so its copy replaces an Event-history
 * one. Why a condition rather than a read first: it is one request either way (a failed condition costs one write
 * unit, a read half of one but a write must follow), and a condition leaves no window in which the processor could
 * store the log file's copy between the read and the write.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  PutCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { EVENT_HISTORY_SCHEME, isEventHistoryUri } from '../core/event-history';
import { toItems } from '../core/item-mapping';
import type { KeptEvent } from '../core/pipeline';
import { forEachConcurrently } from '../core/pool';
import { EventStoreWriteError, type EventStore, type PutEventsResult } from '../app/ports';

/** BatchWriteItem's limit of requests per call. */
export const BATCH_WRITE_LIMIT = 25;

/** Error names DynamoDB (or the network under it) uses for a condition worth retrying. */
const RETRYABLE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Properties of {@link DynamoDBEventStore}. */
export interface DynamoDBEventStoreProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Days after the event's time at which DynamoDB TTL removes its items.
   * @default items never expire
   */
  readonly retentionDays?: number;
  /**
   * The clock written into each item's `storedAt`; injectable so a run is reproducible.
   * @default the system clock
   */
  readonly now?: () => Date;
  /**
   * BatchWriteItem calls per chunk before giving up (the first call included). The SDK's own retries of a
   * throttled call happen inside each attempt.
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * Base of the exponential backoff, in milliseconds.
   * @default 50
   */
  readonly baseDelayMs?: number;
  /**
   * Cap of the exponential backoff, in milliseconds.
   * @default 3000
   */
  readonly maxDelayMs?: number;
  /**
   * Chunks written at the same time.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Waits between attempts; injectable so tests need not wait.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Source of jitter in [0, 1); injectable for tests.
   * @default Math.random
   */
  readonly random?: () => number;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } };

/**
 * Stores kept events in the event table as {@link toItems} maps them.
 *
 * Every item of a `putEvents` call is keyed by (pk, sk) first, so no batch holds the same key twice (DynamoDB
 * rejects such a batch) and a repeated event is written once. Chunks of 25 go out a few at a time; each chunk's
 * unprocessed items and throttled calls are retried with full jitter (`random() × min(cap, base × 2^attempt)`).
 */
export class DynamoDBEventStore implements EventStore {
  private readonly props: DynamoDBEventStoreProps;

  constructor(props: DynamoDBEventStoreProps) {
    if (props.maxAttempts !== undefined && (!Number.isInteger(props.maxAttempts) || props.maxAttempts < 1)) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${String(props.maxAttempts)}`);
    }
    this.props = props;
  }

  /** Writes the events' items; see the class and module descriptions for batching, retries and Event history. */
  async putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult> {
    const byKey = new Map<string, Record<string, unknown>>();
    const options = {
      ...(this.props.retentionDays === undefined ? {} : { retentionDays: this.props.retentionDays }),
      ...(this.props.now === undefined ? {} : { now: this.props.now() }),
    };
    const totals = { itemsWritten: 0, retries: 0 };
    const eventHistory = events.filter((kept) => isEventHistoryUri(kept.source?.uri ?? ''));
    const written = await this.putEventItemsIfNoLogFileCopy(
      eventHistory.map((kept) => toItems(kept, options)),
      totals,
    );
    for (const kept of events) {
      if (isEventHistoryUri(kept.source?.uri ?? '')) continue;
      for (const item of toItems(kept, options)) byKey.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
    }
    // The Event-history events whose event item went in: their other items follow, batched with the rest.
    for (const items of written) {
      for (const item of items.slice(1)) byKey.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
    }
    const superseded = eventHistory.length - written.length;
    const items = [...byKey.values()];
    const chunks: Record<string, unknown>[][] = [];
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
      chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
    }
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      // Once a chunk has failed for good, the call fails: starting more chunks would only delay the error.
      while (!failed && next < chunks.length) {
        const chunk = chunks[next++];
        if (chunk === undefined) continue;
        try {
          await this.writeChunk(chunk, totals);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Array.from({ length: Math.min(this.props.concurrency ?? 4, chunks.length) }, worker);
    // Every worker settles before an error is raised, so no write is left running behind the caller's back.
    const results = await Promise.allSettled(workers);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure === undefined) return { ...totals, ...(superseded === 0 ? {} : { superseded }) };
    if (failure.reason instanceof EventStoreWriteError) {
      // The error was made when its chunk gave up; chunks in flight beside it may have been written since.
      const { details, message, cause } = failure.reason;
      throw new EventStoreWriteError(message, { ...details, ...totals }, { cause });
    }
    throw failure.reason;
  }

  /**
   * Writes each Event-history event's event item (the first of its items) unless a log file's copy of the event is
   * in the table; returns the items of the events whose event item was written. Throttling is retried as for chunks.
   */
  private async putEventItemsIfNoLogFileCopy(
    eventsItems: readonly Record<string, unknown>[][],
    totals: { itemsWritten: number; retries: number },
  ): Promise<Record<string, unknown>[][]> {
    const written: Record<string, unknown>[][] = [];
    await forEachConcurrently(eventsItems, this.props.concurrency ?? 4, async (items) => {
      const eventItem = items[0];
      if (eventItem === undefined) return;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.props.client.send(
            new PutCommand({
              TableName: this.props.tableName,
              Item: eventItem,
              ConditionExpression: 'attribute_not_exists(pk) OR begins_with(#source.#uri, :eventHistory)',
              ExpressionAttributeNames: { '#source': 'source', '#uri': 'uri' },
              ExpressionAttributeValues: { ':eventHistory': EVENT_HISTORY_SCHEME },
            }),
          );
          totals.itemsWritten += 1;
          written.push(items);
          return;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return;
          const request = { PutRequest: { Item: eventItem } };
          if (!isRetryable(error)) throw this.failure('PutItem failed', [request], totals, attempt, error);
          if (attempt >= (this.props.maxAttempts ?? 10)) {
            throw this.failure(`1 item still unwritten after ${attempt} attempts`, [request], totals, attempt, error);
          }
        }
        totals.retries += 1;
        await (this.props.sleep ?? defaultSleep)(this.backoff(attempt));
      }
    });
    return written;
  }

  private async writeChunk(
    chunk: readonly Record<string, unknown>[],
    totals: { itemsWritten: number; retries: number },
  ): Promise<void> {
    const { tableName } = this.props;
    const maxAttempts = this.props.maxAttempts ?? 10;
    let pending: WriteRequest[] = chunk.map((Item) => ({ PutRequest: { Item } }));
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      const sent = pending.length;
      let output: BatchWriteCommandOutput | undefined;
      try {
        output = await this.props.client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        lastError = undefined;
      } catch (error) {
        if (!isRetryable(error)) throw this.failure(`BatchWriteItem failed`, pending, totals, attempt, error);
        lastError = error;
      }
      if (output !== undefined) {
        pending = unprocessedOf(output, tableName);
        totals.itemsWritten += sent - pending.length;
      }
      if (pending.length === 0) return;
      if (attempt >= maxAttempts) {
        throw this.failure(
          `${pending.length} item(s) still unwritten after ${attempt} attempts`,
          pending,
          totals,
          attempt,
          lastError,
        );
      }
      totals.retries += 1;
      await (this.props.sleep ?? defaultSleep)(this.backoff(attempt));
    }
  }

  private backoff(attempt: number): number {
    const base = this.props.baseDelayMs ?? 50;
    const cap = this.props.maxDelayMs ?? 3000;
    return Math.floor((this.props.random ?? Math.random)() * Math.min(cap, base * 2 ** attempt));
  }

  private failure(
    message: string,
    pending: readonly WriteRequest[],
    totals: { itemsWritten: number; retries: number },
    attempts: number,
    cause: unknown,
  ): EventStoreWriteError {
    // Alias items link identifiers, not one event: they carry no eventID.
    const eventIDs = [
      ...new Set(
        pending.flatMap((request) => {
          const eventID = request.PutRequest.Item.eventID;
          return typeof eventID === 'string' ? [eventID] : [];
        }),
      ),
    ];
    const reason = cause instanceof Error ? `: ${cause.name}: ${cause.message}` : '';
    return new EventStoreWriteError(
      `${message} to table ${this.props.tableName}${reason}`,
      {
        tableName: this.props.tableName,
        itemsWritten: totals.itemsWritten,
        retries: totals.retries,
        itemsFailed: pending.length,
        attempts,
        eventIDs,
      },
      cause === undefined ? undefined : { cause },
    );
  }
}

function unprocessedOf(output: BatchWriteCommandOutput, tableName: string): WriteRequest[] {
  const requests = output.UnprocessedItems?.[tableName] ?? [];
  const pending: WriteRequest[] = [];
  for (const request of requests) {
    const item = request.PutRequest?.Item;
    if (item !== undefined) pending.push({ PutRequest: { Item: item } });
  }
  return pending;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_ERROR_NAMES.has(error.name)) return true;
  const metadata = (error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } }).$metadata;
  if ((error as { $retryable?: unknown }).$retryable !== undefined) return true;
  const status = metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
