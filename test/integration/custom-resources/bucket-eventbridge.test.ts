/**
 * The EventBridge delivery custom resource against a server that answers S3's notification-configuration calls as
 * S3 does (s3rver does not implement them: see `test/helpers/s3-notification-server.ts`), through the real SDK
 * client: another team's notifications are kept, nothing is written when there is nothing to do, a concurrent
 * writer's change survives, and delivery is turned off on delete only when this resource turned it on.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  ConcurrentEditError,
  ensureEventBridgeDelivery,
  removeEventBridgeDelivery,
  respondTo,
  s3NotificationConfigurationApi,
  sendResponse,
  type CustomResourceResponse,
} from '../../../lambda/custom-resources/bucket-eventbridge';
import {
  configurationXml,
  queueConfigurationXml,
  startNotificationServer,
  type NotificationServer,
} from '../../helpers/s3-notification-server';

const OWNER = '123456789012';
const BUCKET = 'org-trail-logs';
const OTHER_BUCKET = 'other-trail-logs';
/** The bucket's notifications before the stack: a SIEM's queue on the trail's keys, and a function on another prefix. */
const SIEM = configurationXml(
  queueConfigurationXml('siem-ingest', 'arn:aws:sqs:us-west-2:123456789012:siem-ingest', 'AWSLogs/') +
    '<CloudFunctionConfiguration><Id>thumbnails</Id><CloudFunction>arn:aws:lambda:us-west-2:123456789012:function:thumbs</CloudFunction>' +
    '<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Prefix</Name><Value>images/</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration>',
);
const SIEM_WITH_EVENTBRIDGE = SIEM.replace('</NotificationConfiguration>', '<EventBridgeConfiguration/></NotificationConfiguration>');
/** No pause between a write and its check: the server answers consistently at once. */
const FAST = { settleMs: 0 };

let server: NotificationServer | undefined;

beforeAll(async () => {
  server = await startNotificationServer([BUCKET, OTHER_BUCKET], OWNER);
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  const s3 = local();
  s3.configuration.set(BUCKET, SIEM);
  s3.configuration.set(OTHER_BUCKET, SIEM);
  s3.puts.length = 0;
  delete s3.afterPut;
});

function local(): NotificationServer {
  if (server === undefined) throw new Error('the notification server did not start');
  return server;
}

function api(bucket = BUCKET, owner = OWNER) {
  return s3NotificationConfigurationApi(local().client, bucket, owner);
}

describe('turning EventBridge delivery on', () => {
  it('keeps the bucket\'s other notifications exactly as they were', async () => {
    // prepare
    const before = await api().get();

    // act
    const state = await ensureEventBridgeDelivery(api(), FAST);

    // assess
    expect(before.QueueConfigurations).toHaveLength(1);
    expect([state, await api().get()]).toEqual<[string, NotificationConfiguration]>([
      'enabled-by-stack',
      { ...before, EventBridgeConfiguration: {} },
    ]);
  });

  it('writes without re-validating the other destinations, to a bucket of the expected owner only', async () => {
    // act
    await ensureEventBridgeDelivery(api(), FAST);

    // assess
    expect(local().puts.map((put) => [put.skipDestinationValidation, put.expectedBucketOwner])).toEqual([['true', OWNER]]);
  });

  it('writes nothing when delivery is on already', async () => {
    // prepare
    local().configuration.set(BUCKET, SIEM_WITH_EVENTBRIDGE);

    // act
    const state = await ensureEventBridgeDelivery(api(), FAST);

    // assess
    expect([state, local().puts.length]).toEqual(['found-enabled', 0]);
  });

  it('writes nothing to a bucket of the same name in another account', async () => {
    // act
    const enabling = ensureEventBridgeDelivery(api(BUCKET, '999988887777'), FAST);

    // assess
    await expect(enabling).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(local().puts).toEqual([]);
  });

  it('writes again, keeping their change, when another writer from an older read took it back out', async () => {
    // prepare: right after our write, another tool writes back what it read before it, plus a queue of its own
    const s3 = local();
    const theirs = SIEM.replace(
      '</NotificationConfiguration>',
      `${queueConfigurationXml('audit-copy', 'arn:aws:sqs:us-west-2:123456789012:audit-copy', 'copies/')}</NotificationConfiguration>`,
    );
    s3.afterPut = (bucket) => {
      s3.configuration.set(bucket, theirs);
      delete s3.afterPut;
    };

    // act
    const state = await ensureEventBridgeDelivery(api(), FAST);

    // assess
    const after = await api().get();
    expect([state, s3.puts.length]).toEqual(['enabled-by-stack', 2]);
    expect([after.EventBridgeConfiguration, after.QueueConfigurations?.map((queue) => queue.Id)]).toEqual([{}, ['siem-ingest', 'audit-copy']]);
  });

  it('gives up, saying why, when another writer keeps taking it out', async () => {
    // prepare
    const s3 = local();
    s3.afterPut = (bucket) => s3.configuration.set(bucket, SIEM);

    // act
    const enabling = ensureEventBridgeDelivery(api(), { ...FAST, attempts: 3 });

    // assess
    await expect(enabling).rejects.toBeInstanceOf(ConcurrentEditError);
    expect(s3.puts.length).toBe(3);
  });
});

