/**
 * Digest chains for tests, signed as CloudTrail signs them with keys the tests generate: log files in CloudTrail's
 * layout, hourly digests listing them, each linked to the previous one, and the objects as a bucket or a local
 * copy would hold them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DigestObject } from '../../lambda/core/digest';
import { testSigningKey, type LogFileToList, type TestSigningKey, type TrailLayout, type WrittenDigest } from '../../scripts/digest-writer';
import { record } from './fixtures';

export { writeHourlyChain as hourlyChain, type TrailLayout } from '../../scripts/digest-writer';

export const BUCKET = 'audit-logs-123456789012';
export const ACCOUNT = '123456789012';

/** A fresh RSA-2048 key pair, listed as valid over the given span (by default all of 2026). */
export function newSigningKey(
  validityStartTime = new Date('2026-01-01T00:00:00Z'),
  validityEndTime = new Date('2027-01-01T00:00:00Z'),
): TestSigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return testSigningKey(privateKey, validityStartTime, validityEndTime);
}


/** The default layout: trail `main` of account 123456789012, us-east-1, no prefix. */
export const TRAIL: TrailLayout = {
  bucket: BUCKET,
  accountId: ACCOUNT,
  region: 'us-east-1',
  trailName: 'main',
  homeRegion: 'us-east-1',
};

/** A log file of the layout, its name's time `time` (`YYYY-MM-DDTHH:MMZ`), with one record per event time. */
export function logFile(layout: TrailLayout, time: string, unique: string, eventTimes: readonly string[] = [time.replace('Z', ':00Z')]): LogFileToList {
  const day = time.slice(0, 10).replace(/-/g, '/');
  const stamp = time.replace(/[-:]/g, '');
  const folder = `${layout.prefix ?? ''}AWSLogs/${layout.organizationId === undefined ? '' : `${layout.organizationId}/`}${layout.accountId}`;
  return {
    bucket: layout.bucket,
    key: `${folder}/CloudTrail/${layout.region}/${day}/${layout.accountId}_CloudTrail_${layout.region}_${stamp}_${unique}.json.gz`,
    text: JSON.stringify({ Records: eventTimes.map((eventTime) => record({ eventTime, awsRegion: layout.region })) }),
  };
}

/** A digest as it sits in S3: gzipped, under its key, with its metadata. */
export function inBucket(digest: WrittenDigest, overrides: Partial<DigestObject> = {}): DigestObject {
  return { key: digest.key, bucket: digest.bucket, bytes: gzipSync(digest.text), metadata: digest.metadata, ...overrides };
}

/** A digest as a downloaded copy holds it: gzipped, under its path from `AWSLogs/`, no metadata, no bucket. */
export function inFolder(digest: WrittenDigest, folder = 'download'): DigestObject {
  return { key: `${folder}/${digest.key}`, bytes: gzipSync(digest.text) };
}
