/**
 * `trail-audit local status|stop`: the embedded default's server. Commands start it on demand and share it; it stops
 * by itself once idle. `status` says which data folder a command here would use, whether its server runs, how much
 * disk its data takes and where DynamoDB Local is cached; `stop` stops the server now (a later command starts it again).
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CACHE_DIR_VARIABLE, defaultCacheDir } from '../../local/dynamodb-local';
import { DATABASE_FILES, IDLE_VARIABLE, localServerStatus, stopLocalServer } from '../../local/local-server';
import { ExitCode, type ExitCodeValue } from '../errors';
import { writeLine, type CliIO } from '../io';
import { DEFAULT_DATA_DIR, displayDataDir, findDataDir } from '../target';

/** Options of `local status` and `local stop`. */
export interface LocalOptions {
  readonly dataDir?: string;
}

/** `1:02:03`-style durations are for progress; here people read `10m` and `90s`. */
function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The bytes the database files of a data folder take. */
export async function databaseBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of DATABASE_FILES) {
    total += await stat(join(dataDir, name)).then(
      (info) => info.size,
      () => 0,
    );
  }
  return total;
}

/** Runs `local status`. */
export async function runLocalStatus(options: LocalOptions, io: CliIO): Promise<ExitCodeValue> {
  const dataDir = findDataDir(options.dataDir, io.cwd);
  const cache = defaultCacheDir();
  const cacheLine =
    `DynamoDB Local: ${cache} (${existsSync(join(cache, 'DynamoDBLocal.jar')) ? 'fetched' : 'fetched on first use'}; ` +
    `${CACHE_DIR_VARIABLE} moves it)`;
  if (dataDir === undefined || !existsSync(dataDir)) {
    await writeLine(
      io.stdout,
      `data folder: none (no ${DEFAULT_DATA_DIR}/ in ${io.cwd} or above it${options.dataDir === undefined ? '' : `; ${dataDir ?? ''} does not exist`}): ingest creates one here`,
    );
    await writeLine(io.stdout, 'server: not running');
    await writeLine(io.stdout, cacheLine);
    return ExitCode.Ok;
  }
  const state = await localServerStatus(dataDir);
  await writeLine(io.stdout, `data folder: ${displayDataDir(dataDir, io.cwd)}`);
  await writeLine(
    io.stdout,
    state === undefined
      ? 'server: not running (the next command starts it)'
      : `server: running, pid ${state.pid}, http://127.0.0.1:${state.port}, since ${state.startedAt}; ` +
          `stops after ${formatSeconds(state.idleSeconds)} without a request (${IDLE_VARIABLE})`,
  );
  await writeLine(io.stdout, `database: ${megabytes(await databaseBytes(dataDir))}`);
  await writeLine(io.stdout, cacheLine);
  return ExitCode.Ok;
}

/** Runs `local stop`. */
export async function runLocalStop(options: LocalOptions, io: CliIO): Promise<ExitCodeValue> {
  const dataDir = findDataDir(options.dataDir, io.cwd);
  const stopped = dataDir === undefined ? undefined : await stopLocalServer(dataDir);
  const where = dataDir === undefined ? `no ${DEFAULT_DATA_DIR}/ here or above` : displayDataDir(dataDir, io.cwd);
  await writeLine(
    io.stderr,
    stopped === undefined
      ? `local: no server is running for ${where}`
      : `local: stopped the server of ${where} (pid ${stopped.pid})`,
  );
  return ExitCode.Ok;
}

/** Registers `local` and its subcommands on the program. */
export function registerLocalCommand(program: Command, io: CliIO, setExitCode: (code: ExitCodeValue) => void): void {
  const local = program
    .command('local')
    .summary("the embedded default's server: local status, local stop")
    .description(
      'The embedded default keeps one DynamoDB Local per data folder, started by the first command that needs it, ' +
        'shared by the commands that follow (even at the same time), bound to 127.0.0.1, and stopped by itself ' +
        `once idle (10 minutes; ${IDLE_VARIABLE}=90s, 30m, ... sets it).`,
    );
  const dataDirOption = [
    '--data-dir <dir>',
    'data folder of the embedded default (default: the nearest .trail-audit/ here or above)',
  ] as const;
  local
    .command('status')
    .description('the data folder a command here uses, its server, its size on disk, and where DynamoDB Local is kept')
    .option(...dataDirOption)
    .action(async (options: LocalOptions) => {
      setExitCode(await runLocalStatus(options, io));
    });
  local
    .command('stop')
    .description('stop the data folder\'s server now (what it acknowledged is stored; the next command starts it again)')
    .option(...dataDirOption)
    .action(async (options: LocalOptions) => {
      setExitCode(await runLocalStop(options, io));
    });
}
