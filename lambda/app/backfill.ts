/**
 * The backfill workflow's door into the log-object service: the one function the Step Functions workflow invokes,
 * for its two steps.
 *
 * - **plan** (once per execution): validates the input, refuses a range that overlaps a running execution's, finds
 *   the trail's account and region folders and cuts the range into listing units (`./backfill-plan`).
 * - **batch** (once per child workflow execution of a Distributed Map): a batch of keys from the S3 item reader
 *   (`ListObjectsV2`) or from an S3 Inventory manifest. Each key in the backfill's scope goes through
 *   {@link LogObjectService.process} with `routing: 'strict'` — as the processor takes a notified key — and the
 *   listed ETag as fingerprint, so a file the ledger already holds costs one read. A key out of scope (another day,
 *   account or region: a listing unit may cover more than the range) is skipped by its key alone.
 *
 * A batch returns every key's outcome. When a key failed, the batch throws {@link BackfillObjectsFailed} after
 * trying all of them, naming each failed key and why: Step Functions retries the batch (the keys done are in the
 * ledger and cost one read each), and after the last attempt the child execution fails and the map run's result
 * writer records the batch's keys with that message. A batch short of time stops between two keys and throws
 * {@link BackfillBatchIncomplete}, which Step Functions retries: every attempt gets further.
 */
import type { Context } from 'aws-lambda';
import { decodeS3Key, normaliseETag, parseLogObjectKey } from '../core/object-key';
import { planListing, discoverTrailFolders, type ListingLevel } from './backfill-plan';
import {
  BackfillRequestError,
  describeRequest,
  parseBackfillRequest,
  requestsOverlap,
  type BackfillRequest,
} from './backfill-request';
import { errorFields } from './error-fields';
import { InvocationMetrics } from './invocation-metrics';
import type { IntegrityDeps } from './digest-step';
import { LogObjectService, type LogObjectInput } from './log-object-service';
import { METRIC, metricPerReason } from './metric-names';
import {
  LogObjectNotFoundError,
  type EventStore,
  type FileLedger,
  type FolderLister,
  type LogObjectSource,
  type Logger,
  type Metrics,
  type RunningBackfills,
} from './ports';

/** Settings of the backfill function, read once per execution environment. */
export interface BackfillConfig {
  /** The trail's log bucket: the only bucket the function reads. */
  readonly bucket: string;
  /** The trail's `[PREFIX/]AWSLogs/`: keys outside it are out of scope. */
  readonly logPrefix: string;
  /** Where the map runs write their results (reported by the plan). */
  readonly resultsBucket: string;
  /** Drop read-only events (Describe*, Get*, List*), as the processor does. */
  readonly dropReadOnly: boolean;
  /** Child executions at a time when the input names none: derived from the stack's table write budget. */
  readonly defaultMaxConcurrency: number;
  /**
   * The bucket S3 Inventory manifests may come from (the workflow may read only that one).
   * @default none: a manifest in the input is refused
   */
  readonly inventoryBucket?: string;
  /**
   * A batch does not start another key when less time than this remains in the invocation.
   * @default 60_000
   */
  readonly minRemainingMs?: number;
  /** @default the service's default */
  readonly flushEvents?: number;
}

/** What the backfill door needs; `lambda/backfill-handler.ts` wires the production adapters, tests wire local ones. */
export interface BackfillDeps {
  readonly source: LogObjectSource;
  readonly store: EventStore;
  readonly ledger: FileLedger;
  readonly folders: FolderLister;
  readonly executions: RunningBackfills;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: BackfillConfig;
  /** @default the system clock */
  readonly now?: () => Date;
  /**
   * Proof of completeness: the digest files of the range verified and reconciled as the processor does with live
   * ones (docs/integrity.md).
   * @default digest files are skipped (`digest-file`)
   */
  readonly integrity?: IntegrityDeps;
}

/** What the plan step returns: the workflow's state for the rest of the execution. */
export interface BackfillPlan {
  /** `listing`: one map run per unit, listing the log bucket; `manifest`: one map run over an S3 Inventory. */
  readonly source: 'listing' | 'manifest';
  /** The prefix the units are relative to (the trail's `AWSLogs/` folder). */
  readonly base: string;
  /** How much of a region folder a unit covers (listing only). */
  readonly level: ListingLevel | null;
  /** The listing units, relative to `base`, in the order they run (none for a manifest). */
  readonly units: readonly string[];
  /** The S3 Inventory manifest (manifest only). */
  readonly manifest: { readonly bucket: string; readonly key: string } | null;
  /** What every batch keeps: handed to each child execution as the ItemBatcher's `BatchInput`. */
  readonly scope: BatchScope;
  readonly maxConcurrency: number;
  /** The result writer's prefix: one folder per execution. */
  readonly resultsPrefix: string;
  /** The same, as a URL: where the failed keys are recorded. */
  readonly results: string;
  /** The request in one line. */
  readonly summary: string;
}

