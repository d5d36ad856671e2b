/**
 * Digest chains for tests, signed as CloudTrail signs them with keys the tests generate: log files in CloudTrail's
 * layout, hourly digests listing them, each linked to the previous one, and the objects as a bucket or a local
 * copy would hold them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DigestObject } from '../../lambda/core/digest';
import { digestKey, testSigningKey, writeDigest, type LogFileToList, type TestSigningKey, type WrittenDigest } from '../../scripts/digest-writer';
import { record } from './fixtures';

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

/** Where a trail delivers: the folder parts of its keys. */
export interface TrailLayout {
  readonly bucket: string;
  readonly prefix?: string;
  readonly organizationId?: string;
  readonly accountId: string;
  readonly region: string;
  readonly trailName: string;
  readonly homeRegion: string;
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

/**
 * An hourly chain: one digest per entry of `hours` (the log files it lists), the first ending at `firstEnd`, each
 * an hour after the previous and linked to it. `previous` continues an earlier chain instead of starting one.
 */
export function hourlyChain(
  layout: TrailLayout,
  key: TestSigningKey,
  firstEnd: string,
  hours: readonly (readonly LogFileToList[])[],
  previous?: WrittenDigest,
): WrittenDigest[] {
  const written: WrittenDigest[] = [];
  let last = previous;
  hours.forEach((logFiles, index) => {
    const end = new Date(Date.parse(firstEnd) + index * 3_600_000);
    const start = new Date(end.getTime() - 3_600_000);
    const digest = writeDigest(
      {
        bucket: layout.bucket,
        key: digestKey({ ...layout, endTime: isoSeconds(end) }),
        startTime: isoSeconds(start),
        endTime: isoSeconds(end),
        accountId: layout.accountId,
        logFiles,
        ...(last === undefined ? {} : { previous: last }),
      },
      key,
    );
    written.push(digest);
    last = digest;
  });
  return written;
}

/** `2026-11-20T10:05:12Z`: CloudTrail's UTC extended format, without a fraction. */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A digest as it sits in S3: gzipped, under its key, with its metadata. */
export function inBucket(digest: WrittenDigest, overrides: Partial<DigestObject> = {}): DigestObject {
  return { key: digest.key, bucket: digest.bucket, bytes: gzipSync(digest.text), metadata: digest.metadata, ...overrides };
}

/** A digest as a downloaded copy holds it: gzipped, under its path from `AWSLogs/`, no metadata, no bucket. */
export function inFolder(digest: WrittenDigest, folder = 'download'): DigestObject {
  return { key: `${folder}/${digest.key}`, bytes: gzipSync(digest.text) };
}
