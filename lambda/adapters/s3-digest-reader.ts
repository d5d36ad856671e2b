/**
 * Reads digest objects from S3 whole, with their user metadata: the signature CloudTrail stores in
 * `x-amz-meta-signature` (and the algorithm, and a backfill digest's generation time) is only in the metadata.
 * Digest files are small (a list of an hour's log files), so they are read into memory.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DigestObject } from '../core/digest';
import { S3LogObjectSource } from './s3-log-reader';

/** Where digest objects come from. */
export interface DigestObjectSource {
  /** Reads a digest object's bytes as stored and its user metadata. */
  read(bucket: string, key: string): Promise<DigestObject>;
}

/** The S3 adapter: one GetObject per digest (the log objects' reader, read to the end). */
export class S3DigestObjectSource implements DigestObjectSource {
  private readonly objects: S3LogObjectSource;

  constructor(client: S3Client) {
    this.objects = new S3LogObjectSource(client);
  }

  /** Sends GetObject and reads the body; the metadata names come without `x-amz-meta-`, lower case. */
  async read(bucket: string, key: string): Promise<DigestObject> {
    const opened = await this.objects.open(bucket, key);
    const chunks: Uint8Array[] = [];
    for await (const chunk of opened.body) chunks.push(chunk);
    return { key, bucket, bytes: Buffer.concat(chunks), metadata: opened.metadata ?? {} };
  }
}
