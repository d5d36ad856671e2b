/**
 * `trail-audit ingest PATH...`: the backfill. Local files and folders, or `s3://bucket/prefix`, go through the
 * same pipeline and the same store as the Lambda, a few files at a time; a ledger of ingested files makes a
 * re-run skip what is done, and the store's idempotent writes make a redo harmless.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { LogObjectService } from '../../app/log-object-service';
import { DynamoDBEventStore } from '../../store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../store/file-ledger';
import { keyInRange } from '../date-folders';
import { describeError, ExitCode, fileFailureLine, recordProblemLines, UsageError, type ExitCodeValue } from '../errors';
import { throwIfInterrupted } from '../interrupt';
import { writeLine, type CliIO } from '../io';
import { forEachConcurrently } from '../pool';
import { ProgressBar } from '../progress';
import { listLocal, listS3, parseS3Url, type LogObject } from '../sources';
import { addOutcome, newTotals, renderSummary, type RunTotals } from '../summary';
import { addTargetOptions, withTarget, type StartLocal, type Target, type TargetOptions } from '../target';
import { parseTimeRange, type TimeRange } from '../time';

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
}

/** What `ingest` needs from outside besides {@link CliIO}; tests inject these. */
export interface IngestDeps {
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
 */
export async function runIngest(
  inputs: readonly string[],
  options: IngestOptions,
  io: CliIO,
  deps: IngestDeps = {},
): Promise<ExitCodeValue> {
  const range = parseTimeRange(options.since, options.until, io.now());
  const concurrency = parseConcurrency(options.concurrency);
  const remote = inputs.map((input) => ({ input, location: parseS3Url(input) }));
  const totals = newTotals();

  // List first: a typo in a path is reported before the local server starts.
  const objects: LogObject[] = [];
  const local = await listLocal(
    remote.filter((entry) => entry.location === undefined).map((entry) => entry.input),
    io.cwd,
  );
  objects.push(...local.objects.filter((object) => keyInRange(object.objectKey, range)));
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

  return withTarget(
    options,
    io.cwd,
    async (target) => {
      await ingestObjects(objects, target, { ...options, concurrency, range }, totals, io);
      const summary = renderSummary(totals, [
        `${totals.itemsWritten.toLocaleString('en-US')} items written`,
        ...(totals.retries > 0 ? [`${totals.retries.toLocaleString('en-US')} write retries`] : []),
      ]);
      const interrupted = io.signal.aborted ? ' (interrupted: a re-run goes on from here)' : '';
      const dryRun = options.dryRun === true ? ' (dry run: nothing was written)' : '';
      await writeLine(io.stderr, `ingest: ${summary} → ${target.description}${dryRun}${interrupted}`);
      throwIfInterrupted(io.signal);
      return totals.filesFailed > 0 ? ExitCode.InputFailed : ExitCode.Ok;
    },
    deps.startLocal,
  );
}

function newS3Client(options: IngestOptions): S3Client {
  return new S3Client({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.s3Endpoint === undefined ? {} : { endpoint: options.s3Endpoint, forcePathStyle: true }),
    followRegionRedirects: true,
  });
}

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
): Promise<void> {
  const service = new LogObjectService({
    store: new DynamoDBEventStore({ client: target.client, tableName: target.tableName, now: io.now }),
    ledger: new DynamoDBFileLedger({ client: target.client, tableName: target.tableName }),
    dropReadOnly: options.dropReadOnly === true,
    now: io.now,
    flushEvents: EVENTS_PER_WRITE,
  });
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

  await forEachConcurrently(
    objects,
    options.concurrency,
    async (object) => {
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
        {
          objectId: object.objectId,
          key: object.objectKey,
          fingerprint: object.fingerprint,
          routing: 'lenient',
          open: async () => ({ body: await object.open(), etag: object.fingerprint, size: object.size }),
        },
        {
          ...(options.force === true ? { force: true } : {}),
          ...(options.dryRun === true ? { dryRun: true } : {}),
          range: options.range,
          storedInRun,
          signal: io.signal,
          onProgress: async ({ bytesRead, eventsStored }) => {
            // The decoder reads at most a chunk ahead of the events it has yielded: close enough for a bar.
            credit(Math.min(bytesRead, object.size), eventsStored);
            await progress.update(state());
          },
        },
      );
      addOutcome(totals, outcome);
      if (outcome.status === 'failed') await report(fileFailureLine(object.displayName, outcome.error));
      for (const line of recordProblemLines(object.displayName, outcome.counts)) await report(line);
      filesDone += 1;
      // The file is finished (a file skipped by the ledger was not read): all its bytes count as done.
      credit(object.size, outcome.stored.events);
      await progress.update(state());
    },
    () => io.signal.aborted,
  );
  await progress.clear();
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
        'a run with another range reads it again. A bad file is named on stderr and the others are still ingested.',
    )
    .argument('<path...>', 'log files, folders, or s3://bucket/prefix')
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
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// inputs (path-style), e.g. MinIO');
  addTargetOptions(command).action(async (paths: string[], options: IngestOptions) => {
    setExitCode(await runIngest(paths, options, io, deps));
  });
}
