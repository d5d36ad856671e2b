/**
 * Following a backfill execution from the terminal: poll Step Functions for the execution, its plan and its map
 * runs' item counts, draw a progress line (objects done of those listed, failures, rate, ETA), and end with a
 * summary and where the failed keys are recorded. Ctrl-C detaches: the execution goes on in AWS, and
 * `trail-audit backfill --status EXECUTION` follows it again.
 *
 * Only reads: `DescribeExecution`, `GetExecutionHistory` (once, for the plan), `ListMapRuns` and `DescribeMapRun`.
 * A throttled poll is skipped and the next one waits longer; any other error ends the command (exit code 3).
 */
import type * as Sfn from '@aws-sdk/client-sfn';
import { BACKFILL_STATES } from '../app/backfill-names';
import { ExitCode, type ExitCodeValue } from './errors';
import { writeLine, type CliIO } from './io';
import { formatDuration, ProgressBar, renderBar } from './progress';

/** The parts of the Step Functions SDK the follower calls (loaded by the command, only when it runs). */
export type FollowSdk = Pick<
  typeof Sfn,
  'DescribeExecutionCommand' | 'DescribeMapRunCommand' | 'paginateGetExecutionHistory' | 'paginateListMapRuns'
>;

/** One map run (one listing unit, or the inventory) as the follower last saw it. */
export interface MapRunView {
  readonly mapRunArn: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** Items (keys) listed so far. */
  readonly total: number;
  readonly succeeded: number;
  /** Items of failed, timed-out or aborted child executions. */
  readonly failed: number;
  /** Items listed and not finished (pending or running). */
  readonly pending: number;
}

/** What the plan step decided, read from the execution history. */
export interface PlanView {
  readonly source: string;
  /** Listing units: one map run each (1 for an inventory). */
  readonly units: number;
  /** Where the map runs write their results (and so the failed keys). */
  readonly results: string;
  readonly summary: string;
}

/** An execution as the follower sees it. */
export interface BackfillView {
  readonly executionArn: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly plan?: PlanView;
  readonly runs: readonly MapRunView[];
  readonly error?: string;
  readonly cause?: string;
}

/** How the follower polls. */
export interface FollowOptions {
  /** @default 5,000 ms */
  readonly pollIntervalMs?: number;
}

/** Totals over the map runs seen. */
function totals(view: BackfillView): { total: number; succeeded: number; failed: number; pending: number } {
  return view.runs.reduce(
    (sum, run) => ({
      total: sum.total + run.total,
      succeeded: sum.succeeded + run.succeeded,
      failed: sum.failed + run.failed,
      pending: sum.pending + run.pending,
    }),
    { total: 0, succeeded: 0, failed: 0, pending: 0 },
  );
}

/**
 * Objects per second and the time left. The rate counts finished objects since the first map run started; what is
 * left is the objects listed and not finished, plus, for the units not started yet, as many as the finished units
 * held on average. Unknown (undefined) before any object finished, or while no unit has finished and some have not
 * started.
 */
export function estimateProgress(view: BackfillView, now: Date): { rate: number; remainingMs?: number } {
  const sum = totals(view);
  const done = sum.succeeded + sum.failed;
  const first = view.runs.reduce<number | undefined>(
    (earliest, run) => (earliest === undefined ? run.startDate.getTime() : Math.min(earliest, run.startDate.getTime())),
    undefined,
  );
  const elapsedMs = first === undefined ? 0 : now.getTime() - first;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  if (rate <= 0) return { rate };
  const unitsLeft = Math.max(0, (view.plan?.units ?? view.runs.length) - view.runs.length);
  const finished = view.runs.filter((run) => run.status !== 'RUNNING');
  if (unitsLeft > 0 && finished.length === 0) return { rate };
  const perUnit = finished.length === 0 ? 0 : finished.reduce((s, run) => s + run.total, 0) / finished.length;
  const left = sum.pending + unitsLeft * perUnit;
  return { rate, remainingMs: (left / rate) * 1000 };
}

