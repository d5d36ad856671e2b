/**
 * `trail-audit ingest --event-history`: CloudTrail Event history (LookupEvents) for the three services, region by
 * region, into the table through the Event-history door and the one log-object service — so the same pipeline,
 * store, ledger, progress bar, summary, exit codes and interrupt behaviour as a file ingest.
 */
import { EventHistoryDoor, type StreamResult } from '../../app/event-history';
import { LogObjectService } from '../../app/log-object-service';
import type { EventHistorySource } from '../../app/ports';
import { CloudTrailEventHistory } from '../../adapters/cloudtrail-event-history';
import { EVENT_HISTORY_EVENT_SOURCES, EVENT_HISTORY_RETENTION_DAYS, parseRegionList } from '../../core/event-history';
import { DynamoDBEventStore } from '../../store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../store/file-ledger';
import { describeError, ExitCode, guardedPort, TableUnavailableError, UsageError, type ExitCodeValue } from '../errors';
import { throwIfInterrupted } from '../interrupt';
import { writeLine, type CliIO } from '../io';
import { ProgressBar } from '../progress';
import { addOutcome, newTotals, renderSummary } from '../summary';
import { withTarget, type StartLocal, type TargetOptions } from '../target';
import { parseTimeRange } from '../time';

/** The options of `ingest` that the Event-history mode reads. */
export interface EventHistoryIngestOptions extends TargetOptions {
  readonly since?: string;
  readonly until?: string;
  /** `all` or a comma-separated list. */
  readonly regions?: string;
  /** Regions read at the same time, already parsed. */
  readonly concurrency: number;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly dropReadOnly?: boolean;
}

/** What the Event-history mode needs from outside; tests inject these. */
export interface EventHistoryIngestDeps {
  readonly startLocal?: StartLocal;
  /**
   * Where Event history is read.
   * @default the SDK's CloudTrail and Account clients, configured the standard way (credentials, profile,
   *   `AWS_ENDPOINT_URL_CLOUDTRAIL`, ...)
   */
  readonly eventHistory?: EventHistorySource;
}

/** Raised when the account's regions cannot be listed (exit code 3): `--regions` names them instead. */
export class RegionListError extends Error {
  override readonly name = 'RegionListError';
}

/**
 * Parses `--regions`: `all` (the default), or region names separated by commas.
 * @returns the regions named, or undefined for all enabled regions
 * @throws UsageError naming the value that is not a region
 */
export function parseRegions(value: string | undefined): string[] | undefined {
  const text = (value ?? 'all').trim();
  if (text === 'all') return undefined;
  try {
    return parseRegionList(text);
  } catch {
    throw new UsageError(`--regions '${value ?? ''}' must be 'all' or region names separated by commas (us-east-1,eu-west-1)`);
  }
}

/**
 * Runs `ingest --event-history`.
 * @returns 0, or 1 when a region or event source could not be read whole (each named on stderr; the rest was read)
 */
export async function runEventHistoryIngest(
  options: EventHistoryIngestOptions,
  io: CliIO,
  deps: EventHistoryIngestDeps = {},
): Promise<ExitCodeValue> {
  const range = parseTimeRange(options.since ?? `${EVENT_HISTORY_RETENTION_DAYS}d`, options.until, io.now());
  const named = parseRegions(options.regions);
  const { source, close } = eventHistoryOf(deps);
  try {
    // Listed before the target opens: no region, no table to start.
    const regions = named ?? (await listRegions(source));
    return await withTarget(
      options,
      io.cwd,
      'write',
      async (target) => {
        // A table that cannot be used stops the run once with exit 3, as in file ingest, instead of failing each stream.
        const ledger = guardedPort(target.tableName, new DynamoDBFileLedger({ client: target.client, tableName: target.tableName }));
        const service = new LogObjectService({
          store: guardedPort(target.tableName, new DynamoDBEventStore({ client: target.client, tableName: target.tableName, now: io.now })),
          ledger,
          dropReadOnly: options.dropReadOnly === true,
          now: io.now,
        });
        const door = new EventHistoryDoor({ service, ledger, source, now: io.now });
        const totals = newTotals();
        const progress = new ProgressBar(io.stderr);
        const started = Date.now();
        const bar = { streamsDone: 0, streamsTotal: 0, msDone: 0, msTotal: 0 };
        let superseded = 0;
        const state = () => ({
          filesDone: bar.streamsDone,
          filesTotal: bar.streamsTotal,
          unit: 'stream',
          events: totals.stored,
          bytesDone: bar.msDone,
          bytesTotal: bar.msTotal,
          elapsedMs: Date.now() - started,
        });
        const results = await door.read({
          regions,
          range,
          concurrency: options.concurrency,
          ...(options.force === true ? { force: true } : {}),
          ...(options.dryRun === true ? { dryRun: true } : {}),
          signal: io.signal,
          storedInRun: new Set<string>(),
          onPlan: async (streams) => {
            const toRead = streams.filter((stream) => stream.gaps.length > 0);
            bar.streamsTotal = toRead.length;
            bar.msTotal = toRead.reduce((sum, stream) => sum + stream.toReadMs, 0);
            await progress.update(state(), true);
          },
          onPage: async (page) => {
            totals.files += 1;
            addOutcome(totals, page.outcome);
            superseded += page.outcome.stored.superseded;
            bar.msDone += page.readMs;
            await progress.update(state());
          },
        });
        await progress.clear();
        // What the table acknowledged is kept whatever happens next; this makes it survive the machine going down too.
        await target.flush();
        const tableFailure = results.map((result) => result.error).find((error) => error instanceof TableUnavailableError);
        const problems = results.filter((result) => problemOf(result) !== undefined && !(result.error instanceof TableUnavailableError));
        for (const result of problems) await writeLine(io.stderr, `trail-audit: ${result.objectId}: ${problemOf(result) ?? ''}`);
        await writeLine(io.stderr, `ingest --event-history: ${summaryOf(results, regions, totals, superseded, options.dryRun === true)} → ${target.description}${notes(options, io)}`);
        if (tableFailure !== undefined) throw tableFailure;
        throwIfInterrupted(io.signal);
        return problems.length > 0 ? ExitCode.InputFailed : ExitCode.Ok;
      },
      deps.startLocal,
    );
  } finally {
    close();
  }
}

