/**
 * DynamoDB clients for tests: a real SDK client whose HTTP layer is a fake (unit tests see the exact wire
 * requests and script the answers), and a client of a DynamoDB Local endpoint (integration tests).
 */
import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../../lambda/store/table-definition';

/** Credentials DynamoDB Local accepts (it checks nothing) and the fake never sees. */
const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

/** One request the fake received: the DynamoDB operation (`BatchWriteItem`, ...) and its JSON body. */
export interface WireRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** What the fake answers: a status (200 unless told) and a JSON body (a DynamoDB error has `__type`). */
export interface WireResponse {
  readonly status?: number;
  readonly body: Record<string, unknown>;
}

/** A DynamoDB error body as the service sends it. */
export function wireError(type: string, message = type): WireResponse {
  return { status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message } };
}

/**
 * A document client whose every request is answered by `respond` instead of the network. The SDK's own retries
 * are off (`maxAttempts: 1`), so every retry the test sees is the code under test's.
 */
export function fakeDocumentClient(respond: (request: WireRequest) => WireResponse): {
  client: DynamoDBDocumentClient;
  requests: WireRequest[];
} {
  const requests: WireRequest[] = [];
  const requestHandler = {
    handle: (request: { headers: Record<string, string>; body?: unknown }) => {
      const target = request.headers['x-amz-target'] ?? '';
      const text =
        typeof request.body === 'string'
          ? request.body
          : request.body instanceof Uint8Array
            ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('utf8')
            : '{}';
      const parsed: unknown = JSON.parse(text);
      const wire: WireRequest = {
        operation: target.replace('DynamoDB_20120810.', ''),
        body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {},
      };
      requests.push(wire);
      const answer = respond(wire);
      return Promise.resolve({
        response: {
          statusCode: answer.status ?? 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(answer.body))]),
        },
      });
    },
  };
  const base = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler,
  });
  return { client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }), requests };
}

/** A document client of a DynamoDB Local endpoint. */
export function localDocumentClient(endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: TEST_CREDENTIALS,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Creates the event table, exactly as the stack defines it. It does not wait for the table to become ACTIVE:
 * DynamoDB Local creates a table synchronously, so it is usable as soon as CreateTable returns (against real
 * DynamoDB a caller would have to wait with `waitUntilTableExists`).
 */
export async function createEventTable(client: DynamoDBDocumentClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
}

/** The string value of a marshalled attribute (`{"S": "..."}`) of a wire item. */
export function wireString(item: unknown, name: string): string {
  const attribute = (item as Record<string, { S?: unknown } | undefined>)[name];
  if (typeof attribute?.S !== 'string') throw new Error(`wire item has no string attribute ${name}`);
  return attribute.S;
}

/** The PutRequest items of a BatchWriteItem wire request, for a table. */
export function batchItems(request: WireRequest, tableName: string): Record<string, unknown>[] {
  const requestItems = request.body.RequestItems as Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>;
  return (requestItems[tableName] ?? []).map((entry) => entry.PutRequest.Item);
}
