/**
 * What `verify` reads: the digest files and log files of local folders (a downloaded copy of the bucket, in
 * CloudTrail's key layout) or of an S3 prefix, the digests with their S3 metadata, and an observation of each log
 * file a digest lists (its content hash, or that it is absent).
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { S3DigestObjectSource } from '../adapters/s3-digest-reader';
import { S3LogObjectSource } from '../adapters/s3-log-reader';
import { LogObjectNotFoundError } from '../app/ports';
import {
  hashLogFileContent,
  layoutKeyOf,
  parseDigestObjectName,
  parseLogFileObjectName,
  type DigestObject,
  type ListedLogFile,
  type ObservedLogFile,
  type Observation,
} from '../core/digest';
import { listLocal, type InputFailure, type S3Location } from './sources';
import type { TimeRange } from './time';

const HOUR_MS = 3_600_000;

/** A digest object found by a listing, not read yet. */
export interface DigestRef {
  readonly key: string;
  readonly bucket?: string;
  /** Reads its bytes (and metadata, from S3). */
  read(): Promise<DigestObject>;
}

/** What a listing found. */
export interface VerifyListing {
  readonly digests: DigestRef[];
  readonly logFiles: ObservedLogFile[];
  readonly failures: InputFailure[];
}

/**
 * Whether a digest belongs to the range: it ends at or after `since` and at most an hour after `until` (the digest
 * that covers `until`), as `aws cloudtrail validate-logs` selects digests.
 */
export function digestInRange(endTime: Date, range: TimeRange): boolean {
  return (
    (range.since === undefined || endTime >= range.since) &&
    (range.until === undefined || endTime.getTime() <= range.until.getTime() + HOUR_MS)
  );
}

/**
 * Lists local files and folders: digest files (in range) and log files, by CloudTrail's naming; other files are
 * left out. Paths are resolved against `cwd`.
 */
export async function listLocalForVerify(inputs: readonly string[], cwd: string, range: TimeRange): Promise<VerifyListing> {
  const listing = await listLocal(inputs, cwd);
  const digests: DigestRef[] = [];
  const logFiles: ObservedLogFile[] = [];
  for (const object of listing.objects) {
    const digest = parseDigestObjectName(object.objectKey);
    if (digest !== undefined) {
      if (!digestInRange(digest.endTime, range)) continue;
      const path = resolve(cwd, object.objectKey);
      digests.push({ key: object.objectKey, read: async () => ({ key: object.objectKey, bytes: await readFile(path) }) });
    } else if (parseLogFileObjectName(object.objectKey) !== undefined) {
      logFiles.push({ key: object.objectKey });
    }
  }
  return { digests, logFiles, failures: listing.failures };
}

/**
 * Observes a log file a local digest lists: the file at the same place relative to the copy's root as the key
 * from `AWSLogs/` on (the root is where the digest's own `AWSLogs/` folder is), so a copy in any folder works.
 */
export async function observeLocalLogFile(file: ListedLogFile, digestPath: string, cwd: string): Promise<Observation> {
  const digestLayoutKey = layoutKeyOf(digestPath);
  const root = digestPath.slice(0, digestPath.length - digestLayoutKey.length);
  const path = resolve(cwd, `${root}${layoutKeyOf(file.s3Object)}`);
  try {
    return await hashLogFileContent(createReadStream(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
}

/** Lists `s3://bucket/prefix` flat: digest files (in range) and log files, by CloudTrail's naming. */
export async function listS3ForVerify(client: S3Client, location: S3Location, range: TimeRange): Promise<VerifyListing> {
  const reader = new S3DigestObjectSource(client);
  const digests: DigestRef[] = [];
  const logFiles: ObservedLogFile[] = [];
  for await (const page of paginateListObjectsV2({ client }, { Bucket: location.bucket, Prefix: location.prefix })) {
    for (const { Key: key } of page.Contents ?? []) {
      if (key === undefined) continue;
      const digest = parseDigestObjectName(key);
      if (digest !== undefined) {
        if (digestInRange(digest.endTime, range)) {
          digests.push({ key, bucket: location.bucket, read: () => reader.read(location.bucket, key) });
        }
      } else if (parseLogFileObjectName(key) !== undefined) {
        logFiles.push({ key, bucket: location.bucket });
      }
    }
  }
  return { digests, logFiles, failures: [] };
}

/** Observes a log file a digest lists, in the bucket it names: one GetObject, hashed as it streams. */
export async function observeS3LogFile(client: S3Client, file: ListedLogFile): Promise<Observation> {
  try {
    const opened = await new S3LogObjectSource(client).open(file.s3Bucket, file.s3Object);
    return await hashLogFileContent(opened.body);
  } catch (error) {
    if (error instanceof LogObjectNotFoundError) return { state: 'absent' };
    throw error;
  }
}