/** The scope of a backfill as each batch checks it: delivery days, and accounts and regions (empty = all). */
export interface BatchScope {
  readonly firstDay: string;
  readonly lastDay: string;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
}

/** What happened to one key of a batch. */
export interface BackfillObjectOutcome {
  readonly key: string;
  readonly status: 'processed' | 'skipped' | 'failed' | 'not-started';
  /** The skip reason (`already-processed`, `out-of-scope`, `digest-file`, ...) or the failure. */
  readonly reason?: string;
  /** Events stored by this call. */
  readonly events?: number;
}

/** What a batch did. */
export interface BackfillBatchResult {
  readonly objects: number;
  readonly processed: number;
  /** Keys not read, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly eventsStored: number;
  readonly itemsWritten: number;
  readonly outcomes: readonly BackfillObjectOutcome[];
}

/** Raised by a batch in which some keys failed (after every key was tried); Step Functions retries the batch. */
export class BackfillObjectsFailed extends Error {
  override readonly name = 'BackfillObjectsFailed';
  constructor(
    message: string,
    readonly result: BackfillBatchResult,
  ) {
    super(message);
  }
}

/** Raised by a batch that ran short of time before its last key; Step Functions retries it, the done keys skipped. */
export class BackfillBatchIncomplete extends Error {
  override readonly name = 'BackfillBatchIncomplete';
}

/** Raised for an event that is neither a plan request nor a batch, or a batch without its scope. */
export class BackfillEventError extends Error {
  override readonly name = 'BackfillEventError';
}

/** Raised by the plan when a running execution covers part of the same range. */
export class BackfillOverlap extends Error {
  override readonly name = 'BackfillOverlap';
}

/** The backfill function's signature. */
export type BackfillHandler = (
  event: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<BackfillPlan | BackfillBatchResult>;

/** The reason of a key skipped because it is outside the backfill's days, accounts or regions. */
export const OUT_OF_SCOPE = 'out-of-scope';
/** The most characters of one key's failure in the batch error (the whole message must fit a Step Functions cause). */
const MAX_FAILURE_TEXT = 300;
const DAY_FOLDER = /^\d{4}\/\d{2}\/\d{2}$/;

/** Builds the backfill function around its dependencies; see the module comment. */
export function createBackfillHandler(deps: BackfillDeps): BackfillHandler {
  const service = new LogObjectService({
    store: deps.store,
    ledger: deps.ledger,
    dropReadOnly: deps.config.dropReadOnly,
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.config.flushEvents === undefined ? {} : { flushEvents: deps.config.flushEvents }),
    ...(deps.integrity === undefined ? {} : { integrity: deps.integrity }),
  });
  return async (event, context) => {
    if (isRecord(event) && event.action === 'plan') return plan(event, deps);
    if (isRecord(event) && Array.isArray(event.Items)) return batch(event, service, deps, context);
    throw new BackfillEventError('expected a plan request ({"action":"plan"}) or a batch ({"Items":[...]})');
  };
}

async function plan(event: Record<string, unknown>, deps: BackfillDeps): Promise<BackfillPlan> {
  const { config, logger } = deps;
  const executionArn = requiredString(event, 'executionArn');
  const executionName = requiredString(event, 'executionName');
  const stateMachineArn = requiredString(event, 'stateMachineArn');
  const startTime = new Date(requiredString(event, 'startTime'));
  const request = parseBackfillRequest(event.request, startTime);
  if (request.manifest !== undefined && request.manifest.bucket !== config.inventoryBucket) {
    throw new BackfillRequestError(
      config.inventoryBucket === undefined
        ? '"manifest": this stack reads no S3 Inventory (deploy it with backfillInventoryBucketName)'
        : `"manifest": the stack reads S3 Inventory manifests from s3://${config.inventoryBucket}/ only`,
    );
  }
  for (const running of await deps.executions.list(stateMachineArn)) {
    if (running.executionArn === executionArn) continue;
    let other: BackfillRequest;
    try {
      other = parseBackfillRequest(JSON.parse(running.input), running.startDate);
    } catch {
      // An execution whose input is not a request fails in its own plan step: it reads nothing.
      continue;
    }
    if (requestsOverlap(request, other)) {
      throw new BackfillOverlap(
        `execution ${running.executionArn} is running over ${describeRequest(other)}, which overlaps ` +
          `${describeRequest(request)}: wait for it, or stop it first`,
      );
    }
  }
  const scope: BatchScope = {
    firstDay: request.firstDay,
    lastDay: request.lastDay,
    accounts: request.accounts ?? [],
    regions: request.regions ?? [],
  };
  const resultsPrefix = `runs/${executionName}`;
  const common = {
    base: config.logPrefix,
    scope,
    maxConcurrency: request.maxConcurrency ?? config.defaultMaxConcurrency,
    resultsPrefix,
    results: `s3://${config.resultsBucket}/${resultsPrefix}/`,
    summary: describeRequest(request),
  };
  if (request.manifest !== undefined) {
    logger.info('backfill planned', { executionName, source: 'manifest', manifest: request.manifest.key });
    return { source: 'manifest', level: null, units: [], manifest: request.manifest, ...common };
  }
  const folders = await discoverTrailFolders(deps.folders, config.bucket, config.logPrefix, request);
  const listing = planListing(folders, request.firstDay, request.lastDay);
  logger.info('backfill planned', {
    executionName,
    source: 'listing',
    accounts: folders.accounts.length,
    level: listing.level,
    units: listing.units.length,
  });
  return { source: 'listing', level: listing.level, units: listing.units, manifest: null, ...common };
}

async function batch(
  event: Record<string, unknown>,
  service: LogObjectService,
  deps: BackfillDeps,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
): Promise<BackfillBatchResult> {
  const { config, logger } = deps;
  const scope = parseScope(event.BatchInput);
  const items = (event.Items as unknown[]).map(parseItem);
  const outcomes: BackfillObjectOutcome[] = [];
  const skipped: Record<string, number> = {};
  const counts = { processed: 0, failed: 0, eventsStored: 0, itemsWritten: 0 };
  const metrics = new InvocationMetrics();
  const minRemainingMs = config.minRemainingMs ?? 60_000;
  let started = 0;
  for (const item of items) {
    const skip = (reason: string): void => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      metrics.add(METRIC.FilesSkipped, 1);
      metrics.add(metricPerReason.filesSkipped(reason), 1);
      outcomes.push({ key: item.key, status: 'skipped', reason });
    };
    if ('invalid' in item) {
      counts.failed += 1;
      metrics.add(METRIC.FilesFailed, 1);
      outcomes.push({ key: item.key, status: 'failed', reason: item.invalid });
      continue;
    }
    if ((item.bucket !== undefined && item.bucket !== config.bucket) || !inScope(item.key, config.logPrefix, scope)) {
      skip(OUT_OF_SCOPE);
      continue;
    }
    // The first key is always started: a timeout below the margin must still make progress.
    const remainingMs = started > 0 ? context?.getRemainingTimeInMillis() : undefined;
    if (remainingMs !== undefined && remainingMs < minRemainingMs) {
      outcomes.push({ key: item.key, status: 'not-started' });
      continue;
    }
    started += 1;
    const outcome = await service.process(
      { ...objectInput(deps.source, config.bucket, item.key), ...(item.etag === undefined ? {} : { fingerprint: item.etag }) },
      // A digest takes in the log files it lists that the ledger lacks while the invocation has time for them.
      { mayTakeInListed: () => (context?.getRemainingTimeInMillis() ?? Infinity) >= minRemainingMs },
    );
    counts.itemsWritten += outcome.stored.itemsWritten;
    counts.eventsStored += outcome.stored.events;
    metrics.addStored(outcome.stored);
    if (outcome.status === 'processed' && outcome.integrity !== undefined) metrics.addIntegrity(outcome.integrity);
    if (outcome.status === 'skipped') {
      skip(outcome.reason);
    } else if (outcome.status === 'processed') {
      counts.processed += 1;
      metrics.add(METRIC.FilesProcessed, 1);
      outcomes.push({ key: item.key, status: 'processed', events: outcome.stored.events });
    } else {
      const error = outcome.status === 'failed' ? outcome.error : new Error('processing was interrupted');
      counts.failed += 1;
      metrics.add(METRIC.FilesFailed, 1);
      logger.error('log object failed', { bucket: config.bucket, key: item.key, ...errorFields(error) });
      outcomes.push({ key: item.key, status: 'failed', reason: describeObjectError(error), events: outcome.stored.events });
    }
  }
  metrics.emit(deps.metrics);
  const result: BackfillBatchResult = { objects: items.length, ...counts, skipped, outcomes };
  const notStarted = outcomes.filter((outcome) => outcome.status === 'not-started').length;
  logger.info('backfill batch', {
    objects: result.objects,
    processed: result.processed,
    skipped,
    failed: result.failed,
    notStarted,
    eventsStored: result.eventsStored,
  });
  if (result.failed > 0) throw new BackfillObjectsFailed(failureMessage(result), result);
  if (notStarted > 0) {
    throw new BackfillBatchIncomplete(
      `${notStarted} of ${result.objects} objects not started: too little time left in the invocation; ` +
        'the retry skips the ones done',
    );
  }
  return result;
}

