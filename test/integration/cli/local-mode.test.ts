/**
 * The embedded default under a person's hands, with the real `trail-audit` command and a real DynamoDB Local: one
 * server per data folder, found from a subfolder, shared by commands running at the same time, bound to 127.0.0.1,
 * stopping by itself when idle; Ctrl-C, SIGTERM and SIGHUP during an ingest (the server is not hit: it runs in a
 * process group of its own); the server killed (-9) during an ingest (one line, exit 3) and after one (nothing
 * lost). Every server a test starts has a short idle time and is stopped in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../lambda/cli/target';
import { DEFAULT_TABLE_NAME } from '../../../lambda/store/table-definition';
import { EVENT_SORT_KEY } from '../../../lambda/core/item-mapping';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeLogFile } from '../../../bench/cloudtrail-generator';
import {
  IDLE_VARIABLE,
  localServerStatus,
  LOG_FILE,
  STATE_FILE,
  stopLocalServer,
  useLocalServer,
  type LocalServerState,
} from '../../../lambda/local/local-server';
import { EXAMPLES_DIR, parseNdjson, runCli } from './cli-helpers';

jest.setTimeout(120_000);

const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');
const LAUNCHER = join(PROJECT_ROOT, 'bin', 'trail-audit-cli.js');
/** Long enough for the tests, short enough that a server left behind by a failed run goes away by itself. */
const IDLE = '30s';

let workDir: string;
/** A day of generated logs in CloudTrail's layout: enough files that an ingest is still running when signalled. */
let bigLogs: string;
/** The generated log files (absolute, as the ledger names them). */
const bigFiles: string[] = [];
const dataDirs: string[] = [];
const savedIdle = process.env[IDLE_VARIABLE];

/** A data folder of its own for one test (its server is stopped in afterAll). */
async function newFolder(name: string): Promise<{ cwd: string; dataDir: string }> {
  const cwd = join(workDir, name);
  await mkdir(cwd, { recursive: true });
  const dataDir = join(cwd, '.trail-audit');
  dataDirs.push(dataDir);
  return { cwd, dataDir };
}

/** A `trail-audit` process; `done` resolves with its exit code and output. */
function startCli(args: readonly string[], cwd: string): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    cwd,
    env: { ...process.env, [IDLE_VARIABLE]: IDLE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Waits until `check` holds (polling), failing after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}

/**
 * Waits until the items of `keys` read from the table of `dataDir`'s server satisfy `ready`. Read by key
 * (BatchGetItem), not by a Scan: a Scan's first page holds the first 1 MB of the table only, and a table that a
 * previous run filled may keep a new entry past it.
 */
async function waitForItems(
  what: string,
  dataDir: string,
  keys: readonly { pk: string; sk: string }[],
  ready: (items: Record<string, unknown>[]) => boolean,
): Promise<void> {
  await waitFor(what, async () => {
    const state = await localServerStatus(dataDir);
    if (state === undefined) return false;
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: `http://127.0.0.1:${state.port}`, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } }),
    );
    try {
      const output = await client.send(new BatchGetCommand({ RequestItems: { [DEFAULT_TABLE_NAME]: { Keys: [...keys] } } }));
      return ready(output.Responses?.[DEFAULT_TABLE_NAME] ?? []);
    } catch {
      // The table is not made yet.
      return false;
    } finally {
      client.destroy();
    }
  });
}

/** The ledger entry's key of a generated file. */
function ledgerKey(file: string): { pk: string; sk: string } {
  return { pk: pathToFileURL(file).href, sk: 'LEDGER' };
}

/** Waits until an ingest started at `since` in `dataDir` has taken a file in: a ledger entry written since. */
async function waitForWrites(dataDir: string, since: number): Promise<void> {
  await waitForItems('the first file taken in', dataDir, bigFiles.map(ledgerKey), (entries) =>
    entries.some((entry) => typeof entry.processedAt === 'string' && entry.processedAt > new Date(since).toISOString()),
  );
}

/**
 * Waits until an ingest in `dataDir` is half-way through a generated file: its first kept events are stored and it
 * is not taken in yet. (Waiting for a file taken in and interrupting then could land between two files, before the
 * next one has stored anything: then there is nothing to resume.)
 */