describe('turning EventBridge delivery off', () => {
  it('keeps the bucket\'s other notifications exactly as they were', async () => {
    // prepare
    const others = await api().get();
    local().configuration.set(BUCKET, SIEM_WITH_EVENTBRIDGE);

    // act
    const result = await removeEventBridgeDelivery(api(), FAST);

    // assess
    expect([result, await api().get()]).toEqual(['removed', others]);
  });
});

/** A CloudFormation request for the resource, as CloudFormation sends it. */
function request(
  type: 'Create' | 'Update' | 'Delete',
  options: { bucket?: string; physicalId?: string; oldBucket?: string } = {},
): CloudFormationCustomResourceEvent {
  const properties = { ServiceToken: 'arn:aws:lambda:us-west-2:123456789012:function:delivery', BucketName: options.bucket ?? BUCKET, ExpectedBucketOwner: OWNER };
  const common = {
    ServiceToken: properties.ServiceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response-uswest2.s3.amazonaws.com/signed',
    StackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/TrailAudit/0b5e6a40-0000-11ef-8000-0a1b2c3d4e5f',
    RequestId: 'c7d1a4b2-1111-4e3b-9c2d-5e6f7a8b9c0d',
    LogicalResourceId: 'ProcessorEventBridgeDelivery2815395E',
    ResourceType: 'Custom::BucketEventBridgeDelivery',
    ResourceProperties: properties,
  };
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  const PhysicalResourceId = options.physicalId ?? `${BUCKET}/enabled-by-stack`;
  if (type === 'Delete') return { ...common, RequestType: 'Delete', PhysicalResourceId };
  return { ...common, RequestType: 'Update', PhysicalResourceId, OldResourceProperties: { ...properties, BucketName: options.oldBucket ?? BUCKET } };
}

/** Runs one request through the resource, answering into `sent`. */
async function run(event: CloudFormationCustomResourceEvent, sent: CustomResourceResponse[] = []): Promise<CustomResourceResponse> {
  return respondTo(
    event,
    (properties) => api(properties.BucketName, properties.ExpectedBucketOwner),
    (_url, response) => {
      sent.push(response);
      return Promise.resolve();
    },
    FAST,
  );
}

