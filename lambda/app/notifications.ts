/**
 * The messages the processor is woken by, validated at the boundary: which objects of which bucket they name.
 * Pure: no SDK, no I/O. A message that is not one of the understood shapes is a {@link NotificationError}.
 *
 * Three shapes name log objects, each as AWS delivers it to the processor's queue:
 * - an **S3 event notification** (`{"Records":[{"s3":…}]}`), sent by the bucket's notification configuration;
 * - an **EventBridge `Object Created` event** of `aws.s3` (`{"source":"aws.s3","detail":{…}}`), routed by a rule
 *   when the bucket sends its events to EventBridge;
 * - a **CloudTrail delivery notification** (`{"s3Bucket":…,"s3ObjectKey":[…]}`), published by the trail to its
 *   SNS topic.
 * Any of them may arrive wrapped in an SNS envelope (`{"Type":"Notification","Message":"<the JSON as a string>"}`,
 * an SNS → SQS subscription without raw message delivery) or bare (raw message delivery, EventBridge, S3).
 *
 * The shapes differ in how they write a key: S3 event notifications URL-encode it as a form would (`+` for a space,
 * `%2B` for a `+`), EventBridge events and CloudTrail's notifications carry it as stored. Each notified object says
 * which ({@link NotifiedObject.keyEncoding}), and {@link objectKeyOf} decodes it accordingly.
 */
import { decodeS3Key } from '../core/object-key';

/** Which kind of message named an object (logged with each object, so an operator sees which trigger is live). */
export type NotificationShape = 's3-notification' | 'eventbridge' | 'cloudtrail-sns';

/** One object named by a notification, before its key is decoded. */
export interface NotifiedObject {
  readonly bucket: string;
  /** The key as the notification carries it (see {@link keyEncoding}). */
  readonly rawKey: string;
  /**
   * How {@link rawKey} is written: `form-url` in S3 event notifications (`+` for a space, `%XX` for other bytes),
   * `none` in EventBridge events and CloudTrail's notifications (the key as stored).
   */
  readonly keyEncoding: 'form-url' | 'none';
  /** The ETag the notification gives, if any (CloudTrail's notifications give none). */
  readonly eTag?: string;
  /** The event as notified: `ObjectCreated:Put` (S3), `Object Created` (EventBridge), `CloudTrail delivery`. */
  readonly eventName: string;
  /** Whether the event is an object's creation: only created objects are read. */
  readonly objectCreated: boolean;
  /** The shape of the message that named the object. */
  readonly shape: NotificationShape;
}

/** What an SQS message body turned out to be. */
export type ParsedMessage =
  | { readonly kind: 'test-event' }
  | {
      /**
       * An SNS subscription's own message (`SubscriptionConfirmation`, `UnsubscribeConfirmation`): no object, and
       * nothing a retry would change. A queue subscribed by its owner is confirmed without one, so it means the
       * subscription was made some other way.
       */
      readonly kind: 'sns-control';
      readonly type: string;
      readonly topicArn?: string;
    }
  | { readonly kind: 'objects'; readonly objects: readonly NotifiedObject[] };

/** Raised when a message is not a notification this processor understands. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
}

/** Whether a Lambda event is an SQS event (its first record comes from `aws:sqs`). */
export function isSQSEvent(event: unknown): event is { Records: unknown[] } {
  const first: unknown = isObject(event) && Array.isArray(event.Records) ? event.Records[0] : undefined;
  return isObject(first) && first.eventSource === 'aws:sqs';
}

/**
 * Parses an SQS message body: JSON holding one of the three shapes (see the module comment), bare or in an SNS
 * envelope, or S3's `s3:TestEvent`. Error messages name `where` and the field at fault, never the body's content.
 * @throws NotificationError when it is none of them
 */
