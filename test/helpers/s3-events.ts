/**
 * Real-shaped S3 event notifications and the SQS events that carry them, as AWS delivers them: keys URL-encoded
 * the way S3 writes them (a space as `+`, other reserved bytes as `%XX`, slashes kept).
 */
import { createHash } from 'node:crypto';
import type { S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';

/** An object named in a notification: bucket, key as stored, and optionally its ETag and size. */
export interface NotifiedObjectSpec {
  readonly bucket: string;
  readonly key: string;
  /**
   * The ETag S3 notifies (S3 always sends one, unquoted). Pass the object's real ETag where the file ledger's
   * short-cut matters.
   * @default a well-formed ETag (an MD5 in hex) derived from the key, which matches no stored object's
   */
  readonly eTag?: string;
  readonly size?: number;
  /** @default 'ObjectCreated:Put' */
  readonly eventName?: string;
}

/** A key encoded as S3 encodes it in event notifications. */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

/** One `Records[]` entry of an S3 notification. */
export function s3EventRecord(spec: NotifiedObjectSpec): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-west-2',
    eventTime: '2026-11-20T10:20:01.123Z',
    eventName: spec.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AROAEXAMPLE:regionalDeliverySession' },
    requestParameters: { sourceIPAddress: '198.51.100.20' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'trail-audit-logs',
      bucket: {
        name: spec.bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${spec.bucket}`,
      },
      object: {
        key: encodeS3Key(spec.key),
        size: spec.size ?? 1024,
        eTag: spec.eTag ?? createHash('md5').update(`placeholder:${spec.key}`).digest('hex'),
        sequencer: '0055AED6DCD90281E5',
      },
    },
  };
}

/** A direct S3 event notification naming the objects. */
export function s3Event(objects: readonly NotifiedObjectSpec[]): S3Event {
  return { Records: objects.map(s3EventRecord) };
}

/** The `s3:TestEvent` S3 sends when a notification configuration is created. */
export const S3_TEST_EVENT_BODY = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-20T10:00:00.000Z',
  Bucket: 'trail-audit-logs',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YWOgf4nqHnOfWi8sPtj6yHFmzyBGwIA=',
});

/** One SQS record carrying `body` (an S3 notification as JSON, by default of `objects`). */
export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795168801123',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1795168801130',
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-west-2:123456789012:trail-audit-log-objects',
    awsRegion: 'us-west-2',
  };
}

/** An SQS event whose messages each carry an S3 notification for one group of objects. */
export function sqsEventOf(messages: readonly { id: string; objects?: readonly NotifiedObjectSpec[]; body?: string }[]): SQSEvent {
  return {
    Records: messages.map((message) =>
      sqsRecord(message.id, message.body ?? JSON.stringify(s3Event(message.objects ?? []))),
    ),
  };
}
