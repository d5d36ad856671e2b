/**
 * Where a command reads and writes events: the deployed table (`--table NAME`, the SDK's default credentials and
 * region) or the embedded default (DynamoDB Local on 127.0.0.1, data in a data folder, the table created from the
 * same definition the stack deploys). Every command that touches a table opens it here and closes it in a
 * `finally`. The embedded default's server is shared by the commands on one data folder and outlives each of them
 * (`../local/local-server`): it stops by itself once idle, or with `trail-audit local stop`.
 *
 * The data folder is `--data-dir` when given, else the nearest `.trail-audit/` in the working folder or above it
 * (as git finds `.git`), else — for a command that writes — a new `.trail-audit/` in the working folder. A command
 * that only reads never creates one: it says there is no local data instead.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { syncDatabaseFiles, useLocalServer, type LocalServerLease } from '../local/local-server';
import { createTableInput, DEFAULT_TABLE_NAME } from '../store/table-definition';
import { TargetError, UsageError } from './errors';
import type { Command } from 'commander';

/** The embedded default's folder, relative to the working folder. */
export const DEFAULT_DATA_DIR = '.trail-audit';
/** Region of the embedded default. */
export const LOCAL_REGION = 'us-east-1';
/**
 * Credentials of the embedded default: DynamoDB Local checks none, but without `-sharedDb` it keeps one database
 * file per access key ID and region, so every run must use the same ones to see the same data.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'trailauditlocal', secretAccessKey: 'trailauditlocal' } as const;

/** The target options every table command takes. */
export interface TargetOptions {
  /** The deployed table's name; absent → the embedded default. */
  readonly table?: string;
  /** AWS region of the deployed table. @default the SDK's default (AWS_REGION, profile) */
  readonly region?: string;
  /** DynamoDB endpoint of the deployed table (a VPC endpoint, a local emulator). @default the SDK's default */
  readonly endpoint?: string;
  /** Folder of the embedded default's data. @default the nearest `.trail-audit/` at or above the working folder */
  readonly dataDir?: string;
}

/** Whether a command writes to the table (and may create the data folder) or only reads it. */
export type TargetAccess = 'read' | 'write';

/**
 * Raised by a command that only reads when the embedded default has no data folder: nothing was ever ingested
 * here. The command says so and where it looked, rather than creating an empty folder and printing "0 events".
 */
export class NoLocalDataError extends Error {
  override readonly name = 'NoLocalDataError';
}

/** An open target: a client, the table to use, and how to close it. */
export interface Target {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** One line for the summary: `table trail-audit-events (embedded DynamoDB Local, data in .trail-audit)`. */
  readonly description: string;
  /** The embedded default's data folder (absolute); undefined for a deployed table. */
  readonly dataDir?: string;
  /**
   * Makes what was written survive a crash of the operating system too (the embedded default's files are synced;
   * a deployed table's writes are durable once acknowledged). Called before a command reports success.
   */
  flush(): Promise<void>;
  /** Closes the client. The embedded server stays for the next command and stops by itself once idle. */
  close(): Promise<void>;
}

/** What {@link openTarget} gets the embedded server of a data folder from; injectable for tests. */
export type StartLocal = (dataDir: string) => Promise<LocalServerLease>;

/**
 * The data folder of the embedded default: `--data-dir` as given (resolved against `cwd`), else the nearest
 * `.trail-audit/` folder at or above `cwd`, else undefined.
 */
