/**
 * Production wiring of the alert observer from the function's environment: `RULES_FILE` (optional),
 * `TABLE_NAME`, `ALERT_TOPIC_ARN`, `ALERT_EVENT_BUS_NAME` (optional), `AWS_REGION`, `RETENTION_DAYS` (optional:
 * the ledger items expire with the events). Returns undefined when no topic is configured (alerts off), and says
 * so in a warning: an alert topic dropped from the stack must not silence compliance alerts unnoticed.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HandlerLogger } from '../handler';
import { AlertObserver, type AlertObserverProps } from './alert-observer';
import type { AlertChannel } from './delivery';
import { DynamoDBAlertLedger } from './dynamodb-alert-ledger';
import { DynamoDBBurstCounter } from './dynamodb-burst-counter';
import { EventBridgeAlertChannel } from './eventbridge-publisher';
import { loadRuleSet } from './rules-file';
import { SnsAlertChannel } from './sns-publisher';

/** Raised when the alerts' environment is inconsistent: a topic is set but the table its ledger needs is not. */
export class AlertConfigError extends Error {
  override readonly name = 'AlertConfigError';
}

/**
 * Builds the alert observer from the environment, or undefined when `ALERT_TOPIC_ARN` is not set. Call it once per
 * execution environment (cold start): the "alerts are off" warning is logged on each call.
 * @throws AlertConfigError when `ALERT_TOPIC_ARN` is set and `TABLE_NAME` is not (the exactly-once ledger and the
 *   burst counters live in the event table): failing loudly beats sending no alert.
 */
export function alertObserverFromEnv(
  env: NodeJS.ProcessEnv,
  dynamodb: Pick<DynamoDBDocumentClient, 'send'>,
  extras: Pick<AlertObserverProps, 'metrics'> & { readonly logger?: Pick<HandlerLogger, 'info' | 'warn'> } = {},
): AlertObserver | undefined {
  const topicArn = env.ALERT_TOPIC_ARN;
  const tableName = env.TABLE_NAME;
  if (topicArn === undefined || topicArn === '') {
    extras.logger?.warn('compliance alerts are off: ALERT_TOPIC_ARN is not set', { alerts: 'off' });
    return undefined;
  }
  if (tableName === undefined || tableName === '') {
    throw new AlertConfigError('ALERT_TOPIC_ARN is set but TABLE_NAME is not: the alert ledger needs the event table');
  }
  const { rules, config } = loadRuleSet(env.RULES_FILE);
  const channels: AlertChannel[] = [new SnsAlertChannel({ client: new SNSClient({}), topicArn })];
  if (env.ALERT_EVENT_BUS_NAME !== undefined && env.ALERT_EVENT_BUS_NAME !== '') {
    channels.push(new EventBridgeAlertChannel({ client: new EventBridgeClient({}), eventBusName: env.ALERT_EVENT_BUS_NAME }));
  }
  const retentionDays = env.RETENTION_DAYS === undefined || env.RETENTION_DAYS === '' ? undefined : Number(env.RETENTION_DAYS);
  const region = env.AWS_REGION;
  return new AlertObserver({
    rules,
    config,
    delivery: {
      ledger: new DynamoDBAlertLedger({
        client: dynamodb,
        tableName,
        ...(retentionDays !== undefined && Number.isInteger(retentionDays) && retentionDays > 0 ? { ttlDays: retentionDays } : {}),
      }),
      channels,
    },
    burstCounter: new DynamoDBBurstCounter({ client: dynamodb, tableName }),
    ...(region !== undefined && region !== '' ? { table: { name: tableName, region } } : {}),
    ...extras,
  });
}
