/**
 * The boundary check for one CloudTrail record: a value parsed from a log file becomes a typed
 * {@link CloudTrailRecord}, or a reason why it cannot be one.
 */
import { fitsBytes, MAX_EVENT_ID_BYTES, MAX_IDENTIFIER_BYTES, MAX_RECORD_DEPTH, storedByteLength } from './limits';
import type { CloudTrailRecord, JsonObject } from './types';

/** The outcome of {@link validateRecord}: the typed record, or why the value is not a usable record. */
export type RecordValidation =
  | { readonly ok: true; readonly record: CloudTrailRecord }
  | { readonly ok: false; readonly reason: string };

/** The fields every later step relies on: each must be a non-empty string. */
const REQUIRED_STRINGS = ['eventID', 'eventSource', 'eventName', 'awsRegion'] as const;

/**
 * Top-level fields {@link CloudTrailRecord} declares as strings: when present, they must be strings, and at most
 * {@link MAX_IDENTIFIER_BYTES} long (they are identifiers and short values that go into every item of the event).
 */
const OPTIONAL_STRINGS = [
  'eventVersion',
  'eventType',
  'eventCategory',
  'apiVersion',
  'recipientAccountId',
  'sourceIPAddress',
  'errorCode',
  'requestID',
  'sharedEventID',
  'vpcEndpointId',
] as const;

/** Top-level strings of free text, of any length: only the stored record holds them, and it is trimmed to fit. */
const OPTIONAL_TEXTS = ['userAgent', 'errorMessage'] as const;

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
 * CloudTrail writes `eventTime` as ISO 8601 UTC, `2026-11-20T10:00:00Z`, and has done so since its first records
 * (eventVersion 1.0). Fractional seconds are accepted because re-exported data carries them (Logstash's
 * `@timestamp`, `2026-11-20T10:00:00.000Z`); anything else would sort wrongly in the table's time-ordered keys.
 */
const EVENT_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

/**
 * Checks that a parsed value is a CloudTrail record the pipeline can rely on, and types it.
 *
 * Required: an object with non-empty string `eventID`, `eventTime`, `eventSource`, `eventName` and `awsRegion`;
 * every other field {@link CloudTrailRecord} declares must have its declared type when present (a string
 * `readOnly`, say, is rejected rather than trusted). Unknown fields are kept as delivered.
 *
 * Bounds (see `./limits`), so that one record can cost no more than itself: `eventTime` must be a real date and
 * time (`2024-02-30T25:61:61Z` is not); `eventID` at most {@link MAX_EVENT_ID_BYTES} bytes and the other
 * identifiers (the declared strings but `userAgent` and `errorMessage`, and those of `userIdentity`) at most
 * {@link MAX_IDENTIFIER_BYTES}; values nested at most {@link MAX_RECORD_DEPTH} levels deep (checked without
 * recursion, so a record nested a million levels deep is rejected, not a stack overflow).
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
    checkLength(value, 'eventID', MAX_EVENT_ID_BYTES, '') ??
    checkFields(value, REQUIRED_STRINGS, 'string', '') ??
    checkFields(value, OPTIONAL_STRINGS, 'string', '') ??
    checkFields(value, OPTIONAL_TEXTS, 'text', '') ??
    checkFields(value, OPTIONAL_BOOLEANS, 'boolean', '') ??
    checkObjectsOrNull(value) ??
    checkUserIdentity(value['userIdentity']) ??
    checkDepth(value);
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
    const problem = typeof eventTime === 'string' ? timeProblem(eventTime) : 'not of the form';
    if (problem === 'not of the form') return { reason: `eventTime is ${describe(eventTime)}, not an ISO 8601 UTC time` };
    return problem === undefined ? (eventTime as string) : { reason: `eventTime is not a real date and time: ${problem}` };
  }
  const logstashTime = value['@timestamp'];
  if (typeof logstashTime === 'string' && timeProblem(logstashTime) === undefined) {
    return logstashTime.replace(/\.0+Z$/, 'Z');
  }
  return { reason: 'eventTime is missing (and no @timestamp from a Logstash export stands in for it)' };
}

/** Days in each month of a common year. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a time is not a real one in {@link EVENT_TIME}'s form: `not of the form`, or what makes it impossible (a 30
 * February, a 25th hour, a 61st second), naming the offending part by number only, never the record's text; or
 * undefined for a real time. Leap years count; leap seconds do not (CloudTrail, like JavaScript's Date, has none).
 */
function timeProblem(time: string): string | undefined {
  const parts = EVENT_TIME.exec(time);
  if (parts === null) return 'not of the form';
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = (DAYS_IN_MONTH[month - 1] ?? 31) + (month === 2 && leap ? 1 : 0);
  if (day < 1 || day > days) return `month ${month} of ${year} has no day ${day}`;
  const hour = Number(parts[4]);
  const minute = Number(parts[5]);
  const second = Number(parts[6]);
  if (hour > 23) return `there is no hour ${hour}`;
  if (minute > 59) return `there is no minute ${minute}`;
  if (second > 59) return `there is no second ${second}`;
  return undefined;
}

/**
 * Checks the type of each listed field that is present: `string` (an identifier: also at most
 * {@link MAX_IDENTIFIER_BYTES} long), `text` (a string of any length) or `boolean`.
 */
function checkFields(
  object: JsonObject,
  fields: readonly string[],
  expected: 'string' | 'text' | 'boolean',
  prefix: string,
): string | undefined {
  const type = expected === 'text' ? 'string' : expected;
  for (const field of fields) {
    const fieldValue = object[field];
    if (fieldValue !== undefined && typeof fieldValue !== type) {
      return `${prefix}${field} is ${describe(fieldValue)}, not a ${type}`;
    }
    const tooLong = expected === 'string' ? checkLength(object, field, MAX_IDENTIFIER_BYTES, prefix) : undefined;
    if (tooLong !== undefined) return tooLong;
  }
  return undefined;
}

/** Checks that `object[field]`, when a string, is at most `limit` bytes as stored. */
function checkLength(object: JsonObject, field: string, limit: number, prefix: string): string | undefined {
  const fieldValue = object[field];
  if (typeof fieldValue !== 'string' || fitsBytes(fieldValue, limit)) return undefined;
  return `${prefix}${field} is a string of ${storedByteLength(fieldValue)} bytes, more than the ${limit} it may have`;
}

/**
 * Checks that no value of the record nests deeper than {@link MAX_RECORD_DEPTH}, walking it with a stack of its own
 * rather than recursion: the check must hold for records nested deeper than any recursion could go.
 */
function checkDepth(record: JsonObject): string | undefined {
  const pending: object[] = [record];
  const depths: number[] = [1];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    const depth = depths.pop() ?? 1;
    if (depth > MAX_RECORD_DEPTH) return `the record nests deeper than ${MAX_RECORD_DEPTH} levels`;
    const visit = (member: unknown): void => {
      if (typeof member === 'object' && member !== null) {
        pending.push(member);
        depths.push(depth + 1);
      }
    };
    if (Array.isArray(value)) {
      for (const member of value as unknown[]) visit(member);
    } else {
      const members = value as Record<string, unknown>;
      for (const key in members) visit(members[key]);
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