describe('the custom resource\'s lifecycle', () => {
  it('create: answers CloudFormation with the bucket and that it turned delivery on', async () => {
    // prepare
    const sent: CustomResourceResponse[] = [];

    // act
    await run(request('Create'), sent);

    // assess
    expect(sent).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: `${BUCKET}/enabled-by-stack`, RequestId: 'c7d1a4b2-1111-4e3b-9c2d-5e6f7a8b9c0d' }),
    ]);
  });

  it('delete: turns delivery off when this resource turned it on', async () => {
    // prepare
    await run(request('Create'));

    // act
    await run(request('Delete', { physicalId: `${BUCKET}/enabled-by-stack` }));

    // assess
    expect(local().configuration.get(BUCKET)).not.toContain('EventBridgeConfiguration');
    expect((await api().get()).QueueConfigurations?.map((queue) => queue.Id)).toEqual(['siem-ingest']);
  });

  it('delete: leaves delivery on, writing nothing, when it was on before the stack', async () => {
    // prepare
    local().configuration.set(BUCKET, SIEM_WITH_EVENTBRIDGE);
    const created = await run(request('Create'));

    // act
    await run(request('Delete', { physicalId: created.PhysicalResourceId }));

    // assess
    expect([created.PhysicalResourceId, local().puts.length, local().configuration.get(BUCKET)]).toEqual([
      `${BUCKET}/found-enabled`,
      0,
      SIEM_WITH_EVENTBRIDGE,
    ]);
  });

  it('update of the same bucket: keeps the ID, so CloudFormation does not delete (and turn off) the old one', async () => {
    // prepare
    local().configuration.set(BUCKET, SIEM_WITH_EVENTBRIDGE);

    // act
    const updated = await run(request('Update', { physicalId: `${BUCKET}/enabled-by-stack` }));

    // assess
    expect([updated.PhysicalResourceId, local().puts.length]).toEqual([`${BUCKET}/enabled-by-stack`, 0]);
  });

  it('update after someone turned delivery off: turns it on again and says so in a new ID', async () => {
    // act: the bucket has no EventBridge delivery, though the stack found it on when created
    const updated = await run(request('Update', { physicalId: `${BUCKET}/found-enabled` }));

    // assess
    expect([updated.PhysicalResourceId, (await api().get()).EventBridgeConfiguration]).toEqual([`${BUCKET}/enabled-by-stack`, {}]);
  });

  it('update to another bucket: turns it on there, with a new ID (the old bucket\'s is then deleted)', async () => {
    // act
    const updated = await run(request('Update', { bucket: OTHER_BUCKET, oldBucket: BUCKET, physicalId: `${BUCKET}/enabled-by-stack` }));

    // assess
    expect([updated.PhysicalResourceId, (await api(OTHER_BUCKET).get()).EventBridgeConfiguration]).toEqual([
      `${OTHER_BUCKET}/enabled-by-stack`,
      {},
    ]);
  });

  it('a failed create: answers FAILED with the error\'s name, and an ID its delete does nothing for', async () => {
    // prepare: the bucket belongs to another account
    const event = request('Create');
    const foreign = { ...event, ResourceProperties: { ...event.ResourceProperties, ExpectedBucketOwner: '999988887777' } };
    const failed = await run(foreign);

    // act
    await run(request('Delete', { physicalId: failed.PhysicalResourceId }));

    // assess
    expect([failed.Status, failed.Reason, local().puts.length]).toEqual(['FAILED', 'AccessDenied: Access Denied', 0]);
  });
});

describe('the response to CloudFormation', () => {
  it('is PUT to the presigned URL as JSON, with the empty content type the URL was signed for', async () => {
    // prepare: a local stand-in for the presigned S3 URL
    const received: { method?: string; contentType?: string; body: string }[] = [];
    const receiver = createServer((incoming, answer) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        received.push({ method: incoming.method, contentType: incoming.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        answer.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/signed?X-Amz-Signature=abc`;
    const response: CustomResourceResponse = {
      Status: 'SUCCESS',
      Reason: 'done',
      PhysicalResourceId: `${BUCKET}/found-enabled`,
      StackId: 'stack',
      RequestId: 'request',
      LogicalResourceId: 'logical',
    };

    // act
    try {
      await sendResponse(url, response);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }

    // assess
    expect(received.map((entry) => ({ ...entry, body: JSON.parse(entry.body) as unknown }))).toEqual([
      { method: 'PUT', contentType: '', body: response },
    ]);
  });
});

describe('the configuration kinds the resource writes back', () => {
  it('are every kind the bundled SDK\'s NotificationConfiguration declares (an SDK that adds one fails tsc here)', () => {
    // The kinds `otherConfigurations` copies, plus EventBridge. If an SDK update declares another kind, the type
    // below becomes `false` and `tsc --noEmit` fails: copy the new kind in the resource, then add it here.
    type Copied = 'TopicConfigurations' | 'QueueConfigurations' | 'LambdaFunctionConfigurations' | 'EventBridgeConfiguration';
    const everyKindCopied: [Exclude<keyof NotificationConfiguration, Copied>] extends [never] ? true : false = true;

    expect(everyKindCopied).toBe(true);
  });
});