/** The progress line: `[####······] run 3/12 · 1,234/5,678 objects · 12 failed · 85 objects/s · ETA 0:12:34`. */
export function renderBackfillProgress(view: BackfillView, now: Date): string {
  const sum = totals(view);
  const done = sum.succeeded + sum.failed;
  const units = view.plan?.units;
  const { rate, remainingMs } = estimateProgress(view, now);
  const fraction =
    remainingMs === undefined ? (sum.total > 0 ? done / sum.total : 0) : done / (done + (rate * remainingMs) / 1000);
  const run = units === undefined ? `run ${view.runs.length}` : `run ${Math.min(view.runs.length, units)}/${units}`;
  return (
    `${renderBar(view.status === 'RUNNING' ? Math.min(fraction, 0.99) : fraction)} ${run} · ` +
    `${number(done)}/${number(sum.total)} objects · ${number(sum.failed)} failed · ` +
    `${number(Math.round(rate))} objects/s · ETA ${remainingMs === undefined ? '--:--' : formatDuration(remainingMs)}`
  );
}

/**
 * The closing lines and exit code of an ended execution: 0 when every object succeeded, 1 when some failed within
 * the tolerance (their keys are in the results), 3 when the execution failed, timed out or was stopped.
 */
export function backfillOutcome(view: BackfillView): { lines: string[]; code: ExitCodeValue } {
  const sum = totals(view);
  const took = formatDuration((view.stopDate ?? view.startDate).getTime() - view.startDate.getTime());
  const runs = `${view.runs.length} map run${view.runs.length === 1 ? '' : 's'}`;
  const head =
    `backfill: ${view.status} in ${took} — ${number(sum.total)} objects in ${runs} ` +
    `(${number(sum.succeeded)} succeeded, ${number(sum.failed)} failed)`;
  const lines = [head];
  if (view.status !== 'SUCCEEDED') {
    lines.push(`backfill: ${view.error ?? 'no error given'}${view.cause === undefined ? '' : `: ${view.cause}`}`);
  }
  const results = view.plan?.results;
  if (sum.failed > 0 && results !== undefined) {
    lines.push(
      `backfill: failed keys: the FAILED_*.json files under ${results} (one folder per map run; each failed batch ` +
        'with its keys and why) — run the same range again to retry them: what succeeded is skipped',
    );
  }
  const code = view.status !== 'SUCCEEDED' ? ExitCode.Failed : sum.failed > 0 ? ExitCode.InputFailed : ExitCode.Ok;
  return { lines, code };
}

/** Follows an execution until it ends (summary, exit code) or Ctrl-C (detached, exit 0). */
export async function followBackfill(
  client: Sfn.SFNClient,
  sdk: FollowSdk,
  executionArn: string,
  io: CliIO,
  options: FollowOptions = {},
): Promise<ExitCodeValue> {
  const baseInterval = options.pollIntervalMs ?? 5_000;
  const bar = new ProgressBar(io.stderr);
  const finalRuns = new Map<string, MapRunView>();
  let plan: PlanView | undefined;
  let interval = baseInterval;
  let view: BackfillView | undefined;
  await writeLine(
    io.stderr,
    `backfill: following ${executionArn}: Ctrl-C detaches (the execution goes on); ` +
      `re-attach with: trail-audit backfill --status ${executionArn}`,
  );
  for (;;) {
    if (io.signal.aborted) {
      await bar.clear();
      await writeLine(
        io.stderr,
        `backfill: detached; the execution goes on in AWS. Re-attach with: trail-audit backfill --status ${executionArn}`,
      );
      return ExitCode.Ok;
    }
    try {
      const execution = await client.send(new sdk.DescribeExecutionCommand({ executionArn }));
      plan ??= await readPlan(client, sdk, executionArn);
      const runs = await readMapRuns(client, sdk, executionArn, finalRuns);
      view = {
        executionArn,
        status: execution.status ?? 'RUNNING',
        startDate: execution.startDate ?? io.now(),
        ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
        ...(plan === undefined ? {} : { plan }),
        runs,
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      };
      interval = baseInterval;
    } catch (error) {
      if (!isThrottling(error)) throw error;
      // Step Functions throttles these reads per account; the SDK already retried. Skip a poll and slow down.
      interval = Math.min(interval * 2, 60_000);
    }
    if (view !== undefined && view.status !== 'RUNNING') {
      await bar.clear();
      const { lines, code } = backfillOutcome(view);
      for (const line of lines) await writeLine(io.stderr, line);
      return code;
    }
    if (view !== undefined) await bar.show(renderBackfillProgress(view, io.now()), true);
    await sleep(interval, io.signal);
  }
}

