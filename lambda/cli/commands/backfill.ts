/**
 * `trail-audit backfill`: a range of the trail's log files through the deployed processor's code at organization
 * scale — an execution of the stack's backfill workflow (Step Functions Distributed Map), started, followed with a
 * progress bar, detached with Ctrl-C and re-attached with `--status`. `--dry-run` counts what the range holds (the
 * same S3 listing as `ingest s3://`) and estimates the cost and the time, starting nothing.
 *
 * The Step Functions and CloudFormation clients are loaded only here, when the command runs, and built with the
 * SDK's standard configuration (credentials, profile, `AWS_REGION`, `AWS_ENDPOINT_URL_SFN`, ...); `--region` is the
 * only override.
 */
import type * as Cfn from '@aws-sdk/client-cloudformation';
import type * as Sfn from '@aws-sdk/client-sfn';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { S3FolderLister } from '../../adapters/s3-folder-lister';
import { SfnRunningBackfills } from '../../adapters/sfn-running-backfills';
import { BackfillPlanError, discoverTrailFolders, planListing } from '../../app/backfill-plan';
import {
  BackfillRequestError,
  describeRequest,
  parseBackfillRequest,
  requestsOverlap,
  type BackfillRequest,
} from '../../app/backfill-request';
import { DEFAULT_WRITE_BUDGET, estimateBackfill, maxConcurrencyFor } from '../../app/backfill-sizing';
import { followBackfill } from '../backfill-follow';
import { ExitCode, TargetError, UsageError, type ExitCodeValue } from '../errors';
import { writeLine, type CliIO } from '../io';
import { ProgressBar } from '../progress';
import { listS3, parseS3Url } from '../sources';
import { findBackfillStack, type DeployedBackfill } from '../stack-outputs';
import { parseTimeRange } from '../time';
import { newS3Client } from './ingest';

/** Options of `backfill`, as commander hands them over. */
export interface BackfillOptions {
  readonly table?: string;
  readonly stateMachine?: string;
  readonly since?: string;
  readonly until?: string;
  readonly accounts?: string;
  readonly regions?: string;
  readonly maxConcurrency?: string;
  readonly manifest?: string;
  readonly dryRun?: boolean;
  readonly logs?: string;
  readonly status?: string;
  readonly detach?: boolean;
  readonly region?: string;
  readonly s3Endpoint?: string;
}

/** What `backfill` needs from outside besides {@link CliIO}; tests inject these. */
export interface BackfillDeps {
  /** The S3 client of `--dry-run`. @default one built from the SDK defaults and --region / --s3-endpoint */
  readonly s3Client?: S3Client;
  /** How often a followed execution is polled. @default 5 s */
  readonly pollIntervalMs?: number;
}

/** Raised when a backfill over an overlapping range is running: nothing was started (exit code 3). */
export class BackfillRefused extends TargetError {}

/** Storage classes GetObject cannot read until the object is restored. */
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * Runs `backfill`: `--status EXECUTION` follows one; `--dry-run` counts and estimates; otherwise starts one.
 * @returns 0 done (or detached), 1 done with failed keys, 2 usage, 3 failed or refused
 */
export async function runBackfill(options: BackfillOptions, io: CliIO, deps: BackfillDeps = {}): Promise<ExitCodeValue> {
  if (options.status !== undefined) return status(options.status, options, io, deps);
  if (options.since === undefined) {
    throw new UsageError('backfill needs --since (the first day to read), or --status EXECUTION to follow one');
  }
  const input = executionInput(options, io.now());
  const request = parseRequest(input, io.now());
  if (options.dryRun === true) return dryRun(request, options, io, deps);

  const sfn = await stepFunctions(options);
  try {
    const stateMachineArn = await workflowArn(options);
    for (const running of await new SfnRunningBackfills(sfn.client, sfn.sdk).list(stateMachineArn)) {
      const other = parseRequest(parseJson(running.input), running.startDate, false);
      if (other !== undefined && requestsOverlap(request, other)) {
        throw new BackfillRefused(
          `execution ${running.executionArn} is running over ${describeRequest(other)}, which overlaps ` +
            `${describeRequest(request)}: follow it with --status, or wait for it to end (nothing was started)`,
        );
      }
    }
    const started = await sfn.client
      .send(
        new sfn.sdk.StartExecutionCommand({
          stateMachineArn,
          name: executionName(request, io.now()),
          input: JSON.stringify(input),
        }),
      )
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'StateMachineDoesNotExist') {
          throw new TargetError(`no state machine ${stateMachineArn}: check --state-machine and --region`);
        }
        throw error;
      });
    const executionArn = started.executionArn ?? '';
    await writeLine(io.stdout, executionArn);
    await writeLine(io.stderr, `backfill: started ${describeRequest(request)}`);
    if (options.detach === true) {
      await writeLine(io.stderr, `backfill: detached; follow it with: trail-audit backfill --status ${executionArn}`);
      return ExitCode.Ok;
    }
    return await followBackfill(sfn.client, sfn.sdk, executionArn, io, followOptions(deps));
  } finally {
    sfn.client.destroy();
  }
}

