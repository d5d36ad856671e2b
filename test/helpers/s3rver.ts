/**
 * s3rver, a local S3 implementation, for integration tests: on 127.0.0.1, a free port, silent, its objects in a
 * temporary folder removed on stop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** A running s3rver and an S3 client of it. */
export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** Stores an object; resolves with its ETag as S3 returns it (quoted). */
  putObject(bucket: string, key: string, body: Uint8Array | string): Promise<string>;
  /** Stops the server, closes the client and removes the folder. */
  stop(): Promise<void>;
}

/** Starts s3rver with the given buckets. */
export async function startS3rver(buckets: readonly string[]): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'trail-audit-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    // s3rver's documented default credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    async putObject(bucket, key, body) {
      const output = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      if (output.ETag === undefined) throw new Error(`s3rver returned no ETag for ${key}`);
      return output.ETag;
    },
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
