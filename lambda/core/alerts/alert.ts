/**
 * The alert: one finding of one rule, with everything a person needs to act on it without opening the log file —
 * who, what, when, where, why it matters, what to do, and links. It is also the EventBridge event's `detail`
 * and the CLI's `--json` line (a subset), so its field names are a contract.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../rules/types';
import type { Resource } from '../types';

/**
 * Where a person goes next: the CloudTrail console's event, and the event's item in the event table; for an
 * integrity alert, the object in the S3 console.
 */
export interface AlertLinks {
  /**
   * CloudTrail event history, filtered to the eventID (kept 90 days by CloudTrail). Absent on an integrity alert,
   * which is about a file, not an event.
   */
  readonly eventHistory?: string;
  /** The event's item in the DynamoDB console, when the event is one trail-audit stores and a table is known. */
  readonly tableItem?: string;
  /** Integrity alerts: the object (log file or digest file) in the S3 console, when its bucket is known. */
  readonly s3Object?: string;
}

/**
 * What an integrity alert (proof of completeness, docs/integrity.md) is about: a log file or a digest file whose
 * verification found a problem. Present on those alerts only.
 */
export interface IntegrityAlertDetail {
  readonly subject: 'digest' | 'log-file';
  /** The status found (`missing`, `altered`, `not-processed`, `unlisted`, `invalid-signature`, `chain-broken`). */
  readonly status: string;
  readonly bucket?: string;
  readonly key: string;
  /** A log file's listing digest (its key), when a digest lists it. */
  readonly digest?: string;
  readonly trail?: string;
}

/** The burst window of a threshold rule, as ISO-8601 UTC instants; `end` is exclusive. */
export interface AlertWindow {
  readonly start: string;
  readonly end: string;
}

/**
 * Where the exactly-once ledger records that this alert was sent: the event's partition (`pk = eventID`) for a
 * per-event rule, a window partition for a burst; `sk = ALERT#<rule>`.
 */
export interface AlertKey {
  readonly pk: string;
  readonly sk: string;
}

/** One finding. */
export interface Alert {
  /** The rule id. */
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  /** The event that fired the rule; for a burst, the earliest event of the window. */
  readonly eventID: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  /** `principal.id`: the stable identity (role ARN for every session of the role). */
  readonly principal: string;
  readonly principalType: string;
  /** The ARN CloudTrail wrote for the caller (for a role session, the session ARN). */
  readonly principalArn?: string;
  readonly sessionName?: string;
  readonly accessKeyId?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly accountId: string;
  readonly awsRegion: string;
  readonly resources: readonly Resource[];
  /** The short name of what the alert is about (a load balancer, a trail, a region), for the subject line. */
  readonly target?: string;
  /** Burst rules: how many matching events the principal made in the window. */
  readonly count?: number;
  readonly window?: AlertWindow;
  /** Burst rules: the distinct eventNames of the window (at most ten). */
  readonly eventNames?: readonly string[];
  /**
   * Burst rules alerted per log file (a single-call rule in the processor: root user activity, a region not
   * allowed): the log object (`s3://bucket/key`) whose calls `count` counts. Other files of the same window send
   * their own alert.
   */
  readonly logObject?: string;
  /** Integrity alerts only: the object and what was found. */
  readonly integrity?: IntegrityAlertDetail;
  /** Why it matters. */
  readonly description: string;
  /** What to do. */
  readonly remediation: string;
  readonly references: readonly string[];
  /** Facts of this event the rule calls out (a forced delete, a failed attempt). */
  readonly notes: readonly string[];
  readonly links: AlertLinks;
  readonly key: AlertKey;
}

/** The sort key prefix of ledger items: `ALERT#<ruleId>`. */
export const ALERT_SORT_KEY_PREFIX = 'ALERT#';

/** The ledger key of a per-event alert: the event's own partition. */
export function eventAlertKey(ruleId: string, eventID: string): AlertKey {
  return { pk: eventID, sk: `${ALERT_SORT_KEY_PREFIX}${ruleId}` };
}

/**
 * The ledger key of a burst alert. Its own partition (`BURST#...`), never a principal's: the table's principal
 * partitions hold time-ordered lookup items that a Query reads newest first, and an `ALERT#` item there would come
 * out on top.
 *
 * With `logObject` (the log file the alert comes from), the key ends in a digest of it: the alert is then once per
 * (rule, principal, window, file) rather than once per window. Threshold-1 rules use it so that every file's
 * matching calls are reported (see the rules engine's `logObject` option); a digest keeps the key short whatever the
 * object key's length, and the same file (a retry) still maps to the same key.
 */
export function burstAlertKey(ruleId: string, principalId: string, windowStart: string, logObject?: string): AlertKey {
  const file = logObject === undefined ? '' : `#${createHash('sha256').update(logObject).digest('hex').slice(0, 32)}`;
  return { pk: `BURST#${ruleId}#${principalId}#${windowStart}${file}`, sk: `${ALERT_SORT_KEY_PREFIX}${ruleId}` };
}

/** The console host of a region's partition. */
function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

/** The CloudTrail console's event-history page of one event, in the event's region. */
export function eventHistoryUrl(region: string, eventID: string): string {
  return `${consoleOrigin(region)}/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(eventID)}`;
}

/** The S3 console's page of an object. */
export function s3ObjectUrl(region: string, bucket: string, key: string): string {
  const query = new URLSearchParams({ region, prefix: key });
  return `${consoleOrigin(region)}/s3/object/${encodeURIComponent(bucket)}?${query.toString()}`;
}

/** The DynamoDB console's page of the event item (`pk = eventID`, `sk = EVENT`) of a table. */
export function tableItemUrl(tableRegion: string, tableName: string, eventID: string): string {
  const query = new URLSearchParams({ itemMode: '2', pk: eventID, sk: 'EVENT', table: tableName });
  return `${consoleOrigin(tableRegion)}/dynamodbv2/home?region=${tableRegion}#edit-item?${query.toString()}`;
}
