/**
 * The boundary check for one CloudTrail record: a value parsed from a log file becomes a typed
 * {@link CloudTrailRecord}, or a reason why it cannot be one.
 */
import type { CloudTrailRecord, JsonObject } from './types';

/** The outcome of {@link validateRecord}: the typed record, or why the value is not a usable record. */
export type RecordValidation =
  | { readonly ok: true; readonly record: CloudTrailRecord }
  | { readonly ok: false; readonly reason: string };

/** The fields every later step relies on: each must be a non-empty string. */
const REQUIRED_STRINGS = ['eventID', 'eventSource', 'eventName', 'awsRegion'] as const;

/** Top-level fields {@link CloudTrailRecord} declares as strings: when present, they must be strings. */
const OPTIONAL_STRINGS = [
  'eventVersion',
  'eventType',
  'eventCategory',
  'apiVersion',
  'recipientAccountId',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestID',
  'sharedEventID',
  'vpcEndpointId',
] as const;

/** Top-level fields declared as booleans. */
const OPTIONAL_BOOLEANS = ['readOnly', 'managementEvent'] as const;

/** Top-level fields declared as a JSON object or null. */
const OPTIONAL_OBJECTS_OR_NULL = ['requestParameters', 'responseElements', 'additionalEventData'] as const;

/** String fields of `userIdentity`. */
const USER_IDENTITY_STRINGS = [
  'type',
  'principalId',
  'arn',
  'accountId',
  'accessKeyId',
  'userName',
  'invokedBy',
  'identityProvider',
  'credentialId',
] as const;

/**
 * CloudTrail writes `eventTime` as ISO 8601 UTC, `2026-11-20T10:00:00Z`. Fractional seconds are accepted because
 * re-exported data sometimes carries them; anything else would sort wrongly in the table's time-ordered keys.
 */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * Checks that a parsed value is a CloudTrail record the pipeline can rely on, and types it.
 *
 * Required: an object with non-empty string `eventID`, `eventTime`, `eventSource`, `eventName` and `awsRegion`;
 * every other field {@link CloudTrailRecord} declares must have its declared type when present (a string
 * `readOnly`, say, is rejected rather than trusted). Unknown fields are kept as delivered.
 *
 * `eventTime` fallback: records re-exported by Logstash's CloudTrail codec have their `eventTime` moved to
 * `@timestamp` (the codec does `@timestamp = delete eventTime`). When `eventTime` is absent and `@timestamp` is
 * an ISO 8601 UTC time, it is used, written the way CloudTrail writes times (whole seconds without `.000`), and
 * the returned record carries it as `eventTime`. No other source of time is trusted: a record without either is
 * invalid, because its place in time (and in every time-ordered index) would be invented.
 */
export function validateRecord(value: unknown): RecordValidation {
  if (!isJsonObject(value)) {
    return invalid(`record is ${describe(value)}, not an object`);
  }
  const eventTime = resolveEventTime(value);
  if (typeof eventTime !== 'string') {
    return invalid(eventTime.reason);
  }
  for (const field of REQUIRED_STRINGS) {
    const fieldValue = value[field];
    if (typeof fieldValue !== 'string' || fieldValue.length === 0) {
      return invalid(`${field} is ${describe(fieldValue)}, not a non-empty string`);
    }
  }
  const shapeProblem =
    checkFields(value, OPTIONAL_STRINGS, 'string', '') ??
    checkFields(value, OPTIONAL_BOOLEANS, 'boolean', '') ??
    checkObjectsOrNull(value) ??
    checkUserIdentity(value['userIdentity']);
  if (shapeProblem !== undefined) {
    return invalid(shapeProblem);
  }
  // Every declared field has been checked above; the index signature keeps the rest as `unknown`.
  const record = (value['eventTime'] === eventTime ? value : { ...value, eventTime }) as CloudTrailRecord;
  return { ok: true, record };
}

/** Narrows a value to a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(reason: string): RecordValidation {
  return { ok: false, reason };
}

function resolveEventTime(value: JsonObject): string | { reason: string } {
  const eventTime = value['eventTime'];
  if (eventTime !== undefined) {
    return typeof eventTime === 'string' && EVENT_TIME.test(eventTime)
      ? eventTime
      : { reason: `eventTime is ${describe(eventTime)}, not an ISO 8601 UTC time` };
  }
  const logstashTime = value['@timestamp'];
  if (typeof logstashTime === 'string' && EVENT_TIME.test(logstashTime)) {
    return logstashTime.replace(/\.0+Z$/, 'Z');
  }
  return { reason: 'eventTime is missing (and no @timestamp from a Logstash export stands in for it)' };
}

function checkFields(
  object: JsonObject,
  fields: readonly string[],
  expected: 'string' | 'boolean',
  prefix: string,
): string | undefined {
  for (const field of fields) {
    const fieldValue = object[field];
    if (fieldValue !== undefined && typeof fieldValue !== expected) {
      return `${prefix}${field} is ${describe(fieldValue)}, not a ${expected}`;
    }
  }
  return undefined;
}

function checkObjectsOrNull(record: JsonObject): string | undefined {
  for (const field of OPTIONAL_OBJECTS_OR_NULL) {
    const fieldValue = record[field];
    if (fieldValue !== undefined && fieldValue !== null && !isJsonObject(fieldValue)) {
      return `${field} is ${describe(fieldValue)}, not an object or null`;
    }
  }
  return undefined;
}

function checkUserIdentity(userIdentity: unknown): string | undefined {
  if (userIdentity === undefined) {
    return undefined;
  }
  if (!isJsonObject(userIdentity)) {
    return `userIdentity is ${describe(userIdentity)}, not an object`;
  }
  return (
    checkFields(userIdentity, USER_IDENTITY_STRINGS, 'string', 'userIdentity.') ??
    checkOptionalObject(userIdentity, 'onBehalfOf', 'userIdentity.', ['userId', 'identityStoreArn']) ??
    checkOptionalObject(userIdentity, 'inScopeOf', 'userIdentity.', []) ??
    checkSessionContext(userIdentity['sessionContext'])
  );
}

function checkSessionContext(sessionContext: unknown): string | undefined {
  const prefix = 'userIdentity.sessionContext';
  if (sessionContext === undefined) {
    return undefined;
  }
  if (!isJsonObject(sessionContext)) {
    return `${prefix} is ${describe(sessionContext)}, not an object`;
  }
  return (
    checkFields(sessionContext, ['sourceIdentity', 'ec2RoleDelivery', 'assumedRoot'], 'string', `${prefix}.`) ??
    checkOptionalObject(sessionContext, 'sessionIssuer', `${prefix}.`, [
      'type',
      'principalId',
      'arn',
      'accountId',
      'userName',
    ]) ??
    checkOptionalObject(sessionContext, 'attributes', `${prefix}.`, ['creationDate', 'mfaAuthenticated']) ??
    checkOptionalObject(sessionContext, 'webIdFederationData', `${prefix}.`, ['federatedProvider'])
  );
}

/** Checks that `object[field]`, when present, is an object whose listed fields are strings when present. */
function checkOptionalObject(
  object: JsonObject,
  field: string,
  prefix: string,
  stringFields: readonly string[],
): string | undefined {
  const fieldValue = object[field];
  if (fieldValue === undefined) {
    return undefined;
  }
  if (!isJsonObject(fieldValue)) {
    return `${prefix}${field} is ${describe(fieldValue)}, not an object`;
  }
  return checkFields(fieldValue, stringFields, 'string', `${prefix}${field}.`);
}

/** Names a value's JSON type for a reason text, never its content (records may hold secrets). */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