async function waitForAFileHalfWay(dataDir: string): Promise<void> {
  const firstEvents = await Promise.all(
    bigFiles.map(async (file) => {
      const run = await runCli(['process', '--json', file], workDir);
      return parseNdjson(run.stdout)
        .slice(0, 3)
        .map((event) => event.eventID);
    }),
  );
  const keys = bigFiles.flatMap((file, index) => [
    ledgerKey(file),
    ...(firstEvents[index] ?? []).map((eventID) => ({ pk: eventID, sk: EVENT_SORT_KEY })),
  ]);
  await waitForItems('a file half-way', dataDir, keys, (items) => {
    const found = new Set(items.map((item) => `${String(item.pk)}|${String(item.sk)}`));
    return bigFiles.some((file, index) => {
      const events = firstEvents[index] ?? [];
      return !found.has(`${ledgerKey(file).pk}|LEDGER`) && events.length > 0 && events.every((eventID) => found.has(`${eventID}|${EVENT_SORT_KEY}`));
    });
  });
}

async function serverState(dataDir: string): Promise<LocalServerState> {
  return JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8')) as LocalServerState;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns once `signal` is no longer pending for process `pid` (the kernel has delivered it), as `/proc/PID/status`
 * shows: its bit is clear in the thread's (`SigPnd`) and the process's (`ShdPnd`) pending masks. Polled every
 * millisecond: what follows must happen before the process can act much on the signal.
 */
async function waitForDelivery(pid: number, signal: NodeJS.Signals): Promise<void> {
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const masks = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].map((match) => BigInt(`0x${match[1] ?? '0'}`));
    if (masks.length === 2 && masks.every((mask) => (mask & bit) === 0n)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${signal} to reach process ${pid}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1));
  }
}

/** How many times a server was started for the folder (the launcher prints LISTENING once per start). */
async function serverStarts(dataDir: string): Promise<number> {
  const log = await readFile(join(dataDir, LOG_FILE), 'utf8');
  return log.split('\n').filter((line) => line.startsWith('LISTENING ')).length;
}

beforeAll(async () => {
  process.env[IDLE_VARIABLE] = IDLE;
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-local-'));
  bigLogs = join(workDir, 'logs', 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '03', '28');
  await mkdir(bigLogs, { recursive: true });
  for (let file = 0; file < 16; file++) {
    const name = `111122223333_CloudTrail_us-east-1_20240328T${String(file).padStart(2, '0')}00Z_f${file}.json.gz`;
    await writeLogFile(join(bigLogs, name), 2_000, { seed: 100 + file });
    bigFiles.push(await realpath(join(bigLogs, name)));
  }
});

afterAll(async () => {
  await Promise.all(dataDirs.map((dataDir) => stopLocalServer(dataDir)));
  if (savedIdle === undefined) delete process.env[IDLE_VARIABLE];
  else process.env[IDLE_VARIABLE] = savedIdle;
  await rm(workDir, { recursive: true, force: true });
});

/** The folder most tests share (one server start for them all): the examples ingested into it. */
let main: { cwd: string; dataDir: string };

beforeAll(async () => {
  main = await newFolder('main');
  const ingest = await runCli(['ingest', EXAMPLES_DIR], main.cwd);
  if (ingest.code !== 0) throw new Error(`ingest of the examples exited ${ingest.code}: ${ingest.stderr}`);
});

describe('the data folder', () => {
  it('is found from a subfolder, as git finds .git, and no new one is made there', async () => {
    const { cwd } = main;
    const sub = join(cwd, 'notes', 'today');
    await mkdir(sub, { recursive: true });

    const run = await runCli(['query', '--resource', 'web-prod', '--json', '--limit', '0'], sub);

    expect({ events: parseNdjson(run.stdout).length, created: existsSync(join(sub, '.trail-audit')) }).toEqual({
      events: 9,
      created: false,
    });
  });
});

