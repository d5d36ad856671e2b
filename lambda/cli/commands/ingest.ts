/**
 * `trail-audit ingest PATH...`: the backfill. Local files and folders, or `s3://bucket/prefix`, go through the
 * same pipeline and the same store as the Lambda, a few files at a time; a ledger of ingested files makes a
 * re-run skip what is done, and the store's idempotent writes make a redo harmless.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { LogObjectService, type LogObjectInput } from '../../app/log-object-service';
import { dayFolderBounds, dayFolderOfKey, keyInRange } from '../../core/date-folders';
import { parseLogObjectKey } from '../../core/object-key';
import { DynamoDBEventStore } from '../../store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../store/file-ledger';
import { DynamoDBIntegrityStore } from '../../store/integrity-store';
import { DynamoDBCheckpointStore } from '../../store/object-checkpoints';
import {
  describeError,
  ExitCode,
  fileFailureLine,
  recordProblemLines,
  guardedPort,
  TableUnavailableError,
  TargetError,
  UsageError,
  type ExitCodeValue,
} from '../errors';
import { runEventHistoryIngest, type EventHistoryIngestDeps } from './ingest-event-history';
import { throwIfInterrupted } from '../interrupt';
import { writeLine, type CliIO } from '../io';
import { forEachConcurrently } from '../../core/pool';
import { ProgressBar } from '../progress';
import { listLocal, listS3, parseS3Url, type LogObject, type SourceObject } from '../sources';
import { addOutcome, newTotals, renderSummary, type RunTotals } from '../summary';
import { addTargetOptions, withTarget, type StartLocal, type Target, type TargetOptions } from '../target';
import { parseTimeRange, toEventTime, type TimeRange } from '../time';

/** Options of `ingest`, as commander hands them over. */
export interface IngestOptions extends TargetOptions {
  readonly since?: string;
  readonly until?: string;
  readonly concurrency?: string;
  readonly force?: boolean;
  /** Read and count everything, write nothing (no event, no ledger entry). */
  readonly dryRun?: boolean;
  readonly dropReadOnly?: boolean;
  /** An S3-compatible endpoint for `s3://` inputs (MinIO, a test server); path-style addressing. */
  readonly s3Endpoint?: string;
  /** Read CloudTrail Event history instead of log files (`ingest-event-history.ts`). */
  readonly eventHistory?: boolean;
  /** With `eventHistory`: `all` or region names separated by commas. */
  readonly regions?: string;
}

/** What `ingest` needs from outside besides {@link CliIO}; tests inject these. */
export interface IngestDeps extends EventHistoryIngestDeps {
  readonly startLocal?: StartLocal;
  /** The S3 client for `s3://` inputs. @default one built from the SDK defaults and --region / --s3-endpoint */
  readonly s3Client?: S3Client;
}

/** Events handed to the store per write: a few BatchWriteItem calls' worth, so memory stays flat. */
const EVENTS_PER_WRITE = 100;
/** The most files read at once. */
const MAX_CONCURRENCY = 64;
/**
 * EventIDs remembered across the files of a run, so an event that several files repeat is written once and
 * counted once (as `process` counts it). Past this many the memory is given back and the set starts over: a
 * repeat after that is only rewritten, which the store's idempotent writes make harmless.
 */
const MAX_REMEMBERED_EVENT_IDS = 1_000_000;

/** Parses `--concurrency`: a whole number from 1 to 64. */
export function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return 4;
  const concurrency = Number(value);
  if (!/^\d+$/.test(value.trim()) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency '${value}' must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return concurrency;
}

/**
 * Runs `ingest`.
 * @returns 0, or 1 when some input failed (each named on stderr; the others were ingested)
 * @throws TargetError when the table cannot be used (exit code 3), Interrupted on a signal (130, 143, 129)
 */
