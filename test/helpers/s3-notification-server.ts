/**
 * A local HTTP server answering the two S3 calls of a bucket's notification configuration as S3 does, for the
 * EventBridge delivery custom resource's tests: s3rver does not implement them (it answers NotImplemented), so the
 * real SDK client talks to this instead, with only its endpoint changed.
 *
 * Like S3: `PUT /BUCKET?notification` replaces the whole configuration with the XML document sent, `GET` returns the
 * document held (an empty `NotificationConfiguration` at first), and a request whose `x-amz-expected-bucket-owner`
 * is not the bucket's owner is refused with `AccessDenied`. Tests can hold the configuration themselves
 * ({@link NotificationServer.configuration}) and act as another writer after each write ({@link NotificationServer.afterPut}).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>';

/** One write the server accepted. */
export interface RecordedPut {
  readonly bucket: string;
  readonly body: string;
  readonly skipDestinationValidation: string | undefined;
  readonly expectedBucketOwner: string | undefined;
}

/** A running notification-configuration server and a client of it. */
export interface NotificationServer {
  readonly client: S3Client;
  /** The XML document each bucket holds. */
  readonly configuration: Map<string, string>;
  /** Every write, in order. */
  readonly puts: RecordedPut[];
  /** Called after each accepted write: another writer acting in between (may change `configuration`). */
  afterPut?: (bucket: string) => void;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with the buckets, all owned by `owner`. */
export async function startNotificationServer(buckets: readonly string[], owner: string): Promise<NotificationServer> {
  const state: NotificationServer = {
    client: undefined as unknown as S3Client,
    configuration: new Map(buckets.map((bucket) => [bucket, EMPTY])),
    puts: [],
    stop: () => Promise.resolve(),
  };
  const server = createServer((request, response) => {
    void answer(state, owner, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  Object.assign(state, {
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  });
  return state;
}

async function answer(state: NotificationServer, owner: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const bucket = url.pathname.split('/')[1] ?? '';
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const expectedOwner = header(request, 'x-amz-expected-bucket-owner');
  if (!url.searchParams.has('notification')) return error(response, 501, 'NotImplemented', 'only ?notification');
  if (!state.configuration.has(bucket)) return error(response, 404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (expectedOwner !== undefined && expectedOwner !== owner) return error(response, 403, 'AccessDenied', 'Access Denied');
  if (request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'application/xml' }).end(state.configuration.get(bucket));
    return;
  }
  if (request.method === 'PUT') {
    state.configuration.set(bucket, body);
    state.puts.push({
      bucket,
      body,
      skipDestinationValidation: header(request, 'x-amz-skip-destination-validation'),
      expectedBucketOwner: expectedOwner,
    });
    state.afterPut?.(bucket);
    response.writeHead(200).end();
    return;
  }
  error(response, 405, 'MethodNotAllowed', 'The specified method is not allowed');
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function error(response: ServerResponse, status: number, code: string, message: string): void {
  response
    .writeHead(status, { 'content-type': 'application/xml' })
    .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** A notification configuration document as S3 holds it, from its inner XML. */
export function configurationXml(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</NotificationConfiguration>`;
}

/** A queue configuration element, as S3 returns one. */
export function queueConfigurationXml(id: string, queueArn: string, prefix: string): string {
  return (
    `<QueueConfiguration><Id>${id}</Id><Queue>${queueArn}</Queue><Event>s3:ObjectCreated:*</Event>` +
    `<Filter><S3Key><FilterRule><Name>Prefix</Name><Value>${prefix}</Value></FilterRule>` +
    `<FilterRule><Name>Suffix</Name><Value>.json.gz</Value></FilterRule></S3Key></Filter></QueueConfiguration>`
  );
}
