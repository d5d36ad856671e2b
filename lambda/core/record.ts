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
 * {@link MAX_IDENTIFIER_BYTES}; values nested at most {@link MAX_RECORD_DEPTH} levels deep (the check recurses no
 * deeper than that, so a record nested a million levels deep is rejected, not a stack overflow).
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
  const fields = timeFields(time);
  if (fields === undefined) return 'not of the form';
  const [year, month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = (DAYS_IN_MONTH[month - 1] ?? 31) + (month === 2 && leap ? 1 : 0);
  if (day < 1 || day > days) return `month ${month} of ${year} has no day ${day}`;
  if (hour > 23) return `there is no hour ${hour}`;
  if (minute > 59) return `there is no minute ${minute}`;
  if (second > 59) return `there is no second ${second}`;
  return undefined;
}

/**
 * Year, month, day, hour, minute and second of a time in {@link EVENT_TIME}'s form, or undefined. CloudTrail's own
 * form (`2026-11-20T10:00:00Z`, every record) is read from its character codes, without the pattern's match and its
 * six strings.
 */
function timeFields(time: string): readonly [number, number, number, number, number, number] | undefined {
  if (time.length === CLOUDTRAIL_TIME.length) {
    let fast = true;
    for (let index = 0; index < CLOUDTRAIL_TIME.length && fast; index++) {
      const code = time.charCodeAt(index);
      const expected = CLOUDTRAIL_TIME.charCodeAt(index);
      fast = expected === DIGIT ? code >= 0x30 && code <= 0x39 : code === expected;
    }
    if (fast) {
      return [
        digitsAt(time, 0, 4),
        digitsAt(time, 5, 2),
        digitsAt(time, 8, 2),
        digitsAt(time, 11, 2),
        digitsAt(time, 14, 2),
        digitsAt(time, 17, 2),
      ];
    }
  }
  const parts = EVENT_TIME.exec(time);
  if (parts === null) return undefined;
  return [Number(parts[1]), Number(parts[2]), Number(parts[3]), Number(parts[4]), Number(parts[5]), Number(parts[6])];
}

/** The number `digits` ASCII digits of `text` from `from` make (already checked to be digits). */
function digitsAt(text: string, from: number, digits: number): number {
  let value = 0;
  for (let index = from; index < from + digits; index++) value = value * 10 + text.charCodeAt(index) - 0x30;
  return value;
}

/** CloudTrail's form of {@link EVENT_TIME}, `D` standing for a digit. */
const CLOUDTRAIL_TIME = 'DDDD-DD-DDTDD:DD:DDZ';
const DIGIT = 'D'.charCodeAt(0);

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
 * Checks that no value of the record nests deeper than {@link MAX_RECORD_DEPTH}. The walk recurses, but never more
 * than that many levels, however deep the record nests: the check holds for records nested deeper than any
 * recursion could go.
 */
function checkDepth(record: JsonObject): string | undefined {
  return nestsDeeper(record, MAX_RECORD_DEPTH) ? `the record nests deeper than ${MAX_RECORD_DEPTH} levels` : undefined;
}

/** Whether `value` (an object or a list) holds more than `levels` levels, itself included. */
function nestsDeeper(value: object, levels: number): boolean {
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const member of value as unknown[]) {
      if (typeof member === 'object' && member !== null && nestsDeeper(member, levels - 1)) return true;
    }
  } else {
    const members = value as Record<string, unknown>;
    for (const key in members) {
      const member = members[key];
      if (typeof member === 'object' && member !== null && nestsDeeper(member, levels - 1)) return true;
    }
  }
  return false;
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
    checkOptionalObject(userIdentity, 'onBehalfOf', 'userIdentity.', ON_BEHALF_OF_STRINGS) ??
    checkOptionalObject(userIdentity, 'inScopeOf', 'userIdentity.', []) ??
    checkSessionContext(userIdentity['sessionContext'])
  );
}

// The string fields of userIdentity's parts, as constants: the check runs for every record.
const ON_BEHALF_OF_STRINGS = ['userId', 'identityStoreArn'];
const SESSION_CONTEXT = 'userIdentity.sessionContext';
const SESSION_CONTEXT_PREFIX = `${SESSION_CONTEXT}.`;
const SESSION_CONTEXT_STRINGS = ['sourceIdentity', 'ec2RoleDelivery', 'assumedRoot'];
const SESSION_ISSUER_STRINGS = ['type', 'principalId', 'arn', 'accountId', 'userName'];
const SESSION_ATTRIBUTE_STRINGS = ['creationDate', 'mfaAuthenticated'];
const WEB_IDENTITY_STRINGS = ['federatedProvider'];

function checkSessionContext(sessionContext: unknown): string | undefined {
  if (sessionContext === undefined) {
    return undefined;
  }
  if (!isJsonObject(sessionContext)) {
    return `${SESSION_CONTEXT} is ${describe(sessionContext)}, not an object`;
  }
  return (
    checkFields(sessionContext, SESSION_CONTEXT_STRINGS, 'string', SESSION_CONTEXT_PREFIX) ??
    checkOptionalObject(sessionContext, 'sessionIssuer', SESSION_CONTEXT_PREFIX, SESSION_ISSUER_STRINGS) ??
    checkOptionalObject(sessionContext, 'attributes', SESSION_CONTEXT_PREFIX, SESSION_ATTRIBUTE_STRINGS) ??
    checkOptionalObject(sessionContext, 'webIdFederationData', SESSION_CONTEXT_PREFIX, WEB_IDENTITY_STRINGS)
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
