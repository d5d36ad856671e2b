/**
 * The CLI end to end on the embedded default (the data folder's shared DynamoDB Local, data in a temporary folder):
 * the README's main job (`ingest examples/`, then `query`), resumability, every query flag, `--json`, `show`, and
 * a bad file. Per-flag queries reach that same server with `--table --endpoint`, which also covers the
 * deployed-table path.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IDLE_VARIABLE, stopLocalServer, useLocalServer } from '../../../lambda/local/local-server';
import { getEvent } from '../../../lambda/store/event-queries';
import type { NormalisedEvent } from '../../../lambda/core/types';
import { DEFAULT_TABLE_NAME } from '../../../lambda/store/table-definition';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../lambda/cli/target';
import { main } from '../../../lambda/cli/main';
import { captureIO } from '../../unit/cli/capture-io';
import { EXAMPLES_DIR, namesResource, newestFirst, parseNdjson, runCli, type CliRun } from './cli-helpers';

// Each command starts (or reaches) DynamoDB Local: seconds, not milliseconds.
jest.setTimeout(60_000);

const execFileAsync = promisify(execFile);
const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');

const LOAD_BALANCER = 'web-prod';
const LOAD_BALANCER_ARN = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web-prod/50dc6c495c0c9188';
const ROLE = 'arn:aws:iam::111122223333:role/OpsAdmin';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/OpsAdmin/bob';
const ACCESS_KEY = 'ASIAY34FZKBOKMUTVV7A';

/** Events the examples keep, per examples/README.md ("19 events kept"). */
const EXAMPLE_EVENTS = 19;

let workDir: string;
let processRun: CliRun;
let processed: NormalisedEvent[];
let processedLines: Map<string, string>;
let firstIngest: CliRun;
let secondIngest: CliRun;
let embeddedQuery: CliRun;
let server: { endpoint: string } | undefined;
const savedEnv = { ...process.env };

/** Runs `query` against the shared server of the ingested data folder, as against a deployed table. */
async function query(...args: string[]): Promise<CliRun> {
  if (server === undefined) throw new Error('the shared DynamoDB Local is not running');
  return runCli(['query', ...args, '--table', DEFAULT_TABLE_NAME, '--endpoint', server.endpoint], workDir);
}

