/**
 * `ingest s3://bucket/prefix` against s3rver: `--since/--until` read only the selected date folders of a region
 * folder (plus the day after, for late deliveries), and a re-run skips objects whose ETag the ledger already has.
 *
 * s3rver does not answer delimiter listings of nested keys (its file store does not descend below a common
 * prefix), so the walk from a higher prefix down to the region folders is covered by the unit test of `listS3`.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTable } from '../../../lambda/cli/target';
import type { DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import type { CloudTrailRecord } from '../../../lambda/core/types';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import type { LocalS3 } from '../../helpers/s3rver';
import { startDynamoDBAndS3 } from '../../helpers/servers';
import { parseNdjson, runCli, type CliRun } from './cli-helpers';

jest.setTimeout(60_000);

const BUCKET = 'trail-audit-backfill';
const TABLE = 'trail-audit-backfill-events';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDBACKFILL', AWS_SECRET_ACCESS_KEY: 'backfill', AWS_REGION: 'us-east-1' };
const REGION_FOLDER = 'trail/AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1';

/** One DeleteLoadBalancer per day folder, so what was ingested shows in one query. */
const DAYS = ['2026/11/18', '2026/11/20', '2026/11/21', '2026/11/22'] as const;
const EVENTS: Record<(typeof DAYS)[number], CloudTrailRecord> = {
  '2026/11/18': record({ eventName: 'DeleteLoadBalancer', readOnly: false, eventTime: '2026-11-18T10:00:00Z' }),
  '2026/11/20': record({ eventName: 'DeleteLoadBalancer', readOnly: false, eventTime: '2026-11-20T10:00:00Z' }),
  '2026/11/21': record({ eventName: 'DeleteLoadBalancer', readOnly: false, eventTime: '2026-11-20T23:58:00Z' }),
  '2026/11/22': record({ eventName: 'DeleteLoadBalancer', readOnly: false, eventTime: '2026-11-22T10:00:00Z' }),
};

let s3: LocalS3 | undefined;
let server: DynamoDBLocalServer | undefined;
let workDir: string | undefined;
let ranged: CliRun;
let rangedIds: string[];
let rerun: CliRun;
const savedEnv = { ...process.env };

function target(endpoint: string): string[] {
  return ['--table', TABLE, '--endpoint', endpoint];
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-backfill-'));
  ({ dynamodb: server, s3 } = await startDynamoDBAndS3([BUCKET]));
  Object.assign(process.env, CREDENTIALS);
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: CREDENTIALS.AWS_REGION,
    credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  await ensureTable(client, TABLE);
  client.destroy();
  for (const day of DAYS) {
    const stamp = day.replace(/\//g, '');
    await s3.putObject(
      BUCKET,
      `${REGION_FOLDER}/${day}/111122223333_CloudTrail_us-east-1_${stamp}T1000Z_x.json.gz`,
      gzippedLogFile([EVENTS[day]]),
    );
  }
  const deps = { s3Client: s3.client };
  ranged = await runCli(
    ['ingest', `s3://${BUCKET}/${REGION_FOLDER}/`, '--since', '2026-11-20', '--until', '2026-11-20', ...target(server.endpoint)],
    workDir,
    deps,
  );
  const query = await runCli(['query', '--action', 'DeleteLoadBalancer', '--json', ...target(server.endpoint)], workDir);
  rangedIds = parseNdjson(query.stdout).map((event) => event.eventID);
  rerun = await runCli(['ingest', `s3://${BUCKET}/trail/`, ...target(server.endpoint)], workDir, deps);
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([server?.stop(), s3?.stop()]);
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('ingest s3://', () => {
  it('reads the date folders of the range and the day after it, and nothing else', () => {
    expect({ code: ranged.code, summary: ranged.stderr }).toEqual({
      code: 0,
      summary: expect.stringMatching(/^ingest: 2 files, 2 records, 2 stored,/) as unknown,
    });
  });

  it('stores the events of the selected folders, newest first', () => {
    expect(rangedIds).toEqual([EVENTS['2026/11/21'].eventID, EVENTS['2026/11/20'].eventID]);
  });

  it('skips on a re-run the objects whose ETag the ledger has, and ingests the rest', () => {
    expect(rerun.stderr).toMatch(/^ingest: 4 files \(2 already ingested\), 2 records, 2 stored,/);
  });
});

describe('ingest s3:// when the table goes away during the run', () => {
  it('stops at once naming the table and exits 3, blaming no file, also when no file has an event to store', async () => {
    // Prepare: a table that exists when the run starts and is deleted while the first object is read; the file
    // holds another service's records only, so nothing goes to the event store, and --force skips the ledger
    // check: the first call that meets the missing table is the integrity index's record of the log file.
    const running = { s3: s3 as LocalS3, server: server as DynamoDBLocalServer };
    const tableName = 'vanishing-events';
    const dynamodb = new DynamoDBClient({
      endpoint: running.server.endpoint,
      region: CREDENTIALS.AWS_REGION,
      credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    });
    await ensureTable(dynamodb, tableName);
    await running.s3.putObject(
      BUCKET,
      'other/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1000Z_o.json.gz',
      gzippedLogFile([record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })]),
    );
    const s3Client = running.s3.client;
    s3Client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand') await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
        return next(args);
      },
      { step: 'initialize', name: 'deleteTheTable' },
    );

    // Act
    const run = await runCli(
      ['ingest', '--force', `s3://${BUCKET}/other/`, '--table', tableName, '--endpoint', running.server.endpoint],
      workDir ?? tmpdir(),
      { s3Client },
    );
    s3Client.middlewareStack.remove('deleteTheTable');
    dynamodb.destroy();

    // Assess
    expect({ code: run.code, namesTable: run.stderr.includes(tableName), failedFiles: / failed/.test(run.stderr) }).toEqual({
      code: 3,
      namesTable: true,
      failedFiles: false,
    });
  });
});
