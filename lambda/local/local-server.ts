/**
 * The CLI's local DynamoDB server: one DynamoDB Local per data folder, started on demand by the first command that
 * needs it, shared by every command on that folder (even at the same time), and stopped by itself once no client
 * has talked to it for the idle time. A person asking question after question waits for the Java server once.
 *
 * The server is started detached (a process group of its own, so the terminal's Ctrl-C does not reach it: the
 * CLI decides when work stops), bound to 127.0.0.1, with its data in SQLite's write-ahead log mode (see the
 * launcher). It is found again through a state file in the data folder (`server.json`: pid, port, folder), which
 * is trusted only when that process is still a trail-audit DynamoDB Local launcher of that very folder and its port
 * answers; anything else is stale and removed. Starting is serialised by a lock file (`server.lock`), so two commands
 * that start at once share one server. Nothing here ever kills a process it cannot tie to the folder.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBLocalError, dynamoDBLocalArgs, ensureDynamoDBLocal, javaMissing, LAUNCHER_CLASS } from './dynamodb-local';

const execFileAsync = promisify(execFile);

/** The state file of a running server, in the data folder. */
export const STATE_FILE = 'server.json';
/** The lock file held while a server is being found or started. */
export const LOCK_FILE = 'server.lock';
/** Where the server's own output goes (appended), for when it does not start. */
export const LOG_FILE = 'server.log';
/** The file the launcher writes its port to. */
const PORT_FILE = 'server.port';
/** The database file DynamoDB Local keeps with `-sharedDb`, and the write-ahead log beside it. */
export const DATABASE_FILES = ['shared-local-instance.db', 'shared-local-instance.db-wal'] as const;

/** The environment variable that sets the idle time after which the server stops. */
export const IDLE_VARIABLE = 'TRAIL_AUDIT_LOCAL_IDLE';
/** The idle time when none is set: long enough for a person's next question, short enough not to linger. */
export const DEFAULT_IDLE_SECONDS = 600;

/** How long a lock may be held before it is taken for the leftover of a process that died. */
const STALE_LOCK_MS = 120_000;
/** The Java heap of the server: requests are paged (1 MB), SQLite's cache lives outside the heap. */
const JVM_OPTIONS = ['-Xmx1g', '-XX:+UseSerialGC'];

/** What `server.json` holds. */
export interface LocalServerState {
  readonly pid: number;
  readonly port: number;
  /** The data folder's real path: a state file copied with its folder does not point at another folder's server. */
  readonly dataDir: string;
  readonly startedAt: string;
  readonly idleSeconds: number;
}

/** A server this command may use; it outlives the command. */
export interface LocalServerLease {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly state: LocalServerState;
  /** True when this command started it (the Java server's start-up was waited for). */
  readonly started: boolean;
}

/** Options of {@link useLocalServer}. */
export interface LocalServerOptions {
  /** @default {@link idleSecondsFrom} the environment */
  readonly idleSeconds?: number;
  /** @default the emulator's default cache folder */
  readonly cacheDir?: string;
  /** @default 60 seconds */
  readonly startTimeoutMs?: number;
}

/**
 * Parses an idle time: seconds (`600`), or a number with `s`, `m` or `h` (`90s`, `10m`, `1h`); at least 1 second.
 * @throws RangeError naming the variable when the text is not such a time
 */
export function parseIdleSeconds(text: string): number {
  const match = /^\s*(\d+)\s*([smh]?)\s*$/.exec(text);
  const value = match === null ? NaN : Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600 }[match[2] ?? ''] ?? NaN);
  if (!Number.isFinite(value) || value < 1) {
    throw new RangeError(`${IDLE_VARIABLE} '${text}' is not an idle time: use seconds or 90s, 10m, 1h (at least 1s)`);
  }
  return value;
}

/** The idle time the environment asks for, else {@link DEFAULT_IDLE_SECONDS}. */
export function idleSecondsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[IDLE_VARIABLE];
  return text === undefined || text.trim() === '' ? DEFAULT_IDLE_SECONDS : parseIdleSeconds(text);
}

/**
 * The server of `dataDir` (created if missing): the running one when there is one, else a new one, started
 * detached. Concurrent callers on one folder get the same server.
 */
export async function useLocalServer(dataDir: string, options: LocalServerOptions = {}): Promise<LocalServerLease> {
  await mkdir(dataDir, { recursive: true });
  const folder = await realpath(dataDir);
  return withLock(folder, options.startTimeoutMs ?? 60_000, async () => {
    const running = await liveState(folder);
    if (running !== undefined) return { endpoint: endpointOf(running), state: running, started: false };
    const state = await startDetached(folder, options);
    return { endpoint: endpointOf(state), state, started: true };
  });
}

/** The running server of `dataDir`, if any (a stale state file is removed). */
export async function localServerStatus(dataDir: string): Promise<LocalServerState | undefined> {
  if (!existsSync(dataDir)) return undefined;
  return liveState(await realpath(dataDir));
}

/**
 * Stops the server of `dataDir` (SIGTERM, then SIGKILL after `timeoutMs`) and removes its state file. Writes it
 * acknowledged are in the write-ahead log, which its next start replays.
 * @returns the state of the server that was stopped, or undefined when none was running
 */