describe('the shared server', () => {
  it('serves the commands that follow the one that started it', async () => {
    const { cwd, dataDir } = main;
    const first = await serverState(dataDir);

    await runCli(['query', '--resource', 'web-prod'], cwd);

    expect({ pid: (await serverState(dataDir)).pid, starts: await serverStarts(dataDir) }).toEqual({
      pid: first.pid,
      starts: 1,
    });
  });

  it('listens on 127.0.0.1 only', async () => {
    const { state } = await useLocalServer(main.dataDir);

    // /proc/net/tcp[6] list listening sockets (state 0A) as hex ADDRESS:PORT: 127.0.0.1 is 0100007F, and Java's
    // dual-stack socket shows it as the IPv4-mapped ::ffff:127.0.0.1.
    const port = state.port.toString(16).toUpperCase().padStart(4, '0');
    const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8')));
    const listening = tables
      .join('\n')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${port}`) && fields[3] === '0A')
      .map((fields) => (fields[1] ?? '').replace(/^0000000000000000FFFF0000/, ''));

    expect(listening).toEqual([`0100007F:${port}`]);
  });

  it('is shared by two ingests and a query running at the same time, and holds each event once', async () => {
    const { cwd, dataDir } = await newFolder('together');
    const logs = join(workDir, 'logs');
    const started = Date.now();

    const runs = await Promise.all([
      startCli(['ingest', logs], cwd).done,
      startCli(['ingest', logs], cwd).done,
      (async () => {
        await waitForWrites(dataDir, started);
        return startCli(['query', '--action', 'CreateLoadBalancer', '--limit', '1'], cwd).done;
      })(),
    ]);
    const events = await runCli(['query', '--principal', 'arn:aws:iam::111122223333:user/alice', '--json', '--limit', '0'], cwd);
    const again = await runCli(['process', '--json', logs], cwd);

    const alice = parseNdjson(again.stdout).filter((event) => event.principal.id === 'arn:aws:iam::111122223333:user/alice');
    expect({
      codes: runs.map((run) => run.code),
      starts: await serverStarts(dataDir),
      stored: new Set(parseNdjson(events.stdout).map((event) => event.eventID)).size,
    }).toEqual({ codes: [0, 0, 0], starts: 1, stored: alice.length });
  });

  it('stops by itself once idle, and a later command starts it again', async () => {
    const { dataDir } = await newFolder('idle');
    const { state } = await useLocalServer(dataDir, { idleSeconds: 2 });

    await waitFor('the idle server to stop', () => Promise.resolve(!isAlive(state.pid)));

    expect(await localServerStatus(dataDir)).toBeUndefined();
  });

  it('counts a request on a connection of its own as activity, however short', async () => {
    // Prepare: a server that stops after 3 s without activity
    const { dataDir } = await newFolder('idle-short');
    const { state } = await useLocalServer(dataDir, { idleSeconds: 3 });

    // Act: for 6 s, a request every second, each on a connection opened and closed at once, as a short command's are
    // (the server used to look for open connections once a second, and missed most of these)
    for (let second = 0; second < 6; second++) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000));
      const client = new DynamoDBClient({
        endpoint: `http://127.0.0.1:${state.port}`,
        region: LOCAL_REGION,
        credentials: { ...LOCAL_CREDENTIALS },
        maxAttempts: 1,
      });
      await client.send(new ListTablesCommand({})).finally(() => client.destroy());
    }

    // Assess
    expect(isAlive(state.pid)).toBe(true);
  });

  it('once idle, leaves what it stored in the database file alone: no log or journal', async () => {
    const { cwd, dataDir } = await newFolder('idle-log');
    const { state } = await useLocalServer(dataDir, { idleSeconds: 2 });
    await runCli(['ingest', EXAMPLES_DIR], cwd);
    const walWhileRunning = existsSync(join(dataDir, 'shared-local-instance.db-wal'));

    await waitFor('the idle server to stop', () => Promise.resolve(!isAlive(state.pid)));

    const databaseFiles = (await readdir(dataDir)).filter((name) => name.startsWith('shared-local-instance.db'));
    expect({ walWhileRunning, databaseFiles }).toEqual({ walWhileRunning: true, databaseFiles: ['shared-local-instance.db'] });
  });

  it('does not trust a state file whose process is not its launcher, and leaves that process alone', async () => {
    const { dataDir } = await newFolder('stale');
    await mkdir(dataDir, { recursive: true });
    const stale: LocalServerState = { pid: process.pid, port: 1, dataDir, startedAt: '2026-11-20T00:00:00Z', idleSeconds: 30 };
    await writeFile(join(dataDir, STATE_FILE), JSON.stringify(stale));

    const lease = await useLocalServer(dataDir);

    expect({ started: lease.started, other: lease.state.pid !== process.pid }).toEqual({ started: true, other: true });
  });

  it('is never shared with another data folder, even through a copied state file', async () => {
    const other = await newFolder('other');
    const one = (await useLocalServer(main.dataDir)).state;
    // A request now: the first server's idle time starts again, so it outlives the second one's start (seconds
    // under load) whatever the tests before did with it.
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${one.port}`, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } });
    await client.send(new ListTablesCommand({})).finally(() => client.destroy());
    await mkdir(other.dataDir, { recursive: true });
    await writeFile(join(other.dataDir, STATE_FILE), await readFile(join(main.dataDir, STATE_FILE)));

    const two = await useLocalServer(other.dataDir);

    expect({ samePid: two.state.pid === one.pid, firstAlive: isAlive(one.pid) }).toEqual({
      samePid: false,
      firstAlive: true,
    });
  });
});

describe('signals during an ingest', () => {
  /** One folder for the signal tests (one server start); each run reads every file again (--force). */
  let signals: { cwd: string; dataDir: string };

  beforeAll(async () => {
    signals = await newFolder('signals');
  });

  /** An ingest of the generated logs that has started writing. */
  async function writingIngest(concurrency: number): Promise<ReturnType<typeof startCli>> {
    const since = Date.now();
    const ingest = startCli(['ingest', '--force', join(workDir, 'logs'), '--concurrency', String(concurrency)], signals.cwd);
    await waitForWrites(signals.dataDir, since);
    return ingest;
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s stops it cleanly: exit %d, files not done named, none failed, the server untouched', async (signal, exitCode) => {
    const ingest = await writingIngest(1);

    ingest.child.kill(signal);
    const run = await ingest.done;

    const summary = run.stderr.split('\n').find((line) => line.startsWith('ingest: ')) ?? '';
    expect({
      code: run.code,
      notDone: /interrupted|not started/.test(summary),
      failed: / failed/.test(summary),
      refused: run.stderr.includes('ECONNREFUSED'),
      serverAlive: isAlive((await serverState(signals.dataDir)).pid),
    }).toEqual({ code: exitCode, notDone: true, failed: false, refused: false, serverAlive: true });
  });

  it('a second Ctrl-C exits at once, still with a one-line summary', async () => {
    const ingest = await writingIngest(1);
    // The server stops answering (a slow table), so the clean stop the first signal starts cannot end by itself
    // before the second one comes.
    const server = (await serverState(signals.dataDir)).pid;
    process.kill(server, 'SIGSTOP');
    let run: Awaited<typeof ingest.done>;
    try {
      ingest.child.kill('SIGINT');
      // Two signals sent back to back can reach the process as one: the second goes once the kernel has delivered
      // the first, and at once, since the clean stop the first starts may need no server and end within moments.
      await waitForDelivery(ingest.child.pid ?? 0, 'SIGINT');
      ingest.child.kill('SIGINT');
      run = await ingest.done;
    } finally {
      process.kill(server, 'SIGCONT');
    }

    expect({
      code: run.code,
      summary: run.stderr.split('\n').filter((line) => line.startsWith('ingest: ')).length,
      atOnce: run.stderr.includes('stopped at once'),
    }).toEqual({ code: 130, summary: 1, atOnce: true });
  });

  // Last in this folder: it kills the folder's server.
  it('the server killed during an ingest: the run stops once, names the table, exits 3 and blames no file', async () => {
    const ingest = await writingIngest(2);

    process.kill((await serverState(signals.dataDir)).pid, 'SIGKILL');
    const run = await ingest.done;

    const summary = run.stderr.split('\n').find((line) => line.startsWith('ingest: ')) ?? '';
    expect({
      code: run.code,
      tableLines: run.stderr.split('\n').filter((line) => line.includes('cannot use table')).length,
      notDone: / not done/.test(run.stderr),
      failed: / failed/.test(summary),
    }).toEqual({ code: 3, tableLines: 1, notDone: true, failed: false });
  });
});

describe('a file interrupted half-way', () => {
  it('is not written again by the next run up to where the interrupted run had got', async () => {
    const ingest = startCli(['ingest', join(workDir, 'logs'), '--concurrency', '1'], main.cwd);
    await waitForAFileHalfWay(main.dataDir);
    ingest.child.kill('SIGINT');
    const interrupted = await ingest.done;

    const rerun = await runCli(['ingest', join(workDir, 'logs')], main.cwd);

    expect({
      interrupted: interrupted.code,
      rerun: rerun.code,
      resumed: /[1-9][\d,]* already stored by an interrupted run/.test(rerun.stderr),
    }).toEqual({ interrupted: 130, rerun: 0, resumed: true });
  });
});

describe('the server stopped with local stop', () => {
  it('leaves its data in the database file alone, no log or journal, and the next command reads it all', async () => {
    const { cwd, dataDir } = main;
    await serverState(dataDir);

    const stop = await runCli(['local', 'stop'], cwd);
    const databaseFiles = (await readdir(dataDir)).filter((name) => name.startsWith('shared-local-instance.db'));
    const run = await runCli(['query', '--resource', 'web-prod', '--json', '--limit', '0'], cwd);

    expect({ stopped: stop.code, databaseFiles, events: parseNdjson(run.stdout).length }).toEqual({
      stopped: 0,
      databaseFiles: ['shared-local-instance.db'],
      events: 9,
    });
  });
});

describe('the server killed after an ingest reported success', () => {
  it('has lost nothing the ingest stored', async () => {
    const pid = (await serverState(main.dataDir)).pid;

    process.kill(pid, 'SIGKILL');
    await waitFor('the killed server to go', () => Promise.resolve(!isAlive(pid)));
    const run = await runCli(['query', '--resource', 'web-prod', '--json', '--limit', '0'], main.cwd);

    expect(parseNdjson(run.stdout).length).toBe(9);
  });
});
