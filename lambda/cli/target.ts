/**
 * Where a command reads and writes events: the deployed table (`--table NAME`, the SDK's default credentials and
 * region) or the embedded default (DynamoDB Local on 127.0.0.1, data under `--data-dir`, the table created from
 * the same definition the stack deploys). Every command that touches a table opens it here and closes it in a
 * `finally`, so the local server never outlives the command, whatever happened.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolve } from 'node:path';
import { startDynamoDBLocal, type DynamoDBLocalServer, type StartOptions } from '../local/dynamodb-local';
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
  /** Folder of the embedded default's data. @default `.trail-audit/` in the working folder */
  readonly dataDir?: string;
}

/** An open target: a client, the table to use, and how to close it. */
export interface Target {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** One line for the summary: `table trail-audit-events (embedded, .trail-audit)`. */
  readonly description: string;
  /** Closes the client and stops the embedded server, if any. */
  close(): Promise<void>;
}

/** What {@link openTarget} starts the embedded server with; injectable for tests. */
export type StartLocal = (options: StartOptions) => Promise<DynamoDBLocalServer>;

/** Adds the target options (`--table`, `--region`, `--endpoint`, `--data-dir`) to a command. */
export function addTargetOptions(command: Command): Command {
  return command
    .option(
      '--table <name>',
      'use this deployed DynamoDB table (SDK default credentials) instead of the embedded default',
    )
    .option('--region <region>', 'AWS region of --table (default: the SDK default: AWS_REGION, profile)')
    .option('--endpoint <url>', 'DynamoDB endpoint for --table (e.g. a VPC endpoint)')
    .option('--data-dir <dir>', 'data folder of the embedded default (DynamoDB Local)', DEFAULT_DATA_DIR);
}

/**
 * Opens the target the options name. For the embedded default it starts DynamoDB Local and creates the table
 * if it is absent; for a deployed table it checks the table exists, so a typo fails before any work.
 */
export async function openTarget(
  options: TargetOptions,
  cwd: string,
  startLocal: StartLocal = startDynamoDBLocal,
): Promise<Target> {
  if (options.table !== undefined) return openDeployed(options.table, options);
  if (options.endpoint !== undefined) {
    throw new UsageError('--endpoint names the endpoint of a --table; the embedded default starts its own');
  }
  const dataDir = resolve(cwd, options.dataDir ?? DEFAULT_DATA_DIR);
  const server = await startLocal({ dataDir });
  const base = new DynamoDBClient({
    endpoint: server.endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
  });
  try {
    await ensureTable(base, DEFAULT_TABLE_NAME);
  } catch (error) {
    base.destroy();
    await server.stop();
    throw error;
  }
  return {
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: DEFAULT_TABLE_NAME,
    description: `table ${DEFAULT_TABLE_NAME} (embedded DynamoDB Local, data in ${options.dataDir ?? DEFAULT_DATA_DIR})`,
    async close() {
      base.destroy();
      await server.stop();
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
    close() {
      base.destroy();
      return Promise.resolve();
    },
  };
}

/** Creates the table with the stack's definition unless it exists (the embedded default's first run). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

/** Opens the target, runs `work` with it, and closes it whatever `work` did. */
export async function withTarget<T>(
  options: TargetOptions,
  cwd: string,
  work: (target: Target) => Promise<T>,
  startLocal?: StartLocal,
): Promise<T> {
  const target = await openTarget(options, cwd, startLocal);
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}
