/**
 * Reconciliation: the log files the digests list against what is known of them, and the log files no digest
 * lists. Where the knowledge comes from (a local folder, the bucket, the processor's file ledger) is the caller's:
 * it answers one question per listed file through an {@link Observe} function, and hands over the files it knows
 * of for the unlisted check. Pure: no AWS SDK, no environment, no logging.
 */
import { HASH_ALGORITHM, type ListedLogFile } from './digest-file';
import { layoutKeyOf, parseLogFileObjectName, trailFolderId, type LogFileObjectName } from './object-names';
import type { DigestStatus, LogFileStatus } from './status';
import type { DigestVerification } from './verify-digests';

/** What a source knows of one listed log file. */
export type Observation =
  /** The file is there; the SHA-256 of its uncompressed content. */
  | { readonly state: 'hashed'; readonly sha256: string }
  /** The file is not there (the source looked). */
  | { readonly state: 'absent' }
  /** The file is there but cannot be read whole (corrupt or truncated gzip). */
  | { readonly state: 'unreadable'; readonly reason: string }
  /** The file is there, but the processor has no completed record of it (so no hash either). */
  | { readonly state: 'not-processed'; readonly reason?: string };

/** Answers what is known of a listed log file. */
export type Observe = (file: ListedLogFile) => Observation;

/** What reconciliation concludes about one log file. */
export interface LogFileVerification {
  /** The S3 key: as the digest lists it, or as the source found it for an unlisted file. */
  readonly key: string;
  readonly bucket?: string;
  readonly status: LogFileStatus;
  /** Why the status is a problem, or what was not checked; absent for `verified`. */
  readonly reason?: string;
  /** The digest that lists it (its key); absent for an unlisted file. */
  readonly digestKey?: string;
  /** The time in its file name, when it has CloudTrail's naming. */
  readonly fileTime?: Date;
}

/**
 * Reconciles the log files one digest lists with what the source observed of each. The status is the worst that
 * applies, in this order:
 * - `missing` / `altered`: the file is absent, unreadable, or its content does not hash to the listed value;
 * - the listing itself is not trustworthy: `invalid-signature` when the digest's signature failed, `chain-broken`
 *   when the digest was altered or its chain link does not hold (a hash that matches proves nothing then);
 * - `not-processed`: intact (as far as the source knows) but never processed;
 * - `signature-not-checked`: matches a listing whose signature could not be checked;
 * - `verified`: matches a listing whose signature verified.
 * A missing digest lists nothing: its log files come out of {@link findUnlistedLogFiles}.
 */
export function reconcileLogFiles(
  digest: Pick<DigestVerification, 'key' | 'status' | 'content'>,
  observe: Observe,
): LogFileVerification[] {
  const listed = digest.content?.digest.logFiles ?? [];
  return listed.map((file) => {
    const fileTime = parseLogFileObjectName(file.s3Object)?.fileTime;
    const { status, reason } = logFileStatusOf(file, observe(file), digest.status);
    return {
      key: file.s3Object,
      bucket: file.s3Bucket,
      status,
      ...(reason === undefined ? {} : { reason }),
      digestKey: digest.key,
      ...(fileTime === undefined ? {} : { fileTime }),
    };
  });
}

/**
 * The status of one listed log file, from what is known of it and the status of the digest that lists it (the
 * order of {@link reconcileLogFiles}). A processor that learns of a file after its digest (a file processed later)
 * calls it once it knows more.
 */
export function logFileStatusOf(
  file: Pick<ListedLogFile, 'hashValue' | 'hashAlgorithm'>,
  observation: Observation,
  listing: DigestStatus,
): { status: LogFileStatus; reason?: string } {
  if (observation.state === 'absent') return { status: 'missing', reason: 'a digest lists it, but it is not there' };
  if (observation.state === 'unreadable') return { status: 'altered', reason: observation.reason };
  const algorithmKnown = file.hashAlgorithm.toUpperCase() === HASH_ALGORITHM;
  if (observation.state === 'hashed' && algorithmKnown && observation.sha256 !== file.hashValue) {
    return { status: 'altered', reason: 'its content does not hash to the value its digest recorded' };
  }
  const untrusted = untrustedListing(listing);
  if (untrusted !== undefined) return untrusted;
  if (!algorithmKnown) return { status: 'chain-broken', reason: `its digest lists it with a hash algorithm other than ${HASH_ALGORITHM}` };
  if (observation.state === 'not-processed') {
    return { status: 'not-processed', reason: observation.reason ?? 'it is there, but was never processed' };
  }
  if (listing === 'signature-not-checked') {
    return { status: 'signature-not-checked', reason: "it matches its digest, whose signature was not checked" };
  }
  return { status: 'verified' };
}

