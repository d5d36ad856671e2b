/**
 * Reads log objects from S3 as a stream, so a 50 MB object never sits in memory whole.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { LogObjectNotFoundError, type LogObjectSource, type OpenedLogObject } from '../app/ports';
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

  /**
   * Sends GetObject and hands back the body stream unread, with the object's user metadata (names without
   * `x-amz-meta-`, lower case: a digest's signature).
   * @throws LogObjectNotFoundError when S3 answers `NoSuchKey` (it does so only to a caller that may also list the
   *   bucket; otherwise a missing key is `AccessDenied`, which is thrown as it is)
   */
  async open(bucket: string, key: string): Promise<OpenedLogObject> {
    let output;
    try {
      output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (error instanceof NoSuchKey) throw new LogObjectNotFoundError(`s3://${bucket}/${key}`, { cause: error });
      throw error;
    }
    const body = output.Body;
    if (body === undefined || !isAsyncIterable(body)) {
      throw new LogObjectReadError(`GetObject returned no readable body for s3://${bucket}/${key}`, bucket, key);
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(output.Metadata ?? {})) metadata[name.toLowerCase()] = value;
    return {
      body,
      ...(output.ETag === undefined ? {} : { etag: normaliseETag(output.ETag) }),
      ...(output.ContentLength === undefined ? {} : { size: output.ContentLength }),
      metadata,
    };
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
