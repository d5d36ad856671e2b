/**
 * Reads digest objects from S3 whole, with their user metadata: the signature CloudTrail stores in
 * `x-amz-meta-signature` (and the algorithm, and a backfill digest's generation time) is only in the metadata.
 * Digest files are small (a list of an hour's log files), so they are read into memory.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DigestObject } from '../core/digest';
import { LogObjectReadError } from './s3-log-reader';

/** Where digest objects come from. */
export interface DigestObjectSource {
  /** Reads a digest object's bytes as stored and its user metadata. */
  read(bucket: string, key: string): Promise<DigestObject>;
}

/** The S3 adapter: one GetObject per digest. */
export class S3DigestObjectSource implements DigestObjectSource {
  constructor(private readonly client: S3Client) {}

  /** Sends GetObject and reads the body; the metadata names come without `x-amz-meta-`, lower case. */
  async read(bucket: string, key: string): Promise<DigestObject> {
    const output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (output.Body === undefined) {
      throw new LogObjectReadError(`GetObject returned no body for s3://${bucket}/${key}`, bucket, key);
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(output.Metadata ?? {})) metadata[name.toLowerCase()] = value;
    return { key, bucket, bytes: await output.Body.transformToByteArray(), metadata };
  }
}
