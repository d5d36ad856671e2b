/**
 * The processor Lambda's entry point: configuration from the environment at cold start, the production adapters
 * wired into the processor (`app/processor.ts`), and nothing else. S3 (a notification, or EventBridge) or the trail's
 * SNS topic → SQS → this function (with `reportBatchItemFailures`), or a direct S3 notification.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CloudTrailPublicKeySource } from './adapters/cloudtrail-public-keys';
import { S3LogObjectSource } from './adapters/s3-log-reader';
import { SqsMessageRequeue } from './adapters/sqs-message-requeue';
import { alertObserverFromEnv } from './alerts/from-env';
import { IntegrityAlerts } from './app/integrity-alerts';
import { createHandler, type ProcessorHandler } from './app/processor';
import { PublicKeyCache } from './app/public-key-cache';
import { logger as sharedLogger, metrics as sharedMetrics } from './observability';
import { configFromEnv } from './function-config';
import { DynamoDBEventStore } from './store/dynamodb-event-store';
import { DynamoDBFileLedger } from './store/file-ledger';
import { DynamoDBIntegrityStore } from './store/integrity-store';

export { ConfigError, configFromEnv } from './function-config';

let production: ProcessorHandler | undefined;

function productionHandler(): ProcessorHandler {
  const config = configFromEnv(process.env);
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Compliance alerts are on when the stack passes an alert topic (ALERT_TOPIC_ARN).
  const alerts = alertObserverFromEnv(process.env, dynamodb, { logger: sharedLogger, metrics: sharedMetrics });
  if (config.queueUrl === undefined) {
    // Once per execution environment: this runs at cold start only.
    sharedLogger.warn('QUEUE_URL is not set: deferred messages are returned as batch item failures', {
      consequence: 'each deferral counts toward maxReceiveCount',
    });
  }
  return createHandler({
    source: new S3LogObjectSource(new S3Client({})),
    store: new DynamoDBEventStore({
      client: dynamodb,
      tableName: config.tableName,
      ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
    }),
    ledger: new DynamoDBFileLedger({ client: dynamodb, tableName: config.tableName }),
    logger: sharedLogger,
    metrics: sharedMetrics,
    config: { dropReadOnly: config.dropReadOnly },
    observers: alerts === undefined ? [] : [alerts],
    // Proof of completeness: digest files verified as they arrive (docs/integrity.md). CloudTrail signs with a key
    // pair per region: ListPublicKeys is asked in the region of each digest, its answers cached here.
    integrity: {
      store: new DynamoDBIntegrityStore({ client: dynamodb, tableName: config.tableName }),
      publicKeys: new PublicKeyCache(new CloudTrailPublicKeySource((region) => new CloudTrailClient({ region }))),
      ...(alerts === undefined
        ? {}
        : { alerts: new IntegrityAlerts({ delivery: alerts.delivery, logger: sharedLogger, metrics: sharedMetrics }) }),
    },
    ...(config.queueUrl === undefined
      ? {}
      : { requeue: new SqsMessageRequeue({ client: new SQSClient({}), queueUrl: config.queueUrl }) }),
  });
}

/**
 * The Lambda entry point. Configuration and clients are built on the first invocation of an execution
 * environment (its cold start) and reused; a misconfiguration fails that invocation with a {@link ConfigError}.
 */
export const handler = async (event: SQSEvent | S3Event, context?: Context): Promise<SQSBatchResponse | undefined> => {
  if (context !== undefined) sharedLogger.addContext(context);
  production ??= productionHandler();
  return production(event, context);
};
