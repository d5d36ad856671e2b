/**
 * A fake of CloudTrail Event history on 127.0.0.1, speaking the services' own wire protocols so the code under test
 * uses the real SDK clients with nothing but an endpoint override (`AWS_ENDPOINT_URL_CLOUDTRAIL`,
 * `AWS_ENDPOINT_URL_ACCOUNT`): no local server emulates LookupEvents, so this one behaves like the service where it
 * matters to a reader of it.
 *
 * - CloudTrail `LookupEvents` (JSON 1.1, `X-Amz-Target: CloudTrail_20131101.LookupEvents`): one `EventSource`
 *   lookup attribute, `StartTime`/`EndTime` inclusive, newest first, pages of at most `MaxResults` (50) and at most
 *   the fake's `pageSize`, an opaque `NextToken` valid only with the same parameters (else
 *   `InvalidNextTokenException`), and `ThrottlingException` beyond two calls per second per region.
 * - Account Management `ListRegions` (REST JSON, `POST /listRegions`) with `RegionOptStatusContains`.
 * - The region of a call is the one it is signed for (the SigV4 credential scope), as each regional endpoint serves
 *   its own region's Event history.
 *
 * Tests script failures: a region that refuses (`AccessDeniedException`), one call that fails, throttling.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { readBody, sendJson, signedRegion } from './aws-json-wire';
import { startServers } from './servers';

/** An event the fake's Event history holds. */
export interface FakeEvent {
  /** The region whose Event history holds it. */
  readonly region: string;
  /** The record, as a log file would hold it (`eventID`, `eventTime`, `eventSource` at least). */
  readonly record: Record<string, unknown>;
  /** The `CloudTrailEvent` text to answer instead of the record's JSON (a malformed entry). */
  readonly cloudTrailEvent?: string;
}

/** One LookupEvents call the fake received. */
export interface LookupCall {
  readonly region: string;
  /** When it arrived (epoch ms). */
  readonly at: number;
  readonly eventSource: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly nextToken?: string;
  /** What the fake answered: `ok` or the error type. */
  readonly answer: string;
}

/** A region as ListRegions answers it. */
export interface FakeRegion {
  readonly name: string;
  readonly status: 'ENABLED' | 'ENABLED_BY_DEFAULT' | 'DISABLED' | 'ENABLING' | 'DISABLING';
}

/** The fake's scripted failures. */
export interface FakeFailures {
  /** Regions whose every call is refused with this error type (e.g. `AccessDeniedException`). */
  readonly refuse?: ReadonlyMap<string, string>;
  /**
   * Called before each LookupEvents call is answered (after the rate check): return an error type to fail it
   * (e.g. `InvalidParameterException`, `ThrottlingException`), or undefined to answer it.
   */
  fail?(call: Omit<LookupCall, 'answer' | 'at'>, index: number): string | undefined;
}

/** A running fake. */
export interface FakeEventHistory {
  /** `http://127.0.0.1:PORT`: for both `AWS_ENDPOINT_URL_CLOUDTRAIL` and `AWS_ENDPOINT_URL_ACCOUNT`. */
  readonly endpoint: string;
  /** Event history, per region; tests add and remove events. */
  readonly events: FakeEvent[];
  /** Every LookupEvents call, in arrival order. */
  readonly calls: LookupCall[];
  /** The account's regions. */
  regions: FakeRegion[];
  /** The largest page the fake returns (the service's is 50). */
  pageSize: number;
  failures: FakeFailures;
  /** Back to a fresh account: no events, no calls, no failures, pages of 50, the rate limit's tokens refilled. */
  reset(regions?: readonly string[]): void;
  /** Stops the server and waits for it to close. */
  stop(): Promise<void>;
}

/** LookupEvents' rate: calls per second per region beyond which the fake throttles. */
const RATE_PER_SECOND = 2;

