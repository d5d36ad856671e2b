/**
 * What a backfill covers: the input of a backfill workflow execution, validated, and when two of them overlap.
 *
 * The same module reads the input wherever it is read — by the workflow's plan step (which refuses to start over a
 * running execution's range) and by `trail-audit backfill` (which checks before it starts one, and shows a
 * running one's range) — so the two cannot disagree on what a range is or when two ranges meet.
 */
import { dayFolderBounds, type DayFolder } from '../core/date-folders';

/** A backfill's scope, from the execution input. */
export interface BackfillRequest {
  /** The first delivery-day folder (`YYYY/MM/DD`) whose files are read. */
  readonly firstDay: DayFolder;
  /**
   * The last delivery-day folder read: the day after `until`, as CloudTrail files the events of a day's last minutes
   * in the next day's folder (see `core/date-folders.ts`).
   */
  readonly lastDay: DayFolder;
  /** The start of the range (ISO 8601), as asked. */
  readonly since: string;
  /** The end of the range (ISO 8601): as asked, or the execution's start when none was given. */
  readonly until: string;
  /** Only these accounts (12 digits). @default every account folder */
  readonly accounts?: readonly string[];
  /** Only these regions. @default every region folder */
  readonly regions?: readonly string[];
  /** Child workflow executions at a time. @default the stack's, derived from its table write budget */
  readonly maxConcurrency?: number;
  /** Read the keys from this S3 Inventory manifest instead of listing the log bucket. */
  readonly manifest?: { readonly bucket: string; readonly key: string };
}

/** Raised when an execution input is not a backfill request; names the field and what was wrong. */
export class BackfillRequestError extends Error {
  override readonly name = 'BackfillRequestError';
}

/** The most child workflow executions one Distributed Map runs at a time (a Step Functions limit). */
export const MAX_MAP_CONCURRENCY = 10_000;

const FIELDS = new Set(['since', 'until', 'accounts', 'regions', 'maxConcurrency', 'manifest']);
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// A time with a zone (Z or ±hh:mm): a time without a zone is ambiguous.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ACCOUNT_ID = /^\d{12}$/;
// Region names, loosely (as `core/object-key.ts` reads region folders): `us-east-1`, `eusc-de-east-1`.
const REGION = /^[a-z]+(-[a-z0-9]+)+$/;
const DAY_MS = 86_400_000;

/**
 * Reads an execution input: `{ since, until?, accounts?, regions?, maxConcurrency?, manifest? }`. `since` and `until`
 * are ISO 8601 times with a zone, or dates (`2024-05-01`: its start for `since`, its end for `until`).
 * @param now what an absent `until` means: the execution's start
 * @throws BackfillRequestError naming the field and the accepted form
 */
export function parseBackfillRequest(input: unknown, now: Date): BackfillRequest {
  if (!isRecord(input)) throw new BackfillRequestError('the backfill input must be a JSON object with at least "since"');
  for (const field of Object.keys(input)) {
    if (!FIELDS.has(field)) {
      throw new BackfillRequestError(`unknown field "${field}": expected ${[...FIELDS].join(', ')}`);
    }
  }
  if (input.since === undefined) throw new BackfillRequestError('"since" is missing: the first day to backfill');
  const since = parseInstant(input.since, 'since', 'start');
  const until = input.until === undefined ? now : parseInstant(input.until, 'until', 'end');
  if (since > until) {
    throw new BackfillRequestError(`"since" (${since.toISOString()}) is after "until" (${until.toISOString()}): the range is empty`);
  }
  const { first, last } = dayFolderBounds({ since, until });
  if (first === undefined || last === undefined) throw new BackfillRequestError('the range has no date folders');
  const accounts = parseList(input.accounts, 'accounts', ACCOUNT_ID, 'a 12-digit account ID');
  const regions = parseList(input.regions, 'regions', REGION, 'a region name such as us-east-1');
  return {
    firstDay: first,
    lastDay: last,
    since: since.toISOString(),
    until: until.toISOString(),
    ...(accounts === undefined ? {} : { accounts }),
    ...(regions === undefined ? {} : { regions }),
    ...(input.maxConcurrency === undefined ? {} : { maxConcurrency: parseConcurrency(input.maxConcurrency) }),
    ...(input.manifest === undefined ? {} : { manifest: parseManifest(input.manifest) }),
  };
}

/**
 * Whether two backfills would read some of the same objects: their day folders meet, and so do their accounts and
 * their regions (an absent list is every account or region). A manifest reads the same keys a listing would, so
 * the source does not matter.
 */
export function requestsOverlap(a: BackfillRequest, b: BackfillRequest): boolean {
  if (a.lastDay < b.firstDay || b.lastDay < a.firstDay) return false;
  return listsMeet(a.accounts, b.accounts) && listsMeet(a.regions, b.regions);
}

/** One line for messages: `2024/01/01–2024/12/31 (delivery days), accounts 111122223333, every region`. */
export function describeRequest(request: BackfillRequest): string {
  const accounts = request.accounts === undefined ? 'every account' : `accounts ${request.accounts.join(', ')}`;
  const regions = request.regions === undefined ? 'every region' : `regions ${request.regions.join(', ')}`;
  return `${request.firstDay}–${request.lastDay} (delivery days), ${accounts}, ${regions}`;
}

/** The number of day folders from `first` to `last`, both included. */
export function daysBetween(first: DayFolder, last: DayFolder): number {
  return Math.round((dayStart(last) - dayStart(first)) / DAY_MS) + 1;
}

/** The first millisecond (UTC) of a day folder. */
export function dayStart(day: DayFolder): number {
  return Date.parse(`${day.replace(/\//g, '-')}T00:00:00Z`);
}

function listsMeet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some((value) => b.includes(value));
}

function parseInstant(value: unknown, field: string, end: 'start' | 'end'): Date {
  if (typeof value === 'string') {
    const date = DATE_ONLY.exec(value);
    if (date !== null) {
      const start = new Date(`${value}T00:00:00Z`);
      if (!Number.isNaN(start.getTime()) && start.toISOString().startsWith(value)) {
        return end === 'start' ? start : new Date(start.getTime() + DAY_MS - 1);
      }
    } else if (DATE_TIME.test(value)) {
      const parsed = new Date(value);
      if (!Number.isNaN(parsed.getTime())) return parsed;
    }
  }
  throw new BackfillRequestError(
    `"${field}" must be an ISO 8601 time with a zone (2024-05-01T12:00:00Z) or a date (2024-05-01), got ${JSON.stringify(value)}`,
  );
}

function parseList(value: unknown, field: string, pattern: RegExp, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new BackfillRequestError(`"${field}" must be a non-empty list, got ${JSON.stringify(value)}`);
  }
  const items: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || !pattern.test(item)) {
      throw new BackfillRequestError(`"${field}": each entry must be ${what}, got ${JSON.stringify(item)}`);
    }
    if (!items.includes(item)) items.push(item);
  }
  return items.sort();
}

function parseConcurrency(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MAP_CONCURRENCY) {
    throw new BackfillRequestError(
      `"maxConcurrency" must be a whole number from 1 to ${MAX_MAP_CONCURRENCY}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parseManifest(value: unknown): { bucket: string; key: string } {
  const match = typeof value === 'string' ? /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+\/manifest\.json)$/.exec(value) : null;
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new BackfillRequestError(
      `"manifest" must be the s3:// URL of an S3 Inventory manifest.json, got ${JSON.stringify(value)}`,
    );
  }
  return { bucket: match[1], key: match[2] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
