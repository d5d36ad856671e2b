import { backfillConfigFromEnv } from '../../lambda/backfill-handler';
import { ConfigError } from '../../lambda/function-config';

const ENV = {
  TABLE_NAME: 'events',
  DROP_READ_ONLY: 'true',
  LOG_BUCKET: 'trail-logs',
  LOG_PREFIX: 'central/AWSLogs/',
  RESULTS_BUCKET: 'results',
  DEFAULT_MAX_CONCURRENCY: '12',
};

describe('backfillConfigFromEnv', () => {
  it('reads the settings the stack sets', () => {
    expect(backfillConfigFromEnv({ ...ENV, RETENTION_DAYS: '30', INVENTORY_BUCKET: 'inventory' })).toEqual({
      tableName: 'events',
      dropReadOnly: true,
      retentionDays: 30,
      bucket: 'trail-logs',
      logPrefix: 'central/AWSLogs/',
      resultsBucket: 'results',
      defaultMaxConcurrency: 12,
      inventoryBucket: 'inventory',
    });
  });

  it.each([
    ['LOG_BUCKET', undefined, /LOG_BUCKET is not set/],
    ['LOG_PREFIX', 'central/', /LOG_PREFIX must be the trail's \[PREFIX\/\]AWSLogs\/ folder, got 'central\/'/],
    ['DEFAULT_MAX_CONCURRENCY', '0', /DEFAULT_MAX_CONCURRENCY must be a positive whole number, got '0'/],
    ['TABLE_NAME', undefined, /TABLE_NAME is not set/],
  ])('fails at cold start naming %s when it is %p', (name, value, message) => {
    const env: NodeJS.ProcessEnv = { ...ENV, [name]: value };

    expect(() => backfillConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => backfillConfigFromEnv(env)).toThrow(message);
  });
});
