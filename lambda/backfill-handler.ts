/**
 * The backfill function's entry point: configuration from the environment at cold start, the production adapters
 * wired into the backfill door (`app/backfill.ts`), and nothing else. The backfill workflow (Step Functions) invokes
 * it for its plan step and for every batch of keys of its Distributed Map.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import * as sfn from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudTrailPublicKeySource } from './adapters/cloudtrail-public-keys';
import { S3FolderLister } from './adapters/s3-folder-lister';
import { S3LogObjectSource } from './adapters/s3-log-reader';
import { SfnRunningBackfills } from './adapters/sfn-running-backfills';
import { createBackfillHandler, type BackfillConfig, type BackfillHandler } from './app/backfill';
import { BACKFILL_SERVICE_NAME, METRICS_NAMESPACE } from './app/metric-names';
import { PublicKeyCache } from './app/public-key-cache';
import { ConfigError, configFromEnv } from './function-config';
import { DynamoDBEventStore } from './store/dynamodb-event-store';
import { DynamoDBFileLedger } from './store/file-ledger';
import { DynamoDBIntegrityStore } from './store/integrity-store';

const logger = new Logger({ serviceName: BACKFILL_SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: BACKFILL_SERVICE_NAME });

/**
 * The backfill function's settings, from the environment: those it shares with the processor (`TABLE_NAME`,
 * `DROP_READ_ONLY`, `RETENTION_DAYS`), and `LOG_BUCKET`, `LOG_PREFIX` (the trail's `[PREFIX/]AWSLogs/`),
 * `RESULTS_BUCKET`, `DEFAULT_MAX_CONCURRENCY` and, when the stack reads an S3 Inventory, `INVENTORY_BUCKET`.
 * @throws ConfigError naming the variable that is missing or wrong
 */
export function backfillConfigFromEnv(env: NodeJS.ProcessEnv): BackfillConfig & {
  tableName: string;
  retentionDays?: number;
} {
  const shared = configFromEnv(env);
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigError(`${name} is not set`);
    return value;
  };
  const logPrefix = required('LOG_PREFIX');
  if (!/(?:^|\/)AWSLogs\/$/.test(logPrefix)) {
    throw new ConfigError(`LOG_PREFIX must be the trail's [PREFIX/]AWSLogs/ folder, got '${logPrefix}'`);
  }
  const concurrency = Number(required('DEFAULT_MAX_CONCURRENCY'));
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`DEFAULT_MAX_CONCURRENCY must be a positive whole number, got '${env.DEFAULT_MAX_CONCURRENCY}'`);
  }
  const inventoryBucket = env.INVENTORY_BUCKET;
  return {
    tableName: shared.tableName,
    dropReadOnly: shared.dropReadOnly,
    ...(shared.retentionDays === undefined ? {} : { retentionDays: shared.retentionDays }),
    bucket: required('LOG_BUCKET'),
    logPrefix,
    resultsBucket: required('RESULTS_BUCKET'),
    defaultMaxConcurrency: concurrency,
    ...(inventoryBucket === undefined || inventoryBucket === '' ? {} : { inventoryBucket }),
  };
}

let production: BackfillHandler | undefined;

function productionHandler(): BackfillHandler {
  const config = backfillConfigFromEnv(process.env);
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({});
  return createBackfillHandler({
    source: new S3LogObjectSource(s3),
    store: new DynamoDBEventStore({
      client: dynamodb,
      tableName: config.tableName,
      ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
    }),
    ledger: new DynamoDBFileLedger({ client: dynamodb, tableName: config.tableName }),
    folders: new S3FolderLister(s3),
    executions: new SfnRunningBackfills(new sfn.SFNClient({}), sfn),
    logger,
    metrics,
    config,
    // Digest files in the range are verified as the processor verifies live ones (docs/integrity.md); CloudTrail
    // signs with a key pair per region, asked of ListPublicKeys in the digest's region and cached.
    integrity: {
      store: new DynamoDBIntegrityStore({ client: dynamodb, tableName: config.tableName }),
      publicKeys: new PublicKeyCache(new CloudTrailPublicKeySource((region) => new CloudTrailClient({ region }))),
    },
  });
}

/**
 * The Lambda entry point. Configuration and clients are built on the first invocation of an execution environment
 * and reused; a misconfiguration fails that invocation with a {@link ConfigError}.
 */
export const handler = async (event: unknown, context?: Context): Promise<unknown> => {
  if (context !== undefined) logger.addContext(context);
  production ??= productionHandler();
  return production(event, context);
};
