/**
 * The Event-history door into the log-object service: CloudTrail Event history (LookupEvents) read region by region
 * and event source by event source, each page taken in as one log object by {@link LogObjectService}, so decode,
 * select, normalise, the writes, the observers (alerts) and the ledger are the one flow every other door uses.
 *
 * A stream is one (region, event source): `event-history://REGION/EVENTSOURCE`. Its ledger entry is its checkpoint:
 * the fingerprint the service writes after each page (last, once the page's events are stored and its alerts sent)
 * is the stream's coverage — the time spans already taken in ({@link formatCoverage}). A run reads only what its
 * range has not covered yet, newest first as LookupEvents pages; an interrupted or failed run goes on from the last
 * page that was stored, and a second run over the same range reads nothing. Coverage is kept as times, not as
 * `NextToken`s: a token is only good for the same call a short while, a time is good until Event history forgets it.
 *
 * The CLI (`trail-audit ingest --event-history`) and the deploy-time seeder (`lambda/seeder-handler.ts`) both use
 * this door; it logs nothing and emits no metric, each door reports the outcomes its own way.
 */
import {
  addSpan,
  EVENT_HISTORY_EVENT_SOURCES,
  EVENT_HISTORY_RETENTION_DAYS,
  eventHistoryObjectId,
  formatCoverage,
  pageAsLogFile,
  parseCoverage,
  spanLength,
  trimCoverage,
  uncoveredSpans,
  type TimeSpan,
} from '../core/event-history';
import { forEachConcurrently } from '../core/pool';
import type { LogObjectOutcome, LogObjectService } from './log-object-service';
import { EventHistoryRegionUnavailable, type EventHistorySource, type FileLedger } from './ports';

const DAY_MS = 86_400_000;

/**
 * Event history may show a call some minutes after it happened (CloudTrail delivers an event within about five
 * minutes on average, without guarantee): the newest part of a run is read but not recorded as covered, so the
 * next run reads it again and finds what arrived late.
 */
export const SETTLE_MS = 15 * 60_000;

/** Dependencies of {@link EventHistoryDoor}. */
export interface EventHistoryDoorDeps {
  /** The one flow: each page is taken in as a log object. */
  readonly service: LogObjectService;
  /** The same ledger the service writes: the door reads each stream's checkpoint from it. */
  readonly ledger: FileLedger;
  readonly source: EventHistorySource;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** What to read. */
export interface EventHistoryRequest {
  readonly regions: readonly string[];
  /**
   * Events from `since` to `until` (both included); clamped to the 90 days Event history keeps and to now.
   * @default the last 90 days
   */
  readonly range?: { readonly since?: Date; readonly until?: Date };
  /** @default {@link EVENT_HISTORY_EVENT_SOURCES} */
  readonly eventSources?: readonly string[];
  /** Regions read at the same time (each region's calls are paced on their own). @default 4 */
  readonly concurrency?: number;
  /** Read the range again even where the checkpoints say it is covered. @default false */
  readonly force?: boolean;
  /** Read and count, write nothing (no event, no checkpoint). @default false */
  readonly dryRun?: boolean;
  /** Stops between two pages and inside a page's writes: what was stored stays, the checkpoint says how far. */
  readonly signal?: AbortSignal;
  /**
   * Asked before each page: true stops the stream there, `paused`, to go on in a later run (a Lambda short of time).
   * @default never
   */
  readonly shouldPause?: () => boolean;
  /** Event IDs taken in this run by other pages, regions or doors: each stored and counted once (see the service). */
  readonly storedInRun?: Set<string>;
  /** Called once the streams are planned, before any page is read. */
  readonly onPlan?: (streams: readonly StreamPlan[]) => void | Promise<void>;
  /** Called after each page with what the service did with it. */
  readonly onPage?: (page: PageReport) => void | Promise<void>;
}

/** One stream's plan: what of the range it still has to read. */
export interface StreamPlan {
  readonly region: string;
  readonly eventSource: string;
  /** `event-history://REGION/EVENTSOURCE`: the ledger id and every stored event's `source.uri`. */
  readonly objectId: string;
  /** The spans to read, newest first. */
  readonly gaps: readonly TimeSpan[];
  /** Milliseconds of the range to read (the gaps' total). */
  readonly toReadMs: number;
}

/** One page taken in. */
export interface PageReport {
  readonly stream: StreamPlan;
  readonly outcome: LogObjectOutcome;
  /** Event IDs of the page's entries whose `CloudTrailEvent` is missing or not a JSON object. */
  readonly unreadable: readonly string[];
  /** Milliseconds of the stream's range this page finished (for a progress bar). */
  readonly readMs: number;
}

/** How a stream ended this run. */
export type StreamStatus = 'complete' | 'paused' | 'interrupted' | 'failed' | 'unavailable';

/** One stream's result. */
export interface StreamResult extends StreamPlan {
  readonly status: StreamStatus;
  /** Pages taken in this run. */
  readonly pages: number;
  /** Entries left out because their `CloudTrailEvent` is unreadable, with the first few event IDs. */
  readonly unreadable: { readonly count: number; readonly first: readonly string[] };
  /** Why the stream failed or is unavailable. */
  readonly error?: unknown;
}

const UNREADABLE_NAMED = 5;

/** Reads Event history into the event table through the log-object service; see the module comment. */
export class EventHistoryDoor {
  constructor(private readonly deps: EventHistoryDoorDeps) {}

