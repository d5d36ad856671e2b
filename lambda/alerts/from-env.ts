/**
 * Production wiring of the alert observer from the function's environment: `RULES_FILE` (optional),
 * `TABLE_NAME`, `ALERT_TOPIC_ARN`, `ALERT_EVENT_BUS_NAME` (optional), `AWS_REGION`, `RETENTION_DAYS` (optional:
 * the ledger items expire with the events). Returns undefined when no topic is configured (alerts off), and says
 * so in a warning: an alert topic dropped from the stack must not silence compliance alerts unnoticed.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AlertObserver, type AlertObserverProps } from '../app/alert-observer';
import type { AlertChannel, Logger } from '../app/ports';
import { DynamoDBAlertLedger } from './dynamodb-alert-ledger';
import { DynamoDBBurstCounter } from './dynamodb-burst-counter';
import { EventBridgeAlertChannel, type EventBridgeSender } from './eventbridge-publisher';
import { loadRuleSet } from './rules-file';
import { SnsAlertChannel, type SnsSender } from './sns-publisher';

/**
 * Raised when the alerts' environment is inconsistent or malformed: a topic set without the table its ledger
 * needs, or a `RETENTION_DAYS` that is not a positive whole number.
 */
export class AlertConfigError extends Error {
  override readonly name = 'AlertConfigError';
}

/** The alert settings read from the environment by {@link alertSettingsFromEnv}. */
export interface AlertSettings {
  readonly topicArn: string;
  readonly tableName: string;
  /** The EventBridge bus that also receives each alert, when `ALERT_EVENT_BUS_NAME` is set. */
  readonly eventBusName?: string;
  /** Days the ledger items are kept (`RETENTION_DAYS`, as for the events), when set. */
  readonly ttlDays?: number;
  readonly region?: string;
}

/**
 * The alert settings of the environment, or undefined when `ALERT_TOPIC_ARN` is not set (alerts off).
 * @throws AlertConfigError when `TABLE_NAME` is missing beside a topic, or `RETENTION_DAYS` is set but not a
 *   positive whole number (as the handler's own configuration rejects it: a typo must not keep ledger items forever).
 */
export function alertSettingsFromEnv(env: NodeJS.ProcessEnv): AlertSettings | undefined {
  const topicArn = env.ALERT_TOPIC_ARN;
  const tableName = env.TABLE_NAME;
  if (topicArn === undefined || topicArn === '') return undefined;
  if (tableName === undefined || tableName === '') {
    throw new AlertConfigError('ALERT_TOPIC_ARN is set but TABLE_NAME is not: the alert ledger needs the event table');
  }
  const retention = env.RETENTION_DAYS;
  let ttlDays: number | undefined;
  if (retention !== undefined && retention !== '') {
    ttlDays = Number(retention);
    if (!Number.isInteger(ttlDays) || ttlDays <= 0) {
      throw new AlertConfigError(`RETENTION_DAYS must be a positive whole number of days, got '${retention}'`);
    }
  }
  const eventBusName = env.ALERT_EVENT_BUS_NAME;
  const region = env.AWS_REGION;
  return {
    topicArn,
    tableName,
    ...(eventBusName !== undefined && eventBusName !== '' ? { eventBusName } : {}),
    ...(ttlDays === undefined ? {} : { ttlDays }),
    ...(region !== undefined && region !== '' ? { region } : {}),
  };
}

/** Optional collaborators of {@link alertObserverFromEnv}: its logger, metrics, and the clients of its channels. */
export type AlertObserverExtras = Pick<AlertObserverProps, 'metrics'> & {
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /**
   * The SNS and EventBridge clients of the channels: tests pass fakes (no local server exists for either).
   * @default new clients of the function's region and credentials
   */
  readonly clients?: { readonly sns?: SnsSender; readonly eventBridge?: EventBridgeSender };
};

/**
 * Builds the alert observer from the environment, or undefined when `ALERT_TOPIC_ARN` is not set. Call it once per
 * execution environment (cold start): the "alerts are off" warning is logged on each call.
 * @throws AlertConfigError when `ALERT_TOPIC_ARN` is set and `TABLE_NAME` is not (the exactly-once ledger and the
 *   burst counters live in the event table): failing loudly beats sending no alert; or when `RETENTION_DAYS` is
 *   malformed (see {@link alertSettingsFromEnv}).
 */
export function alertObserverFromEnv(
  env: NodeJS.ProcessEnv,
  dynamodb: Pick<DynamoDBDocumentClient, 'send'>,
  extras: AlertObserverExtras = {},
): AlertObserver | undefined {
  const settings = alertSettingsFromEnv(env);
  if (settings === undefined) {
    extras.logger?.warn('compliance alerts are off: ALERT_TOPIC_ARN is not set', { alerts: 'off' });
    return undefined;
  }
  const { topicArn, tableName, eventBusName, ttlDays, region } = settings;
  const { rules, config } = loadRuleSet(env.RULES_FILE);
  const { clients, ...observerExtras } = extras;
  const channels: AlertChannel[] = [new SnsAlertChannel({ client: clients?.sns ?? new SNSClient({}), topicArn })];
  if (eventBusName !== undefined) {
    channels.push(new EventBridgeAlertChannel({ client: clients?.eventBridge ?? new EventBridgeClient({}), eventBusName }));
  }
  const ledger = new DynamoDBAlertLedger({ client: dynamodb, tableName, ...(ttlDays === undefined ? {} : { ttlDays }) });
  return new AlertObserver({
    rules,
    config,
    delivery: { ledger, channels },
    coverage: ledger,
    burstCounter: new DynamoDBBurstCounter({ client: dynamodb, tableName }),
    ...(region === undefined ? {} : { table: { name: tableName, region } }),
    ...observerExtras,
  });
}