/** Whether a key is under the trail's prefix and, where its path says, in the scope's days, accounts and regions. */
function inScope(key: string, logPrefix: string, scope: BatchScope): boolean {
  if (!key.startsWith(logPrefix)) return false;
  const route = parseLogObjectKey(key);
  // Insight files, stray objects and keys this code does not recognise go to the service, which skips them (and
  // reports an unrecognised layout) by their key.
  if (route.kind !== 'log' && route.kind !== 'digest') return true;
  if (route.date === undefined || route.region === undefined) return false;
  const day = route.date.replace(/-/g, '/');
  return (
    day >= scope.firstDay &&
    day <= scope.lastDay &&
    (scope.accounts.length === 0 || (route.accountId !== undefined && scope.accounts.includes(route.accountId))) &&
    (scope.regions.length === 0 || scope.regions.includes(route.region))
  );
}

/** One item of a batch: a listed object (`Key`, `Etag`, `Size`) or an S3 Inventory row (`Bucket`, `Key`, `ETag`). */
type BatchItem = { key: string; etag?: string; bucket?: string } | { key: string; invalid: string };

function parseItem(value: unknown, index: number): BatchItem {
  if (!isRecord(value) || typeof value.Key !== 'string' || value.Key === '') {
    return { key: `(item ${index})`, invalid: 'the batch item has no Key' };
  }
  const etag = typeof value.Etag === 'string' ? value.Etag : typeof value.ETag === 'string' ? value.ETag : undefined;
  const bucket = typeof value.Bucket === 'string' ? value.Bucket : undefined;
  let key = value.Key;
  if (bucket !== undefined) {
    // S3 Inventory writes keys URL-encoded; a listing gives them as stored.
    try {
      key = decodeS3Key(key);
    } catch (error) {
      return { key, invalid: describeObjectError(error) };
    }
  }
  return {
    key,
    ...(etag === undefined || etag === '' ? {} : { etag: normaliseETag(etag) }),
    ...(bucket === undefined ? {} : { bucket }),
  };
}