  /**
   * Reads every (region, event source) stream of the request, regions in parallel, each region's streams one after
   * the other (they share the region's request rate). Never throws for a stream: each result says how it ended.
   */
  async read(request: EventHistoryRequest): Promise<StreamResult[]> {
    const streams = await this.plan(request);
    await request.onPlan?.(streams);
    const byRegion = new Map<string, StreamPlan[]>();
    for (const stream of streams) byRegion.set(stream.region, [...(byRegion.get(stream.region) ?? []), stream]);
    const results = new Map<StreamPlan, StreamResult>();
    await forEachConcurrently(
      [...byRegion.values()],
      request.concurrency ?? 4,
      async (regionStreams) => {
        for (const stream of regionStreams) {
          const result = await this.readStream(stream, request);
          results.set(stream, result);
          if (result.status === 'interrupted' || result.status === 'paused') break;
        }
      },
      () => request.signal?.aborted === true || request.shouldPause?.() === true,
    );
    // Streams a stop left unstarted keep their plan, marked as the stop says.
    const stop: StreamStatus = request.signal?.aborted === true ? 'interrupted' : 'paused';
    return streams.map((stream) => results.get(stream) ?? { ...stream, status: stream.gaps.length === 0 ? 'complete' : stop, pages: 0, unreadable: { count: 0, first: [] } });
  }

  /** Each stream's gaps: the request's range, clamped to what Event history holds, less the stream's coverage. */
  async plan(request: EventHistoryRequest): Promise<StreamPlan[]> {
    const range = this.clampedRange(request.range);
    const plans: StreamPlan[] = [];
    for (const region of request.regions) {
      for (const eventSource of request.eventSources ?? EVENT_HISTORY_EVENT_SOURCES) {
        const objectId = eventHistoryObjectId(region, eventSource);
        const covered = request.force === true ? [] : await this.coverageOf(objectId);
        const gaps = range === undefined ? [] : uncoveredSpans(range, covered);
        plans.push({ region, eventSource, objectId, gaps, toReadMs: spanLength(gaps) });
      }
    }
    return plans;
  }

  private now(): number {
    return (this.deps.now ?? (() => new Date()))().getTime();
  }

  private clampedRange(range: EventHistoryRequest['range']): TimeSpan | undefined {
    const now = this.now();
    const from = Math.max(range?.since?.getTime() ?? 0, now - EVENT_HISTORY_RETENTION_DAYS * DAY_MS);
    const to = Math.min(range?.until?.getTime() ?? now, now);
    return from > to ? undefined : { from, to };
  }