/** Starts a fake with the given regions (all enabled by default). */
export async function startFakeEventHistory(options: { regions?: readonly string[] } = {}): Promise<FakeEventHistory> {
  const enabled = (names: readonly string[]): FakeRegion[] => names.map((name) => ({ name, status: 'ENABLED_BY_DEFAULT' }));
  const fake: FakeEventHistory = {
    endpoint: '',
    events: [],
    calls: [],
    regions: enabled(options.regions ?? ['us-east-1', 'eu-west-1']),
    pageSize: 50,
    failures: {},
    reset(regions = options.regions ?? ['us-east-1', 'eu-west-1']) {
      fake.events.length = 0;
      fake.calls.length = 0;
      fake.regions = enabled(regions);
      fake.pageSize = 50;
      fake.failures = {};
      buckets.delete(fake);
    },
    stop: () => Promise.resolve(),
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then(
      (body) => {
        try {
          answer(fake, request, body, response);
        } catch (error) {
          sendJson(response, 500, { __type: 'InternalFailure', message: String(error) });
        }
      },
      () => sendJson(response, 400, { __type: 'SerializationException', message: 'unreadable body' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  });
}

function answer(fake: FakeEventHistory, request: IncomingMessage, body: string, response: ServerResponse): void {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (request.method === 'POST' && request.url === '/listRegions') {
    const input = JSON.parse(body === '' ? '{}' : body) as { RegionOptStatusContains?: string[] };
    const wanted = input.RegionOptStatusContains;
    sendJson(response, 200, {
      Regions: fake.regions
        .filter((region) => wanted === undefined || wanted.includes(region.status))
        .map((region) => ({ RegionName: region.name, RegionOptStatus: region.status })),
    });
    return;
  }
  if (target !== 'CloudTrail_20131101.LookupEvents') {
    sendJson(response, 400, { __type: 'UnknownOperationException', message: `the fake does not serve '${target}'` });
    return;
  }
  lookupEvents(fake, signedRegion(request), JSON.parse(body) as LookupInput, response);
}

interface LookupInput {
  readonly LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
  readonly StartTime?: number;
  readonly EndTime?: number;
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

function lookupEvents(fake: FakeEventHistory, region: string, input: LookupInput, response: ServerResponse): void {
  const at = Date.now();
  const attribute = input.LookupAttributes?.[0];
  const eventSource = attribute?.AttributeKey === 'EventSource' ? attribute.AttributeValue : '';
  const startTime = Math.round((input.StartTime ?? 0) * 1000);
  const endTime = Math.round((input.EndTime ?? at / 1000) * 1000);
  const call = { region, eventSource, startTime, endTime, ...(input.NextToken === undefined ? {} : { nextToken: input.NextToken }) };
  const fail = (type: string, status = 400): void => {
    fake.calls.push({ ...call, at, answer: type });
    sendJson(response, status, { __type: type, message: `${type} (fake)` });
  };
  if (!takeToken(fake, region, at)) return fail('ThrottlingException');
  const refused = fake.failures.refuse?.get(region);
  if (refused !== undefined) return fail(refused);
  const scripted = fake.failures.fail?.(call, fake.calls.length);
  if (scripted !== undefined) return fail(scripted);
  if ((input.LookupAttributes?.length ?? 0) > 1) return fail('InvalidLookupAttributesException');
  if (startTime > endTime) return fail('InvalidTimeRangeException');

  const matching = fake.events
    .filter((event) => event.region === region && (eventSource === '' || event.record.eventSource === eventSource))
    .map((event) => ({ event, time: Date.parse(String(event.record.eventTime)) }))
    .filter(({ time }) => time >= startTime && time <= endTime)
    .sort((a, b) => b.time - a.time || String(b.event.record.eventID).localeCompare(String(a.event.record.eventID)));
  const parameters = JSON.stringify({ region, eventSource, startTime, endTime });
  let offset = 0;
  if (input.NextToken !== undefined) {
    const token = decodeToken(input.NextToken);
    if (token === undefined || token.parameters !== parameters) return fail('InvalidNextTokenException');
    offset = token.offset;
  }
  const size = Math.min(input.MaxResults ?? 50, 50, fake.pageSize);
  const page = matching.slice(offset, offset + size);
  const next = offset + size < matching.length ? encodeToken({ parameters, offset: offset + size }) : undefined;
  fake.calls.push({ ...call, at, answer: 'ok' });
  sendJson(response, 200, {
    Events: page.map(({ event, time }) => ({
      EventId: String(event.record.eventID),
      EventName: String(event.record.eventName),
      EventSource: String(event.record.eventSource),
      EventTime: time / 1000,
      ReadOnly: event.record.readOnly === true ? 'true' : 'false',
      CloudTrailEvent: event.cloudTrailEvent ?? JSON.stringify(event.record),
      Resources: [],
    })),
    ...(next === undefined ? {} : { NextToken: next }),
  });
}

/** Token buckets per region: {@link RATE_PER_SECOND} tokens, refilled at that rate, as rate limits are enforced. */
const buckets = new WeakMap<FakeEventHistory, Map<string, { tokens: number; at: number }>>();

function takeToken(fake: FakeEventHistory, region: string, at: number): boolean {
  const regions = buckets.get(fake) ?? new Map<string, { tokens: number; at: number }>();
  buckets.set(fake, regions);
  const bucket = regions.get(region) ?? { tokens: RATE_PER_SECOND, at };
  const tokens = Math.min(RATE_PER_SECOND, bucket.tokens + ((at - bucket.at) / 1000) * RATE_PER_SECOND);
  const taken = tokens >= 1;
  regions.set(region, { tokens: taken ? tokens - 1 : tokens, at });
  return taken;
}

function encodeToken(token: { parameters: string; offset: number }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeToken(text: string): { parameters: string; offset: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as { parameters?: unknown; offset?: unknown };
    return typeof value.parameters === 'string' && typeof value.offset === 'number'
      ? { parameters: value.parameters, offset: value.offset }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The most calls of one region within any one second (the pacing a test checks). */
export function maxCallsPerSecond(calls: readonly LookupCall[], region: string): number {
  const times = calls.filter((call) => call.region === region).map((call) => call.at);
  let most = 0;
  for (const [index, start] of times.entries()) {
    most = Math.max(most, times.slice(index).filter((time) => time - start < 1000).length);
  }
  return most;
}

/** The servers an Event-history integration test runs: the fake and DynamoDB Local. */
export interface EventHistoryServers {
  fake?: FakeEventHistory;
  server?: DynamoDBLocalServer;
}

/**
 * Starts the fake (two enabled regions, us-east-1 and eu-west-1) and DynamoDB Local into `into` — each kept as soon
 * as it is up, so the test's afterAll stops whichever started — then sets `credentials` and points the SDK's
 * CloudTrail and Account clients at the fake, the standard way (`AWS_ENDPOINT_URL_CLOUDTRAIL`,
 * `AWS_ENDPOINT_URL_ACCOUNT`). The caller restores `process.env`.
 */
export async function startEventHistoryServers(
  into: EventHistoryServers,
  credentials: Readonly<Record<string, string>>,
): Promise<{ fake: FakeEventHistory; server: DynamoDBLocalServer }> {
  await startServers([
    startFakeEventHistory({ regions: ['us-east-1', 'eu-west-1'] }).then((started) => {
      into.fake = started;
    }),
    startDynamoDBLocal().then((started) => {
      into.server = started;
    }),
  ]);
  const { fake, server } = into;
  if (fake === undefined || server === undefined) throw new Error('the fake or DynamoDB Local did not start');
  Object.assign(process.env, credentials, { AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint, AWS_ENDPOINT_URL_ACCOUNT: fake.endpoint });
  return { fake, server };
}