/** `--status EXECUTION`: follows an execution, by ARN or by name (then the workflow is found as for a start). */
async function status(execution: string, options: BackfillOptions, io: CliIO, deps: BackfillDeps): Promise<ExitCodeValue> {
  const conflicting = (['since', 'until', 'accounts', 'regions', 'maxConcurrency', 'manifest', 'dryRun', 'detach'] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (conflicting.length > 0) {
    throw new UsageError(`--status follows a running execution: it takes no ${conflicting.map(flag).join(', ')}`);
  }
  const sfn = await stepFunctions(options);
  try {
    const executionArn = execution.startsWith('arn:')
      ? execution
      : `${(await workflowArn(options)).replace(':stateMachine:', ':execution:')}:${execution}`;
    await sfn.client.send(new sfn.sdk.DescribeExecutionCommand({ executionArn })).catch((error: unknown) => {
      if (error instanceof Error && (error.name === 'ExecutionDoesNotExist' || error.name === 'InvalidArn')) {
        throw new TargetError(`no execution ${executionArn}: check the ARN or name, and --region`);
      }
      throw error;
    });
    return await followBackfill(sfn.client, sfn.sdk, executionArn, io, followOptions(deps));
  } finally {
    sfn.client.destroy();
  }
}

/** `--dry-run`: what the range holds and what reading it would cost; nothing is started. */
async function dryRun(request: BackfillRequest, options: BackfillOptions, io: CliIO, deps: BackfillDeps): Promise<ExitCodeValue> {
  const location = await logLocation(options);
  const s3 = deps.s3Client ?? newS3Client(options);
  const bar = new ProgressBar(io.stderr);
  try {
    const folders = await discoverTrailFolders(new S3FolderLister(s3), location.bucket, location.prefix, request).catch(
      (error: unknown) => {
        if (error instanceof BackfillPlanError) throw new UsageError(`--logs ${error.message}`);
        throw error;
      },
    );
    const range = { since: new Date(request.since), until: new Date(request.until) };
    const regionFolders = folders.accounts.flatMap((account) =>
      account.regions.map((region) => `${location.prefix}${account.folder}CloudTrail/${region}/`),
    );
    let objects = 0;
    let bytes = 0;
    let archived = 0;
    for (const [index, prefix] of regionFolders.entries()) {
      await bar.show(`listing ${index + 1}/${regionFolders.length} region folders · ${objects.toLocaleString('en-US')} log files`);
      for (const object of await listS3(s3, { bucket: location.bucket, prefix }, range, io.now())) {
        objects += 1;
        bytes += object.size;
        if (object.storageClass !== undefined && ARCHIVED.has(object.storageClass)) archived += 1;
      }
    }
    await bar.clear();
    let units: number | undefined;
    let unitsLine: string;
    try {
      const listing = planListing(folders, request.firstDay, request.lastDay);
      units = listing.units.length;
      unitsLine = `${units.toLocaleString('en-US')} listing runs (${listing.level} folders, log and digest)`;
    } catch (error) {
      if (!(error instanceof BackfillPlanError)) throw error;
      unitsLine = `the workflow would refuse this range: ${error.message}`;
    }
    const concurrency = request.maxConcurrency ?? maxConcurrencyFor(DEFAULT_WRITE_BUDGET);
    const estimate = estimateBackfill({ objects, bytes, units: units ?? 0, maxConcurrency: concurrency });
    const lines = [
      `range: ${describeRequest(request)}`,
      `where: s3://${location.bucket}/${location.prefix}: ${folders.accounts.length} accounts, ` +
        `${regionFolders.length} region folders; ${unitsLine}`,
      `log files: ${objects.toLocaleString('en-US')}, ${formatBytes(bytes)} compressed (digest files are read too, not counted)`,
      ...(archived > 0
        ? [
            `archived: ${archived.toLocaleString('en-US')} of them are in S3 Glacier Flexible Retrieval or Deep Archive: ` +
              'GetObject fails on them until they are restored',
          ]
        : []),
      `time: about ${formatHours(estimate.seconds)} at ${concurrency} workers (--max-concurrency), ` +
        'if the table absorbs the writes',
      `cost: about ${formatDollars(estimate.total)} (Step Functions ${formatDollars(estimate.stepFunctions)}, ` +
        `Lambda ${formatDollars(estimate.lambda)}, S3 ${formatDollars(estimate.s3)}, ` +
        `ledger ${formatDollars(estimate.dynamodbLedger)}), plus the events' writes: 5–10 WRU each ` +
        '($3.10–$6.25 per million events); files the ledger already holds cost one read each',
    ];
    for (const line of lines) await writeLine(io.stdout, line);
    await writeLine(io.stderr, 'backfill: dry run: nothing was started');
    return ExitCode.Ok;
  } finally {
    await bar.clear();
    if (deps.s3Client === undefined) s3.destroy();
  }
}

/** The execution input: the range as instants (ages and dates resolved now), and the options given. */
function executionInput(options: BackfillOptions, now: Date): Record<string, unknown> {
  const range = parseTimeRange(options.since, options.until, now);
  return {
    ...(range.since === undefined ? {} : { since: range.since.toISOString() }),
    ...(range.until === undefined ? {} : { until: range.until.toISOString() }),
    ...(options.accounts === undefined ? {} : { accounts: splitList(options.accounts) }),
    ...(options.regions === undefined ? {} : { regions: splitList(options.regions) }),
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: parseWholeNumber(options.maxConcurrency) }),
    ...(options.manifest === undefined ? {} : { manifest: options.manifest }),
  };
}

