import { Duration } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import type { ManagementEvents } from './constructs/audit-trail';
import { isKmsKeyArn } from './constructs/kms-defaults';
import { type LogLevel, MEMORY_SIZE_MB } from './constructs/log-processor';
import { TRIGGER_KINDS } from './trail-audit';
import type { TrailAuditStackProps } from './trail-audit-stack';
import { loadUserRulesFile } from './user-rules';
import { parseRegionList } from '../lambda/core/event-history';

/**
 * Every CDK context key the app reads (`-c key=value` or `cdk.json` "context"), with what it sets. The table in
 * docs/configuration.md lists the same keys and defaults.
 */
export const CONTEXT_KEYS = [
  'alertEmail',
  'existingBucketName',
  'existingKmsKeyArn',
  'existingKeyPrefix',
  'existingTrailTopicArn',
  'existingLogFileValidation',
  'trigger',
  'trailName',
  'managementEvents',
  'isOrganizationTrail',
  'organizationId',
  'managementAccountId',
  'sourceAccountIds',
  'sourceTrailName',
  'cloudWatchLogs',
  'insights',
  'logRetentionDays',
  'objectLock',
  'tableRetentionDays',
  'dropReadOnly',
  'rulesFile',
  'noLogFileAlarmMinutes',
  'noDigestAlarmHours',
  'processorMemorySize',
  'processorTimeoutMinutes',
  'processorMaxConcurrency',
  'logLevel',
  'seedFromEventHistory',
  'seedAlerts',
  'seedRegions',
  'backfillWriteBudget',
  'backfillToleratedFailurePercentage',
  'backfillInventoryBucketName',
  'backfillInventoryPrefix',
  'backfillInventoryKmsKeyArn',
] as const;

/** A context key the app reads. */
export type ContextKey = (typeof CONTEXT_KEYS)[number];

const MANAGEMENT_EVENTS: readonly ManagementEvents[] = ['all', 'writeOnly', 'readOnly'];
const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Context keys the CDK itself keeps without a `:` or `@` in them (`cdk acknowledge` writes this one to
 * `cdk.context.json`). Every other key of the CDK's has one: feature flags (`@aws-cdk/...`), the CLI's settings
 * (`aws:cdk:...`) and cached lookups (`availability-zones:account=...:region=...`).
 */
const CDK_PLAIN_CONTEXT_KEYS: readonly string[] = ['acknowledged-issue-numbers'];

/**
 * The context keys the user set that the app does not read: keys without `:` or `@` (those are the CDK's own) that
 * are not {@link CONTEXT_KEYS}.
 */
export function unknownContextKeys(context: Readonly<Record<string, unknown>>): string[] {
  const known: readonly string[] = CONTEXT_KEYS;
  return Object.keys(context).filter(
    (key) => !/[:@]/.test(key) && !CDK_PLAIN_CONTEXT_KEYS.includes(key) && !known.includes(key),
  );
}

/**
 * The known context key closest to `key` (case-insensitive edit distance, at most a third of its length), to suggest
 * for a misspelling: `alertEmel` → `alertEmail`.
 */