export async function runIngest(
  inputs: readonly string[],
  options: IngestOptions,
  io: CliIO,
  deps: IngestDeps = {},
): Promise<ExitCodeValue> {
  const concurrency = parseConcurrency(options.concurrency);
  if (options.eventHistory === true) {
    if (inputs.length > 0) throw new UsageError('--event-history reads CloudTrail, not files: leave out the paths');
    return runEventHistoryIngest({ ...options, concurrency }, io, deps);
  }
  if (options.regions !== undefined) throw new UsageError('--regions goes with --event-history');
  if (inputs.length === 0) throw new UsageError('name the log files, folders or s3:// prefixes to ingest, or use --event-history');
  const range = parseTimeRange(options.since, options.until, io.now());
  const remote = inputs.map((input) => ({ input, location: parseS3Url(input) }));
  const totals = newTotals();

  // List first: a typo in a path is reported before the local server starts.
  const objects: LogObject[] = [];
  const local = await listLocal(
    remote.filter((entry) => entry.location === undefined).map((entry) => entry.input),
    io.cwd,
  );
  objects.push(...local.objects.filter((object) => keyInRange(object.objectKey, range)));
  const outsideFolders = local.objects.length - objects.length;
  for (const failure of local.failures) {
    totals.filesFailed += 1;
    await writeLine(io.stderr, `trail-audit: ${failure.input}: ${failure.reason}`);
  }
  const s3Inputs = remote.filter((entry) => entry.location !== undefined);
  if (s3Inputs.length > 0) {
    const s3 = deps.s3Client ?? newS3Client(options);
    try {
      for (const { input, location } of s3Inputs) {
        if (location === undefined) continue;
        try {
          objects.push(...(await listS3(s3, location, range, io.now())));
        } catch (error) {
          totals.filesFailed += 1;
          await writeLine(io.stderr, `trail-audit: ${input}: cannot list: ${describeError(error)}`);
        }
      }
    } finally {
      if (deps.s3Client === undefined) s3.destroy();
    }
  }
  totals.files = objects.length;
  if (outsideFolders > 0 && objects.length === 0) {
    await writeLine(io.stderr, noFileInRangeLine(local.objects, range));
  }

  return withTarget(
    options,
    io.cwd,
    'write',
    async (target) => {
      const summaryLine = (ending: string): string => `ingest: ${ingestSummary(totals, options)} → ${target.description}${ending}`;
      io.onForcedExit?.(() => summaryLine(' (stopped at once: the files in flight are read again by a re-run)'));
      const failure = await ingestObjects(objects, target, { ...options, concurrency, range }, totals, io);
      // What the table acknowledged is kept whatever happens next; this makes it survive the machine going down too.
      if (failure === undefined) await target.flush();
      const stopped = failure !== undefined || io.signal.aborted ? ' (stopped: a re-run goes on from here)' : '';
      const dryRun = options.dryRun === true ? ' (dry run: nothing was written)' : '';
      // Cleared in the same turn as the summary is written: a second signal from here prints it once, not twice.
      io.onForcedExit?.(undefined);
      await writeLine(io.stderr, summaryLine(`${dryRun}${stopped}`));
      const outside = totals.skipped['outside-time-range'] ?? 0;
      if (outside > 0 && totals.stored === 0 && options.dryRun !== true) {
        await writeLine(
          io.stderr,
          `trail-audit: all ${outside.toLocaleString('en-US')} events read are outside ${rangeText(range)}: nothing was stored`,
        );
      }
      if (failure !== undefined) {
        const notDone = totals.filesInterrupted + totals.filesNotStarted;
        throw new TargetError(
          `${failure.message}; ${notDone.toLocaleString('en-US')} file${notDone === 1 ? '' : 's'} not done ` +
            '(a re-run goes on from here)',
          { cause: failure },
        );
      }
      throwIfInterrupted(io.signal);
      return totals.filesFailed > 0 ? ExitCode.InputFailed : ExitCode.Ok;
    },
    deps.startLocal,
  );
}

/** The summary of an ingest: events stored (or, in a dry run, that would be), items written and retries. */
function ingestSummary(totals: RunTotals, options: IngestOptions): string {
  return renderSummary(
    totals,
    [
      ...(totals.resumed > 0 ? [`${totals.resumed.toLocaleString('en-US')} already stored by an interrupted run`] : []),
      `${totals.itemsWritten.toLocaleString('en-US')} items written`,
      ...(totals.retries > 0 ? [`${totals.retries.toLocaleString('en-US')} write retries`] : []),
    ],
    { events: options.dryRun === true ? 'kept' : 'stored' },
  );
}

function rangeText(range: TimeRange): string {
  return `${range.since === undefined ? 'the start' : toEventTime(range.since)} … ${range.until === undefined ? 'now' : toEventTime(range.until)}`;
}

/**
 * Why `--since`/`--until` selected no file: the date folders the range reads, and those the files are in (or that
 * they are not in CloudTrail's dated layout at all).
 */
