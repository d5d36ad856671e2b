/**
 * Amazon DynamoDB Local, on demand: the embedded default of the CLI and the server of the integration tests.
 *
 * The jar is AWS's own emulator, shipped inside the npm package `amplify-dynamodb-simulator`. Only that package's
 * tarball is fetched (`npm pack`, from the npm registry), once, into the user's cache folder (see
 * {@link defaultCacheDir}: outside `node_modules`, so `npm ci` does not fetch its 64 MB again); its many dependencies
 * are never installed. The server runs through the launcher `LoopbackDynamoDBLocal`, which binds it to 127.0.0.1 on a
 * free port. A server started here is owned by this process and exits when it goes away; the CLI's shared server
 * (`./local-server`) is started detached and stops itself when idle. The launcher ships compiled (its classes beside
 * its source, made by `scripts/compile-launcher.ts`), so a Java runtime is all the local mode needs: no JDK, no
 * compiler.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
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

/** The environment variable that names trail-audit's cache folder (where DynamoDB Local is kept). */
export const CACHE_DIR_VARIABLE = 'TRAIL_AUDIT_CACHE_DIR';

/**
 * trail-audit's cache folder: `$TRAIL_AUDIT_CACHE_DIR` when set, else `trail-audit/` in the platform's usual cache
 * folder — `$XDG_CACHE_HOME` or `~/.cache` on Linux and other Unix systems, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows. Outside `node_modules`, so a fresh `npm ci` keeps what was fetched.
 */
export function cacheRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const chosen = env[CACHE_DIR_VARIABLE];
  if (chosen !== undefined && chosen !== '') return resolve(chosen);
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'trail-audit');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'trail-audit');
  const xdg = env.XDG_CACHE_HOME;
  // The XDG specification ignores a relative path.
  return join(xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.cache'), 'trail-audit');
}

/** Where the emulator is kept between runs: a folder per pinned release in {@link cacheRoot}. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), DYNAMODB_LOCAL_PACKAGE.replace('@', '-'));
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

/**
 * The `java` arguments that run DynamoDB Local through the launcher, from the folder {@link ensureDynamoDBLocal}
 * prepared: `launcherOptions` (the launcher's own, see its source) then DynamoDB Local's, with `-dbPath` when data is
 * kept on disk (else `-inMemory`), a free port and one database whatever the credentials and region (`-sharedDb`),
 * so any client pointed at the data folder sees the same table.
 */
export function dynamoDBLocalArgs(home: string, dataDir: string | undefined, launcherOptions: readonly string[] = []): string[] {
  const storage = dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir];
  return [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-cp',
    `${emulatorClassPath(home)}:${LAUNCHER_DIR}`,
    LAUNCHER_CLASS,
    ...launcherOptions,
    ...storage,
    '-port',
    '0',
    '-sharedDb',
    '-disableTelemetry',
  ];
}

/** The message when `java` cannot be run at all. */
export function javaMissing(error: Error): DynamoDBLocalError {
  return new DynamoDBLocalError(`cannot run java (a Java runtime, 17 or newer, is needed): ${error.message}`);
}

/**
 * Starts DynamoDB Local on 127.0.0.1 on a free port, owned by this process (it exits when this process goes away or
 * {@link DynamoDBLocalServer.stop} is called), and resolves once it listens. The integration tests' servers.
 */
export async function startDynamoDBLocal(options: StartOptions = {}): Promise<DynamoDBLocalServer> {
  const home = await ensureDynamoDBLocal(options.cacheDir);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const child = spawn(
    'java',
    dynamoDBLocalArgs(home, dataDir),
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
      reject(javaMissing(error));
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
    throw new DynamoDBLocalError(
      `preparing DynamoDB Local failed at '${command} ${args.join(' ')}': ${toolReason(error)}`,
    );
  }
}

/**
 * What a failed tool said: npm's own `npm error` lines (its code and reason: `E404`, `ECONNREFUSED`, a proxy refused),
 * without the lines that only point at its debug log; else the tool's last lines on stderr; else the error's message.
 */
export function toolReason(error: unknown): string {
  const stderr = (error as { stderr?: unknown } | undefined)?.stderr;
  const lines = (typeof stderr === 'string' ? stderr : '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const npm = lines
    .filter((line) => /^npm (error|ERR!)/.test(line))
    .map((line) => line.replace(/^npm (error|ERR!)\s*/, ''))
    .filter((line) => line !== '' && !/complete log of this run|^A complete log|\.log$/i.test(line));
  if (npm.length > 0) return npm.join('; ');
  if (lines.length > 0) return lines.slice(-3).join('; ');
  return error instanceof Error ? error.message : String(error);
}