async function queryIds(...args: string[]): Promise<string[]> {
  const run = await query(...args, '--json', '--limit', '0');
  if (run.code !== 0) throw new Error(`query ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return parseNdjson(run.stdout).map((event) => event.eventID);
}

function expected(keep: (event: NormalisedEvent) => boolean): string[] {
  return newestFirst(processed.filter(keep));
}

beforeAll(async () => {
  // The server of the data folder stops by itself soon after the tests, even if afterAll does not run.
  process.env[IDLE_VARIABLE] = '30s';
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-cli-it-'));
  processRun = await runCli(['process', '--json', EXAMPLES_DIR], workDir);
  processed = parseNdjson(processRun.stdout);
  processedLines = new Map(
    processRun.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [(JSON.parse(line) as NormalisedEvent).eventID, line]),
  );
  // The README's main job, on the embedded default, from a working folder with no data yet.
  firstIngest = await runCli(['ingest', EXAMPLES_DIR], workDir);
  secondIngest = await runCli(['ingest', EXAMPLES_DIR], workDir);
  embeddedQuery = await runCli(['query', '--resource', LOAD_BALANCER], workDir);
  // The --table path takes the SDK's default credentials; DynamoDB Local keeps one database per access key and
  // region, so these are the embedded default's own.
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = LOCAL_REGION;
  // The server the commands above started and shared, still running.
  server = await useLocalServer(join(workDir, '.trail-audit'));
}, 180_000);

afterAll(async () => {
  await stopLocalServer(join(workDir, '.trail-audit'));
  process.env = savedEnv;
  await rm(workDir, { recursive: true, force: true });
});

describe('process on the examples (the oracle of every query below)', () => {
  it('exits 0 with the events the examples README lists', () => {
    expect({ code: processRun.code, events: processed.length }).toEqual({ code: 0, events: EXAMPLE_EVENTS });
  });
});

describe('ingest on the embedded default', () => {
  it('stores every event the examples hold', () => {
    expect({ code: firstIngest.code, summary: firstIngest.stderr }).toEqual({
      code: 0,
      summary: expect.stringContaining(`, ${processed.length} stored`) as unknown,
    });
  });

  it('keeps its data in .trail-audit/ of the working folder', async () => {
    const entries = await readdir(join(workDir, '.trail-audit'));

    // DynamoDB Local runs with -sharedDb: one database file for every access key and region.
    expect(entries).toContain('shared-local-instance.db');
  });

  it('adds nothing when the same folder is ingested again', () => {
    expect({ code: secondIngest.code, summary: secondIngest.stderr }).toEqual({
      code: 0,
      // Every file is in the ledger now, digest files (verified) included.
      summary: expect.stringMatching(/\(13 already ingested\), 0 records, 0 stored, 0 items written/) as unknown,
    });
  });

  it('answers the main job query with a table of the load balancer events', () => {
    const rows = embeddedQuery.stdout.trimEnd().split('\n');

    expect({ code: embeddedQuery.code, heading: rows[0], rows: rows.length - 1 }).toEqual({
      code: 0,
      heading: expect.stringMatching(/^TIME\s+SERVICE\s+PRINCIPAL\s+ACTION\s+RESOURCES\s+REGION\s+ERROR$/) as unknown,
      rows: expected((event) => namesResource(event, LOAD_BALANCER)).length,
    });
  });

  it('records where each event came from, as the ledger names the file', async () => {
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: server?.endpoint ?? '', region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    );
    const first = processed[0];

    const stored = first === undefined ? undefined : await getEvent(client, DEFAULT_TABLE_NAME, first.eventID);
    client.destroy();

    expect(stored?.source?.uri).toMatch(/^file:\/\/\/.*\/examples\/AWSLogs\/.*\.json\.gz$/);
  });

  it('clears the line a second Ctrl-C would print in the turn it writes its own summary (printed once, never lost)', async () => {
    const io = captureIO(workDir, new Date());
    const summaries = (): number => io.stderr.lines().filter((line) => line.startsWith('ingest: ')).length;
    const calls: { kind: string; summariesThen: number; line?: string }[] = [];
    const code = await main(['ingest', EXAMPLES_DIR, '--table', DEFAULT_TABLE_NAME, '--endpoint', server?.endpoint ?? ''], {
      ...io,
      onForcedExit: (line) => {
        calls.push({ kind: typeof line, summariesThen: summaries(), ...(line === undefined ? {} : { line: line() }) });
      },
    });

    expect({ code, calls, summaries: summaries() }).toEqual({
      code: 0,
      calls: [
        { kind: 'function', summariesThen: 0, line: expect.stringMatching(/^ingest: .*stopped at once/) as unknown },
        { kind: 'undefined', summariesThen: 0 },
      ],
      summaries: 1,
    });
  });

  it('redoes files with --force without duplicating events', async () => {
    const forced = await runCli(
      ['ingest', '--force', EXAMPLES_DIR, '--table', DEFAULT_TABLE_NAME, '--endpoint', server?.endpoint ?? ''],
      workDir,
    );

    const ids = await queryIds('--resource', LOAD_BALANCER);

    expect({ redone: forced.stderr.includes(`, ${processed.length} stored`), ids }).toEqual({
      redone: true,
      ids: expected((event) => namesResource(event, LOAD_BALANCER)),
    });
  });
});

describe('query', () => {
  it('finds the events of a load balancer by name, newest first', async () => {
    const ids = await queryIds('--resource', LOAD_BALANCER);

    expect(ids).toEqual(expected((event) => namesResource(event, LOAD_BALANCER)));
  });

  it('finds the events of a load balancer by ARN', async () => {
    const ids = await queryIds('--resource', LOAD_BALANCER_ARN);

    expect(ids).toEqual(expected((event) => event.resources.some((resource) => resource.arn === LOAD_BALANCER_ARN)));
  });

  it('finds every session of a role by the role ARN', async () => {
    const ids = await queryIds('--principal', ROLE);

    expect(ids).toEqual(expected((event) => event.principal.id === ROLE));
  });

  it('finds a principal by name', async () => {
    const ids = await queryIds('--principal', 'alice');

    expect(ids).toEqual(expected((event) => event.principal.name === 'alice'));
  });

  it('finds one session by its ARN', async () => {
    const ids = await queryIds('--principal', SESSION);

    expect(ids).toEqual(expected((event) => event.principal.sessionArn === SESSION));
  });

  it('finds the calls of an access key', async () => {
    const ids = await queryIds('--access-key', ACCESS_KEY);

    expect(ids).toEqual(expected((event) => event.principal.accessKeyId === ACCESS_KEY));
  });

  it('finds a plain action in every service, failed calls included', async () => {
    const ids = await queryIds('--action', 'DeleteLoadBalancer');

    expect(ids).toEqual(expected((event) => event.eventName === 'DeleteLoadBalancer'));
  });

  it('narrows an action to a time range', async () => {
    const ids = await queryIds('--action', 'DeleteLoadBalancer', '--since', '2026-11-20T10:02:00Z', '--until', '2026-11-20T11:00:00Z');

    expect(ids).toEqual(
      expected(
        (event) =>
          event.eventName === 'DeleteLoadBalancer' &&
          event.eventTime >= '2026-11-20T10:02:00Z' &&
          event.eventTime <= '2026-11-20T11:00:00Z',
      ),
    );
  });

  it('cuts a range on both sides, its bounds inclusive to the second', async () => {
    // prepare: web-prod's events at 09:04:55 and 10:04:02 lie just outside; those at the bounds are in
    const since = '2026-11-20T09:05:20Z';
    const until = '2026-11-20T10:02:30Z';

    const ids = await queryIds('--resource', LOAD_BALANCER, '--since', since, '--until', until);

    const inRange = expected(
      (event) => namesResource(event, LOAD_BALANCER) && event.eventTime >= since && event.eventTime <= until,
    );
    expect({ ids, kept: inRange.length }).toEqual({ ids: inRange, kept: 4 });
  });

  it('narrows a principal to an action', async () => {
    const ids = await queryIds('--principal', ROLE, '--action', 'elasticloadbalancing:DeleteLoadBalancer');

    expect(ids).toEqual(expected((event) => event.principal.id === ROLE && event.eventName === 'DeleteLoadBalancer'));
  });

  it('stops at --limit, newest first', async () => {
    const run = await query('--resource', LOAD_BALANCER, '--json', '--limit', '2');

    expect(parseNdjson(run.stdout).map((event) => event.eventID)).toEqual(
      expected((event) => namesResource(event, LOAD_BALANCER)).slice(0, 2),
    );
  });

  it('prints with --json exactly the lines process --json prints', async () => {
    const run = await query('--principal', ROLE, '--json', '--limit', '0');

    const lines = run.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toEqual(expected((event) => event.principal.id === ROLE).map((id) => processedLines.get(id)));
  });

  it('leaves out read-only calls with --writes-only', async () => {
    const ids = await queryIds('--resource', LOAD_BALANCER, '--writes-only');

    expect({ ids, someLeftOut: ids.length < expected((event) => namesResource(event, LOAD_BALANCER)).length }).toEqual({
      ids: expected((event) => namesResource(event, LOAD_BALANCER) && !event.readOnly),
      someLeftOut: true,
    });
  });

  it('says how to find a session when --principal is given its session name', async () => {
    const run = await query('--principal', 'bob');

    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining('a role session is found by its session ARN') as unknown,
    });
  });

  it('exits 0 with an empty answer for an unknown resource', async () => {
    const run = await query('--resource', 'no-such-load-balancer');

    expect({ code: run.code, rows: run.stdout.trimEnd().split('\n').length }).toEqual({ code: 0, rows: 1 });
  });
});

/** The eventIDs of the examples' events, by number (`examples/README.md`: `7d3e4a10-2026-4b20-9c11-0000000000NN`). */
function examples(...numbers: number[]): string[] {
  return numbers.map((n) => `7d3e4a10-2026-4b20-9c11-0000000000${String(n).padStart(2, '0')}`);
}

describe('what examples/README.md says each query returns', () => {
  it.each([
    [['--resource', 'web-prod'], examples(25, 20, 19, 18, 17, 8, 7, 5, 3)],
    [['--resource', LOAD_BALANCER_ARN], examples(20, 19, 18, 8, 7, 5)],
    [['--resource', 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/web-prod'], examples(25, 3)],
    [['--resource', 'web-prod-tg'], examples(21, 13, 11, 8, 7, 6)],
    [['--resource', 'web-asg'], examples(23, 11)],
    [['--resource', 'shop-prod'], examples(34, 31)],
    [['--principal', ROLE], examples(23, 21, 20, 19, 17)],
    [['--principal', SESSION], examples(23, 21, 20, 19, 17)],
    [['--principal', 'arn:aws:iam::111122223333:user/alice'], examples(18, 8, 7, 6, 5, 3)],
    [['--principal', 'arn:aws:iam::111122223333:role/service-role/ci-deployer'], examples(11, 10, 9)],
    [['--principal', 'arn:aws:iam::111122223333:root'], examples(25)],
    [['--access-key', 'AKIAIOSFODNN7EXAMPLE'], examples(18, 8, 7, 6, 5, 3)],
    [['--access-key', ACCESS_KEY], examples(23, 21, 20, 19, 17)],
    [['--action', 'DeleteLoadBalancer'], examples(20, 18)],
  ])('query %j', async (args, ids) => {
    const found = await queryIds(...args);

    expect(found).toEqual(ids);
  });
});

describe('show', () => {
  it('prints the original CloudTrail record', async () => {
    const event = processed.find((candidate) => candidate.errorCode === 'AccessDenied') ?? processed[0];
    if (event === undefined) throw new Error('the examples hold no events');

    const run = await runCli(['show', event.eventID, '--table', DEFAULT_TABLE_NAME, '--endpoint', server?.endpoint ?? ''], workDir);

    expect(JSON.parse(run.stdout)).toMatchObject({ eventID: event.eventID, eventName: event.eventName, errorCode: event.errorCode });
  });

  it('exits 1 for an event that is not stored', async () => {
    const run = await runCli(['show', 'no-such-event', '--table', DEFAULT_TABLE_NAME, '--endpoint', server?.endpoint ?? ''], workDir);

    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining('no event no-such-event') as unknown,
    });
  });
});

describe('a bad file', () => {
  it('is named on stderr, the others are ingested, and the exit code is 1', async () => {
    const folder = join(workDir, 'with-bad-file');
    await mkdir(folder);
    const good = (await readdir(EXAMPLES_DIR, { recursive: true })).find((name) => name.endsWith('.json.gz') && !name.includes('Digest'));
    if (good === undefined) throw new Error('the examples hold no log file');
    await copyFile(join(EXAMPLES_DIR, good), join(folder, 'good.json.gz'));
    await writeFile(join(folder, 'bad.json.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));

    const run = await runCli(['ingest', folder, '--table', DEFAULT_TABLE_NAME, '--endpoint', server?.endpoint ?? ''], workDir);

    expect({ code: run.code, named: run.stderr.includes('bad.json.gz'), summary: run.stderr }).toEqual({
      code: 1,
      named: true,
      summary: expect.stringContaining('2 files (1 failed)') as unknown,
    });
  });
});

describe('the trail-audit command', () => {
  // The package bin runs the CLI bundle, which the integration project's global setup has just rebuilt.
  const launcher = join(PROJECT_ROOT, 'bin', 'trail-audit-cli.js');

  it('runs from the package bin and exits with the code main() returns', async () => {

    const outcome = await execFileAsync(process.execPath, [launcher, 'process', '--json', 'missing.json.gz', EXAMPLES_DIR], {
      cwd: workDir,
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

    expect({
      code: outcome.code,
      events: parseNdjson(outcome.stdout).length,
      named: outcome.stderr.startsWith('trail-audit: missing.json.gz: no such file or folder'),
    }).toEqual({ code: 1, events: processed.length, named: true });
  });

  it('names what is missing when Node.js runs without WebAssembly (--jitless): each file fails saying so, exit 1', async () => {
    const outcome = await execFileAsync(process.execPath, ['--jitless', launcher, 'process', EXAMPLES_DIR], { cwd: workDir }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );

    const ours = outcome.stderr.split('\n').filter((line) => line.startsWith('trail-audit: '));
    expect({
      code: outcome.code,
      lines: ours.length,
      allSay: ours.every((line) => line.endsWith(': trail-audit needs WebAssembly, which this Node.js does not have (was it started with --jitless?)')),
      stack: outcome.stderr.includes('    at '),
    }).toEqual({ code: 1, lines: 7, allSay: true, stack: false });
  });

  it('says in one line, exit 3, when a file of the bundle is missing, instead of printing a stack trace', async () => {
    // Prepare: a copy of the bin and the bundle, the process command's file taken out (an interrupted install)
    const copy = await mkdtemp(join(tmpdir(), 'trail-audit-broken-'));
    await mkdir(join(copy, 'bin'), { recursive: true });
    await mkdir(join(copy, 'dist', 'cli'), { recursive: true });
    await copyFile(launcher, join(copy, 'bin', 'trail-audit-cli.js'));
    const bundle = join(PROJECT_ROOT, 'dist', 'cli');
    for (const name of await readdir(bundle)) await copyFile(join(bundle, name), join(copy, 'dist', 'cli', name));
    const chunk = (await readdir(bundle)).find((name) => name.startsWith('process-') && name.endsWith('.mjs'));
    await rm(join(copy, 'dist', 'cli', chunk ?? 'process chunk not found'));

    // Act
    const outcome = await execFileAsync(process.execPath, [join(copy, 'bin', 'trail-audit-cli.js'), 'process', EXAMPLES_DIR], {
      cwd: workDir,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    await rm(copy, { recursive: true, force: true });

    // Assess
    expect({
      code: outcome.code,
      lines: outcome.stderr.trimEnd().split('\n').length,
      says: outcome.stderr.startsWith("trail-audit: the code of the 'process' command could not be loaded ("),
      stack: outcome.stderr.includes('    at '),
    }).toEqual({ code: 3, lines: 1, says: true, stack: false });
  });

  it('prints the version of package.json from the package bin', async () => {
    const { version } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

    const { stdout } = await execFileAsync(process.execPath, [launcher, '--version'], { cwd: workDir });

    expect(stdout).toBe(`${version}\n`);
  });
});
