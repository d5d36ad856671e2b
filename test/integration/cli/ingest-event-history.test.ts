/**
 * `trail-audit ingest --event-history` end to end: the real CloudTrail and Account SDK clients, pointed at a fake of
 * Event history on 127.0.0.1 by the standard `AWS_ENDPOINT_URL_CLOUDTRAIL` / `AWS_ENDPOINT_URL_ACCOUNT` variables
 * (no local server emulates LookupEvents), and DynamoDB Local for the table.
 */
import { stopLocalServer } from '../../../lambda/local/local-server';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudTrailEventHistory } from '../../../lambda/adapters/cloudtrail-event-history';
import type { EventHistorySource } from '../../../lambda/app/ports';
import { ensureTable } from '../../../lambda/cli/target';
import type { CloudTrailRecord, JsonObject } from '../../../lambda/core/types';
import type { DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { localDocumentClient } from '../../helpers/dynamodb';
import {
  maxCallsPerSecond,
  startEventHistoryServers,
  type EventHistoryServers,
  type FakeEventHistory,
  type FakeEvent,
} from '../../helpers/fake-event-history';
import { logFileText, record } from '../../helpers/fixtures';
import { parseNdjson, runCli, type CliRun } from './cli-helpers';

jest.setTimeout(120_000);

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDHISTORY', AWS_SECRET_ACCESS_KEY: 'history', AWS_REGION: 'us-east-1' };
const ELB = 'elasticloadbalancing.amazonaws.com';

const servers: EventHistoryServers = {};
let fake: FakeEventHistory | undefined;
let server: DynamoDBLocalServer | undefined;
let documents: DynamoDBDocumentClient | undefined;
let workDir = '';
let tableCount = 0;
const savedEnv = { ...process.env };

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-history-'));
  ({ fake, server } = await startEventHistoryServers(servers, CREDENTIALS));
  documents = localDocumentClient(server.endpoint);
});

