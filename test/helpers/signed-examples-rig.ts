/**
 * The servers and helpers of the proof-of-completeness tests that run a door over the project's signed examples:
 * s3rver holding the examples (each digest with its signature in its object metadata, as CloudTrail stores it),
 * DynamoDB Local for the table, and the fake CloudTrail answering ListPublicKeys, which the SDK reaches through its
 * standard configuration (`AWS_ENDPOINT_URL_CLOUDTRAIL`, set here for the test file and restored by `stop`).
 */
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metrics } from '../../lambda/app/ports';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { EXAMPLE_BUCKET, exampleObjects, exampleSigningKeys, type ExampleObject } from '../../scripts/make-examples';
import { runCli } from '../integration/cli/cli-helpers';
import { localDocumentClient } from './dynamodb';
import { startFakeCloudTrail, type FakeCloudTrail } from './fake-cloudtrail';
import { startS3rver, type LocalS3 } from './s3rver';
import { startServers } from './servers';

/** Metrics added up by name. */
export class RecordingMetrics implements Metrics {
  readonly totals = new Map<string, number>();
  addMetric(name: string, _unit: 'Count', value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
  publishStoredMetrics(): void {}
}

/** One line of `trail-audit verify --json`. */
export interface VerifyLine {
  readonly kind: 'digest' | 'log-file';
  readonly key: string;
  readonly status: string;
}

/** The running servers, and what the tests do with them. */
export interface SignedExamplesRig {
  readonly s3: LocalS3;
  readonly dynamodb: DynamoDBLocalServer;
  readonly cloudTrail: FakeCloudTrail;
  readonly client: DynamoDBDocumentClient;
  /** A scratch folder for the CLI's working directory. */
  readonly workDir: string;
  /** Empties the examples' bucket and puts every example in it again. */
  reset(): Promise<void>;
  /** Puts one example, with other text or metadata when given. */
  put(object: ExampleObject, text?: string, metadata?: ExampleObject['metadata']): Promise<void>;
  remove(key: string): Promise<void>;
  /** `trail-audit verify --table NAME --json`: the table's results, checked again. */
  verifyTable(tableName: string): Promise<{ code: number; lines: VerifyLine[] }>;
  /** Stops the servers, restores the environment and removes the scratch folder. */
  stop(): Promise<void>;
}

/** Starts s3rver, DynamoDB Local and the fake CloudTrail (with the examples' public keys) on 127.0.0.1. */
export async function startSignedExamplesRig(): Promise<SignedExamplesRig> {
  const savedEnv = { ...process.env };
  const workDir = await mkdtemp(join(tmpdir(), 'trail-audit-signed-examples-'));
  const keys = exampleSigningKeys();
  let s3: LocalS3 | undefined;
  let dynamodb: DynamoDBLocalServer | undefined;
  let cloudTrail: FakeCloudTrail | undefined;
  await startServers([
    startS3rver([EXAMPLE_BUCKET]).then((started) => {
      s3 = started;
    }),
    startDynamoDBLocal().then((started) => {
      dynamodb = started;
    }),
    startFakeCloudTrail({ 'us-east-1': [keys.usEast1.publicKey], 'eu-west-1': [keys.euWest1.publicKey] }).then((started) => {
      cloudTrail = started;
    }),
  ]);
  if (s3 === undefined || dynamodb === undefined || cloudTrail === undefined) throw new Error('a server did not start');
  const bucket = s3.client;
  const endpoint = dynamodb.endpoint;
  const client = localDocumentClient(endpoint);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
  });
  const put = async (object: ExampleObject, text = object.text, metadata = object.metadata): Promise<void> => {
    await bucket.send(
      new PutObjectCommand({
        Bucket: EXAMPLE_BUCKET,
        Key: object.key,
        Body: gzipSync(text),
        ...(metadata === undefined ? {} : { Metadata: { ...metadata } }),
      }),
    );
  };
  const remove = async (key: string): Promise<void> => {
    await bucket.send(new DeleteObjectCommand({ Bucket: EXAMPLE_BUCKET, Key: key }));
  };
  const servers = { s3, dynamodb, cloudTrail };
  return {
    ...servers,
    client,
    workDir,
    put,
    remove,
    reset: async () => {
      const listed = await bucket.send(new ListObjectsV2Command({ Bucket: EXAMPLE_BUCKET }));
      for (const object of listed.Contents ?? []) if (object.Key !== undefined) await remove(object.Key);
      for (const object of exampleObjects()) await put(object);
    },
    verifyTable: async (tableName) => {
      const run = await runCli(['verify', '--table', tableName, '--endpoint', endpoint, '--json'], workDir);
      return {
        code: run.code,
        lines: run.stdout
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as VerifyLine),
      };
    },
    stop: async () => {
      process.env = savedEnv;
      client.destroy();
      await Promise.all([servers.s3.stop(), servers.dynamodb.stop(), servers.cloudTrail.stop()]);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the servers before the test file's tests and stops them after; before each test, the examples' bucket holds
 * every example again. Returns the running servers (for use inside tests and hooks).
 */
export function useSignedExamplesRig(): () => SignedExamplesRig {
  let rig: SignedExamplesRig | undefined;
  const running = (): SignedExamplesRig => {
    if (rig === undefined) throw new Error('the servers are not set up');
    return rig;
  };
  beforeAll(async () => {
    rig = await startSignedExamplesRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });
  beforeEach(async () => {
    await running().reset();
  });
  return running;
}

/** The lines of a verification that are not `verified`, as `[kind, key, status]`. */
export function notVerified(lines: readonly VerifyLine[]): [string, string, string][] {
  return lines.filter((line) => line.status !== 'verified').map((line) => [line.kind, line.key, line.status]);
}