/** The injected source, or the SDK adapter and how to close its clients. */
function eventHistoryOf(deps: EventHistoryIngestDeps): { source: EventHistorySource; close: () => void } {
  if (deps.eventHistory !== undefined) return { source: deps.eventHistory, close: () => undefined };
  const adapter = new CloudTrailEventHistory();
  return { source: adapter, close: () => adapter.destroy() };
}

async function listRegions(source: EventHistorySource): Promise<string[]> {
  try {
    return await source.listRegions();
  } catch (error) {
    throw new RegionListError(
      `cannot list the account's enabled regions (account:ListRegions): ${describeError(error)}; ` +
        'name them with --regions us-east-1,eu-west-1',
    );
  }
}

/** What went wrong with a stream, for its stderr line; undefined when nothing did. */
function problemOf(result: StreamResult): string | undefined {
  const parts: string[] = [];
  if (result.status === 'failed' || result.status === 'unavailable') {
    parts.push(`${result.status === 'unavailable' ? 'not readable' : 'failed'}: ${describeError(result.error)}`);
  }
  if (result.unreadable.count > 0) {
    parts.push(
      `${result.unreadable.count} entr${result.unreadable.count === 1 ? 'y' : 'ies'} whose CloudTrailEvent is not a ` +
        `JSON object left out (eventID ${result.unreadable.first.join(', ')}${result.unreadable.count > result.unreadable.first.length ? ', ...' : ''})`,
    );
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}

function summaryOf(
  results: readonly StreamResult[],
  regions: readonly string[],
  totals: ReturnType<typeof newTotals>,
  superseded: number,
  dryRun: boolean,
): string {
  const count = (status: StreamResult['status']): number => results.filter((result) => result.status === status).length;
  const covered = results.filter((result) => result.gaps.length === 0).length;
  const streamNotes = [
    ...(covered > 0 ? [`${covered} already read`] : []),
    ...(count('failed') + count('unavailable') > 0 ? [`${count('failed') + count('unavailable')} failed`] : []),
  ];
  const streams =
    `${regions.length} region${regions.length === 1 ? '' : 's'} × ${EVENT_HISTORY_EVENT_SOURCES.length} event sources` +
    (streamNotes.length > 0 ? ` (${streamNotes.join('; ')})` : '');
  return `${streams}: ${renderSummary(
    totals,
    [
      `${totals.itemsWritten.toLocaleString('en-US')} items written`,
      ...(superseded > 0 ? [`${superseded.toLocaleString('en-US')} already stored from log files`] : []),
      ...(totals.retries > 0 ? [`${totals.retries.toLocaleString('en-US')} write retries`] : []),
    ],
    { unit: 'page', events: dryRun ? 'kept' : 'stored' },
  )}`;
}

function notes(options: EventHistoryIngestOptions, io: CliIO): string {
  const dryRun = options.dryRun === true ? ' (dry run: nothing was written)' : '';
  const interrupted = io.signal.aborted ? ' (interrupted: a re-run goes on from here)' : '';
  return `${dryRun}${interrupted}`;
}