export function noFileInRangeLine(listed: readonly LogObject[], range: TimeRange): string {
  const { first, last } = dayFolderBounds(range);
  const days = listed.map((object) => dayFolderOfKey(object.objectKey)).filter((day) => day !== undefined).sort();
  const reads = `the range reads the date folders ${first ?? '(any)'} to ${last ?? '(any)'}`;
  const have =
    days.length === 0
      ? 'none of them is in a CloudTrail date folder (…/CloudTrail/REGION/YYYY/MM/DD/), which a range needs'
      : `their date folders run from ${days[0] ?? ''} to ${days[days.length - 1] ?? ''}`;
  return `trail-audit: none of the ${listed.length.toLocaleString('en-US')} files listed is in ${rangeText(range)}: ${reads}; ${have}`;
}

/** The S3 client of `s3://` inputs: the SDK's defaults, with `--region` and `--s3-endpoint` (path-style) when given. */
export function newS3Client(options: Pick<IngestOptions, 'region' | 's3Endpoint'>): S3Client {
  return new S3Client({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.s3Endpoint === undefined ? {} : { endpoint: options.s3Endpoint, forcePathStyle: true }),
    followRegionRedirects: true,
  });
}

/**
 * Takes the objects in, a few at a time. A signal stops taking new files, and the files in flight stop between two
 * chunks (what they wrote stays, and a re-run reads them again); a table that cannot be used stops the run the same
 * way, once.
 * @returns the error that made the table unusable, or undefined
 */
async function ingestObjects(
  objects: readonly LogObject[],
  target: Target,
  options: {
    readonly concurrency: number;
    readonly range: TimeRange;
    readonly force?: boolean;
    readonly dryRun?: boolean;
    readonly dropReadOnly?: boolean;
  },
  totals: RunTotals,
  io: CliIO,
): Promise<TableUnavailableError | undefined> {
  const table = target.tableName;
  const store = guardedPort(table, new DynamoDBEventStore({ client: target.client, tableName: table, now: io.now }));
  const ledger = guardedPort(table, new DynamoDBFileLedger({ client: target.client, tableName: table }));
  const checkpoints = guardedPort(table, new DynamoDBCheckpointStore({ client: target.client, tableName: table }));
  const integrityStore = guardedPort(table, new DynamoDBIntegrityStore({ client: target.client, tableName: table }));
  const service = new LogObjectService({
    store,
    ledger,
    checkpoints,
    dropReadOnly: options.dropReadOnly === true,
    now: io.now,
    flushEvents: EVENTS_PER_WRITE,
    // Digest files are verified as the processor verifies them; their signatures are checked later, by
    // `trail-audit verify --table` (docs/integrity.md).
    integrity: { store: integrityStore },
  });
  // Stops the run on a signal or once the table is unusable; the files in flight see it between two chunks.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(io.signal.reason);
  if (io.signal.aborted) onSignal();
  else io.signal.addEventListener('abort', onSignal, { once: true });
  let failure: TableUnavailableError | undefined;
  const progress = new ProgressBar(io.stderr);
  const storedInRun = new Set<string>();
  const started = Date.now();
  const bytesTotal = objects.reduce((sum, object) => sum + object.size, 0);
  let filesDone = 0;
  let bytesDone = 0;
  let events = 0;
  const state = () => ({
    filesDone,
    filesTotal: objects.length,
    events,
    bytesDone,
    bytesTotal,
    elapsedMs: Date.now() - started,
  });

  const report = async (message: string): Promise<void> => {
    await progress.clear();
    await writeLine(io.stderr, message);
    await progress.update(state(), true);
  };

  let filesStarted = 0;
  const ingestOne = async (object: LogObject): Promise<void> => {
    filesStarted += 1;
    // Bytes of this object credited to the bar, and events counted: the bar counts what is written.
    let bytesCredited = 0;
    let eventsCounted = 0;
    const credit = (bytes: number, stored: number): void => {
      bytesDone += bytes - bytesCredited;
      bytesCredited = bytes;
      events += stored - eventsCounted;
      eventsCounted = stored;
    };
    if (storedInRun.size > MAX_REMEMBERED_EVENT_IDS) storedInRun.clear();
    const outcome = await service.process(
      { ...inputOf(object), fingerprint: object.fingerprint },
      {
        ...(options.force === true ? { force: true } : {}),
        ...(options.dryRun === true ? { dryRun: true } : {}),
        range: options.range,
        storedInRun,
        signal: stop.signal,
        onProgress: async ({ bytesRead, eventsStored }) => {
          // The decoder reads at most a chunk ahead of the events it has yielded: close enough for a bar.
          credit(Math.min(bytesRead, object.size), eventsStored);
          await progress.update(state());
        },
      },
    );
    if (outcome.status === 'failed' && outcome.error instanceof TableUnavailableError) {
      // Not the file's fault: counted as not done, named once at the end, and the run stops.
      failure ??= outcome.error;
      stop.abort(outcome.error);
      addOutcome(totals, { ...outcome, status: 'interrupted' });
      return;
    }
    addOutcome(totals, outcome);
    if (outcome.status === 'failed') await report(fileFailureLine(object.displayName, outcome.error));
    for (const line of recordProblemLines(object.displayName, outcome.counts)) await report(line);
    filesDone += 1;
    // The file is finished (a file skipped by the ledger was not read): all its bytes count as done.
    credit(object.size, outcome.stored.events);
    await progress.update(state());
  };
  // Log files first, then the digest files that list them: a digest then finds its log files in the ledger.
  const isDigest = (object: LogObject): boolean => parseLogObjectKey(object.objectKey).kind === 'digest';
  for (const batch of [objects.filter((object) => !isDigest(object)), objects.filter(isDigest)]) {
    await forEachConcurrently(batch, options.concurrency, ingestOne, () => stop.signal.aborted);
  }
  io.signal.removeEventListener('abort', onSignal);
  totals.filesNotStarted = objects.length - filesStarted;
  await progress.clear();
  return failure;
}

