/**
 * Writes CloudTrail digest files as CloudTrail does, signed with a test key: the digest JSON (fields in the order
 * of the user guide's sample), its S3 metadata (`signature`, `signature-algorithm`, and
 * `backfill-generation-timestamp` on a backfill digest), and the chain to the previous digest. The examples script
 * and the tests use it; production code only ever verifies.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  DIGEST_SIGNATURE_ALGORITHM,
  HASH_ALGORITHM,
  dataSigningString,
  sha256Hex,
  signDataSigningString,
  type CloudTrailPublicKey,
  type ListedLogFile,
} from '../lambda/core/digest';

/** A log file to list: where it is and its uncompressed text. */
export interface LogFileToList {
  readonly bucket: string;
  readonly key: string;
  /** The uncompressed JSON (`{"Records":[...]}`): hashed, and read for the event times. */
  readonly text: string;
}

/** A digest to write. */
export interface DigestToWrite {
  readonly bucket: string;
  readonly key: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly accountId: string;
  readonly logFiles: readonly LogFileToList[];
  /** The previous digest of the chain; absent for the first one. */
  readonly previous?: WrittenDigest;
  /** For a backfill digest: when it was generated (its `x-amz-meta-backfill-generation-timestamp`). */
  readonly backfillGenerationTime?: string;
}

/** A signing key of a region, as the tests and examples hold it. */
export interface TestSigningKey {
  readonly privateKey: KeyObject;
  /** What ListPublicKeys would list for it. */
  readonly publicKey: CloudTrailPublicKey;
}

/** A digest written: where, its uncompressed text, its hash, and the S3 metadata CloudTrail sets on it. */
export interface WrittenDigest {
  readonly bucket: string;
  readonly key: string;
  readonly text: string;
  readonly sha256: string;
  readonly signature: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The public-key entry of a private key: the DER PKCS#1 public key, as ListPublicKeys returns it, and a
 * fingerprint. CloudTrail does not document how it derives fingerprints; this uses the MD5 of the DER bytes,
 * which has the same 32-hex-digit shape. Verification only ever matches fingerprints, never recomputes them.
 */
export function testSigningKey(privateKey: KeyObject, validityStartTime: Date, validityEndTime: Date): TestSigningKey {
  const value = createPublicKey(privateKey).export({ format: 'der', type: 'pkcs1' });
  return {
    privateKey,
    publicKey: {
      fingerprint: createHash('md5').update(value).digest('hex'),
      value,
      validityStartTime,
      validityEndTime,
    },
  };
}

/** The `logFiles[]` entry of a log file: hash of its uncompressed text, oldest and newest event times. */
export function listLogFile(file: LogFileToList): ListedLogFile {
  const times = (JSON.parse(file.text) as { Records: { eventTime: string }[] }).Records.map((record) => record.eventTime).sort();
  return {
    s3Bucket: file.bucket,
    s3Object: file.key,
    hashValue: sha256Hex(file.text),
    hashAlgorithm: HASH_ALGORITHM,
    ...(times.length === 0 ? {} : { newestEventTime: times[times.length - 1], oldestEventTime: times[0] }),
  };
}

/** Writes and signs one digest, linked to its previous one. */
export function writeDigest(spec: DigestToWrite, key: TestSigningKey): WrittenDigest {
  const listed = spec.logFiles.map(listLogFile);
  const eventTimes = listed.flatMap((file) => [file.oldestEventTime, file.newestEventTime]).filter((time) => time !== undefined).sort();
  const previous = spec.previous;
  const digest = {
    awsAccountId: spec.accountId,
    digestStartTime: spec.startTime,
    digestEndTime: spec.endTime,
    digestS3Bucket: spec.bucket,
    digestS3Object: spec.key,
    digestPublicKeyFingerprint: key.publicKey.fingerprint,
    digestSignatureAlgorithm: DIGEST_SIGNATURE_ALGORITHM,
    newestEventTime: eventTimes[eventTimes.length - 1] ?? null,
    oldestEventTime: eventTimes[0] ?? null,
    previousDigestS3Bucket: previous?.bucket ?? null,
    previousDigestS3Object: previous?.key ?? null,
    previousDigestHashValue: previous?.sha256 ?? null,
    previousDigestHashAlgorithm: previous === undefined ? null : HASH_ALGORITHM,
    previousDigestSignature: previous?.signature ?? null,
    logFiles: listed,
  };
  const text = JSON.stringify(digest);
  const sha256 = sha256Hex(text);
  const signature = signDataSigningString(dataSigningString(digest, sha256), key.privateKey);
  return {
    bucket: spec.bucket,
    key: spec.key,
    text,
    sha256,
    signature,
    metadata: {
      signature,
      'signature-algorithm': DIGEST_SIGNATURE_ALGORITHM,
      ...(spec.backfillGenerationTime === undefined ? {} : { 'backfill-generation-timestamp': spec.backfillGenerationTime }),
    },
  };
}

/** Where a trail delivers in one region: the parts of its keys. */
export interface TrailKeyParts {
  readonly prefix?: string;
  readonly organizationId?: string;
  readonly accountId: string;
  /** The region delivered from. */
  readonly region: string;
  readonly trailName: string;
  readonly homeRegion: string;
}

/** A trail's bucket and the parts of its keys in one region. */
export interface TrailLayout extends TrailKeyParts {
  readonly bucket: string;
}

const HOUR_MS = 3_600_000;

/**
 * An hourly chain of digests: one per entry of `hours` (the log files it lists), the first ending at `firstEnd`
 * (`YYYY-MM-DDTHH:MM:SSZ`), each an hour after the previous and linked to it. `previous` continues an earlier
 * chain instead of starting one.
 */
export function writeHourlyChain(
  layout: TrailLayout,
  key: TestSigningKey,
  firstEnd: string,
  hours: readonly (readonly LogFileToList[])[],
  previous?: WrittenDigest,
): WrittenDigest[] {
  const written: WrittenDigest[] = [];
  let last = previous;
  hours.forEach((logFiles, index) => {
    const end = new Date(Date.parse(firstEnd) + index * HOUR_MS);
    const digest = writeDigest(
      {
        bucket: layout.bucket,
        key: digestKey({ ...layout, endTime: utcSeconds(end) }),
        startTime: utcSeconds(new Date(end.getTime() - HOUR_MS)),
        endTime: utcSeconds(end),
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

/** CloudTrail's UTC extended format, without a fraction: `2026-11-20T10:05:12Z`. */
function utcSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The key of a digest file in CloudTrail's layout: `[prefix/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail-Digest/REGION/
 * YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz`.
 */
export function digestKey(options: TrailKeyParts & { readonly endTime: string; readonly backfill?: boolean }): string {
  const folder = `${options.prefix ?? ''}AWSLogs/${options.organizationId === undefined ? '' : `${options.organizationId}/`}${options.accountId}`;
  const day = options.endTime.slice(0, 10).replace(/-/g, '/');
  const stamp = options.endTime.replace(/[-:]/g, '');
  return (
    `${folder}/CloudTrail-Digest/${options.region}/${day}/${options.accountId}_CloudTrail-Digest_${options.region}_` +
    `${options.trailName}_${options.homeRegion}_${stamp}${options.backfill === true ? '_backfill' : ''}.json.gz`
  );
}
