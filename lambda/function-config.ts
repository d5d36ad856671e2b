/**
 * The environment of the trail-audit functions, read once at cold start: the settings the processor and the backfill
 * function share (the table, read-only events, retention), each checked so a misconfigured stack fails at its first
 * invocation naming the variable.
 */

/** Raised at cold start when the function's environment is misconfigured. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The production settings, from the environment: `TABLE_NAME`, `DROP_READ_ONLY`, `RETENTION_DAYS`, `QUEUE_URL` (the
 * processor's own queue, where deferred messages are re-sent; optional). (The alerts read theirs, `ALERT_TOPIC_ARN`
 * and the rest, in `alerts/from-env.ts`.)
 */
export function configFromEnv(env: NodeJS.ProcessEnv): {
  tableName: string;
  dropReadOnly: boolean;
  retentionDays?: number;
  queueUrl?: string;
} {
  const tableName = env.TABLE_NAME;
  if (tableName === undefined || tableName === '') throw new ConfigError('TABLE_NAME is not set');
  const drop = env.DROP_READ_ONLY ?? 'false';
  if (drop !== 'true' && drop !== 'false') {
    throw new ConfigError(`DROP_READ_ONLY must be 'true' or 'false', got '${drop}'`);
  }
  const queueUrl = env.QUEUE_URL;
  if (queueUrl !== undefined && queueUrl !== '' && !isHttpsUrl(queueUrl)) {
    throw new ConfigError(`QUEUE_URL must be an https:// SQS queue URL, got '${queueUrl}'`);
  }
  const retention = env.RETENTION_DAYS;
  let retentionDays: number | undefined;
  if (retention !== undefined && retention !== '') {
    retentionDays = Number(retention);
    if (!Number.isInteger(retentionDays) || retentionDays <= 0) {
      throw new ConfigError(`RETENTION_DAYS must be a positive whole number of days, got '${retention}'`);
    }
  }
  return {
    tableName,
    dropReadOnly: drop === 'true',
    ...(retentionDays === undefined ? {} : { retentionDays }),
    ...(queueUrl === undefined || queueUrl === '' ? {} : { queueUrl }),
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