/** The plan step's output, from the execution history; undefined until the plan step has ended. */
async function readPlan(client: Sfn.SFNClient, sdk: FollowSdk, executionArn: string): Promise<PlanView | undefined> {
  for await (const page of sdk.paginateGetExecutionHistory(
    { client, pageSize: 100 },
    { executionArn, includeExecutionData: true },
  )) {
    for (const event of page.events ?? []) {
      const exited = event.stateExitedEventDetails;
      if (event.type !== 'TaskStateExited' || exited?.name !== BACKFILL_STATES.plan || exited.output === undefined) continue;
      const output: unknown = JSON.parse(exited.output);
      if (!isRecord(output)) return undefined;
      return {
        source: typeof output.source === 'string' ? output.source : 'listing',
        units: output.source === 'manifest' ? 1 : Array.isArray(output.units) ? output.units.length : 0,
        results: typeof output.results === 'string' ? output.results : '',
        summary: typeof output.summary === 'string' ? output.summary : '',
      };
    }
    // The plan is the first task: once later states appear, a page without it means there is none (it failed).
    if ((page.events ?? []).some((event) => event.type === 'MapStateEntered' || event.type === 'ExecutionFailed')) {
      return undefined;
    }
  }
  return undefined;
}

/** Every map run of the execution with its counts; a map run seen ended is not described again. */
async function readMapRuns(
  client: Sfn.SFNClient,
  sdk: FollowSdk,
  executionArn: string,
  finalRuns: Map<string, MapRunView>,
): Promise<MapRunView[]> {
  const runs: MapRunView[] = [];
  for await (const page of sdk.paginateListMapRuns({ client }, { executionArn })) {
    for (const listed of page.mapRuns ?? []) {
      const mapRunArn = listed.mapRunArn;
      if (mapRunArn === undefined) continue;
      const known = finalRuns.get(mapRunArn);
      if (known !== undefined) {
        runs.push(known);
        continue;
      }
      const described = await client.send(new sdk.DescribeMapRunCommand({ mapRunArn }));
      const counts = described.itemCounts;
      const run: MapRunView = {
        mapRunArn,
        status: described.status ?? 'RUNNING',
        startDate: described.startDate ?? listed.startDate ?? new Date(),
        ...(described.stopDate === undefined ? {} : { stopDate: described.stopDate }),
        total: counts?.total ?? 0,
        succeeded: counts?.succeeded ?? 0,
        failed: (counts?.failed ?? 0) + (counts?.timedOut ?? 0) + (counts?.aborted ?? 0),
        pending: (counts?.pending ?? 0) + (counts?.running ?? 0),
      };
      if (run.status !== 'RUNNING') finalRuns.set(mapRunArn, run);
      runs.push(run);
    }
  }
  return runs.sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
}

/** Whether an SDK error is Step Functions throttling the account's API calls. */
function isThrottling(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ThrottlingException' || error.name === 'TooManyRequestsException');
}

/** Waits `ms`, or less when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function number(value: number): string {
  return value.toLocaleString('en-US');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
