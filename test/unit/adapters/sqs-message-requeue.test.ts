import type { SendMessageCommand, SendMessageCommandOutput } from '@aws-sdk/client-sqs';
import { MessageRequeueError, SqsMessageRequeue, type SqsSender } from '../../../lambda/adapters/sqs-message-requeue';

const QUEUE_URL = 'https://sqs.us-west-2.amazonaws.com/123456789012/TrailAudit-ProcessorQueue';
const BODY = '{"Records":[{"s3":{"bucket":{"name":"trail-audit-logs"},"object":{"key":"AWSLogs/x.json.gz"}}}]}';

/** Records the SendMessage inputs it receives and answers with `output`, or rejects with `failure`. */
class FakeSqs implements SqsSender {
  readonly inputs: SendMessageCommand['input'][] = [];

  constructor(private readonly answer: { output?: SendMessageCommandOutput; failure?: Error } = {}) {}

  send(command: SendMessageCommand): Promise<SendMessageCommandOutput> {
    this.inputs.push(command.input);
    if (this.answer.failure !== undefined) return Promise.reject(this.answer.failure);
    return Promise.resolve(this.answer.output ?? { MessageId: 'new-message', $metadata: {} });
  }
}

describe('SqsMessageRequeue', () => {
  it('sends the body unchanged to the queue as a new message', async () => {
    // prepare
    const client = new FakeSqs();

    // act
    await new SqsMessageRequeue({ client, queueUrl: QUEUE_URL }).requeue(BODY);

    // assess
    expect(client.inputs).toEqual([{ QueueUrl: QUEUE_URL, MessageBody: BODY }]);
  });

  it('rejects when SQS answers without a message ID', async () => {
    // prepare
    const client = new FakeSqs({ output: { $metadata: {} } });

    // act
    const requeuing = new SqsMessageRequeue({ client, queueUrl: QUEUE_URL }).requeue(BODY);

    // assess
    await expect(requeuing).rejects.toThrow(MessageRequeueError);
  });

  it('rejects with the SDK error when the send fails', async () => {
    // prepare
    const denied = new Error('not authorized to perform: sqs:SendMessage');
    denied.name = 'AccessDenied';
    const client = new FakeSqs({ failure: denied });

    // act
    const requeuing = new SqsMessageRequeue({ client, queueUrl: QUEUE_URL }).requeue(BODY);

    // assess
    await expect(requeuing).rejects.toBe(denied);
  });
});
