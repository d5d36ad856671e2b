/**
 * Time arguments: `--since` / `--until` accept an ISO 8601 time, a date, or an age relative to now (`30m`, `24h`,
 * `7d`, `2w`). Parsing is strict: a typo is a usage error, never a silently empty range.
 */
import type { TimeRange } from '../core/date-folders';
import { UsageError } from './errors';

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

const RELATIVE = /^(\d+)([smhdw])$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// Date and time, optional seconds and fraction, and a zone (Z or ±hh:mm): a time without a zone is ambiguous.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Which end of a range a time argument is: a bare date means the start of that day, or the end of it. */
export type RangeEnd = 'start' | 'end';

/**
 * Parses a `--since` / `--until` value.
 * @param value `2024-05-01T12:00:00Z`, `2024-05-01T14:00+02:00`, `2024-05-01`, `30m`, `24h`, `7d`, `2w`
 * @param end for a bare date: `start` is its first millisecond (UTC), `end` its last, so `--until 2024-05-01`
 *   includes that whole day
 * @param now what relative ages count back from
 * @throws UsageError naming the option and the accepted forms
 */
export function parseTimeArgument(value: string, end: RangeEnd, now: Date, option = 'time'): Date {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  if (relative?.[1] !== undefined && relative[2] !== undefined) {
    const unit = UNIT_MS[relative[2]];
    if (unit !== undefined) return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const date = DATE_ONLY.exec(text);
  if (date?.[1] !== undefined && date[2] !== undefined && date[3] !== undefined) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const start = new Date(Date.UTC(year, month - 1, day));
    if (start.getUTCFullYear() === year && start.getUTCMonth() === month - 1 && start.getUTCDate() === day) {
      return end === 'start' ? start : new Date(start.getTime() + DAY_MS - 1);
    }
  }
  if (DATE_TIME.test(text)) {
    const parsed = new Date(text);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new UsageError(
    `${option} '${value}' is not a time: use an ISO 8601 time with a zone (2024-05-01T12:00:00Z), ` +
      `a date (2024-05-01) or an age (30m, 24h, 7d, 2w)`,
  );
}

export type { TimeRange };

/**
 * Parses the `--since` / `--until` pair and checks that it is not empty.
 * @throws UsageError when a value does not parse or `since` is after `until`
 */
export function parseTimeRange(since: string | undefined, until: string | undefined, now: Date): TimeRange {
  const range: TimeRange = {
    ...(since === undefined ? {} : { since: parseTimeArgument(since, 'start', now, '--since') }),
    ...(until === undefined ? {} : { until: parseTimeArgument(until, 'end', now, '--until') }),
  };
  if (range.since !== undefined && range.until !== undefined && range.since > range.until) {
    throw new UsageError(
      `--since (${range.since.toISOString()}) is after --until (${range.until.toISOString()}): the range is empty`,
    );
  }
  return range;
}

/**
 * Formats an instant the way CloudTrail writes `eventTime` (`2024-05-01T12:00:00Z`, no fraction), so it compares
 * as a string with the sort keys built from event times.
 */
export function toEventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
