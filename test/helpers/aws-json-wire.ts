/**
 * The wire of the AWS JSON protocols, for the fakes of services no local server emulates (`fake-cloudtrail.ts`,
 * `fake-event-history.ts`): reading a request body, answering JSON, and the region a request is signed for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The whole body of a request, as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers with a JSON 1.1 body (an error body has `__type`). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': 'fake',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** The region a request is signed for: `Credential=AKID/DATE/REGION/SERVICE/aws4_request` (each regional endpoint serves its own region). */
export function signedRegion(request: IncomingMessage): string {
  const match = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization ?? ''));
  return match?.[1] ?? 'unknown';
}
