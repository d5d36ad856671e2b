import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SQSBatchResponse } from 'aws-lambda';
import {
  EventStoreWriteError,
  type EventStore,
  type LogObjectSource,
  type Logger as HandlerLogger,
  type MessageRequeue,
  type Metrics as HandlerMetrics,
  type OpenedLogObject,
  type PutEventsResult,
} from '../../lambda/app/ports';
import { createHandler, ObjectsFailedError, type ProcessorDeps as HandlerDeps } from '../../lambda/app/processor';
import type { KeptEvent } from '../../lambda/core/pipeline';
import { configFromEnv, ConfigError, handler } from '../../lambda/handler';
import { FakeLedger, FakeStore } from '../helpers/fakes';
import { chunked, gzippedLogFile, record } from '../helpers/fixtures';
import { DELIVERY_SHAPES, eventBridgeBody, snsEnvelope, sqsEventIn } from '../helpers/notification-shapes';
import { S3_TEST_EVENT_BODY, s3Event, s3EventRecord, sqsEventOf } from '../helpers/s3-events';

const BUCKET = 'trail-audit-logs';
// Short, so that it fits in the excerpt V8 quotes from invalid JSON.
const SECRET = 'Zq7xK';

function logKey(name: string, prefix = ''): string {
  return `${prefix}AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/us-west-2/2026/11/20/123456789012_CloudTrail_us-west-2_20261120T1005Z_${name}.json.gz`;
}

