/**
 * How fast a backfill may write and what it costs: the figures the stack derives the workflow's concurrency from,
 * and the estimate `trail-audit backfill --dry-run` prints. One module, read by the CDK app and the CLI alike, so
 * the concurrency the stack deploys and the time the CLI predicts come from the same numbers (docs/backfill.md
 * explains each one).
 *
 * Pure data and arithmetic: no SDK, no environment.
 */

/**
 * The table write rate (write request units per second) the backfill may use, unless the stack is told otherwise:
 * three quarters of the 4,000 WRU/s a new on-demand table serves at once, leaving the rest to the live processor.
 * An on-demand table adapts upwards from there (it serves twice its previous peak at any time).
 */
export const DEFAULT_WRITE_BUDGET = 3_000;

/**
 * What one worker (one child workflow execution, taking one object at a time) writes, as a planning figure: about
 * 12 objects a second of an organization trail's five-minute files, each storing a couple of events (5–10 WRU each)
 * and its ledger entry (1 WRU). Check it against the table's `ConsumedWriteCapacityUnits` during a first run.
 */
export const WRITE_UNITS_PER_WORKER = 250;

/** Keys per child workflow execution: about 10 s of work, so a failed batch redoes little and its cause fits. */
export const ITEMS_PER_BATCH = 100;

/** The default failure tolerance of a map run, in percent of its items (a failed key fails its whole batch). */
export const DEFAULT_TOLERATED_FAILURE_PERCENTAGE = 10;

/** Child workflow executions at a time for a table write budget: the budget over what one worker writes. */
export function maxConcurrencyFor(writeBudget: number): number {
  return Math.max(1, Math.floor(writeBudget / WRITE_UNITS_PER_WORKER));
}

/**
 * List prices (us-east-1, 2025) and measured rates behind {@link estimateBackfill}; docs/backfill.md gives the
 * same figures with their sources.
 */
export const BACKFILL_PRICES = {
  /** Step Functions Standard, per state transition. */
  stateTransition: 0.025 / 1_000,
  /** State transitions per child workflow execution: its task, its end, and a retry now and then. */
  transitionsPerBatch: 3,
  /** State transitions of the parent per listing unit (the inline Map iteration and its Distributed Map). */
  transitionsPerUnit: 6,
  /** Lambda on arm64, per GB-second, and per request. */
  lambdaGbSecond: 0.000_013_333_4,
  lambdaRequest: 0.2 / 1_000_000,
  /** The backfill function's memory, in GB. */
  lambdaMemoryGb: 1,
  /** S3 GET and LIST requests. */
  s3Get: 0.000_4 / 1_000,
  s3List: 0.005 / 1_000,
  /** DynamoDB on demand: a write request unit, a read request unit. */
  dynamoWrite: 0.625 / 1_000_000,
  dynamoRead: 0.125 / 1_000_000,
} as const;

/** Time figures behind the estimate: per object (ledger read, GetObject, ledger write) and per compressed byte. */
export const BACKFILL_RATES = {
  /** Seconds per object besides its bytes: the ledger read, GetObject's first byte, the writes, the ledger entry. */
  secondsPerObject: 0.08,
  /** Seconds per object the ledger already holds (one consistent GetItem). */
  secondsPerLedgeredObject: 0.01,
  /** Compressed bytes decoded per second (about 100 MB/s of JSON at 1 GB: docs/performance.md). */
  compressedBytesPerSecond: 10_000_000,
  /** Seconds a listing unit adds besides its objects: starting its map run and waiting for its last batch. */
  secondsPerUnit: 15,
} as const;

/** What a backfill would read. */
export interface BackfillSize {
  readonly objects: number;
  /** Compressed bytes. */
  readonly bytes: number;
  /** Listing units (map runs). */
  readonly units: number;
  readonly maxConcurrency: number;
  /**
   * Objects the ledger already holds (a range the live processor covered): each costs one read.
   * @default 0
   */
  readonly ledgered?: number;
}

/** An estimate of a backfill's cost (US dollars, by line) and duration. */
export interface BackfillEstimate {
  readonly stepFunctions: number;
  readonly lambda: number;
  readonly s3: number;
  /** The ledger's reads and writes; the events' own writes come on top (5–10 WRU per stored event). */
  readonly dynamodbLedger: number;
  readonly total: number;
  readonly seconds: number;
}

/**
 * Estimates a backfill from what it would read. The events' writes are left out (their number is known only once
 * the files are read): 5–10 write request units each, $3.10–$6.25 per million events stored.
 */
export function estimateBackfill(size: BackfillSize): BackfillEstimate {
  const prices = BACKFILL_PRICES;
  const ledgered = Math.min(size.ledgered ?? 0, size.objects);
  const read = size.objects - ledgered;
  const batches = Math.ceil(size.objects / ITEMS_PER_BATCH);
  const workerSeconds =
    read * BACKFILL_RATES.secondsPerObject +
    ledgered * BACKFILL_RATES.secondsPerLedgeredObject +
    size.bytes / BACKFILL_RATES.compressedBytesPerSecond;
  const stepFunctions =
    (batches * prices.transitionsPerBatch + size.units * prices.transitionsPerUnit) * prices.stateTransition;
  const lambda =
    workerSeconds * prices.lambdaMemoryGb * prices.lambdaGbSecond + (batches + 1) * prices.lambdaRequest;
  const s3 = read * prices.s3Get + Math.ceil(size.objects / 1_000 + size.units) * prices.s3List;
  const dynamodbLedger = size.objects * prices.dynamoRead + read * prices.dynamoWrite;
  const seconds =
    workerSeconds / Math.max(1, size.maxConcurrency) + size.units * BACKFILL_RATES.secondsPerUnit;
  return { stepFunctions, lambda, s3, dynamodbLedger, total: stepFunctions + lambda + s3 + dynamodbLedger, seconds };
}
