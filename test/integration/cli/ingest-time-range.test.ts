/**
 * `ingest --since/--until` stores only the events whose `eventTime` is in the range, although it reads the date
 * folders around it (the day after `--until` for CloudTrail's late delivery), and a file it stored only in part
 * is read again by a later run with another range.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { ensureTable } from '../../../lambda/cli/target';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { parseNdjson, runCli, type CliRun } from './cli-helpers';

jest.setTimeout(60_000);

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDTIMERANGE', AWS_SECRET_ACCESS_KEY: 'time-range', AWS_REGION: 'us-east-1' };
const DAY_FOLDER = join('AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11');

/** The events of the logs, by when they happened: the folder each sits in is the day CloudTrail delivered it. */
const EVENTS = {
  /** Delivered late, in the 20th's folder: before --since. */
  lateFromThe19th: record({ eventTime: '2026-11-19T23:55:00Z' }),
  onThe20th: record({ eventTime: '2026-11-20T10:00:00Z' }),
  /** Delivered late, in the 21st's folder: in the range. */
  lateFromThe20th: record({ eventTime: '2026-11-20T23:58:00Z' }),
  /** In the 21st's folder, which --until 2026-11-20 reads for late deliveries: after --until. */
  onThe21st: record({ eventTime: '2026-11-21T08:00:00Z' }),
};

let server: DynamoDBLocalServer;
let workDir: string;
let tableCount = 0;
const savedEnv = { ...process.env };

/** A fresh table, so each test starts empty. */
async function newTable(): Promise<string> {
  tableCount += 1;
  const table = `trail-audit-time-range-${tableCount}`;
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: CREDENTIALS.AWS_REGION,
    credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  try {
    await ensureTable(client, table);
  } finally {
    client.destroy();
  }
  return table;
}

async function ingest(table: string, ...range: string[]): Promise<CliRun> {
  const run = await runCli(['ingest', join(workDir, 'AWSLogs'), ...range, '--table', table, '--endpoint', server.endpoint], workDir);
  if (run.code !== 0) throw new Error(`ingest exited ${run.code}: ${run.stderr}`);
  return run;
}

/** The eventIDs stored, oldest first. */
async function storedEventIds(table: string): Promise<string[]> {
  const run = await runCli(
    ['query', '--action', 'DescribeLoadBalancers', '--json', '--limit', '0', '--table', table, '--endpoint', server.endpoint],
    workDir,
  );
  if (run.code !== 0) throw new Error(`query exited ${run.code}: ${run.stderr}`);
  return parseNdjson(run.stdout)
    .map((event) => event.eventID)
    .reverse();
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-time-range-'));
  await mkdir(join(workDir, DAY_FOLDER, '20'), { recursive: true });
  await mkdir(join(workDir, DAY_FOLDER, '21'), { recursive: true });
  await writeFile(
    join(workDir, DAY_FOLDER, '20', '111122223333_CloudTrail_us-east-1_20261120T1005Z_a.json.gz'),
    gzippedLogFile([EVENTS.lateFromThe19th, EVENTS.onThe20th]),
  );
  await writeFile(
    join(workDir, DAY_FOLDER, '21', '111122223333_CloudTrail_us-east-1_20261121T0805Z_b.json.gz'),
    gzippedLogFile([EVENTS.lateFromThe20th, EVENTS.onThe21st]),
  );
  server = await startDynamoDBLocal();
  Object.assign(process.env, CREDENTIALS);
});

afterAll(async () => {
  // Optional: when beforeAll failed before the server was up, its error is the one to see, not a TypeError here.
  process.env = savedEnv;
  await server?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('ingest --since/--until', () => {
  it('stores only the events whose eventTime is in the range', async () => {
    const table = await newTable();

    await ingest(table, '--since', '2026-11-20', '--until', '2026-11-20');

    expect(await storedEventIds(table)).toEqual([EVENTS.onThe20th.eventID, EVENTS.lateFromThe20th.eventID]);
  });

  it('counts the events left out as outside-time-range in the summary', async () => {
    const table = await newTable();

    const run = await ingest(table, '--since', '2026-11-20', '--until', '2026-11-20');

    expect(run.stderr).toMatch(/, 4 records, 2 stored, .*; skipped: outside-time-range 2 /);
  });

  it('reads a file stored in part again when a later run asks for another range', async () => {
    const table = await newTable();
    await ingest(table, '--since', '2026-11-20', '--until', '2026-11-20');

    await ingest(table, '--since', '2026-11-21', '--until', '2026-11-21');

    expect(await storedEventIds(table)).toEqual([
      EVENTS.onThe20th.eventID,
      EVENTS.lateFromThe20th.eventID,
      EVENTS.onThe21st.eventID,
    ]);
  });

  it('with --dry-run, counts what it would store and writes nothing, not even the ledger', async () => {
    const table = await newTable();

    const dry = await ingest(table, '--dry-run');
    const real = await ingest(table);

    expect({ dry: dry.stderr, stored: real.stderr }).toEqual({
      dry: expect.stringMatching(/^ingest: 2 files, 4 records, 4 kept, 0 items written.*\(dry run: nothing was written\)/) as unknown,
      stored: expect.stringMatching(/^ingest: 2 files, 4 records, 4 stored, [1-9]\d* items written/) as unknown,
    });
  });
});
