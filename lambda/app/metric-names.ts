/**
 * Every CloudWatch metric the processor and the Event-history seeder emit, named once. The handlers emit only these
 * names and the monitoring constructs (`lib/constructs/monitoring.ts`, `lib/constructs/event-history-seeder.ts`)
 * build their alarms and dashboards from them, so renaming a metric renames it on both sides instead of silently
 * disarming an alarm (a test checks every alarm's metric is here).
 *
 * Pure data: imported by the Lambda bundle and by the CDK app alike.
 */

/** The CloudWatch namespace of every trail-audit metric. */
export const METRICS_NAMESPACE = 'TrailAudit';

/** The `service` dimension (Powertools' `serviceName`) of every metric, and the `service` key of every log line. */
export const SERVICE_NAME = 'trail-audit';

/**
 * The `service` dimension of the backfill function's metrics and logs: the same metric names as the processor's, kept
 * apart so that a backfill's failed file does not raise the processor's alarms (the workflow reports its own).
 */
export const BACKFILL_SERVICE_NAME = 'trail-audit-backfill';

/** The metrics with a fixed name. */
export const METRIC = {
  /** Log objects read and stored whole. */
  FilesProcessed: 'FilesProcessed',
  /** Objects not read: the ledger had them, their key or content is not a log file; by reason in `FilesSkipped.<reason>`. */
  FilesSkipped: 'FilesSkipped',
  /** Objects that failed (their message is retried, then dead-lettered). */
  FilesFailed: 'FilesFailed',
  /** Keys under a `CloudTrail*` folder without CloudTrail's layout: a log file this code may fail to recognise. */
  FilesUnrecognised: 'FilesUnrecognised',
  RecordsRead: 'RecordsRead',
  RecordsKept: 'RecordsKept',
  /** Records not kept; by reason in `RecordsSkipped.<reason>`. */
  RecordsSkipped: 'RecordsSkipped',
  /** Kept events whose operation the resource tables do not know. */
  UnknownOperations: 'UnknownOperations',
  /** Kept events whose record is stored trimmed to fit a DynamoDB item (or, not valid UTF-8, without its raw bytes). */
  RecordsTrimmed: 'RecordsTrimmed',
  /** Resources kept events name beyond the per-event cap, left out of their events and of the index. */
  ResourcesOmitted: 'ResourcesOmitted',
  /** Events whose write succeeded; per service in `EventsStored.<service>`. */
  EventsStored: 'EventsStored',
  ItemsWritten: 'ItemsWritten',
  WriteRetries: 'WriteRetries',
  /** SQS messages that are not JSON or not a notification this processor understands. */
  MessagesInvalid: 'MessagesInvalid',
  /** SQS messages not started for lack of time in the invocation. */
  MessagesDeferred: 'MessagesDeferred',
  /** Deferred messages re-sent to the queue as new messages. */
  MessagesRequeued: 'MessagesRequeued',
  AlertsSent: 'AlertsSent',
  AlertsSuppressed: 'AlertsSuppressed',
  /** The deploy-time seeder: pages of Event history taken in (never counted as `FilesProcessed`). */
  EventHistoryPages: 'EventHistoryPages',
  /** The deploy-time seeder: events of those pages in the table. */
  EventHistoryEventsStored: 'EventHistoryEventsStored',
  /** The deploy-time seeder: region and event-source streams that failed or were refused in an invocation. */
  EventHistoryStreamsFailed: 'EventHistoryStreamsFailed',
  /** The deploy-time seeder: 1 when the seeding is complete. */
  EventHistorySeedingComplete: 'EventHistorySeedingComplete',
  /**
   * Digest files whose own checks (format, place, signature, link to the previous digest) all held: about one per
   * trail, region and hour, even without activity. The "no digest verified" alarm watches it.
   */
  DigestsVerified: 'DigestsVerified',
  /** Listed log files found intact and processed (when their digest was verified, or later when processed). */
  LogFilesVerified: 'LogFilesVerified',
  /**
   * Verification problems found: a digest or log file missing, altered, badly signed, out of chain, never
   * processed or unlisted (each counted when found; each alerted once).
   */
  IntegrityProblems: 'IntegrityProblems',
} as const;

/** A metric with a fixed name. */
export type FixedMetricName = (typeof METRIC)[keyof typeof METRIC];

/** The metrics with a per-reason or per-service suffix. */
export const metricPerReason = {
  /** `FilesSkipped.<reason>`. */
  filesSkipped: (reason: string): string => `${METRIC.FilesSkipped}.${reason}`,
  /** `RecordsSkipped.<reason>`. */
  recordsSkipped: (reason: string): string => `${METRIC.RecordsSkipped}.${reason}`,
  /** `EventsStored.<service>`. */
  eventsStored: (service: string): string => `${METRIC.EventsStored}.${service}`,
} as const;

/** Whether `name` is a metric the processor emits (a fixed name, or a suffixed one of {@link metricPerReason}). */
export function isEmittedMetricName(name: string): boolean {
  const fixed: readonly string[] = Object.values(METRIC);
  if (fixed.includes(name)) return true;
  const dot = name.indexOf('.');
  if (dot === -1) return false;
  const base = name.slice(0, dot);
  return base === METRIC.FilesSkipped || base === METRIC.RecordsSkipped || base === METRIC.EventsStored;
}