/** The service's input of an object of the source (`lenient`: the files a person chose are read by content). */
function inputOf(object: SourceObject): LogObjectInput {
  const locate = object.locate;
  return {
    objectId: object.objectId,
    key: object.objectKey,
    routing: 'lenient',
    open: () => object.open(),
    ...(locate === undefined ? {} : { locate: (bucket: string, key: string) => inputOf(locate(bucket, key)) }),
  };
}

/** Registers `ingest` on the program. */
export function registerIngestCommand(
  program: Command,
  io: CliIO,
  setExitCode: (code: ExitCodeValue) => void,
  deps: IngestDeps,
): void {
  const command = program
    .command('ingest')
    .summary('store CloudTrail files (local or s3://) in the event table; re-runs skip what is done')
    .description(
      'Reads CloudTrail log files — files, folders (recursively) or s3://bucket/prefix — through the same ' +
        'pipeline and store as the Lambda, several files at a time. A ledger in the table remembers each ingested ' +
        'file and its version (size and mtime, or ETag): a re-run skips unchanged files, and re-ingesting never ' +
        'duplicates events. With --since/--until only events whose eventTime is in the range are stored (the rest ' +
        "are counted as outside-time-range), and a file holding some outside it is not recorded in the ledger, so " +
        'a run with another range reads it again. A bad file is named on stderr and the others are still ingested. ' +
        'With --event-history, no paths: CloudTrail Event history (the last 90 days of management events, kept by ' +
        'CloudTrail with or without a trail) is read region by region for the three services; a checkpoint per ' +
        'region and event source makes a re-run read only what it has not read yet. ' +
        'Files are right for a single account\'s days or weeks; for months or years of an organization trail, `trail-audit ' +
        'backfill` runs the same code on the deployed workflow (Step Functions), many files at a time.',
    )
    .argument('[path...]', 'log files, folders, or s3://bucket/prefix')
    .option(
      '--since <time>',
      'only events from this time: ISO, date or age (7d); reads the date folders (…/CloudTrail/REGION/YYYY/MM/DD/) ' +
        'from that day',
    )
    .option(
      '--until <time>',
      'only events up to this time (a date: its end); one more day of folders is read, as CloudTrail delivers late',
    )
    .option('--concurrency <n>', 'files read at the same time (1-64)', '4')
    .option('--force', 'ingest files again even if the ledger has them')
    .option('--dry-run', 'read, select and count as usual, but write nothing to the table (no events, no ledger)')
    .option('--drop-read-only', 'leave out read-only calls (Describe*, List*, Get*)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// inputs (path-style), e.g. MinIO')
    .option(
      '--event-history',
      'read CloudTrail Event history (LookupEvents) instead of files; --since defaults to 90d; --concurrency is ' +
        'regions at a time',
    )
    .option('--regions <list>', "with --event-history: 'all' enabled regions (default) or us-east-1,eu-west-1");
  addTargetOptions(command).action(async (paths: string[], options: IngestOptions) => {
    setExitCode(await runIngest(paths, options, io, deps));
  });
}
