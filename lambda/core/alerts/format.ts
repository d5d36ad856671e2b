/**
 * Alert delivery formats, pure: the SNS subject, body and message attributes, the EventBridge entry, and the
 * CLI's NDJSON line. The adapters only map these onto SDK requests.
 */
import type { Alert, IntegrityAlertDetail } from './alert';

/** SNS rejects a subject of 100 characters or more, or with characters outside printable ASCII. */
export const SNS_SUBJECT_MAX_LENGTH = 99;

/** EventBridge `Source` of trail-audit findings: the rule pattern `{ "source": ["trail-audit"] }` selects them. */
export const EVENT_SOURCE = 'trail-audit';
/** EventBridge `DetailType` of trail-audit findings. */
export const EVENT_DETAIL_TYPE = 'trail-audit finding';

/** Replaces what SNS does not accept in a subject (non-ASCII, control characters) with ASCII. */
function asciiSubjectText(text: string): string {
  return text
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The SNS subject: `[SEVERITY] title - target`, at most {@link SNS_SUBJECT_MAX_LENGTH} printable ASCII
 * characters. (The issue writes the separator as an em dash; SNS subjects must be ASCII, so it is ` - `.)
 *
 * When too long, the target is shortened first, keeping its end (the distinctive part of an ARN or a name with a
 * common prefix) behind `...`; then the title is cut.
 */
export function snsSubject(alert: Alert): string {
  const head = asciiSubjectText(`[${alert.severity.toUpperCase()}] ${alert.title}`).trim();
  const target = alert.target === undefined ? '' : asciiSubjectText(alert.target).trim();
  if (target === '') return cut(head, SNS_SUBJECT_MAX_LENGTH);
  const full = `${head} - ${target}`;
  if (full.length <= SNS_SUBJECT_MAX_LENGTH) return full;
  const room = SNS_SUBJECT_MAX_LENGTH - head.length - ' - ...'.length;
  if (room >= 12) return `${head} - ...${target.slice(target.length - room)}`;
  return cut(head, SNS_SUBJECT_MAX_LENGTH);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3).trimEnd()}...`;
}

function resourceLine(resource: Alert['resources'][number]): string {
  const id = resource.arn ?? resource.name ?? '';
  const name = resource.arn !== undefined && resource.name !== undefined ? ` "${resource.name}"` : '';
  return `${id}${name} (${resource.type})`;
}

/**
 * The SNS message body: plain text an e-mail reader takes in at a glance — who, what, when, where, then why it
 * matters, what to do, references and links.
 */
export function snsMessage(alert: Alert): string {
  if (alert.integrity !== undefined) return integrityMessage(alert, alert.integrity);
  const who = [
    `Who:    ${alert.principal} (${alert.principalType})`,
    ...detailLine([
      alert.principalArn !== undefined && alert.principalArn !== alert.principal ? `as ${alert.principalArn}` : undefined,
      alert.sessionName !== undefined ? `session ${alert.sessionName}` : undefined,
      alert.sourceIPAddress !== undefined ? `from ${alert.sourceIPAddress}` : undefined,
      alert.accessKeyId !== undefined ? `access key ${alert.accessKeyId}` : undefined,
    ]),
  ];
  const what = [
    `What:   ${alert.eventName} (${alert.eventSource})${alert.errorCode !== undefined ? `, failed: ${alert.errorCode}` : ''}`,
    ...(alert.count !== undefined
      ? [`        ${alert.count} matching call${alert.count === 1 ? '' : 's'}${alert.eventNames !== undefined && alert.eventNames.length > 0 ? `: ${alert.eventNames.join(', ')}` : ''}`]
      : []),
    ...alert.resources.map((r) => `        ${resourceLine(r)}`),
    ...(alert.resources.length === 0 && alert.target !== undefined ? [`        ${alert.target}`] : []),
  ];
  const when =
    alert.window !== undefined
      ? `When:   ${alert.window.start} to ${alert.window.end} (first: ${alert.eventTime})`
      : `When:   ${alert.eventTime}`;
  const where = `Where:  account ${alert.accountId}, region ${alert.awsRegion}`;
  const sections = [
    [`[${alert.severity.toUpperCase()}] ${alert.title}`],
    [...who, ...what, when, where],
    ...(alert.notes.length > 0 ? [['Note:', ...alert.notes.map((n) => `- ${n}`)]] : []),
    ['Why it matters:', alert.description],
    ['What to do:', alert.remediation],
    ...(alert.references.length > 0 ? [['References:', ...alert.references.map((r) => `- ${r}`)]] : []),
    ['Links:', ...linkLines(alert)],
    [
      alert.window !== undefined && alert.logObject !== undefined
        ? `Rule ${alert.rule}, first eventID ${alert.eventID}. Sent once per rule, principal, window and log file (${alert.logObject}) by trail-audit.`
        : alert.window !== undefined
        ? `Rule ${alert.rule}, first eventID ${alert.eventID}. Sent once per rule, principal and window by trail-audit.`
        : `Rule ${alert.rule}, eventID ${alert.eventID}. Sent once per rule and event by trail-audit.`,
    ],
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function linkLines(alert: Alert): string[] {
  return [
    ...(alert.links.eventHistory !== undefined ? [`- CloudTrail event history: ${alert.links.eventHistory}`] : []),
    ...(alert.links.tableItem !== undefined ? [`- Event table item: ${alert.links.tableItem}`] : []),
    ...(alert.links.s3Object !== undefined ? [`- S3 object: ${alert.links.s3Object}`] : []),
  ];
}

/**
 * The body of an integrity alert: which file, what was found, which hour, where, then why it matters and what to do.
 * There is no "who": a verification finding says what happened to a file, not who did it.
 */
function integrityMessage(alert: Alert, integrity: IntegrityAlertDetail): string {
  const object = integrity.bucket === undefined ? integrity.key : `s3://${integrity.bucket}/${integrity.key}`;
  const links = linkLines(alert);
  const sections = [
    [`[${alert.severity.toUpperCase()}] ${alert.title}`],
    [
      `What:   ${integrity.subject === 'digest' ? 'digest file' : 'log file'} ${object}: ${integrity.status}`,
      ...(integrity.digest !== undefined ? [`        listed by the digest ${integrity.digest}`] : []),
      `When:   ${alert.eventTime} (${integrity.subject === 'digest' ? 'the end of the hour the digest covers' : 'the time in the file name'})`,
      `Where:  account ${alert.accountId}, region ${alert.awsRegion}${integrity.trail === undefined ? '' : `, trail ${integrity.trail}`}`,
    ],
    ...(alert.notes.length > 0 ? [['Found:', ...alert.notes.map((n) => `- ${n}`)]] : []),
    ['Why it matters:', alert.description],
    ['What to do:', alert.remediation],
    ...(alert.references.length > 0 ? [['References:', ...alert.references.map((r) => `- ${r}`)]] : []),
    ...(links.length > 0 ? [['Links:', ...links]] : []),
    [`Rule ${alert.rule}, object ${alert.eventID}. Sent once per rule and object by trail-audit.`],
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function detailLine(parts: readonly (string | undefined)[]): string[] {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length === 0 ? [] : [`        ${present.join(', ')}`];
}

/** SNS message attributes: `severity` and `rule`, so that subscriptions can filter (`FilterPolicy`). */
export function snsMessageAttributes(alert: Alert): Record<string, { DataType: 'String'; StringValue: string }> {
  return {
    severity: { DataType: 'String', StringValue: alert.severity },
    rule: { DataType: 'String', StringValue: alert.rule },
  };
}

/** The EventBridge entry of an alert (without the bus name, which the adapter adds). */
export interface AlertEventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  /** The event's time; absent when `eventTime` does not parse (EventBridge then uses the time of PutEvents). */
  readonly Time?: Date;
  /** The ARNs of the alert's resources: EventBridge accepts only ARNs here. */
  readonly Resources: string[];
}

/** The EventBridge entry of an alert: source `trail-audit`, detail-type `trail-audit finding`, detail = the alert. */
export function alertEventEntry(alert: Alert): AlertEventEntry {
  const time = new Date(alert.eventTime);
  return {
    Source: EVENT_SOURCE,
    DetailType: EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(alert),
    ...(Number.isNaN(time.getTime()) ? {} : { Time: time }),
    Resources: alert.resources.flatMap((r) => (r.arn !== undefined ? [r.arn] : [])),
  };
}

/** The CLI's `alerts --json` line (the issue's contract): rule, severity, title, eventID, eventName, principal, resources. */
export function alertJsonLine(alert: Alert): {
  rule: string;
  severity: string;
  title: string;
  eventID: string;
  eventName: string;
  principal: string;
  resources: Alert['resources'];
  count?: number;
} {
  return {
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    eventID: alert.eventID,
    eventName: alert.eventName,
    principal: alert.principal,
    resources: alert.resources,
    ...(alert.count !== undefined ? { count: alert.count } : {}),
  };
}
