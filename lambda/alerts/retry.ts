/**
 * Batched sending with per-entry retries: the shape SNS PublishBatch and EventBridge PutEvents share (a batch
 * succeeds or fails entry by entry).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** One entry a batch call did not accept. */
export interface EntryFailure {
  /** Position of the entry in the batch sent. */
  readonly index: number;
  readonly code: string;
  readonly message: string;
  /** False for the sender's own faults (a malformed entry): retrying cannot help. */
  readonly retryable: boolean;
}

/** Input of {@link withRetries}. */
export interface RetryInput<T> {
  readonly items: readonly T[];
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Sends one batch; returns the entries that failed. A thrown error fails the whole batch (and is retried). */
  readonly sendBatch: (batch: readonly T[]) => Promise<readonly EntryFailure[]>;
}

/**
 * Sends items in batches, re-sending failed entries with full-jitter exponential backoff until they succeed or
 * `maxAttempts` is reached. Returns what was delivered and what was not, with the last error of each.
 */
export async function withRetries<T>(
  input: RetryInput<T>,
): Promise<{ delivered: T[]; failed: { alert: T; code: string; message: string }[] }> {
  const delivered: T[] = [];
  const failed: { alert: T; code: string; message: string }[] = [];
  for (let start = 0; start < input.items.length; start += input.batchSize) {
    let pending = input.items.slice(start, start + input.batchSize);
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      let failures: readonly EntryFailure[];
      try {
        failures = await input.sendBatch(pending);
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failures = pending.map((_, index) => ({ index, code: 'RequestFailed', message, retryable: true }));
      }
      const failedIndexes = new Map(failures.map((f) => [f.index, f]));
      const retry: T[] = [];
      pending.forEach((item, index) => {
        const failure = failedIndexes.get(index);
        if (failure === undefined) delivered.push(item);
        else if (failure.retryable && attempt < input.maxAttempts) retry.push(item);
        else failed.push({ alert: item, code: failure.code, message: failure.message });
      });
      pending = retry;
      if (pending.length > 0) await sleep(Math.random() * input.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  return { delivered, failed };
}
