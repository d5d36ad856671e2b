/**
 * The EventBridge channel: each alert as an event (source `trail-audit`, detail-type `trail-audit finding`,
 * detail = the alert), put with PutEvents in chunks of 10 (the API's limit), failed entries retried.
 */
import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { Alert } from '../core/alerts/alert';
import { alertEventEntry } from '../core/alerts/format';
import { AlertDeliveryError } from '../app/alert-delivery';
import type { AlertChannel } from '../app/ports';
import { withRetries } from './retry';

/** The slice of `EventBridgeClient` the channel uses. */
export interface EventBridgeSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/** Properties of {@link EventBridgeAlertChannel}. */
export interface EventBridgeAlertChannelProps {
  readonly client: EventBridgeSender;
  /** Name or ARN of the bus. @default 'default' */
  readonly eventBusName?: string;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** @default 200 */
  readonly baseDelayMs?: number;
}

/** PutEvents accepts at most 10 entries. */
export const EVENTBRIDGE_BATCH_SIZE = 10;

/** Delivers alerts to an EventBridge bus. */
export class EventBridgeAlertChannel implements AlertChannel {
  readonly name = 'eventbridge';

  constructor(private readonly props: EventBridgeAlertChannelProps) {}

  async deliver(alerts: readonly Alert[]): Promise<void> {
    const result = await withRetries({
      items: alerts,
      batchSize: EVENTBRIDGE_BATCH_SIZE,
      maxAttempts: this.props.maxAttempts ?? 3,
      baseDelayMs: this.props.baseDelayMs ?? 200,
      sendBatch: async (batch) => {
        const output = await this.props.client.send(
          new PutEventsCommand({
            Entries: batch.map((alert) => ({ ...alertEventEntry(alert), EventBusName: this.props.eventBusName ?? 'default' })),
          }),
        );
        // PutEvents answers entry by entry, in request order; a failed entry has an ErrorCode.
        const failures: { index: number; code: string; message: string; retryable: boolean }[] = [];
        (output.Entries ?? []).forEach((entry, index) => {
          if (entry.ErrorCode !== undefined) {
            failures.push({ index, code: entry.ErrorCode, message: entry.ErrorMessage ?? '', retryable: true });
          }
        });
        if ((output.FailedEntryCount ?? 0) > 0 && failures.length === 0) {
          throw new Error(`PutEvents reported ${output.FailedEntryCount} failed entries without naming them`);
        }
        return failures;
      },
    });
    if (result.failed.length > 0) throw new AlertDeliveryError(this.name, result.delivered, result.failed);
  }
}
