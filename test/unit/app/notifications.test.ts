import { NotificationError, objectKeyOf, parseMessageBody, type NotifiedObject } from '../../../lambda/app/notifications';
import {
  cloudTrailMessage,
  DELIVERY_SHAPES,
  eventBridgeBody,
  FIXTURE_TOPIC_ARN,
  messageBody,
  s3NotificationBody,
  snsEnvelope,
} from '../../helpers/notification-shapes';

const BUCKET = 'trail-audit-logs';
/** A key with a space, a literal `+`, a `=` and a non-ASCII letter: S3 notifications encode all four. */
const KEY =
  'audit logs/team+ops/env=prod/été/AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/123456789012_CloudTrail_us-west-2_20261120T1020Z_a.json.gz';
const ETAG = '6d0bb00954ceb7fbee436bb55a8397a9';

/** The objects of a message body, failing the test on any other kind. */
function objectsOf(body: string): readonly NotifiedObject[] {
  const parsed = parseMessageBody(body, 'SQS message m1');
  if (parsed.kind !== 'objects') throw new Error(`expected objects, got ${parsed.kind}`);
  return parsed.objects;
}

describe('parseMessageBody: the object of each shape', () => {
  it.each(DELIVERY_SHAPES)('%s: names the bucket and the key as stored, a space and a + each kept apart', (shape) => {
    // act
    const objects = objectsOf(messageBody(shape, [{ bucket: BUCKET, key: KEY, eTag: ETAG }]));

    // assess
    expect(objects.map((object) => ({ bucket: object.bucket, key: objectKeyOf(object), created: object.objectCreated }))).toEqual([
      { bucket: BUCKET, key: KEY, created: true },
    ]);
  });

  it('S3 notification: the key is URL-encoded as a form would, and decoded as such', () => {
    // act
    const [object] = objectsOf(s3NotificationBody([{ bucket: BUCKET, key: 'a b+c/AWSLogs/x.json.gz' }]));

    // assess
    expect([object?.rawKey, object?.keyEncoding, object?.shape]).toEqual(['a+b%2Bc/AWSLogs/x.json.gz', 'form-url', 's3-notification']);
  });

  it('EventBridge event: a + in the key stays a + (it is not URL-encoded)', () => {
    // act
    const [object] = objectsOf(eventBridgeBody({ bucket: BUCKET, key: 'a+b/AWSLogs/x%41.json.gz' }));

    // assess: decoding it as an S3 notification's key would read "a b/AWSLogs/xA.json.gz"
    expect([object && objectKeyOf(object), object?.shape]).toEqual(['a+b/AWSLogs/x%41.json.gz', 'eventbridge']);
  });

  it('EventBridge event: gives its ETag, as the ledger expects it', () => {
    // act
    const [object] = objectsOf(eventBridgeBody({ bucket: BUCKET, key: KEY, eTag: ETAG }));

    // assess
    expect(object?.eTag).toBe(ETAG);
  });

  it('EventBridge event: another detail-type is named, and not an object creation', () => {
    // act
    const [object] = objectsOf(eventBridgeBody({ bucket: BUCKET, key: KEY }, 'Object Deleted'));

    // assess
    expect([object?.eventName, object?.objectCreated]).toEqual(['Object Deleted', false]);
  });

  it('CloudTrail notification: one object per delivered key, a + kept, no ETag', () => {
    // act
    const objects = objectsOf(snsEnvelope(cloudTrailMessage(BUCKET, ['p+q/AWSLogs/a.json.gz', 'p+q/AWSLogs/b.json.gz'])));

    // assess
    expect(objects.map((object) => [objectKeyOf(object), object.eTag, object.shape])).toEqual([
      ['p+q/AWSLogs/a.json.gz', undefined, 'cloudtrail-sns'],
      ['p+q/AWSLogs/b.json.gz', undefined, 'cloudtrail-sns'],
    ]);
  });

  it('CloudTrail notification: raw message delivery and the SNS envelope name the same objects', () => {
    // act
    const raw = objectsOf(messageBody('cloudtrail-sns-raw', [{ bucket: BUCKET, key: KEY }]));
    const enveloped = objectsOf(messageBody('cloudtrail-sns', [{ bucket: BUCKET, key: KEY }]));

    // assess
    expect(enveloped).toEqual(raw);
  });

  it('S3 notification fanned out through SNS: unwrapped, its key still decoded as an S3 notification\'s', () => {
    // act
    const [object] = objectsOf(snsEnvelope(s3NotificationBody([{ bucket: BUCKET, key: KEY }])));

    // assess
    expect([object && objectKeyOf(object), object?.shape]).toEqual([KEY, 's3-notification']);
  });

  it('recognises S3\'s test event inside an SNS envelope', () => {
    // act
    const parsed = parseMessageBody(snsEnvelope(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' })), 'm1');

    // assess
    expect(parsed).toEqual({ kind: 'test-event' });
  });

  it('reports an SNS subscription confirmation as such, with its topic', () => {
    // act
    const parsed = parseMessageBody(snsEnvelope('You have chosen to subscribe', { Type: 'SubscriptionConfirmation' }), 'm1');

    // assess
    expect(parsed).toEqual({ kind: 'sns-control', type: 'SubscriptionConfirmation', topicArn: FIXTURE_TOPIC_ARN });
  });
});

describe('parseMessageBody: malformed messages', () => {
  const SECRET = 'Zq7xK';
  const cases: readonly [string, string, RegExp][] = [
    ['a body that is not JSON', `{"s3Bucket": "${SECRET}"`, /m1: body is not JSON$/],
    ['an S3 notification record without a key', JSON.stringify({ Records: [{ s3: { bucket: { name: SECRET } } }] }), /record 0 has no s3\.bucket\.name or s3\.object\.key/],
    [
      'an EventBridge event without an object key',
      JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: SECRET } } }),
      /EventBridge S3 event has no detail-type, detail\.bucket\.name or detail\.object\.key/,
    ],
    ['a CloudTrail notification without keys', JSON.stringify({ s3Bucket: SECRET, s3ObjectKey: [] }), /CloudTrail notification has no s3Bucket or no s3ObjectKey list/],
    ['a CloudTrail notification with a key that is not a string', JSON.stringify({ s3Bucket: SECRET, s3ObjectKey: [7] }), /CloudTrail notification key 0 is not a string/],
    ['an SNS envelope whose Message is not JSON', snsEnvelope(`s3Bucket=${SECRET}`), /the SNS notification's Message is not JSON/],
    ['an SNS envelope whose message is none of the shapes', snsEnvelope(JSON.stringify({ hello: SECRET })), /\(in an SNS notification\): neither an S3 event notification/],
    ['an EventBridge event of another source', JSON.stringify({ source: 'aws.ec2', detail: { bucket: SECRET } }), /neither an S3 event notification, an EventBridge S3 event nor a CloudTrail delivery notification/],
  ];

  it.each(cases)('rejects %s, naming what is wrong and none of its content', (_name, body, message) => {
    // act
    const parsing = (): unknown => parseMessageBody(body, 'SQS message m1');

    // assess
    expect(parsing).toThrow(NotificationError);
    expect(parsing).toThrow(message);
    expect(parsing).not.toThrow(SECRET);
  });
});