export function findDataDir(dataDir: string | undefined, cwd: string): string | undefined {
  if (dataDir !== undefined) return resolve(cwd, dataDir);
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    const candidate = join(folder, DEFAULT_DATA_DIR);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

/** A data folder as a person reads it: relative to the working folder when it is at or below it, else absolute. */
export function displayDataDir(dataDir: string, cwd: string): string {
  const path = relative(cwd, dataDir);
  return path === '' || path.startsWith('..') ? dataDir : path;
}

/** Adds the target options (`--table`, `--region`, `--endpoint`, `--data-dir`) to a command. */
export function addTargetOptions(command: Command): Command {
  return command
    .option(
      '--table <name>',
      'use this deployed DynamoDB table (SDK default credentials) instead of the embedded default',
    )
    .option('--region <region>', 'AWS region of --table (default: the SDK default: AWS_REGION, profile)')
    .option('--endpoint <url>', 'DynamoDB endpoint for --table (e.g. a VPC endpoint)')
    .option(
      '--data-dir <dir>',
      'data folder of the embedded default (DynamoDB Local) (default: the nearest .trail-audit/ here or above)',
    );
}

/**
 * Opens the target the options name. For the embedded default it finds the data folder (see the module comment),
 * reaches or starts its server and creates the table if it is absent; for a deployed table it checks the table
 * exists, so a typo fails before any work.
 * @throws NoLocalDataError for `read` access when the embedded default has no data folder
 */
export async function openTarget(
  options: TargetOptions,
  cwd: string,
  access: TargetAccess,
  startLocal: StartLocal = useLocalServer,
): Promise<Target> {
  if (options.table !== undefined) return openDeployed(options.table, options);
  if (options.endpoint !== undefined) {
    throw new UsageError('--endpoint names the endpoint of a --table; the embedded default starts its own');
  }
  const found = findDataDir(options.dataDir, cwd);
  if (found === undefined && access === 'read') {
    throw new NoLocalDataError(
      `no local data: no ${DEFAULT_DATA_DIR}/ folder in ${resolve(cwd)} or any folder above it ` +
        `(ingest some logs first: trail-audit ingest PATH; or name one with --data-dir, or a deployed table with --table)`,
    );
  }
  if (found !== undefined && access === 'read' && !existsSync(found)) {
    throw new NoLocalDataError(`no local data: the data folder ${found} does not exist`);
  }
  const dataDir = found ?? resolve(cwd, DEFAULT_DATA_DIR);
  const server = await startLocal(dataDir);
  const base = new DynamoDBClient({
    endpoint: server.endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
  });
  try {
    await ensureTable(base, DEFAULT_TABLE_NAME);
  } catch (error) {
    base.destroy();
    throw error;
  }
  // While the command runs, a light request now and then keeps the server from stopping as idle under it (a large
  // file with nothing to store can be read for minutes without a write).
  const heartbeat = setInterval(
    () => void base.send(new DescribeTableCommand({ TableName: DEFAULT_TABLE_NAME })).catch(() => undefined),
    Math.max(1_000, Math.min(60_000, (server.state.idleSeconds * 1000) / 3)),
  );
  heartbeat.unref();
  return {
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: DEFAULT_TABLE_NAME,
    description: `table ${DEFAULT_TABLE_NAME} (embedded DynamoDB Local, data in ${displayDataDir(dataDir, cwd)})`,
    dataDir,
    flush: () => syncDatabaseFiles(dataDir),
    close() {
      clearInterval(heartbeat);
      base.destroy();
      return Promise.resolve();
    },
  };
}

async function openDeployed(tableName: string, options: TargetOptions): Promise<Target> {
  const base = new DynamoDBClient({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  });
  try {
    await base.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    base.destroy();
    if (error instanceof ResourceNotFoundException) {
      const region = await base.config.region().catch(() => 'the default region');
      throw new TargetError(`table '${tableName}' does not exist in ${region}: check --table and --region`);
    }
    throw error;
  }
  return {
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    description: `table ${tableName}`,
    flush: () => Promise.resolve(),
    close() {
      base.destroy();
      return Promise.resolve();
    },
  };
}

/**
 * Creates the table with the stack's definition unless it exists (the embedded default's first run). Two commands
 * that start together on a new data folder may both try: the one that loses finds the table made by the other.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

/** Opens the target, runs `work` with it, and closes it whatever `work` did. */
export async function withTarget<T>(
  options: TargetOptions,
  cwd: string,
  access: TargetAccess,
  work: (target: Target) => Promise<T>,
  startLocal?: StartLocal,
): Promise<T> {
  const target = await openTarget(options, cwd, access, startLocal);
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}
