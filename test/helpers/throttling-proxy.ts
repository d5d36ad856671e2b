/**
 * A small HTTP proxy on 127.0.0.1 in front of DynamoDB Local that misbehaves like a throttled table: it answers
 * some BatchWriteItem calls with `ProvisionedThroughputExceededException`, and of the others forwards only the
 * first half of the items, returning the rest as `UnprocessedItems`. Every other request passes through untouched.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy did, so a test can show the injection happened. */
export interface ThrottlingStats {
  batchWrites: number;
  throttled: number;
  itemsWithheld: number;
}

/** A running proxy. */
export interface ThrottlingProxy {
  /** `http://127.0.0.1:PORT`: the endpoint to give the client under test. */
  readonly endpoint: string;
  readonly stats: ThrottlingStats;
  /** Stops the proxy and waits for it to close. */
  stop(): Promise<void>;
}

/** Options of {@link startThrottlingProxy}. */
export interface ThrottlingOptions {
  /**
   * Every n-th BatchWriteItem call is refused with ProvisionedThroughputExceededException.
   * @default 3
   */
  readonly throttleEvery?: number;
}

type WriteRequests = Record<string, unknown[]>;

/** Starts the proxy in front of `target` (a DynamoDB Local endpoint). */
export async function startThrottlingProxy(target: string, options: ThrottlingOptions = {}): Promise<ThrottlingProxy> {
  const upstream = new URL(target);
  const stats: ThrottlingStats = { batchWrites: 0, throttled: 0, itemsWithheld: 0 };
  const throttleEvery = options.throttleEvery ?? 3;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      let forwardBody = body;
      let withheld: WriteRequests | undefined;
      if (target.endsWith('.BatchWriteItem')) {
        stats.batchWrites += 1;
        if (stats.batchWrites % throttleEvery === 0) {
          stats.throttled += 1;
          const error = JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          });
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(error) });
          res.end(error);
          return;
        }
        const split = splitRequest(body);
        forwardBody = split.forward;
        withheld = split.withheld;
        stats.itemsWithheld += Object.values(withheld).reduce((sum, requests) => sum + requests.length, 0);
      }
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(forwardBody.length) };
      const upstreamResponse = await forward(upstream, req.method ?? 'POST', req.url ?? '/', headers, forwardBody);
      let responseBody = upstreamResponse.body;
      const responseHeaders = { ...upstreamResponse.headers };
      if (withheld !== undefined && upstreamResponse.status === 200) {
        const parsed = JSON.parse(responseBody.toString('utf8')) as { UnprocessedItems?: WriteRequests };
        const unprocessed: WriteRequests = { ...(parsed.UnprocessedItems ?? {}) };
        for (const [table, requests] of Object.entries(withheld)) {
          if (requests.length > 0) unprocessed[table] = [...(unprocessed[table] ?? []), ...requests];
        }
        responseBody = Buffer.from(JSON.stringify({ ...parsed, UnprocessedItems: unprocessed }));
        // The body changed: its checksum header no longer matches.
        delete responseHeaders['x-amz-crc32'];
      }
      delete responseHeaders['transfer-encoding'];
      responseHeaders['content-length'] = String(responseBody.length);
      res.writeHead(upstreamResponse.status, responseHeaders);
      res.end(responseBody);
    })().catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** Keeps the first half (rounded up) of each table's requests, withholds the rest. */
function splitRequest(body: Buffer): { forward: Buffer; withheld: WriteRequests } {
  const parsed = JSON.parse(body.toString('utf8')) as { RequestItems: WriteRequests };
  const forwardItems: WriteRequests = {};
  const withheld: WriteRequests = {};
  for (const [table, requests] of Object.entries(parsed.RequestItems)) {
    const keep = Math.ceil(requests.length / 2);
    forwardItems[table] = requests.slice(0, keep);
    withheld[table] = requests.slice(keep);
  }
  return { forward: Buffer.from(JSON.stringify({ ...parsed, RequestItems: forwardItems })), withheld };
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(
  upstream: URL,
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: upstream.hostname, port: upstream.port, method, path, headers },
      (response) => {
        readAll(response)
          .then((responseBody) =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: responseBody }),
          )
          .catch(reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