function untrustedListing(listing: DigestStatus): { status: LogFileStatus; reason: string } | undefined {
  switch (listing) {
    case 'invalid-signature':
      return { status: 'invalid-signature', reason: "its digest's signature does not verify: the listing cannot be trusted" };
    case 'altered':
    case 'chain-broken':
    case 'missing':
      return { status: 'chain-broken', reason: `its digest is ${listing}: the listing cannot be trusted` };
    default:
      return undefined;
  }
}

/** A log file a source knows of. */
export interface ObservedLogFile {
  readonly key: string;
  /** Its bucket; undefined for a local copy (then only the key from `AWSLogs/` on is compared). */
  readonly bucket?: string;
}

/** Options of {@link findUnlistedLogFiles}. */
export interface UnlistedOptions {
  /** Only files whose name's time is in this range are judged. */
  readonly since?: Date;
  readonly until?: Date;
  /**
   * How long before the end of the newest digest of its folder a file may be written and still await its digest
   * (delivery takes minutes, and CloudTrail lists late files in a later or a backfill digest).
   * @default one hour
   */
  readonly graceMs?: number;
}

/** The result of {@link findUnlistedLogFiles}. */
export interface UnlistedLogFiles {
  /** Files no digest lists, though a digest should have: status `unlisted`. */
  readonly unlisted: LogFileVerification[];
  /** Files too recent for a digest to have listed them yet: not judged. */
  readonly awaitingDigest: ObservedLogFile[];
}

const HOUR_MS = 3_600_000;

/**
 * Finds the log files that no digest lists. A file is judged when its name has CloudTrail's log naming and its
 * time is in the range; it is left out as awaiting its digest when it is newer than the newest digest of its
 * trail folder (account and region) minus the grace. A folder with log files and no digest at all has every
 * file unlisted: nothing vouches for them.
 */
export function findUnlistedLogFiles(
  observed: readonly ObservedLogFile[],
  digests: readonly Pick<DigestVerification, 'name' | 'content'>[],
  options: UnlistedOptions = {},
): UnlistedLogFiles {
  const listedExact = new Set<string>();
  const listedLayout = new Set<string>();
  const newestEnd = new Map<string, number>();
  for (const digest of digests) {
    if (digest.name !== undefined && digest.content !== undefined) {
      const folder = trailFolderId(digest.name);
      newestEnd.set(folder, Math.max(newestEnd.get(folder) ?? 0, Date.parse(digest.content.digest.digestEndTime)));
    }
    for (const file of digest.content?.digest.logFiles ?? []) {
      listedExact.add(`${file.s3Bucket}/${file.s3Object}`);
      listedLayout.add(layoutKeyOf(file.s3Object));
    }
  }
  const grace = options.graceMs ?? HOUR_MS;
  const unlisted: LogFileVerification[] = [];
  const awaitingDigest: ObservedLogFile[] = [];
  for (const file of observed) {
    const name = parseLogFileObjectName(file.key);
    if (name === undefined || !inRange(name, options)) continue;
    const listed = file.bucket === undefined ? listedLayout.has(layoutKeyOf(file.key)) : listedExact.has(`${file.bucket}/${file.key}`);
    if (listed) continue;
    const end = newestEnd.get(trailFolderId(name));
    if (end !== undefined && name.fileTime.getTime() > end - grace) {
      awaitingDigest.push(file);
      continue;
    }
    unlisted.push({
      key: file.key,
      ...(file.bucket === undefined ? {} : { bucket: file.bucket }),
      status: 'unlisted',
      reason:
        end === undefined
          ? 'no digest lists it: no digest file was found for its account and region (is log file validation on?)'
          : 'no digest lists it',
      fileTime: name.fileTime,
    });
  }
  return { unlisted, awaitingDigest };
}

function inRange(name: LogFileObjectName, range: UnlistedOptions): boolean {
  return (range.since === undefined || name.fileTime >= range.since) && (range.until === undefined || name.fileTime <= range.until);
}