function parseRequest(input: unknown, now: Date): BackfillRequest;
function parseRequest(input: unknown, now: Date, strict: false): BackfillRequest | undefined;
function parseRequest(input: unknown, now: Date, strict = true): BackfillRequest | undefined {
  try {
    return parseBackfillRequest(input, now);
  } catch (error) {
    if (!(error instanceof BackfillRequestError)) throw error;
    // A running execution whose input is no request fails in its own plan step: it reads nothing.
    if (!strict) return undefined;
    throw new UsageError(error.message.replace(/"(\w+)"/, (_match, field: string) => flag(field)));
  }
}

/** The state machine: `--state-machine`, or the one of the stack whose `EventTableName` is `--table`. */
async function workflowArn(options: BackfillOptions): Promise<string> {
  if (options.stateMachine !== undefined) return options.stateMachine;
  return (await deployedStack(options)).stateMachineArn;
}

/** Where the logs are for `--dry-run`: `--logs`, or the stack's `LogBucketName` and `LogPrefix` outputs. */
async function logLocation(options: BackfillOptions): Promise<{ bucket: string; prefix: string }> {
  if (options.logs !== undefined) {
    const location = parseS3Url(options.logs);
    if (location === undefined) throw new UsageError(`--logs '${options.logs}' is not an s3://bucket/prefix URL`);
    return { bucket: location.bucket, prefix: location.prefix.endsWith('/') ? location.prefix : `${location.prefix}/` };
  }
  const stack = await deployedStack(options);
  if (stack.logBucket === undefined || stack.logPrefix === undefined) {
    throw new TargetError(`stack ${stack.stackName} does not output LogBucketName and LogPrefix: name them with --logs`);
  }
  return { bucket: stack.logBucket, prefix: stack.logPrefix };
}

