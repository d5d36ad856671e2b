/**
 * The messages the processor is woken by, validated at the boundary: which objects of which bucket they name.
 * Pure: no SDK, no I/O. A message that is not one of the understood shapes is a {@link NotificationError}.
 */

/** One object named by a notification, before its key is decoded. */
export interface NotifiedObject {
  readonly bucket: string;
  /** The key as the notification carries it (URL-encoded in S3 event notifications). */
  readonly rawKey: string;
  /** The ETag the notification gives, if any. */
  readonly eTag?: string;
  /** The S3 event name (`ObjectCreated:Put`, ...): only `ObjectCreated:*` events are read. */
  readonly eventName: string;
}

/** What an SQS message body turned out to be. */
export type ParsedMessage =
  | { readonly kind: 'test-event' }
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
 * Parses an SQS message body: JSON holding an S3 event notification, or S3's `s3:TestEvent`.
 * @throws NotificationError naming `where` when it is neither
 */
export function parseMessageBody(body: string, where: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    throw new NotificationError(`${where}: body is not JSON`);
  }
  if (isObject(value) && value.Event === 's3:TestEvent') return { kind: 'test-event' };
  return { kind: 'objects', objects: notifiedObjects(value, where) };
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
    if (typeof bucket !== 'string' || typeof key !== 'string' || bucket === '' || key === '') {
      throw new NotificationError(`${where}: record ${index} has no s3.bucket.name or s3.object.key`);
    }
    const eTag = isObject(object) && typeof object.eTag === 'string' && object.eTag !== '' ? object.eTag : undefined;
    const eventName = isObject(record) && typeof record.eventName === 'string' ? record.eventName : 'ObjectCreated:';
    return { bucket, rawKey: key, ...(eTag === undefined ? {} : { eTag }), eventName };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