/** A write event the pipeline keeps, carrying a secret in its parameters (which must never reach a log). */
function deleteCall(eventID: string): ReturnType<typeof record> {
  return record({
    eventID,
    eventName: 'DeleteLoadBalancer',
    readOnly: false,
    requestParameters: {
      loadBalancerArn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/${SECRET}/50dc6c495c0c9188`,
    },
  });
}

class FakeSource implements LogObjectSource {
  readonly objects = new Map<string, { bytes: Buffer; etag: string }>();
  readonly opened: string[] = [];

  put(key: string, bytes: Buffer, etag = `etag-${key.length}`): void {
    this.objects.set(`${BUCKET}/${key}`, { bytes, etag });
  }

  open(bucket: string, key: string): Promise<OpenedLogObject> {
    this.opened.push(key);
    const object = this.objects.get(`${bucket}/${key}`);
    if (object === undefined) {
      const error = new Error('The specified key does not exist.');
      error.name = 'NoSuchKey';
      return Promise.reject(error);
    }
    return Promise.resolve({ body: chunked(object.bytes, 256), etag: object.etag, size: object.bytes.length });
  }
}

/**
 * A store whose writes fail the way DynamoDBEventStore's do after its attempts run out: some items written, some
 * requests retried, then an {@link EventStoreWriteError} saying so.
 */
class FailingStore implements EventStore {
  constructor(private readonly written: { itemsWritten: number; retries: number }) {}

  putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult> {
    return Promise.reject(
      new EventStoreWriteError('items could not be written', {
        tableName: 'events',
        itemsWritten: this.written.itemsWritten,
        retries: this.written.retries,
        itemsFailed: 3,
        attempts: 10,
        eventIDs: events.map((kept) => kept.event.eventID),
      }),
    );
  }
}

/** A queue that records the bodies re-sent to it, or refuses them all with `failure`. */
class FakeRequeue implements MessageRequeue {
  readonly bodies: string[] = [];

  constructor(private readonly failure?: Error) {}

  requeue(body: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.bodies.push(body);
    return Promise.resolve();
  }
}

class RecordingLogger implements HandlerLogger {
  readonly lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];

  info(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, attributes });
  }

  warn(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, attributes });
  }

  error(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, attributes });
  }
}

class RecordingMetrics implements HandlerMetrics {
  readonly values = new Map<string, number>();
  published = 0;

  addMetric(name: string, _unit: 'Count', value: number): void {
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }

  publishStoredMetrics(): void {
    this.published += 1;
  }
}

/** A Lambda context with two minutes left until the source opens its first object, ten seconds after. */
function timeRunsShortAfterFirstObject(source: FakeSource): { getRemainingTimeInMillis(): number } {
  return { getRemainingTimeInMillis: () => (source.opened.length === 0 ? 120_000 : 10_000) };
}

function setup(config: Partial<HandlerDeps['config']> = {}): {
  deps: HandlerDeps;
  source: FakeSource;
  store: FakeStore;
  ledger: FakeLedger;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
} {
  const source = new FakeSource();
  const store = new FakeStore();
  const ledger = new FakeLedger();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const deps: HandlerDeps = {
    source,
    store,
    ledger,
    logger,
    metrics,
    config: { dropReadOnly: false, ...config },
    now: () => new Date('2026-11-20T10:30:00Z'),
  };
  return { deps, source, store, ledger, logger, metrics };
}

describe('createHandler with an SQS event', () => {
  it('processes every object of every message', async () => {
    // prepare
    const { deps, source, store } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    source.put(logKey('b'), gzippedLogFile([deleteCall('b-1')]));
    source.put(logKey('c'), gzippedLogFile([deleteCall('c-1')]));
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }, { bucket: BUCKET, key: logKey('b') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('c') }] },
    ]);

    // act
    const response = await createHandler(deps)(event);

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.eventIDs.sort()).toEqual(['a-1', 'b-1', 'c-1']);
  });

  it('reads the object under the URL-decoded key', async () => {
    // prepare: a space (sent as +), a literal + (sent as %2B) and unicode in the prefix
    const { deps, source } = setup();
    const key = logKey('a', 'audit logs/été+hiver/');
    source.put(key, gzippedLogFile([deleteCall('a-1')]));

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect(source.opened).toEqual([key]);
  });

  it('ignores an s3:TestEvent', async () => {
    // prepare
    const { deps, source } = setup();

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', body: S3_TEST_EVENT_BODY }]));

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(source.opened).toEqual([]);
  });

  it('reports only the message whose object failed', async () => {
    // prepare: object b does not exist
    const { deps, source, store } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    source.put(logKey('c'), gzippedLogFile([deleteCall('c-1')]));
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('b') }] },
      { id: 'm3', objects: [{ bucket: BUCKET, key: logKey('c') }] },
    ]);

    // act
    const response = await createHandler(deps)(event);

    // assess
    expect(response).toEqual<SQSBatchResponse>({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(store.eventIDs.sort()).toEqual(['a-1', 'c-1']);
  });

  it('fails the message of a corrupt gzip object and logs where decoding stopped', async () => {
    // prepare: a gzip stream cut in half
    const { deps, source, logger } = setup();
    const whole = gzippedLogFile(Array.from({ length: 50 }, (_, index) => deleteCall(`x-${index}`)));
    source.put(logKey('x'), whole.subarray(0, Math.floor(whole.length / 2)));

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('x') }] }]));

    // assess
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(logger.lines.find((line) => line.level === 'error')?.attributes).toMatchObject({
      bucket: BUCKET,
      key: logKey('x'),
      messageId: 'm1',
      errorName: 'LogDecodeError',
      byteOffset: expect.any(Number) as number,
    });
  });

  it('never logs record content, even of a record that does not parse', async () => {
    // prepare: a file whose second record is broken JSON around the secret
    const { deps, source, logger } = setup();
    // (it names the ELB event source, so the pipeline's pre-filter does not skip it unparsed)
    const broken = `{"eventSource":"elasticloadbalancing.amazonaws.com","eventID": ${SECRET}-broken}`;
    const text = `{"Records":[${JSON.stringify(deleteCall('ok-1'))},${broken}]}`;
    source.put(logKey('broken'), gzipSync(text));
    source.put(logKey('good'), gzippedLogFile([deleteCall('ok-2')]));
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('broken') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('good') }] },
    ]);

    // act
    await createHandler(deps)(event);

    // assess
    expect(logger.lines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(logger.lines)).not.toContain(SECRET);
  });

  it('skips a digest file without reading it', async () => {
    // prepare
    const { deps, source, metrics } = setup();
    const key =
      'AWSLogs/123456789012/CloudTrail-Digest/us-west-2/2026/11/20/123456789012_CloudTrail-Digest_us-west-2_t_us-west-2_20261120T100000Z.json.gz';

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect(source.opened).toEqual([]);
    expect(metrics.values.get('FilesSkipped.digest-file')).toBe(1);
  });

  it('records a processed object in the ledger, with the SHA-256 of its decompressed bytes', async () => {
    // prepare
    const { deps, source, ledger } = setup();
    const bytes = gzippedLogFile([deleteCall('a-1'), deleteCall('a-2')]);
    source.put(logKey('a'), bytes, 'etag-a');

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a'), eTag: 'etag-a' }] }]));

    // assess
    expect(ledger.entries.get(`s3://${BUCKET}/${logKey('a')}`)).toEqual({
      objectId: `s3://${BUCKET}/${logKey('a')}`,
      fingerprint: 'etag-a',
      events: 2,
      processedAt: '2026-11-20T10:30:00.000Z',
      sha256: createHash('sha256').update(gunzipSync(bytes)).digest('hex'),
    });
  });

  it('skips an object the ledger holds with the same ETag', async () => {
    // prepare
    const { deps, source, ledger, metrics } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]), 'etag-a');
    const objectId = `s3://${BUCKET}/${logKey('a')}`;
    await ledger.put({ objectId, fingerprint: 'etag-a', events: 1, processedAt: '2026-11-20T10:00:00Z' });

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a'), eTag: 'etag-a' }] }]));

    // assess
    expect(source.opened).toEqual([]);
    expect(metrics.values.get('FilesSkipped.already-processed')).toBe(1);
  });

  it('writes in batches as events flow', async () => {
    // prepare
    const { deps, source, store } = setup({ flushEvents: 2 });
    source.put(logKey('a'), gzippedLogFile(Array.from({ length: 5 }, (_, index) => deleteCall(`a-${index}`))));

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(store.batches).toEqual([['a-0', 'a-1'], ['a-2', 'a-3'], ['a-4']]);
  });

  it('emits file, record and event counts once per invocation', async () => {
    // prepare: one kept event, one read-only call dropped, one other service
    const { deps, source, metrics } = setup({ dropReadOnly: true });
    source.put(
      logKey('a'),
      gzippedLogFile([deleteCall('a-1'), record({ eventID: 'a-2' }), record({ eventID: 'a-3', eventSource: 's3.amazonaws.com' })]),
    );

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(Object.fromEntries(metrics.values)).toMatchObject({
      FilesProcessed: 1,
      RecordsRead: 3,
      EventsStored: 1,
      RecordsSkipped: 2,
      'RecordsSkipped.read-only-dropped': 1,
      'RecordsSkipped.other-service': 1,
    });
    expect(metrics.published).toBe(1);
  });

  it('fails a message whose body is not an S3 notification', async () => {
    // prepare
    const { deps } = setup();

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', body: '{"Records":[{"s3":{}}]}' }]));

    // assess
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('without a requeue port, returns messages it has no time left to start as failures, unread', async () => {
    // prepare
    const { deps, source } = setup({ minRemainingMs: 30_000 });
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    source.put(logKey('b'), gzippedLogFile([deleteCall('b-1')]));
    const context = timeRunsShortAfterFirstObject(source);
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('b') }] },
    ]);

    // act
    const response = await createHandler(deps)(event, context);

    // assess
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(source.opened).toEqual([logKey('a')]);
  });

  it('re-sends a message it has no time left to start and reports the original as done', async () => {
    // prepare
    const { deps, source } = setup({ minRemainingMs: 30_000 });
    const requeue = new FakeRequeue();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    source.put(logKey('b'), gzippedLogFile([deleteCall('b-1')]));
    const context = timeRunsShortAfterFirstObject(source);
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('b') }] },
    ]);

    // act
    const response = await createHandler({ ...deps, requeue })(event, context);

    // assess
    expect({ response, requeued: requeue.bodies, opened: source.opened }).toEqual({
      response: { batchItemFailures: [] },
      requeued: [event.Records[1]?.body],
      opened: [logKey('a')],
    });
  });

  it('returns a deferred message as a batch item failure when its re-send fails, and logs why', async () => {
    // prepare
    const { deps, source, logger } = setup({ minRemainingMs: 30_000 });
    const throttled = new Error('Rate exceeded');
    throttled.name = 'ThrottlingException';
    const requeue = new FakeRequeue(throttled);
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    const context = timeRunsShortAfterFirstObject(source);
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('b') }] },
    ]);

    // act
    const response = await createHandler({ ...deps, requeue })(event, context);

    // assess
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(logger.lines.filter((line) => line.level === 'error').map((line) => line.attributes)).toEqual([
      expect.objectContaining({ messageId: 'm2', errorName: 'ThrottlingException' }),
    ]);
  });

  it('counts deferred and requeued messages', async () => {
    // prepare: three messages, time runs short after the first
    const { deps, source, metrics } = setup({ minRemainingMs: 30_000 });
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    const context = timeRunsShortAfterFirstObject(source);
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('b') }] },
      { id: 'm3', objects: [{ bucket: BUCKET, key: logKey('c') }] },
    ]);

    // act
    await createHandler({ ...deps, requeue: new FakeRequeue() })(event, context);

    // assess
    expect(Object.fromEntries(metrics.values)).toMatchObject({ MessagesDeferred: 2, MessagesRequeued: 2 });
  });

  it('always starts the first message, even with less time left than the margin', async () => {
    // prepare: a function whose timeout is below minRemainingMs would otherwise re-send every message forever
    const { deps, source } = setup({ minRemainingMs: 30_000 });
    const requeue = new FakeRequeue();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    source.put(logKey('b'), gzippedLogFile([deleteCall('b-1')]));
    const context = { getRemainingTimeInMillis: () => 10_000 };
    const event = sqsEventOf([
      { id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] },
      { id: 'm2', objects: [{ bucket: BUCKET, key: logKey('b') }] },
    ]);

    // act
    await createHandler({ ...deps, requeue })(event, context);

    // assess
    expect({ opened: source.opened, requeued: requeue.bodies }).toEqual({
      opened: [logKey('a')],
      requeued: [event.Records[1]?.body],
    });
  });

  it('passes kept events to observers', async () => {
    // prepare
    const { deps, source } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    const seen: string[] = [];
    const handler = createHandler({ ...deps, observers: [{ onEvent: (kept) => void seen.push(kept.event.eventID) }] });

    // act
    await handler(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(seen).toEqual(['a-1']);
  });

  it('hands observers every record their pre-filter accepts, of any service', async () => {
    // prepare
    const { deps, source } = setup();
    const iamCall = record({ eventID: 'iam-1', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' });
    const s3Call = record({ eventID: 's3-1', eventSource: 's3.amazonaws.com', eventName: 'CreateBucket' });
    source.put(logKey('a'), gzippedLogFile([iamCall, s3Call, deleteCall('a-1')]));
    const seen: string[] = [];
    const observer = {
      mayMatch: (text: string) => text.includes('iam.amazonaws.com'),
      onRecord: (r: { eventID: string }) => void seen.push(r.eventID),
    };
    const handler = createHandler({ ...deps, observers: [observer] });

    // act
    await handler(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(seen).toEqual(['iam-1', 'a-1']);
  });
});

describe('createHandler metrics', () => {
  it('counts stored events per service and the records kept', async () => {
    // prepare: an ELBv2 deletion, a classic ELB deletion, and the same ELBv2 deletion again (a duplicate)
    const { deps, source, metrics } = setup();
    const v2 = deleteCall('v2-1');
    const classic = record({
      eventID: 'classic-1',
      eventName: 'DeleteLoadBalancer',
      apiVersion: '2012-06-01',
      readOnly: false,
      requestParameters: { loadBalancerName: 'web' },
    });
    source.put(logKey('a'), gzippedLogFile([v2, classic, v2]));

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(Object.fromEntries(metrics.values)).toMatchObject({
      EventsStored: 2,
      'EventsStored.elbv2': 1,
      'EventsStored.elb': 1,
      RecordsKept: 2,
      'RecordsSkipped.duplicate-event': 1,
    });
  });

  it('does not count as stored the events of a write that failed', async () => {
    // prepare
    const { deps, source, metrics } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    const handler = createHandler({ ...deps, store: new FailingStore({ itemsWritten: 0, retries: 0 }) });

    // act
    await handler(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect([metrics.values.get('EventsStored'), metrics.values.get('EventsStored.elbv2'), metrics.values.get('RecordsKept')]).toEqual([
      undefined,
      undefined,
      1,
    ]);
  });

  it('counts the items a failed write stored and the retries it made', async () => {
    // prepare: the store's error says what the failed call wrote and retried
    const { deps, source, metrics } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1'), deleteCall('a-2')]));
    const store = new FailingStore({ itemsWritten: 7, retries: 4 });
    const handler = createHandler({ ...deps, store });

    // act
    const response = await handler(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect([response?.batchItemFailures, metrics.values.get('ItemsWritten'), metrics.values.get('WriteRetries')]).toEqual([
      [{ itemIdentifier: 'm1' }],
      7,
      4,
    ]);
  });

  it('counts the retries a successful write reports', async () => {
    // prepare
    const { deps, source, metrics } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));
    const store: EventStore = {
      putEvents: (events) => Promise.resolve({ itemsWritten: events.length * 5, retries: 2 }),
    };

    // act
    await createHandler({ ...deps, store })(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(metrics.values.get('WriteRetries')).toBe(2);
  });

  it('counts an operation the resource table does not know', async () => {
    // prepare
    const { deps, source, metrics } = setup();
    source.put(
      logKey('a'),
      gzippedLogFile([record({ eventID: 'future-1', eventName: 'FutureOperation', apiVersion: '2015-12-01', readOnly: false })]),
    );

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(metrics.values.get('UnknownOperations')).toBe(1);
  });
});

describe('createHandler key routing', () => {
  it('processes a log file of a region whose name the strict pattern missed', async () => {
    // prepare
    const { deps, source, store } = setup();
    const key =
      'AWSLogs/123456789012/CloudTrail/eusc-de-east-1/2026/11/20/123456789012_CloudTrail_eusc-de-east-1_20261120T1005Z_a.json.gz';
    source.put(key, gzippedLogFile([deleteCall('eusc-1')]));

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect(store.eventIDs).toEqual(['eusc-1']);
  });

  it('warns about a key under a CloudTrail folder without its layout, and counts it', async () => {
    // prepare: a CloudTrail folder copied without its AWSLogs/ parent
    const { deps, source, logger, metrics } = setup();
    const key = 'copied/CloudTrail/us-west-2/2026/11/20/123456789012_CloudTrail_us-west-2_20261120T1005Z_a.json.gz';
    source.put(key, gzippedLogFile([deleteCall('copied-1')]));

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect({
      opened: source.opened,
      warned: logger.lines.filter((line) => line.level === 'warn').map((line) => line.attributes.key),
      unrecognised: metrics.values.get('FilesUnrecognised'),
    }).toEqual({ opened: [], warned: [key], unrecognised: 1 });
  });

  it('skips a key outside any CloudTrail folder at INFO, without counting it as unrecognised', async () => {
    // prepare
    const { deps, logger, metrics } = setup();
    const key = 'AWSLogs/123456789012/elasticloadbalancing/us-west-2/2026/11/20/access.log.gz';

    // act
    await createHandler(deps)(sqsEventOf([{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect([logger.lines.map((line) => line.level), metrics.values.get('FilesUnrecognised')]).toEqual([['info'], undefined]);
  });

  it('names the raw key in the error log of a key that is not valid URL encoding', async () => {
    // prepare: a notification whose key has a cut-off percent sequence
    const { deps, logger } = setup();
    const rawKey = 'AWSLogs/123456789012/CloudTrail/bad%E0%A4%A.json.gz';
    const notified = s3EventRecord({ bucket: BUCKET, key: 'placeholder' });
    const body = JSON.stringify({ Records: [{ ...notified, s3: { ...notified.s3, object: { ...notified.s3.object, key: rawKey } } }] });

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', body }]));

    // assess
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(logger.lines.find((line) => line.level === 'error')?.attributes).toMatchObject({
      bucket: BUCKET,
      key: rawKey,
      errorName: 'ObjectKeyError',
    });
  });
});

describe('createHandler with each notification shape', () => {
  it.each(DELIVERY_SHAPES)('%s: reads the object under its key as stored, a space and a + kept apart', async (shape) => {
    // prepare
    const { deps, source, store } = setup();
    const key = logKey('a', 'audit logs/été+hiver/');
    source.put(key, gzippedLogFile([deleteCall('a-1')]));

    // act
    const response = await createHandler(deps)(sqsEventIn(shape, [{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect([response, source.opened, store.eventIDs]).toEqual([{ batchItemFailures: [] }, [key], ['a-1']]);
  });

  it.each(DELIVERY_SHAPES)('%s: routes a digest file to the service, which skips it as a digest', async (shape) => {
    // prepare
    const { deps, source, metrics } = setup();
    const key =
      'AWSLogs/123456789012/CloudTrail-Digest/us-west-2/2026/11/20/123456789012_CloudTrail-Digest_us-west-2_t_us-west-2_20261120T100000Z.json.gz';

    // act
    await createHandler(deps)(sqsEventIn(shape, [{ id: 'm1', objects: [{ bucket: BUCKET, key }] }]));

    // assess
    expect([source.opened, metrics.values.get('FilesSkipped.digest-file')]).toEqual([[], 1]);
  });

  it.each(DELIVERY_SHAPES)('%s: logs which shape named the object', async (shape) => {
    // prepare
    const { deps, source, logger } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));

    // act
    await createHandler(deps)(sqsEventIn(shape, [{ id: 'm1', objects: [{ bucket: BUCKET, key: logKey('a') }] }]));

    // assess
    expect(logger.lines.find((line) => line.message === 'log object processed')?.attributes.notification).toBe(
      shape.startsWith('cloudtrail-sns') ? 'cloudtrail-sns' : shape,
    );
  });

  it('skips an EventBridge event that is not an object creation, unread', async () => {
    // prepare
    const { deps, source, metrics } = setup();
    const body = eventBridgeBody({ bucket: BUCKET, key: logKey('a') }, 'Object Deleted');

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', body }]));

    // assess
    expect([response, source.opened, metrics.values.get('FilesSkipped.not-object-created')]).toEqual([
      { batchItemFailures: [] },
      [],
      1,
    ]);
  });

  it('lets an SNS subscription confirmation go with a warning naming the topic, and reads nothing', async () => {
    // prepare
    const { deps, source, logger } = setup();
    const body = snsEnvelope('You have chosen to subscribe to the topic', { Type: 'SubscriptionConfirmation' });

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', body }]));

    // assess
    expect([response, source.opened]).toEqual([{ batchItemFailures: [] }, []]);
    expect(logger.lines.find((line) => line.level === 'warn')?.attributes).toMatchObject({
      messageId: 'm1',
      snsType: 'SubscriptionConfirmation',
      topicArn: expect.stringMatching(/^arn:aws:sns:/) as unknown,
    });
  });

  const malformed: readonly [string, string][] = [
    ['S3 notification', JSON.stringify({ Records: [{ s3: { bucket: { name: SECRET } } }] })],
    ['EventBridge event', JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { object: { key: SECRET } } })],
    ['CloudTrail notification in an SNS envelope', snsEnvelope(JSON.stringify({ s3Bucket: SECRET, s3ObjectKey: 'not-a-list' }))],
    ['CloudTrail notification, raw delivery', JSON.stringify({ s3Bucket: SECRET })],
  ];

  it.each(malformed)('a malformed %s: fails the message, counts it invalid, names it without content', async (_shape, body) => {
    // prepare
    const { deps, logger, metrics } = setup();

    // act
    const response = await createHandler(deps)(sqsEventOf([{ id: 'm1', body }]));

    // assess
    expect([response, metrics.values.get('MessagesInvalid')]).toEqual([{ batchItemFailures: [{ itemIdentifier: 'm1' }] }, 1]);
    expect(logger.lines.find((line) => line.level === 'error')?.attributes).toMatchObject({
      messageId: 'm1',
      errorName: 'NotificationError',
    });
    expect(JSON.stringify(logger.lines)).not.toContain(SECRET);
  });
});

describe('createHandler with a direct S3 event', () => {
  it('tries every record, then throws naming the failed objects', async () => {
    // prepare: the first object is missing
    const { deps, source, store } = setup();
    source.put(logKey('b'), gzippedLogFile([deleteCall('b-1')]));
    const event = s3Event([
      { bucket: BUCKET, key: logKey('a') },
      { bucket: BUCKET, key: logKey('b') },
    ]);

    // act
    const invocation = createHandler(deps)(event);

    // assess
    await expect(invocation).rejects.toBeInstanceOf(ObjectsFailedError);
    expect(store.eventIDs).toEqual(['b-1']);
  });

  it('resolves when every record succeeds', async () => {
    // prepare
    const { deps, source, store } = setup();
    source.put(logKey('a'), gzippedLogFile([deleteCall('a-1')]));

    // act
    const response = await createHandler(deps)(s3Event([{ bucket: BUCKET, key: logKey('a') }]));

    // assess
    expect(response).toBeUndefined();
    expect(store.eventIDs).toEqual(['a-1']);
  });
});

describe('handler (production wiring)', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  it('starts from the environment alone and answers an s3:TestEvent with no failed message', async () => {
    // prepare
    process.env = { ...saved, TABLE_NAME: 'events', DROP_READ_ONLY: 'false', AWS_REGION: 'us-west-2' };
    delete process.env.ALERT_TOPIC_ARN;

    // act
    const response = await handler(sqsEventOf([{ id: 'm1', body: S3_TEST_EVENT_BODY }]));

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe('configFromEnv', () => {
  it('reads table, read-only switch and retention', () => {
    // act
    const config = configFromEnv({ TABLE_NAME: 't', DROP_READ_ONLY: 'true', RETENTION_DAYS: '365' });

    // assess
    expect(config).toEqual({ tableName: 't', dropReadOnly: true, retentionDays: 365 });
  });

  it('reads the queue deferred messages are re-sent to', () => {
    // prepare
    const queueUrl = 'https://sqs.us-west-2.amazonaws.com/123456789012/TrailAudit-ProcessorQueue';

    // act
    const config = configFromEnv({ TABLE_NAME: 't', QUEUE_URL: queueUrl });

    // assess
    expect(config.queueUrl).toBe(queueUrl);
  });

  it('rejects a queue URL that is not an https URL', () => {
    // act
    const reading = (): unknown => configFromEnv({ TABLE_NAME: 't', QUEUE_URL: 'TrailAudit-ProcessorQueue' });

    // assess
    expect(reading).toThrow(/QUEUE_URL/);
  });

  it('keeps read-only events and sets no retention by default', () => {
    // act
    const config = configFromEnv({ TABLE_NAME: 't' });

    // assess
    expect(config).toEqual({ tableName: 't', dropReadOnly: false });
  });

  it('rejects a missing table name', () => {
    // act
    const reading = (): unknown => configFromEnv({});

    // assess
    expect(reading).toThrow(ConfigError);
  });

  it('rejects a retention that is not a whole number of days', () => {
    // act
    const reading = (): unknown => configFromEnv({ TABLE_NAME: 't', RETENTION_DAYS: '1.5' });

    // assess
    expect(reading).toThrow(/RETENTION_DAYS/);
  });
});