export function closestContextKey(key: string): ContextKey | undefined {
  let best: { key: ContextKey; distance: number } | undefined;
  for (const candidate of CONTEXT_KEYS) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The line `cdk synth` prints about where the stack deploys. The CDK CLI sets `CDK_DEFAULT_REGION` to the region of
 * `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile, and to us-east-1 when none is configured — silently; the stack's
 * region is also the trail's home region, the only region the tampering fast path sees.
 *
 * @param env the app's environment variables
 */
export function deploymentNotice(env: Readonly<Record<string, string | undefined>>): string {
  const region = env['CDK_DEFAULT_REGION'];
  const account = env['CDK_DEFAULT_ACCOUNT'];
  if (region === undefined || region === '') {
    return (
      'trail-audit: no region configured (CDK_DEFAULT_REGION is unset: the app did not run under the cdk CLI). The ' +
      'stack is environment-agnostic and deploys to the region of the credentials cdk deploy uses, us-east-1 if none ' +
      'is configured. Set AWS_REGION or use --profile to choose.'
    );
  }
  const configured = [env['AWS_REGION'], env['AWS_DEFAULT_REGION']].some(
    (value) => value !== undefined && value !== '',
  );
  const source = configured
    ? 'from AWS_REGION / AWS_DEFAULT_REGION'
    : "from the profile's region, or us-east-1, the CDK's fallback when no region is configured";
  return (
    `trail-audit: deploying to region ${region} (${source})${account === undefined ? '' : `, account ${account}`}. ` +
    'This is the trail\'s home region; set AWS_REGION or use --profile to choose another.'
  );
}

/**
 * Reads the stack's configuration from CDK context. Context values arrive as strings from `-c key=value` and as
 * JSON types from `cdk.json`; both are accepted, anything else fails synth naming the key. A key the app does not
 * read fails synth too, naming the closest known key: a misspelt `-c alertEmel=...` would otherwise be ignored.
 *
 * @param node the app's node (context lookups)
 * @param projectRoot where a relative `rulesFile` is resolved from
 */
export function stackPropsFromContext(node: Node, projectRoot: string): TrailAuditStackProps {
  const unknown = unknownContextKeys(node.getAllContext() as Record<string, unknown>);
  if (unknown.length > 0) {
    const described = unknown.map((key) => {
      const closest = closestContextKey(key);
      return closest === undefined ? `"${key}"` : `"${key}" (did you mean "${closest}"?)`;
    });
    throw new Error(
      `context: unknown key${unknown.length > 1 ? 's' : ''} ${described.join(', ')}; the keys trail-audit reads ` +
        `are ${CONTEXT_KEYS.join(', ')}`,
    );
  }
  const string = (key: ContextKey): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${key}: expected a string, got ${JSON.stringify(value)}`);
    return value;
  };
  const boolean = (key: ContextKey): boolean | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new Error(`context ${key}: expected true or false, got ${JSON.stringify(value)}`);
  };
  const integer = (key: ContextKey): number | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new Error(`context ${key}: expected a whole number ≥ 1, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
  const list = (key: ContextKey): string[] | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    // `-c key=a,b` gives a comma-separated string; cdk.json may hold a JSON array of strings.
    if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
    throw new Error(
      `context ${key}: expected a comma-separated list or an array of strings, got ${JSON.stringify(value)}`,
    );
  };
  const oneOf = <T extends string>(key: ContextKey, allowed: readonly T[]): T | undefined => {
    const value = string(key);
    if (value === undefined) return undefined;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw new Error(`context ${key}: expected one of ${allowed.join(', ')}, got "${value}"`);
    return match;
  };

  const regionList = (key: ContextKey): string[] | undefined => {
    const value = string(key);
    if (value === undefined) return undefined;
    try {
      return parseRegionList(value);
    } catch (error) {
      throw new Error(`context ${key}: ${(error as Error).message}`);
    }
  };

  const existingBucketName = string('existingBucketName');
  const existingKmsKeyArn = string('existingKmsKeyArn');
  const existingKeyPrefix = string('existingKeyPrefix');
  const existingTrailTopicArn = string('existingTrailTopicArn');
  const existingLogFileValidation = boolean('existingLogFileValidation');
  if (
    existingBucketName === undefined &&
    (existingKmsKeyArn !== undefined || existingKeyPrefix !== undefined || existingTrailTopicArn !== undefined)
  ) {
    throw new Error('context existingKmsKeyArn / existingKeyPrefix / existingTrailTopicArn: need existingBucketName');
  }
  if (existingBucketName === undefined && existingLogFileValidation !== undefined) {
    throw new Error('context existingLogFileValidation: need existingBucketName (a new trail always has validation on)');
  }
  const noDigestAlarmHours = integer('noDigestAlarmHours');
  if (noDigestAlarmHours !== undefined && noDigestAlarmHours > 24) {
    throw new Error(`context noDigestAlarmHours: a CloudWatch alarm looks back at most 24 hours, got ${noDigestAlarmHours}`);
  }
  if (existingKmsKeyArn !== undefined && !isKmsKeyArn(existingKmsKeyArn)) {
    throw new Error(
      `context existingKmsKeyArn: "${existingKmsKeyArn}" is not a KMS key ARN ` +
        '(arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID, as `aws kms describe-key --key-id ALIAS` shows it)',
    );
  }
  const processorMemorySize = integer('processorMemorySize');
  if (
    processorMemorySize !== undefined &&
    (processorMemorySize < MEMORY_SIZE_MB.min || processorMemorySize > MEMORY_SIZE_MB.max)
  ) {
    throw new Error(
      `context processorMemorySize: Lambda allows ${MEMORY_SIZE_MB.min} to ${MEMORY_SIZE_MB.max} MB, got ` +
        `${processorMemorySize}`,
    );
  }
  const inventoryBucketName = string('backfillInventoryBucketName');
  const inventoryPrefix = string('backfillInventoryPrefix');
  const inventoryKmsKeyArn = string('backfillInventoryKmsKeyArn');
  if (inventoryBucketName === undefined && (inventoryPrefix !== undefined || inventoryKmsKeyArn !== undefined)) {
    throw new Error('context backfillInventoryPrefix / backfillInventoryKmsKeyArn: need backfillInventoryBucketName');
  }
  const toleratedFailure: unknown = node.tryGetContext('backfillToleratedFailurePercentage');
  const toleratedFailurePercentage =
    toleratedFailure === undefined || toleratedFailure === null || toleratedFailure === ''
      ? undefined
      : Number(toleratedFailure);
  if (
    toleratedFailurePercentage !== undefined &&
    (typeof toleratedFailure === 'boolean' ||
      !Number.isInteger(toleratedFailurePercentage) ||
      toleratedFailurePercentage < 0 ||
      toleratedFailurePercentage > 100)
  ) {
    throw new Error(
      `context backfillToleratedFailurePercentage: expected a whole number from 0 to 100, got ${JSON.stringify(toleratedFailure)}`,
    );
  }
  const rulesFile = string('rulesFile');
  const processorTimeoutMinutes = integer('processorTimeoutMinutes');
  if (processorTimeoutMinutes !== undefined && processorTimeoutMinutes > 15) {
    throw new Error(`context processorTimeoutMinutes: Lambda allows at most 15, got ${processorTimeoutMinutes}`);
  }

  const entries: Partial<Record<keyof TrailAuditStackProps, unknown>> = {
    alertEmail: string('alertEmail'),
    existingTrail:
      existingBucketName === undefined
        ? undefined
        : {
            bucketName: existingBucketName,
            ...(existingKmsKeyArn === undefined ? {} : { kmsKeyArn: existingKmsKeyArn }),
            ...(existingKeyPrefix === undefined ? {} : { keyPrefix: existingKeyPrefix }),
            ...(existingTrailTopicArn === undefined ? {} : { topicArn: existingTrailTopicArn }),
            ...(existingLogFileValidation === undefined ? {} : { logFileValidation: existingLogFileValidation }),
          },
    trigger: oneOf('trigger', TRIGGER_KINDS),
    trailName: string('trailName'),
    managementEvents: oneOf('managementEvents', MANAGEMENT_EVENTS),
    isOrganizationTrail: boolean('isOrganizationTrail'),
    organizationId: string('organizationId'),
    managementAccountId: string('managementAccountId'),
    sourceAccountIds: list('sourceAccountIds'),
    sourceTrailName: string('sourceTrailName'),
    cloudWatchLogs: boolean('cloudWatchLogs'),
    insights: boolean('insights'),
    logRetentionDays: integer('logRetentionDays'),
    objectLock: boolean('objectLock'),
    tableRetentionDays: integer('tableRetentionDays'),
    dropReadOnly: boolean('dropReadOnly'),
    userRules: rulesFile === undefined ? undefined : loadUserRulesFile(rulesFile, projectRoot),
    noLogFileAlarmMinutes: integer('noLogFileAlarmMinutes'),
    noDigestAlarmHours,
    processorMemorySize,
    processorTimeout: processorTimeoutMinutes === undefined ? undefined : Duration.minutes(processorTimeoutMinutes),
    processorMaxConcurrency: integer('processorMaxConcurrency'),
    logLevel: oneOf('logLevel', LOG_LEVELS),
    seedFromEventHistory: boolean('seedFromEventHistory'),
    seedAlerts: boolean('seedAlerts'),
    seedRegions: regionList('seedRegions'),
    backfillWriteBudget: integer('backfillWriteBudget'),
    backfillToleratedFailurePercentage: toleratedFailurePercentage,
    backfillInventory:
      inventoryBucketName === undefined
        ? undefined
        : {
            bucketName: inventoryBucketName,
            ...(inventoryPrefix === undefined ? {} : { prefix: inventoryPrefix }),
            ...(inventoryKmsKeyArn === undefined ? {} : { kmsKeyArn: inventoryKmsKeyArn }),
          },
  };
  // Only the keys that were given: an absent key leaves the construct's documented default in force.
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}
