/**
 * The naive path every benchmark compares with: what a reader writes in ten lines. Read the whole object, gunzip it
 * whole, `JSON.parse` the whole text, and keep the `Records` whose eventSource is one of the indexed services.
 */
import { gunzipSync } from 'node:zlib';

/** The eventSources the naive path keeps: the same services as the select step. */
export const NAIVE_EVENT_SOURCES: ReadonlySet<string> = new Set([
  'elasticloadbalancing.amazonaws.com',
  'elasticbeanstalk.amazonaws.com',
  'autoscaling.amazonaws.com',
]);

/** The naive path on a gzipped log file's bytes: every record read, and those kept. */
export function naiveRecords(compressed: Buffer): { records: unknown[]; kept: unknown[] } {
  const parsed: unknown = JSON.parse(gunzipSync(compressed).toString('utf8'));
  const records = isRecordsFile(parsed) ? parsed.Records : [];
  const kept = records.filter(
    (record) =>
      typeof record === 'object' &&
      record !== null &&
      NAIVE_EVENT_SOURCES.has(String((record as { eventSource?: unknown }).eventSource)),
  );
  return { records, kept };
}

function isRecordsFile(value: unknown): value is { Records: unknown[] } {
  return typeof value === 'object' && value !== null && 'Records' in value && Array.isArray(value.Records);
}
