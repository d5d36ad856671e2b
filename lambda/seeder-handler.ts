/**
 * The Event-history seeder Lambda's entry point: configuration from the environment at cold start, the production
 * adapters wired into the seeder (`app/event-history-seeder.ts`), and nothing else. The `EventHistorySeeder`
 * construct's state machine invokes it with `{ startedAt }` until it answers `{ done: true }`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { CloudTrailEventHistory } from './adapters/cloudtrail-event-history';
import { alertObserverFromEnv } from './alerts/from-env';
import { EventHistoryDoor } from './app/event-history';
import { createSeederHandler, type SeedEvent, type SeedResponse } from './app/event-history-seeder';
import { LogObjectService } from './app/log-object-service';
import { parseRegionList } from './core/event-history';
import { ConfigError, configFromEnv } from './handler';
import { logger as sharedLogger, metrics as sharedMetrics } from './observability';
import { DynamoDBEventStore } from './store/dynamodb-event-store';
import { DynamoDBFileLedger } from './store/file-ledger';

/**
 * The seeder's own settings, from the environment: `SEED_ALERTS` (`true` | `false`, default `true`: the compliance
 * rules run on seeded events as on any other, exactly once) and `SEED_REGIONS` (region names separated by commas;
 * default every enabled region). The table settings are the processor's (`TABLE_NAME`, `RETENTION_DAYS`,
 * `DROP_READ_ONLY`), and so are the alerts' (`ALERT_TOPIC_ARN`, ...).
 */
export function seederConfigFromEnv(env: NodeJS.ProcessEnv): { seedAlerts: boolean; regions?: string[] } {
  const alerts = env.SEED_ALERTS ?? 'true';
  if (alerts !== 'true' && alerts !== 'false') {
    throw new ConfigError(`SEED_ALERTS must be 'true' or 'false', got '${alerts}'`);
  }
  const regions = env.SEED_REGIONS;
  if (regions === undefined || regions === '') return { seedAlerts: alerts === 'true' };
  try {
    return { seedAlerts: alerts === 'true', regions: parseRegionList(regions) };
  } catch (error) {
    throw new ConfigError(`SEED_REGIONS: ${(error as Error).message}`);
  }
}

type SeederHandler = (event: SeedEvent, context?: Context) => Promise<SeedResponse>;

let production: SeederHandler | undefined;

function productionHandler(): SeederHandler {
  const config = configFromEnv(process.env);
  const seeder = seederConfigFromEnv(process.env);
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const alerts = seeder.seedAlerts
    ? alertObserverFromEnv(process.env, dynamodb, { logger: sharedLogger, metrics: sharedMetrics })
    : undefined;
  if (!seeder.seedAlerts) sharedLogger.info('alerts on seeded events are off (SEED_ALERTS=false)', { alerts: 'off' });
  const ledger = new DynamoDBFileLedger({ client: dynamodb, tableName: config.tableName });
  const service = new LogObjectService({
    store: new DynamoDBEventStore({
      client: dynamodb,
      tableName: config.tableName,
      ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
    }),
    ledger,
    dropReadOnly: config.dropReadOnly,
    observers: alerts === undefined ? [] : [alerts],
  });
  const source = new CloudTrailEventHistory();
  return createSeederHandler({
    door: new EventHistoryDoor({ service, ledger, source }),
    source,
    logger: sharedLogger,
    metrics: sharedMetrics,
    config: seeder.regions === undefined ? {} : { regions: seeder.regions },
  });
}

/**
 * The Lambda entry point. Configuration and clients are built on the first invocation of an execution environment
 * and reused; a misconfiguration fails that invocation with a `ConfigError`.
 */
export const handler = async (event: SeedEvent, context?: Context): Promise<SeedResponse> => {
  if (context !== undefined) sharedLogger.addContext(context);
  production ??= productionHandler();
  return production(event, context);
};