function parseScope(value: unknown): BatchScope {
  const scope = isRecord(value) ? value.scope : undefined;
  if (
    !isRecord(scope) ||
    typeof scope.firstDay !== 'string' ||
    !DAY_FOLDER.test(scope.firstDay) ||
    typeof scope.lastDay !== 'string' ||
    !DAY_FOLDER.test(scope.lastDay) ||
    !isStringList(scope.accounts) ||
    !isStringList(scope.regions)
  ) {
    throw new BackfillEventError(
      'the batch has no BatchInput.scope {firstDay, lastDay (YYYY/MM/DD), accounts, regions}: ' +
        'it must come from the workflow, which sets it from the plan',
    );
  }
  return { firstDay: scope.firstDay, lastDay: scope.lastDay, accounts: scope.accounts, regions: scope.regions };
}

/**
 * A failed key's reason in one short line, in the words that say what to do: the error's name and message (a
 * decoder error already names the object and the byte offset), with S3's own codes translated.
 */
export function describeObjectError(error: unknown): string {
  const name = isRecord(error) && typeof error.name === 'string' ? error.name : 'Error';
  const message = isRecord(error) && typeof error.message === 'string' ? error.message : String(error);
  if (error instanceof LogObjectNotFoundError || name === 'NoSuchKey') return 'NoSuchKey: no such object (deleted or expired since it was listed)';
  if (name === 'InvalidObjectState') {
    return 'InvalidObjectState: the object is archived (S3 Glacier storage class): restore it, then run the backfill again';
  }
  if (name === 'AccessDenied') return 'AccessDenied: the backfill function may not read this object (or its KMS key)';
  const fields = errorFields(error);
  const text = typeof fields.errorMessage === 'string' ? fields.errorMessage : message;
  return `${name}: ${text}`.slice(0, MAX_FAILURE_TEXT);
}

/**
 * The service's input of a key of the log bucket, and of what a digest names (a log file it lists, its previous
 * digest), located the same way.
 */
function objectInput(source: LogObjectSource, bucket: string, key: string): LogObjectInput {
  return {
    objectId: `s3://${bucket}/${key}`,
    key,
    routing: 'strict',
    open: () => source.open(bucket, key),
    locate: (otherBucket, otherKey) => objectInput(source, otherBucket, otherKey),
  };
}

function failureMessage(result: BackfillBatchResult): string {
  const failed = result.outcomes.filter((outcome) => outcome.status === 'failed');
  const lines = failed.map((outcome) => `${outcome.key}: ${outcome.reason ?? 'failed'}`);
  return (
    `${failed.length} of ${result.objects} objects failed (the others are done and in the ledger); ` +
    `failed keys: ${lines.join(' | ')}`
  );
}

function requiredString(event: Record<string, unknown>, field: string): string {
  const value = event[field];
  if (typeof value !== 'string' || value === '') {
    throw new BackfillEventError(`the plan request has no "${field}": it must come from the workflow`);
  }
  return value;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