export function parseMessageBody(body: string, where: string): ParsedMessage {
  let value = parseJson(body, `${where}: body is not JSON`);
  let at = where;
  if (isObject(value) && typeof value.Type === 'string' && typeof value.TopicArn === 'string') {
    if (value.Type !== 'Notification') return { kind: 'sns-control', type: value.Type, topicArn: value.TopicArn };
    if (typeof value.Message !== 'string') throw new NotificationError(`${where}: SNS notification has no Message`);
    value = parseJson(value.Message, `${where}: the SNS notification's Message is not JSON`);
    at = `${where} (in an SNS notification)`;
  }
  if (!isObject(value)) throw new NotificationError(`${at}: not a JSON object`);
  if (value.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (Array.isArray(value.Records)) return { kind: 'objects', objects: notifiedObjects(value, at) };
  if (value.source === 'aws.s3' && 'detail' in value) return { kind: 'objects', objects: [eventBridgeObject(value, at)] };
  if ('s3ObjectKey' in value || 's3Bucket' in value) return { kind: 'objects', objects: cloudTrailObjects(value, at) };
  throw new NotificationError(
    `${at}: neither an S3 event notification, an EventBridge S3 event nor a CloudTrail delivery notification`,
  );
}

/**
 * The objects of an S3 event notification, validated: every record needs a bucket name and an object key.
 * @throws NotificationError naming `where` and the record at fault
 */
export function notifiedObjects(notification: unknown, where: string): NotifiedObject[] {
  if (!isObject(notification) || !Array.isArray(notification.Records)) {
    throw new NotificationError(`${where} has no Records list`);
  }
  return notification.Records.map((record: unknown, index) => {
    const s3 = isObject(record) ? record.s3 : undefined;
    const bucket = isObject(s3) && isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = isObject(s3) ? s3.object : undefined;
    const key = isObject(object) ? object.key : undefined;
    if (!isNonEmptyString(bucket) || !isNonEmptyString(key)) {
      throw new NotificationError(`${where}: record ${index} has no s3.bucket.name or s3.object.key`);
    }
    const eTag = isObject(object) && isNonEmptyString(object.eTag) ? object.eTag : undefined;
    const eventName = isObject(record) && typeof record.eventName === 'string' ? record.eventName : 'ObjectCreated:';
    return {
      bucket,
      rawKey: key,
      keyEncoding: 'form-url',
      ...(eTag === undefined ? {} : { eTag }),
      eventName,
      objectCreated: eventName.startsWith('ObjectCreated:'),
      shape: 's3-notification',
    };
  });
}

/**
 * The object of an EventBridge event from `aws.s3`: `detail.bucket.name`, `detail.object.key` (as stored) and
 * `detail.object.etag`; the `detail-type` says what happened (only `Object Created` is read).
 */
function eventBridgeObject(event: Record<string, unknown>, where: string): NotifiedObject {
  const detail = event.detail;
  const bucket = isObject(detail) && isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail) ? detail.object : undefined;
  const key = isObject(object) ? object.key : undefined;
  const detailType = event['detail-type'];
  if (!isNonEmptyString(bucket) || !isNonEmptyString(key) || !isNonEmptyString(detailType)) {
    throw new NotificationError(`${where}: EventBridge S3 event has no detail-type, detail.bucket.name or detail.object.key`);
  }
  const eTag = isObject(object) && isNonEmptyString(object.etag) ? object.etag : undefined;
  return {
    bucket,
    rawKey: key,
    keyEncoding: 'none',
    ...(eTag === undefined ? {} : { eTag }),
    eventName: detailType,
    objectCreated: detailType === 'Object Created',
    shape: 'eventbridge',
  };
}

/** The objects of a CloudTrail delivery notification: one per key of `s3ObjectKey`, in `s3Bucket`, keys as stored. */
function cloudTrailObjects(message: Record<string, unknown>, where: string): NotifiedObject[] {
  const bucket = message.s3Bucket;
  const keys = message.s3ObjectKey;
  if (!isNonEmptyString(bucket) || !Array.isArray(keys) || keys.length === 0) {
    throw new NotificationError(`${where}: CloudTrail notification has no s3Bucket or no s3ObjectKey list`);
  }
  return keys.map((key: unknown, index) => {
    if (!isNonEmptyString(key)) throw new NotificationError(`${where}: CloudTrail notification key ${index} is not a string`);
    return {
      bucket,
      rawKey: key,
      keyEncoding: 'none',
      eventName: 'CloudTrail delivery',
      objectCreated: true,
      shape: 'cloudtrail-sns',
    };
  });
}

/**
 * The object's key as stored, decoded as its notification's shape requires.
 * @throws ObjectKeyError (from `decodeS3Key`) when a form-URL-encoded key has a malformed `%` sequence
 */
export function objectKeyOf(object: NotifiedObject): string {
  return object.keyEncoding === 'form-url' ? decodeS3Key(object.rawKey) : object.rawKey;
}

/** Parses JSON, or throws a {@link NotificationError} with `message` (never the parser's, which quotes the text). */
function parseJson(text: string, message: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new NotificationError(message);
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
