/**
 * Amazon DynamoDB Local, on demand: the embedded default of the CLI and the server of the integration tests.
 *
 * The jar is AWS's own emulator, shipped inside the npm package `amplify-dynamodb-simulator`. Only that package's
 * tarball is fetched (`npm pack`, from the npm registry), once, into `node_modules/.cache/trail-audit/`; its many
 * dependencies are never installed. The server runs through the launcher `LoopbackDynamoDBLocal`, which binds it to
 * 127.0.0.1 on a free port and makes it exit when its parent goes away. The launcher ships compiled
 * (`LoopbackDynamoDBLocal.class`, beside its source, made by `scripts/compile-launcher.ts`), so a Java runtime is all
 * the local mode needs: no JDK, no compiler.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../package-root';

const execFileAsync = promisify(execFile);

/** The npm package whose tarball carries DynamoDB Local (folder `emulator/`). Pinned: its jar is what we test on. */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';

/** The launcher's class name. */
export const LAUNCHER_CLASS = 'LoopbackDynamoDBLocal';

/** The folder holding the launcher's source and its compiled class (on the class path as it is). */
export const LAUNCHER_DIR = join(PACKAGE_ROOT, 'lambda', 'local');

/** Where the emulator is kept between runs. */
export function defaultCacheDir(): string {
  return join(PACKAGE_ROOT, 'node_modules', '.cache', 'trail-audit', DYNAMODB_LOCAL_PACKAGE.replace('@', '-'));
}

/** Raised when DynamoDB Local cannot be fetched or started; the message says what to check. */
export class DynamoDBLocalError extends Error {
  override readonly name = 'DynamoDBLocalError';
}

/**
 * Makes sure the emulator is in `cacheDir`, fetching it on first use (with npm and tar; nothing is compiled).
 * Safe to call from several processes at once: each prepares a private folder and renames it into place.
 * @returns the folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`.
 */
export async function ensureDynamoDBLocal(cacheDir: string = defaultCacheDir()): Promise<string> {
  if (existsSync(join(cacheDir, 'DynamoDBLocal.jar'))) return cacheDir;
  await mkdir(resolve(cacheDir, '..'), { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'trail-audit-ddb-'));
  try {
    const packed = await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--silent', '--pack-destination', work], work);
    const tarball = join(work, packed.trim().split('\n').pop() ?? '');
    await run('tar', ['-xzf', tarball, '-C', work, 'package/emulator'], work);
    const emulator = join(work, 'package', 'emulator');
    try {
      await rename(emulator, cacheDir);
    } catch (error) {
      // Another process got there first; theirs is as good as ours.
      if (!existsSync(join(cacheDir, 'DynamoDBLocal.jar'))) throw error;
    }
    return cacheDir;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A running DynamoDB Local. */
export interface DynamoDBLocalServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server and waits for its process to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDBLocal}. */
export interface StartOptions {
  /**
   * Folder for the database file; the data survives the server.
   * @default in memory: the data goes with the server
   */
  readonly dataDir?: string;
  /** @default {@link defaultCacheDir} */
  readonly cacheDir?: string;
  /**
   * How long to wait for the server to listen.
   * @default 60 seconds
   */
  readonly startTimeoutMs?: number;
}

/** Starts DynamoDB Local on 127.0.0.1 on a free port and resolves once it listens. */
export async function startDynamoDBLocal(options: StartOptions = {}): Promise<DynamoDBLocalServer> {
  const home = await ensureDynamoDBLocal(options.cacheDir);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const storage = dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir];
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-cp',
      `${emulatorClassPath(home)}:${LAUNCHER_DIR}`,
      LAUNCHER_CLASS,
      ...storage,
      '-port',
      '0',
      // One database whatever the credentials and region: any client pointed at the data folder sees the same table.
      '-sharedDb',
      '-disableTelemetry',
    ],
    // DynamoDB Local writes a metadata file into its working folder: keep it out of the user's.
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: home },
  );
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new DynamoDBLocalError(`DynamoDB Local did not start within ${options.startTimeoutMs ?? 60_000} ms`));
    }, options.startTimeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new DynamoDBLocalError(`cannot run java (a Java runtime, 17 or newer, is needed): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new DynamoDBLocalError(`DynamoDB Local exited with code ${String(code)}: ${stderr.trim()}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.stdin.end();
      await exited;
      clearTimeout(killer);
    },
  };
}

/** The emulator's class path (its jar and libraries) in the folder {@link ensureDynamoDBLocal} prepared. */
export function emulatorClassPath(home: string): string {
  return `${join(home, 'DynamoDBLocal.jar')}:${join(home, 'DynamoDBLocal_lib', '*')}`;
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DynamoDBLocalError(`preparing DynamoDB Local failed at '${command} ${args.join(' ')}': ${reason}`);
  }
}
