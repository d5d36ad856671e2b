import { Duration } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import type { ManagementEvents } from './constructs/audit-trail';
import type { LogLevel } from './constructs/log-processor';
import type { TrailAuditStackProps } from './trail-audit-stack';
import { loadUserRulesFile } from './user-rules';

/**
 * Every CDK context key the app reads (`-c key=value` or `cdk.json` "context"), with what it sets. The table in
 * docs/configuration.md lists the same keys and defaults.
 */
export const CONTEXT_KEYS = [
  'alertEmail',
  'existingBucketName',
  'existingKmsKeyArn',
  'existingKeyPrefix',
  'trailName',
  'managementEvents',
  'isOrganizationTrail',
  'organizationId',
  'managementAccountId',
  'cloudWatchLogs',
  'insights',
  'logRetentionDays',
  'objectLock',
  'tableRetentionDays',
  'dropReadOnly',
  'rulesFile',
  'noLogFileAlarmMinutes',
  'processorMemorySize',
  'processorTimeoutMinutes',
  'processorMaxConcurrency',
  'logLevel',
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
 * Reads the stack's configuration from CDK context. Context values arrive as strings from `-c key=value` and as
 * JSON types from `cdk.json`; both are accepted, anything else fails synth naming the key.
 *
 * @param node the app's node (context lookups)
 * @param projectRoot where a relative `rulesFile` is resolved from
 */
export function stackPropsFromContext(node: Node, projectRoot: string): TrailAuditStackProps {
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
  const oneOf = <T extends string>(key: ContextKey, allowed: readonly T[]): T | undefined => {
    const value = string(key);
    if (value === undefined) return undefined;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw new Error(`context ${key}: expected one of ${allowed.join(', ')}, got "${value}"`);
    return match;
  };

  const existingBucketName = string('existingBucketName');
  const existingKmsKeyArn = string('existingKmsKeyArn');
  const existingKeyPrefix = string('existingKeyPrefix');
  if (existingBucketName === undefined && (existingKmsKeyArn !== undefined || existingKeyPrefix !== undefined)) {
    throw new Error('context existingKmsKeyArn / existingKeyPrefix: need existingBucketName');
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
          },
    trailName: string('trailName'),
    managementEvents: oneOf('managementEvents', MANAGEMENT_EVENTS),
    isOrganizationTrail: boolean('isOrganizationTrail'),
    organizationId: string('organizationId'),
    managementAccountId: string('managementAccountId'),
    cloudWatchLogs: boolean('cloudWatchLogs'),
    insights: boolean('insights'),
    logRetentionDays: integer('logRetentionDays'),
    objectLock: boolean('objectLock'),
    tableRetentionDays: integer('tableRetentionDays'),
    dropReadOnly: boolean('dropReadOnly'),
    userRules: rulesFile === undefined ? undefined : loadUserRulesFile(rulesFile, projectRoot),
    noLogFileAlarmMinutes: integer('noLogFileAlarmMinutes'),
    processorMemorySize: integer('processorMemorySize'),
    processorTimeout: processorTimeoutMinutes === undefined ? undefined : Duration.minutes(processorTimeoutMinutes),
    processorMaxConcurrency: integer('processorMaxConcurrency'),
    logLevel: oneOf('logLevel', LOG_LEVELS),
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
