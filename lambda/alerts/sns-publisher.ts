/**
 * The SNS channel: alerts as SNS messages (subject, plain-text body, `severity` and `rule` attributes), published
 * with PublishBatch in chunks of 10 (the API's limit), failed entries retried with jittered backoff.
 */
import { PublishBatchCommand, type PublishBatchCommandOutput } from '@aws-sdk/client-sns';
import type { Alert } from '../core/alerts/alert';
import { snsMessage, snsMessageAttributes, snsSubject } from '../core/alerts/format';
import { AlertDeliveryError } from '../app/alert-delivery';
import type { AlertChannel } from '../app/ports';
import { withRetries } from './retry';

/** The slice of `SNSClient` the channel uses: the fake in tests implements just this. */
export interface SnsSender {
  send(command: PublishBatchCommand): Promise<PublishBatchCommandOutput>;
}

/** Properties of {@link SnsAlertChannel}. */
export interface SnsAlertChannelProps {
  readonly client: SnsSender;
  readonly topicArn: string;
  /** Attempts per entry (the first included). @default 3 */
  readonly maxAttempts?: number;
  /** Base of the jittered exponential backoff between attempts. @default 200 */
  readonly baseDelayMs?: number;
}

/** PublishBatch accepts at most 10 entries. */
export const SNS_BATCH_SIZE = 10;

/** Delivers alerts to an SNS topic. */
export class SnsAlertChannel implements AlertChannel {
  readonly name = 'sns';

  constructor(private readonly props: SnsAlertChannelProps) {}

  async deliver(alerts: readonly Alert[]): Promise<void> {
    const result = await withRetries({
      items: alerts,
      batchSize: SNS_BATCH_SIZE,
      maxAttempts: this.props.maxAttempts ?? 3,
      baseDelayMs: this.props.baseDelayMs ?? 200,
      sendBatch: async (batch) => {
        const output = await this.props.client.send(
          new PublishBatchCommand({
            TopicArn: this.props.topicArn,
            PublishBatchRequestEntries: batch.map((alert, index) => ({
              Id: String(index),
              Subject: snsSubject(alert),
              Message: snsMessage(alert),
              MessageAttributes: snsMessageAttributes(alert),
            })),
          }),
        );
        return (output.Failed ?? []).map((failure) => ({
          index: Number(failure.Id),
          code: failure.Code ?? 'Unknown',
          message: failure.Message ?? '',
          retryable: failure.SenderFault !== true,
        }));
      },
    });
    if (result.failed.length > 0) throw new AlertDeliveryError(this.name, result.delivered, result.failed);
  }
}