afterAll(async () => {
  process.env = savedEnv;
  documents?.destroy();
  await Promise.all([servers.server?.stop(), servers.fake?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  fake?.reset();
});

/** CloudTrail's `eventTime` of `minutes` ago. */
function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A DeleteLoadBalancer in a region's Event history, `minutes` ago. */
function deletion(region: string, minutes: number, overrides: JsonObject = {}): FakeEvent & { record: CloudTrailRecord } {
  return {
    region,
    record: record({ eventName: 'DeleteLoadBalancer', readOnly: false, awsRegion: region, eventTime: minutesAgo(minutes), ...overrides }),
  };
}

/** A fresh table on DynamoDB Local, and the target options naming it. */
async function freshTable(): Promise<{ name: string; target: string[] }> {
  if (server === undefined) throw new Error('DynamoDB Local did not start');
  tableCount += 1;
  const name = `history-${tableCount}`;
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: CREDENTIALS.AWS_REGION,
    credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  await ensureTable(client, name);
  client.destroy();
  return { name, target: ['--table', name, '--endpoint', server.endpoint] };
}

async function ingestHistory(target: readonly string[], ...options: string[]): Promise<CliRun> {
  return runCli(['ingest', '--event-history', ...options, ...target], workDir);
}

async function eventItem(tableName: string, eventID: string): Promise<Record<string, unknown> | undefined> {
  if (documents === undefined) throw new Error('DynamoDB Local did not start');
  const output = await documents.send(new GetCommand({ TableName: tableName, Key: { pk: eventID, sk: 'EVENT' }, ConsistentRead: true }));
  return output.Item;
}

async function queriedIds(target: readonly string[]): Promise<string[]> {
  const query = await runCli(['query', '--action', 'DeleteLoadBalancer', '--limit', '0', '--json', ...target], workDir);
  return parseNdjson(query.stdout).map((event) => event.eventID);
}

function useFake(): FakeEventHistory {
  if (fake === undefined) throw new Error('the fake did not start');
  return fake;
}

describe('ingest --event-history, as a new user tries it', () => {
  it('stores last week of Event history in the embedded table, where query finds it', async () => {
    // Prepare: two deletions in us-east-1, one in eu-west-1, one older than the week
    const history = useFake();
    const events = [deletion('us-east-1', 60), deletion('us-east-1', 2 * 24 * 60), deletion('eu-west-1', 3 * 60)];
    history.events.push(...events, deletion('us-east-1', 9 * 24 * 60));
    const folder = await mkdtemp(join(workDir, 'new-user-'));

    // Act
    const ingest = await runCli(['ingest', '--event-history', '--since', '7d'], folder);
    const query = await runCli(['query', '--action', 'DeleteLoadBalancer', '--json'], folder);
    await stopLocalServer(join(folder, '.trail-audit'));

    // Assess
    expect({ code: ingest.code, summary: ingest.stderr }).toEqual({
      code: 0,
      summary: expect.stringMatching(/^ingest --event-history: 2 regions × 3 event sources: 6 pages, 3 records, 3 stored,/) as unknown,
    });
    expect(parseNdjson(query.stdout).map((event) => event.eventID).sort()).toEqual(events.map((event) => event.record.eventID).sort());
  });
});

describe('ingest --event-history', () => {
  it('pages with NextToken to the end of a stream', async () => {
    // Prepare: eight events, pages of three
    const history = useFake();
    history.pageSize = 3;
    const events = Array.from({ length: 8 }, (_, index) => deletion('us-east-1', 30 + index * 10));
    history.events.push(...events);
    const table = await freshTable();

    // Act
    const run = await ingestHistory(table.target, '--regions', 'us-east-1', '--since', '1d');

    // Assess
    const elbCalls = history.calls.filter((call) => call.eventSource === ELB && call.answer === 'ok');
    expect({
      code: run.code,
      pages: elbCalls.length,
      tokens: elbCalls.map((call) => call.nextToken !== undefined),
      stored: (await queriedIds(table.target)).sort(),
    }).toEqual({
      code: 0,
      pages: 3,
      tokens: [false, true, true],
      stored: events.map((event) => event.record.eventID).sort(),
    });
  });

  it('paces each region to two calls per second, and is never throttled', async () => {
    // Prepare: six pages in each region's ELB stream
    const history = useFake();
    history.pageSize = 1;
    history.events.push(...Array.from({ length: 6 }, (_, index) => deletion('us-east-1', 30 + index)));
    history.events.push(...Array.from({ length: 6 }, (_, index) => deletion('eu-west-1', 30 + index)));
    const table = await freshTable();

    // Act
    const run = await ingestHistory(table.target, '--since', '1d');

    // Assess
    expect({
      code: run.code,
      throttled: history.calls.filter((call) => call.answer === 'ThrottlingException').length,
      mostPerSecond: ['us-east-1', 'eu-west-1'].map((region) => maxCallsPerSecond(history.calls, region)),
      calls: history.calls.length,
    }).toEqual({ code: 0, throttled: 0, mostPerSecond: [2, 2], calls: 2 * (6 + 2) });
  });

  it('retries a throttled call with backoff beyond the SDK\'s own retries', async () => {
    // Prepare: the first five calls are throttled (the SDK's standard mode tries three times)
    const history = useFake();
    history.events.push(deletion('us-east-1', 30));
    history.failures = { fail: (_call, index) => (index < 5 ? 'ThrottlingException' : undefined) };
    const table = await freshTable();
    const eventHistory = new CloudTrailEventHistory({ baseDelayMs: 20, maxDelayMs: 100 });

    // Act
    const run = await runCli(['ingest', '--event-history', '--regions', 'us-east-1', '--since', '1d', ...table.target], workDir, {
      eventHistory,
    });
    eventHistory.destroy();

    // Assess
    const throttled = history.calls.filter((call) => call.answer === 'ThrottlingException').length;
    expect({ code: run.code, stored: (await queriedIds(table.target)).length }).toEqual({ code: 0, stored: 1 });
    expect(throttled).toBeGreaterThanOrEqual(5);
  });

  it('stops once with exit 3, naming the table, when the table goes away during the run', async () => {
    // Prepare: the table is deleted right before the first page is answered
    const history = useFake();
    history.events.push(deletion('us-east-1', 30));
    const table = await freshTable();
    const adapter = new CloudTrailEventHistory();
    let deleted = false;
    const eventHistory: EventHistorySource = {
      listRegions: () => adapter.listRegions(),
      lookupEvents: async (lookup, signal) => {
        if (!deleted && documents !== undefined) {
          deleted = true;
          await documents.send(new DeleteTableCommand({ TableName: table.name }));
        }
        return adapter.lookupEvents(lookup, signal);
      },
    };

    // Act
    const run = await runCli(['ingest', '--event-history', '--regions', 'us-east-1', '--since', '1d', ...table.target], workDir, {
      eventHistory,
    });
    adapter.destroy();

    // Assess
    const tableLines = run.io.stderr.lines().filter((line) => line.includes(table.name) && line.startsWith('trail-audit:'));
    expect({ code: run.code, tableLines: tableLines.length, streamsFailed: run.io.stderr.lines().some((line) => / failed: /.test(line)) }).toEqual({
      code: 3,
      tableLines: 1,
      streamsFailed: false,
    });
  });

  it('names a region that refuses, reads the others, and exits 1', async () => {
    // Prepare
    const history = useFake();
    const readable = deletion('us-east-1', 30);
    history.events.push(readable, deletion('eu-west-1', 30));
    history.failures = { refuse: new Map([['eu-west-1', 'AccessDeniedException']]) };
    const table = await freshTable();

    // Act
    const run = await ingestHistory(table.target, '--since', '1d');

    // Assess
    expect({ code: run.code, stored: await queriedIds(table.target) }).toEqual({ code: 1, stored: [readable.record.eventID] });
    expect(run.io.stderr.lines().filter((line) => line.includes('eu-west-1'))).toEqual([
      expect.stringMatching(/^trail-audit: event-history:\/\/eu-west-1\/elasticloadbalancing\.amazonaws\.com: not readable: LookupEvents in eu-west-1 was refused \(AccessDeniedException/),
      expect.stringMatching(/^trail-audit: event-history:\/\/eu-west-1\/elasticbeanstalk\.amazonaws\.com: not readable/),
      expect.stringMatching(/^trail-audit: event-history:\/\/eu-west-1\/autoscaling\.amazonaws\.com: not readable/),
    ]);
  });

  it('goes on after a failure from the last page it stored, not from the start', async () => {
    // Prepare: seven events, pages of two; the third ELB page fails once
    const history = useFake();
    history.pageSize = 2;
    const events = Array.from({ length: 7 }, (_, index) => deletion('us-east-1', 90 + index * 10));
    history.events.push(...events);
    // Fixed times: both runs ask for exactly the same range.
    const range = ['--since', minutesAgo(24 * 60), '--until', minutesAgo(60)];
    let failed = false;
    history.failures = {
      fail: (call) => {
        if (failed || call.eventSource !== ELB || call.nextToken === undefined) return undefined;
        const elbPages = history.calls.filter((other) => other.eventSource === ELB && other.answer === 'ok').length;
        if (elbPages < 2) return undefined;
        failed = true;
        return 'InvalidEventCategoryException';
      },
    };
    const table = await freshTable();
    const first = await ingestHistory(table.target, '--regions', 'us-east-1', ...range);
    const callsBefore = history.calls.length;

    // Act
    const second = await ingestHistory(table.target, '--regions', 'us-east-1', ...range);

    // Assess: the resumed stream starts at the oldest event of the last stored page (the 4th newest)
    const resumed = history.calls.slice(callsBefore).filter((call) => call.eventSource === ELB && call.answer === 'ok');
    const fourthNewest = Date.parse(String(events[3]?.record.eventTime));
    expect({
      codes: [first.code, second.code],
      firstResumedEnd: resumed[0]?.endTime,
      resumedPages: resumed.length,
      stored: (await queriedIds(table.target)).sort(),
    }).toEqual({
      codes: [1, 0],
      firstResumedEnd: fourthNewest,
      resumedPages: 2,
      stored: events.map((event) => event.record.eventID).sort(),
    });
  });

  it('reads nothing on a second run over the same range', async () => {
    // Prepare: a range that ended an hour ago, read once
    const history = useFake();
    history.events.push(deletion('us-east-1', 90), deletion('eu-west-1', 120));
    const table = await freshTable();
    const range = ['--since', minutesAgo(24 * 60), '--until', minutesAgo(60)];
    await ingestHistory(table.target, ...range);
    const callsBefore = history.calls.length;

    // Act
    const second = await ingestHistory(table.target, ...range);

    // Assess
    expect({ code: second.code, calls: history.calls.length - callsBefore, summary: second.stderr }).toEqual({
      code: 0,
      calls: 0,
      summary: expect.stringMatching(/^ingest --event-history: 2 regions × 3 event sources \(6 already read\): 0 pages, 0 records, 0 stored, 0 items written/) as unknown,
    });
  });

  it('reads again only the last minutes of a run that went up to now, where Event history may still add calls', async () => {
    // Prepare
    const history = useFake();
    history.events.push(deletion('us-east-1', 5), deletion('us-east-1', 90));
    const table = await freshTable();
    await ingestHistory(table.target, '--regions', 'us-east-1', '--since', '1d');
    const callsBefore = history.calls.length;

    // Act
    await ingestHistory(table.target, '--regions', 'us-east-1', '--since', '1d');

    // Assess: one call per event source, each from about 15 minutes ago (calls the fake throttled, as the previous
    // run's last calls were within the same second, are the SDK's retries)
    const again = history.calls.slice(callsBefore).filter((call) => call.answer === 'ok');
    expect({
      calls: again.length,
      spanMinutes: again.map((call) => Math.round((call.endTime - call.startTime) / 60_000)),
    }).toEqual({ calls: 3, spanMinutes: [15, 15, 15] });
  });

  it('stores once, and counts once, an event that two regions\' Event history both return', async () => {
    // Prepare: the same event in both regions (as global services' events were, before November 2021)
    const history = useFake();
    const both = deletion('us-east-1', 30);
    history.events.push(both, { region: 'eu-west-1', record: both.record }, deletion('eu-west-1', 40));
    const table = await freshTable();

    // Act
    const run = await ingestHistory(table.target, '--since', '1d', '--concurrency', '1');

    // Assess
    expect({ code: run.code, stored: (await queriedIds(table.target)).length, summary: run.stderr }).toEqual({
      code: 0,
      stored: 2,
      summary: expect.stringMatching(/: 6 pages, 3 records, 2 stored, .*; skipped: duplicate-event 1 /) as unknown,
    });
  });

  it('lists the account\'s enabled regions and reads no other', async () => {
    // Prepare
    const history = useFake();
    history.regions = [
      { name: 'us-east-1', status: 'ENABLED_BY_DEFAULT' },
      { name: 'ap-east-1', status: 'ENABLED' },
      { name: 'me-south-1', status: 'DISABLED' },
    ];
    const table = await freshTable();

    // Act
    const run = await ingestHistory(table.target, '--since', '1d');

    // Assess
    expect({ code: run.code, regions: [...new Set(history.calls.map((call) => call.region))].sort() }).toEqual({
      code: 0,
      regions: ['ap-east-1', 'us-east-1'],
    });
  });

  it('leaves out an entry whose CloudTrailEvent is not JSON, names it, and stores the rest', async () => {
    // Prepare
    const history = useFake();
    const good = deletion('us-east-1', 30);
    history.events.push(good, { ...deletion('us-east-1', 40), cloudTrailEvent: '{"eventID": "broken' });
    const brokenId = String(history.events[1]?.record.eventID);
    const table = await freshTable();

    // Act
    const run = await ingestHistory(table.target, '--regions', 'us-east-1', '--since', '1d');

    // Assess
    expect({ code: run.code, stored: await queriedIds(table.target) }).toEqual({ code: 1, stored: [good.record.eventID] });
    expect(run.io.stderr.lines()[0]).toBe(
      `trail-audit: event-history://us-east-1/${ELB}: 1 entry whose CloudTrailEvent is not a JSON object left out (eventID ${brokenId})`,
    );
  });
});

describe('the same event from Event history and from a log file', () => {
  /** One deletion, both in us-east-1's Event history and in a local log file; a fresh table. */
  async function sameEventTwice(): Promise<{ event: FakeEvent & { record: CloudTrailRecord }; table: { name: string; target: string[] }; file: string }> {
    const event = deletion('us-east-1', 30);
    useFake().events.push(event);
    const table = await freshTable();
    const file = join(workDir, `log-${table.name}.json`);
    await writeFile(file, logFileText([event.record]));
    return { event, table, file };
  }

  it('keeps the log file\'s copy when the log file comes second', async () => {
    // Prepare
    const { event, table, file } = await sameEventTwice();
    await ingestHistory(table.target, '--regions', 'us-east-1', '--since', '1d');
    const before = await eventItem(table.name, event.record.eventID);

    // Act
    await runCli(['ingest', file, ...table.target], workDir);

    // Assess
    const after = await eventItem(table.name, event.record.eventID);
    expect({ before: (before?.source as { uri?: string } | undefined)?.uri, after: (after?.source as { uri?: string } | undefined)?.uri }).toEqual({
      before: `event-history://us-east-1/${ELB}`,
      after: expect.stringMatching(/^file:\/\/.*\/log-history-\d+\.json$/) as unknown,
    });
  });

  it('does not let the Event-history copy replace the log file\'s copy, and says so', async () => {
    // Prepare
    const { event, table, file } = await sameEventTwice();
    await runCli(['ingest', file, ...table.target], workDir);

    // Act
    const run = await ingestHistory(table.target, '--regions', 'us-east-1', '--since', '1d');

    // Assess
    const item = await eventItem(table.name, event.record.eventID);
    expect({ code: run.code, uri: (item?.source as { uri?: string } | undefined)?.uri, summary: run.stderr }).toEqual({
      code: 0,
      uri: expect.stringMatching(/^file:\/\//) as unknown,
      summary: expect.stringMatching(/1 stored, 0 items written, 1 already stored from log files/) as unknown,
    });
  });
});
