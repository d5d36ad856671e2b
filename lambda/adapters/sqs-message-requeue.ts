/**
 * Puts a deferred SQS message back on the processor's queue as a new message.
 *
 * Why not just return it as a batch item failure: SQS counts every receive toward the queue's `maxReceiveCount`,
 * and changing the visibility does not undo a receive, so a message handed back for lack of time five times moves to
 * the dead-letter queue without ever having failed. A new message starts again at receive count 0.
 */
import { SendMessageCommand, type SendMessageCommandOutput } from '@aws-sdk/client-sqs';
import type { MessageRequeue } from '../app/ports';

/** The slice of `SQSClient` the adapter uses: the fake in tests implements just this. */
export interface SqsSender {
  send(command: SendMessageCommand): Promise<SendMessageCommandOutput>;
}

/** Properties of {@link SqsMessageRequeue}. */
export interface SqsMessageRequeueProps {
  readonly client: SqsSender;
  /** The URL of the queue the messages came from (`QUEUE_URL`). */
  readonly queueUrl: string;
}

/** Raised when SQS answers a SendMessage without a message ID, so the handler keeps the original message instead. */
export class MessageRequeueError extends Error {
  override readonly name = 'MessageRequeueError';
}

/**
 * The SQS adapter: one SendMessage per deferred message, the body unchanged (an S3 notification: bucket and key
 * names, far below SQS's size limit since it came from the same queue). S3 notifications carry no message
 * attributes and the queue is a standard queue, so the body is all there is to copy.
 */
export class SqsMessageRequeue implements MessageRequeue {
  constructor(private readonly props: SqsMessageRequeueProps) {}

  /** Sends SendMessage; the SDK's own retries cover throttling and transient errors. */
  async requeue(body: string): Promise<void> {
    const { client, queueUrl } = this.props;
    const output = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    if (output.MessageId === undefined || output.MessageId === '') {
      throw new MessageRequeueError(`SendMessage to ${queueUrl} returned no MessageId`);
    }
  }
}