export async function stopLocalServer(dataDir: string, timeoutMs = 10_000): Promise<LocalServerState | undefined> {
  if (!existsSync(dataDir)) return undefined;
  const folder = await realpath(dataDir);
  const state = await liveState(folder);
  if (state === undefined) return undefined;
  signal(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(state.pid)) signal(state.pid, 'SIGKILL');
  while (isAlive(state.pid)) await sleep(20);
  await rm(join(folder, STATE_FILE), { force: true });
  return state;
}

/**
 * Flushes the server's database files to the disk (fsync): a committed write survives the server being killed
 * anyway (it is in the write-ahead log); after this it also survives the operating system going down.
 */
export async function syncDatabaseFiles(dataDir: string): Promise<void> {
  for (const name of DATABASE_FILES) {
    let handle;
    try {
      handle = await open(join(dataDir, name), 'r');
    } catch {
      continue;
    }
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function endpointOf(state: LocalServerState): string {
  return `http://127.0.0.1:${state.port}`;
}

/** The state file's server when it is alive and this folder's; else undefined, and a stale file is removed. */
async function liveState(folder: string): Promise<LocalServerState | undefined> {
  const path = join(folder, STATE_FILE);
  let state: LocalServerState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as LocalServerState;
  } catch {
    return undefined;
  }
  const valid =
    Number.isInteger(state.pid) &&
    Number.isInteger(state.port) &&
    state.dataDir === folder &&
    isAlive(state.pid) &&
    (await isLauncherOf(state.pid, folder)) &&
    (await answers(state.port));
  if (valid) return state;
  await rm(path, { force: true });
  return undefined;
}

/** Whether process `pid` is the DynamoDB Local launcher of `folder` (its command line names both). */
async function isLauncherOf(pid: number, folder: string): Promise<boolean> {
  let commandLine: string;
  try {
    commandLine =
      process.platform === 'linux'
        ? (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
        : (await execFileAsync('ps', ['-o', 'command=', '-p', String(pid)])).stdout;
  } catch {
    return false;
  }
  return commandLine.includes(LAUNCHER_CLASS) && commandLine.includes(` -dbPath ${folder} `);
}

/** Whether something accepts connections on 127.0.0.1:`port` within a second. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolvePromise(result);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** Starts the folder's server detached and writes its state file. */
async function startDetached(folder: string, options: LocalServerOptions): Promise<LocalServerState> {
  const home = await ensureDynamoDBLocal(options.cacheDir);
  const idleSeconds = options.idleSeconds ?? idleSecondsFrom();
  const portFile = join(folder, PORT_FILE);
  await rm(portFile, { force: true });
  const log = await open(join(folder, LOG_FILE), 'a');
  const child = (() => {
    try {
      return spawn(
        'java',
        [
          ...JVM_OPTIONS,
          ...dynamoDBLocalArgs(home, folder, ['-idleSeconds', String(idleSeconds), '-portFile', portFile, '-durableWal']),
        ],
        // A process group of its own: Ctrl-C in the terminal goes to the CLI, which decides what stops.
        { cwd: home, detached: true, stdio: ['ignore', log.fd, log.fd], windowsHide: true },
      );
    } finally {
      void log.close();
    }
  })();
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = javaMissing(error);
  });
  child.once('exit', (code) => {
    failure ??= new DynamoDBLocalError(`DynamoDB Local exited with code ${String(code)}`);
  });
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    if (failure !== undefined) throw await withLogTail(failure, folder);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw await withLogTail(new DynamoDBLocalError(`DynamoDB Local did not start within ${timeoutMs} ms`), folder);
    }
    const text = await readFile(portFile, 'utf8').catch(() => '');
    if (/^\d+$/.test(text)) port = Number(text);
    else await sleep(50);
  }
  await rm(portFile, { force: true });
  if (child.pid === undefined) throw new DynamoDBLocalError('DynamoDB Local started without a process id');
  const state: LocalServerState = {
    pid: child.pid,
    port,
    dataDir: folder,
    startedAt: new Date().toISOString(),
    idleSeconds,
  };
  await writeFileAtomically(join(folder, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  child.unref();
  return state;
}

async function withLogTail(error: Error, folder: string): Promise<Error> {
  const log = await readFile(join(folder, LOG_FILE), 'utf8').catch(() => '');
  const tail = log.trim().split('\n').slice(-5).join(' | ');
  return tail === '' ? error : new DynamoDBLocalError(`${error.message}: ${tail} (see ${join(folder, LOG_FILE)})`);
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/**
 * Runs `work` holding the folder's lock file. A lock left by a process that died (or older than a start can take)
 * is taken over; otherwise this waits for it, up to `timeoutMs` plus the stale age.
 */
async function withLock<T>(folder: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const path = join(folder, LOCK_FILE);
  const deadline = Date.now() + timeoutMs + STALE_LOCK_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStaleLock(path)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new DynamoDBLocalError(`${path} is held by another trail-audit command; remove it if none is running`);
    }
    await sleep(100);
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

async function isStaleLock(path: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const age = Date.now() - info.mtimeMs;
    // Its holder writes its pid just after creating it: an empty lock is someone starting, unless it is old.
    if (text === '') return age > 5_000;
    const pid = Number(text);
    return !Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || age > STALE_LOCK_MS;
  } catch {
    // Gone since: not stale, just free.
    return false;
  }
}
