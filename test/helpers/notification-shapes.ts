/**
 * SQS message bodies of every shape that names log objects, built from the documented fixtures of
 * `test/fixtures/notifications/` (see its README) with the bucket, keys and ETags a test needs: an S3 event
 * notification (keys URL-encoded as S3 writes them), an EventBridge `Object Created` event, and CloudTrail's SNS
 * delivery notification, in an SNS envelope or delivered raw.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { encodeS3Key, sqsRecord, type NotifiedObjectSpec } from './s3-events';

/** How a message reaches the processor's queue. */
export type DeliveryShape =
  /** The bucket's S3 event notification, straight to SQS. */
  | 's3-notification'
  /** An EventBridge rule's target: the `aws.s3` event as the body. */
  | 'eventbridge'
  /** CloudTrail → SNS → SQS without raw message delivery: CloudTrail's message inside an SNS envelope. */
  | 'cloudtrail-sns'
  /** CloudTrail → SNS → SQS with raw message delivery: CloudTrail's message as the body. */
  | 'cloudtrail-sns-raw';

/** Every delivery shape, for tests that run once per shape. */
export const DELIVERY_SHAPES: readonly DeliveryShape[] = ['s3-notification', 'eventbridge', 'cloudtrail-sns', 'cloudtrail-sns-raw'];

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'notifications');

/** The topic ARN of the envelope fixture. */
export const FIXTURE_TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:cloudtrail-deliveries';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The ETag a spec's notification carries: its own, or a well-formed one that matches no stored object. */
function eTagOf(spec: NotifiedObjectSpec): string {
  return spec.eTag ?? createHash('md5').update(`placeholder:${spec.key}`).digest('hex');
}

/** An S3 event notification naming the objects, from the documented fixture. */
export function s3NotificationBody(objects: readonly NotifiedObjectSpec[]): string {
  const template = (fixture('s3-event-notification').Records as Record<string, unknown>[])[0] as {
    s3: { bucket: Record<string, unknown>; object: Record<string, unknown> };
  };
  const records = objects.map((spec) => ({
    ...template,
    eventName: spec.eventName ?? 'ObjectCreated:Put',
    s3: {
      ...template.s3,
      bucket: { ...template.s3.bucket, name: spec.bucket, arn: `arn:aws:s3:::${spec.bucket}` },
      object: { ...template.s3.object, key: encodeS3Key(spec.key), eTag: eTagOf(spec), size: spec.size ?? 2048 },
    },
  }));
  return JSON.stringify({ Records: records });
}

/** An EventBridge event of `aws.s3` naming one object, from the documented fixture (`Object Created` by default). */
export function eventBridgeBody(spec: NotifiedObjectSpec, detailType = 'Object Created'): string {
  const event = fixture('eventbridge-object-created');
  const detail = event.detail as { object: Record<string, unknown> };
  return JSON.stringify({
    ...event,
    'detail-type': detailType,
    resources: [`arn:aws:s3:::${spec.bucket}`],
    detail: {
      ...detail,
      bucket: { name: spec.bucket },
      object: { ...detail.object, key: spec.key, etag: eTagOf(spec), size: spec.size ?? 2048 },
    },
  });
}

/** CloudTrail's SNS message naming the keys of one bucket, from the documented fixture. */
export function cloudTrailMessage(bucket: string, keys: readonly string[]): string {
  return JSON.stringify({ ...fixture('cloudtrail-sns-message'), s3Bucket: bucket, s3ObjectKey: keys });
}

/** The SNS envelope an SQS subscription without raw message delivery receives, holding `message`. */
export function snsEnvelope(message: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...fixture('sns-notification-envelope'), Message: message, ...overrides });
}

/**
 * The body of one SQS message naming the objects in the given shape. An EventBridge event names one object, and a
 * CloudTrail notification the keys of one bucket: a test asking for more gets an error, not a different message.
 */
export function messageBody(shape: DeliveryShape, objects: readonly NotifiedObjectSpec[]): string {
  switch (shape) {
    case 's3-notification':
      return s3NotificationBody(objects);
    case 'eventbridge': {
      const [only, ...others] = objects;
      if (only === undefined || others.length > 0) throw new Error('an EventBridge event names exactly one object');
      return eventBridgeBody(only);
    }
    case 'cloudtrail-sns':
    case 'cloudtrail-sns-raw': {
      const buckets = new Set(objects.map((object) => object.bucket));
      const [bucket] = buckets;
      if (bucket === undefined || buckets.size > 1) throw new Error('a CloudTrail notification names keys of one bucket');
      const message = cloudTrailMessage(bucket, objects.map((object) => object.key));
      return shape === 'cloudtrail-sns' ? snsEnvelope(message) : message;
    }
  }
}

/** An SQS event of one message per entry, each naming its objects in the given shape. */
export function sqsEventIn(
  shape: DeliveryShape,
  messages: readonly { id: string; objects: readonly NotifiedObjectSpec[] }[],
): SQSEvent {
  return { Records: messages.map((message) => sqsRecord(message.id, messageBody(shape, message.objects))) };
}
