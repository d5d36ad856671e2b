/**
 * Reads log objects from S3 as a stream, so a 50 MB object never sits in memory whole.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LogObjectSource, OpenedLogObject } from '../app/ports';
import { normaliseETag } from '../core/object-key';

/** Raised when S3 answers without a body. */
export class LogObjectReadError extends Error {
  override readonly name = 'LogObjectReadError';
  constructor(
    message: string,
    readonly bucket: string,
    readonly key: string,
  ) {
    super(message);
  }
}

/** The S3 adapter: one GetObject per object; the body is the SDK's Node.js stream. */
export class S3LogObjectSource implements LogObjectSource {
  constructor(private readonly client: S3Client) {}

  /** Sends GetObject and hands back the body stream unread. */
  async open(bucket: string, key: string): Promise<OpenedLogObject> {
    const output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = output.Body;
    if (body === undefined || !isAsyncIterable(body)) {
      throw new LogObjectReadError(`GetObject returned no readable body for s3://${bucket}/${key}`, bucket, key);
    }
    return {
      body,
      ...(output.ETag === undefined ? {} : { etag: normaliseETag(output.ETag) }),
      ...(output.ContentLength === undefined ? {} : { size: output.ContentLength }),
    };
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