async function deployedStack(options: BackfillOptions): Promise<DeployedBackfill> {
  if (options.table === undefined) {
    throw new UsageError('backfill needs --table NAME (the stack output EventTableName) or --state-machine ARN');
  }
  const sdk = await import('@aws-sdk/client-cloudformation');
  const client: Cfn.CloudFormationClient = new sdk.CloudFormationClient(regionOf(options));
  try {
    return await findBackfillStack(client, sdk, options.table);
  } finally {
    client.destroy();
  }
}

async function stepFunctions(options: BackfillOptions): Promise<{ sdk: typeof Sfn; client: Sfn.SFNClient }> {
  const sdk = await import('@aws-sdk/client-sfn');
  return { sdk, client: new sdk.SFNClient(regionOf(options)) };
}

function regionOf(options: BackfillOptions): { region?: string } {
  return options.region === undefined ? {} : { region: options.region };
}

function followOptions(deps: BackfillDeps): { pollIntervalMs?: number } {
  return deps.pollIntervalMs === undefined ? {} : { pollIntervalMs: deps.pollIntervalMs };
}

/** `backfill-20240101-20250101-20261120T101500Z`: the range's day folders and the start, readable in the console. */
function executionName(request: BackfillRequest, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `backfill-${request.firstDay.replace(/\//g, '')}-${request.lastDay.replace(/\//g, '')}-${stamp}`;
}

/** A running execution's input, or undefined when it is not JSON (its plan step fails it: it reads nothing). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseWholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`--max-concurrency '${value}' must be a whole number of child executions`);
  }
  return Number(value);
}

/** The command-line flag of an execution-input field: `maxConcurrency` → `--max-concurrency`. */
function flag(field: string): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

function formatDollars(value: number): string {
  return value < 0.01 ? '< $0.01' : `$${value.toFixed(2)}`;
}

function formatHours(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.round(hours / 24)} days`;
}

/** Registers `backfill` on the program. */
export function registerBackfillCommand(
  program: Command,
  io: CliIO,
  setExitCode: (code: ExitCodeValue) => void,
  deps: BackfillDeps,
): void {
  program
    .command('backfill')
    .summary('backfill a range of the trail\'s log files through the deployed workflow (Step Functions)')
    .description(
      'Starts an execution of the stack\'s backfill workflow over a range of delivery days — a Step Functions ' +
        'Distributed Map that lists the trail\'s log bucket and sends the keys, in batches, through the same ' +
        'log-object service as the processor — and follows it with a progress bar until it ends. Ctrl-C detaches ' +
        'without stopping the execution; --status EXECUTION follows it again. A range that overlaps a running ' +
        'execution\'s is refused. Files the ledger holds (processed live, or by an earlier run) cost one read. For a ' +
        'single account\'s days, `ingest s3://...` runs on this machine instead. See docs/backfill.md.',
    )
    .option('--table <name>', 'the deployed event table (stack output EventTableName): finds the stack\'s workflow')
    .option('--state-machine <arn>', 'the backfill state machine (stack output BackfillStateMachineArn) instead')
    .option('--since <time>', 'first delivery day: ISO time, date or age (7d)')
    .option('--until <time>', 'last day (a date: its end; one more day of folders is read); default: now')
    .option('--accounts <ids>', 'only these accounts, comma-separated')
    .option('--regions <names>', 'only these regions, comma-separated')
    .option('--max-concurrency <n>', 'child executions at a time (default: the stack\'s, from its table write budget)')
    .option('--manifest <s3-url>', 'read the keys from this S3 Inventory manifest.json instead of listing the bucket')
    .option('--dry-run', 'count the log files and bytes of the range and estimate cost and time; start nothing')
    .option('--logs <s3-url>', 'where the trail\'s AWSLogs/ folder is, for --dry-run (default: the stack\'s outputs)')
    .option('--status <execution>', 'follow a running execution (ARN, or name with --table / --state-machine)')
    .option('--detach', 'start the execution and return at once')
    .option('--region <region>', 'AWS region of the stack (default: the SDK default: AWS_REGION, profile)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for --dry-run listings (path-style)')
    .action(async (options: BackfillOptions) => {
      setExitCode(await runBackfill(options, io, deps));
    });
}