  private async coverageOf(objectId: string): Promise<TimeSpan[]> {
    const entry = await this.deps.ledger.get(objectId);
    return parseCoverage(entry?.fingerprint);
  }

  private async readStream(stream: StreamPlan, request: EventHistoryRequest): Promise<StreamResult> {
    let pages = 0;
    const unreadable = { count: 0, first: [] as string[] };
    const result = (status: StreamStatus, error?: unknown): StreamResult => ({
      ...stream,
      status,
      pages,
      unreadable,
      ...(error === undefined ? {} : { error }),
    });
    // Coverage is re-read now rather than taken from the plan: with `force`, the plan ignored it, but what is
    // written must still keep it; and the oldest spans Event history has dropped are trimmed away.
    let covered = trimCoverage(await this.coverageOf(stream.objectId), this.now() - EVENT_HISTORY_RETENTION_DAYS * DAY_MS);
    try {
      for (const gap of stream.gaps) {
        let nextToken: string | undefined;
        // Where the finished part of the gap starts: everything newer than it is taken in.
        let boundary = gap.to + 1;
        do {
          if (request.signal?.aborted === true) return result('interrupted');
          if (request.shouldPause?.() === true) return result('paused');
          // A token is only valid with the same parameters: the whole gap is paged with the same times.
          const page = await this.deps.source.lookupEvents(
            {
              region: stream.region,
              eventSource: stream.eventSource,
              startTime: new Date(gap.from),
              endTime: new Date(gap.to),
              ...(nextToken === undefined ? {} : { nextToken }),
            },
            request.signal,
          );
          nextToken = page.nextToken;
          // Newest first: all events newer than the page's oldest are done; more at that same instant may follow on
          // the next page, so the instant itself is done only at the gap's end.
          const times = page.events.map((event) => event.eventTime).filter((time) => time !== undefined);
          const oldest = times.length === 0 ? undefined : Math.min(...times);
          const newBoundary = nextToken === undefined ? gap.from : oldest === undefined ? boundary : Math.min(boundary, oldest + 1);
          // The newest minutes are read but not recorded: Event history may still add calls made in them.
          const settled = Math.min(gap.to, this.now() - SETTLE_MS);
          const coveredAfter = addSpan(covered, { from: newBoundary, to: settled });
          const { bytes, unreadable: bad } = pageAsLogFile(page.events);
          const outcome = await this.deps.service.process(
            {
              objectId: stream.objectId,
              key: stream.objectId,
              // Not CloudTrail's key layout: read by content.
              routing: 'lenient',
              open: () => Promise.resolve({ body: once(bytes), etag: formatCoverage(coveredAfter), size: bytes.byteLength }),
            },
            {
              ...(request.dryRun === true ? { dryRun: true } : {}),
              ...(request.storedInRun === undefined ? {} : { storedInRun: request.storedInRun }),
              ...(request.signal === undefined ? {} : { signal: request.signal }),
            },
          );
          pages += 1;
          unreadable.count += bad.length;
          unreadable.first.push(...bad.slice(0, UNREADABLE_NAMED - unreadable.first.length));
          const readMs = boundary - newBoundary;
          if (outcome.status === 'failed' || outcome.status === 'interrupted') {
            await request.onPage?.({ stream, outcome, unreadable: bad, readMs: 0 });
            return outcome.status === 'failed' ? result('failed', outcome.error) : result('interrupted');
          }
          covered = coveredAfter;
          boundary = newBoundary;
          await request.onPage?.({ stream, outcome, unreadable: bad, readMs });
        } while (nextToken !== undefined);
      }
    } catch (error) {
      if (request.signal?.aborted === true) return result('interrupted');
      return result(error instanceof EventHistoryRegionUnavailable ? 'unavailable' : 'failed', error);
    }
    return result('complete');
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield bytes;
}
