/**
 * The deploy-time seeder's door: one invocation reads as much of Event history as its time allows through the
 * {@link EventHistoryDoor} (and so the one log-object service), and says whether the seeding is done. A small
 * workflow (the `EventHistorySeeder` construct's state machine) invokes it again until it is: each invocation goes
 * on from the checkpoints the previous ones left in the ledger, so nothing is read twice.
 *
 * The range is fixed by the workflow, not by the function's clock: `startedAt` is the workflow's start, and the
 * seeding reads the 90 days before it. A second workflow started later (by hand, or by a re-created stack) reads
 * only what the checkpoints do not cover.
 *
 * It reports through its own metrics (`EventHistory*`), never the processor's `FilesProcessed`: a page of Event
 * history is no log file, and counting it as one would hide a trail that stopped delivering from the "no log file
 * processed" alarm.
 */
import type { Context } from 'aws-lambda';
import { EVENT_HISTORY_RETENTION_DAYS } from '../core/event-history';
import { errorFields } from './error-fields';
import type { EventHistoryDoor, StreamResult } from './event-history';
import { METRIC } from './metric-names';
import type { EventHistorySource, Logger, Metrics } from './ports';

/** Settings of the seeder, read once per execution environment. */
export interface SeederConfig {
  /**
   * The regions to read.
   * @default every region enabled for the account, listed at each invocation
   */
  readonly regions?: readonly string[];
  /**
   * No page is started with less than this left in the invocation (after the first page of the invocation, so a
   * short timeout still makes progress).
   * @default 60_000
   */
  readonly minRemainingMs?: number;
  /** Regions read at the same time. @default 4 */
  readonly concurrency?: number;
}

/** Dependencies of the seeder; production wires them in `lambda/seeder-handler.ts`. */
export interface SeederDeps {
  readonly door: EventHistoryDoor;
  readonly source: EventHistorySource;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: SeederConfig;
}

/** The workflow's input to each invocation. */
export interface SeedEvent {
  /** When the workflow started (ISO 8601): the end of the range seeded, which starts 90 days before. */
  readonly startedAt?: unknown;
}

/** What an invocation tells the workflow. */
export interface SeedResponse {
  /** True once every stream is read to the end of the range (or refused for good): the workflow ends. */
  readonly done: boolean;
  readonly streams: number;
  readonly streamsComplete: number;
  /** Streams a region refused (access denied, region not enabled): reported, not retried. */
  readonly streamsUnavailable: number;
  readonly pages: number;
  readonly eventsStored: number;
}

/** Raised when the input has no usable `startedAt`: the workflow's definition is wrong, retrying cannot help. */
export class SeederInputError extends Error {
  override readonly name = 'SeederInputError';
}

/**
 * Raised when streams failed with an error worth retrying (throttled beyond the retries, a table write that gave
 * up): the workflow retries the invocation after a pause, which goes on from the checkpoints.
 */
export class SeedingIncompleteError extends Error {
  override readonly name = 'SeedingIncompleteError';
}

const DAY_MS = 86_400_000;

/** Builds the seeder's handler around its dependencies; see the module comment. */
export function createSeederHandler(
  deps: SeederDeps,
): (event: SeedEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SeedResponse> {
  const minRemainingMs = deps.config.minRemainingMs ?? 60_000;
  return async (event, context) => {
    const until = typeof event.startedAt === 'string' ? new Date(event.startedAt) : undefined;
    if (until === undefined || Number.isNaN(until.getTime())) {
      throw new SeederInputError('the seeder needs startedAt, the ISO 8601 time the seeding workflow started');
    }
    const regions = deps.config.regions ?? (await deps.source.listRegions());
    let pages = 0;
    let eventsStored = 0;
    try {
      const results = await deps.door.read({
        regions,
        range: { since: new Date(until.getTime() - EVENT_HISTORY_RETENTION_DAYS * DAY_MS), until },
        concurrency: deps.config.concurrency ?? 4,
        storedInRun: new Set<string>(),
        shouldPause: () => pages > 0 && context !== undefined && context.getRemainingTimeInMillis() < minRemainingMs,
        onPage: ({ outcome }) => {
          pages += 1;
          eventsStored += outcome.stored.events;
        },
      });
      return report(results, { pages, eventsStored }, deps);
    } finally {
      deps.metrics.addMetric(METRIC.EventHistoryPages, 'Count', pages);
      deps.metrics.addMetric(METRIC.EventHistoryEventsStored, 'Count', eventsStored);
      deps.metrics.publishStoredMetrics();
    }
  };
}

function report(
  results: readonly StreamResult[],
  work: { readonly pages: number; readonly eventsStored: number },
  deps: SeederDeps,
): SeedResponse {
  const { logger, metrics } = deps;
  const count = (status: StreamResult['status']): number => results.filter((result) => result.status === status).length;
  for (const result of results) {
    if (result.status === 'failed' || result.status === 'unavailable') {
      logger[result.status === 'failed' ? 'error' : 'warn'](`event history stream ${result.status}`, {
        objectId: result.objectId,
        pages: result.pages,
        ...errorFields(result.error),
      });
    }
    if (result.unreadable.count > 0) {
      logger.warn('event history entries left out: their CloudTrailEvent is not a JSON object', {
        objectId: result.objectId,
        count: result.unreadable.count,
        eventIDs: result.unreadable.first,
      });
    }
  }
  const response: SeedResponse = {
    done: count('complete') + count('unavailable') === results.length,
    streams: results.length,
    streamsComplete: count('complete'),
    streamsUnavailable: count('unavailable'),
    ...work,
  };
  metrics.addMetric(METRIC.EventHistoryStreamsFailed, 'Count', count('failed') + count('unavailable'));
  if (response.done) {
    metrics.addMetric(METRIC.EventHistorySeedingComplete, 'Count', 1);
    logger.info('event history seeding complete', { ...response });
    return response;
  }
  logger.info('event history seeding progress', { ...response, streamsFailed: count('failed'), streamsPaused: count('paused') });
  if (count('paused') === 0) {
    throw new SeedingIncompleteError(
      `${count('failed')} Event-history stream(s) failed (first: ${results.find((result) => result.status === 'failed')?.objectId ?? '?'}); ` +
        'a retry goes on from their checkpoints',
    );
  }
  return response;
}
