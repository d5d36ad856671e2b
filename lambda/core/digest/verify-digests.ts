/**
 * Verification of digest files: each digest's signature, location and format, and the chain that links each digest
 * to the previous one of its trail and region, as the CloudTrail user guide describes and `aws cloudtrail
 * validate-logs` checks it.
 *
 * The single-digest checks ({@link checkDigestLocation}, {@link checkDigestSignature}, {@link checkPreviousDigest})
 * are exported for a processor that sees one digest at a time and keeps the previous one's hash and signature;
 * {@link verifyDigests} runs them over a set of digest objects read together (a bucket, a downloaded folder).
 * Pure: no AWS SDK, no environment, no logging.
 */
import { gunzipSync } from 'node:zlib';
import {
  DIGEST_SIGNATURE_ALGORITHM,
  DigestFormatError,
  HASH_ALGORITHM,
  isGzip,
  readDigestContent,
  sha256Hex,
  type DigestContent,
  type DigestFile,
} from './digest-file';
import { chainId, layoutKeyOf, parseDigestObjectName, type DigestObjectName } from './object-names';
import { choosePublicKey, type CloudTrailPublicKey, type SigningSpan } from './public-keys';
import { dataSigningString, PublicKeyFormatError, rsaPublicKeyFromDer, verifyDataSigningString } from './signature';
import { worstStatus, type DigestStatus } from './status';

/** One thing found about a digest: a status it implies and why, in words that quote no content. */
export interface Finding {
  readonly status: DigestStatus;
  readonly message: string;
}

/** A digest object as a source found it. */
export interface DigestObject {
  /** The key it was found under: the S3 key, or for a local copy its path (only the part from `AWSLogs/` counts). */
  readonly key: string;
  /** The bucket it was read from; undefined for a local copy. */
  readonly bucket?: string;
  /** Its bytes as stored (gzip as CloudTrail delivers them, or uncompressed). */
  readonly bytes: Uint8Array;
  /**
   * Its S3 user metadata, names without `x-amz-meta-` (`signature`, `signature-algorithm`,
   * `backfill-generation-timestamp`); undefined where objects have none (a local copy).
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What verification concludes about one digest, present or missing. */
export interface DigestVerification {
  /** The key CloudTrail delivered it under (its `digestS3Object`, or the key a later digest names for a missing one). */
  readonly key: string;
  readonly bucket?: string;
  /** Where it was read; absent for a missing digest. */
  readonly foundAt?: { readonly bucket?: string; readonly key: string };
  readonly status: DigestStatus;
  /** Why the status is a problem, worst first; empty for `verified` and `signature-not-checked`. */
  readonly problems: readonly string[];
  /** What is worth knowing but is no problem: why a signature was not checked, a chain start, a gap. */
  readonly notes: readonly string[];
  /** Its key, read (trail, home region, end time, backfill), when the key has CloudTrail's digest naming. */
  readonly name?: DigestObjectName;
  /** Its chain ({@link chainId}), when known. */
  readonly chain?: string;
  /** Its fields and hash, when it could be read. */
  readonly content?: DigestContent;
  /** The first digest of a chain (its previous-digest fields are null). */
  readonly chainStart: boolean;
}

/** Options of {@link verifyDigests}. */
export interface VerifyDigestsOptions {
  /** CloudTrail's public keys of the digests' regions; undefined: no signature is checked. */
  readonly publicKeys?: readonly CloudTrailPublicKey[];
  /**
   * Start of the period verified. A previous digest that ends before it is outside the period, not missing.
   * Without it, the oldest digest read of each chain is where verification starts: its predecessor is not
   * looked for.
   */
  readonly since?: Date;
}

const HOUR_MS = 3_600_000;

/** The worst status of some findings (`verified` when there are none). */
export function digestStatusOf(findings: readonly Finding[]): DigestStatus {
  return worstStatus(findings.map((finding) => finding.status)) ?? 'verified';
}

/**
 * Checks that a digest was read from where CloudTrail delivered it (step A.2 of the user guide): its
 * `digestS3Bucket` and `digestS3Object` are the bucket and key it was read from. A local copy has no bucket: its
 * path must end with the digest's key from the `AWSLogs/` segment on.
 */
export function checkDigestLocation(digest: DigestFile, found: { bucket?: string; key: string }): Finding | undefined {
  const same =
    found.bucket === undefined
      ? layoutKeyOf(digest.digestS3Object) === layoutKeyOf(found.key)
      : digest.digestS3Bucket === found.bucket && digest.digestS3Object === found.key;
  return same ? undefined : { status: 'altered', message: 'it is not where it was delivered (its digestS3Bucket/digestS3Object name another object)' };
}

/** A digest's signature and what comes with it, from S3 metadata or from the next digest. */
export interface SignatureEvidence {
  /** Hex signature; undefined when none is available. */
  readonly signature?: string;
  /** `x-amz-meta-backfill-generation-timestamp` of a backfill digest: when it was signed. */
  readonly backfillGenerationTime?: Date;
  /** Where the signature came from, for messages. */
  readonly source: 'S3 metadata' | 'the next digest' | 'none';
  /** Why there is no signature, when there is none. */
  readonly unavailable?: string;
}

/**
 * Reads a digest object's signature evidence from its S3 user metadata. CloudTrail always sets
 * `x-amz-meta-signature` and `x-amz-meta-signature-algorithm` (and, on backfill digests,
 * `x-amz-meta-backfill-generation-timestamp`): their absence is reported as findings.
 */
export function signatureFromMetadata(
  metadata: Readonly<Record<string, string>>,
  backfill: boolean,
): { evidence: SignatureEvidence; findings: Finding[] } {
  const findings: Finding[] = [];
  const signature = metadata['signature'];
  const algorithm = metadata['signature-algorithm'];
  if (signature === undefined || signature === '') {
    findings.push({ status: 'invalid-signature', message: 'its object has no x-amz-meta-signature' });
  }
  if (algorithm === undefined || algorithm === '') {
    findings.push({ status: 'invalid-signature', message: 'its object has no x-amz-meta-signature-algorithm' });
  } else if (algorithm !== DIGEST_SIGNATURE_ALGORITHM) {
    findings.push({ status: 'invalid-signature', message: `its x-amz-meta-signature-algorithm is not ${DIGEST_SIGNATURE_ALGORITHM}` });
  }
  let backfillGenerationTime: Date | undefined;
  if (backfill) {
    const stamp = metadata['backfill-generation-timestamp'];
    const time = stamp === undefined ? undefined : new Date(stamp);
    if (time === undefined || Number.isNaN(time.getTime())) {
      findings.push({
        status: 'invalid-signature',
        message: 'this backfill digest has no readable x-amz-meta-backfill-generation-timestamp',
      });
    } else {
      backfillGenerationTime = time;
    }
  }
  return {
    evidence: {
      ...(signature === undefined || signature === '' ? { unavailable: 'its object has no signature metadata' } : { signature }),
      ...(backfillGenerationTime === undefined ? {} : { backfillGenerationTime }),
      source: 'S3 metadata',
    },
    findings,
  };
}

/**
 * The span a digest was signed in, to choose a key valid then: an hourly digest is signed after its
 * `digestEndTime` (within the hour), a backfill digest around its generation time (an hour either side, as
 * `aws cloudtrail validate-logs` looks keys up). Undefined when not known (a backfill digest without metadata).
 */
export function signingSpanOf(digest: DigestFile, backfill: boolean, backfillGenerationTime?: Date): SigningSpan | undefined {
  if (backfill) {
    if (backfillGenerationTime === undefined) return undefined;
    return { from: new Date(backfillGenerationTime.getTime() - HOUR_MS), to: new Date(backfillGenerationTime.getTime() + HOUR_MS) };
  }
  const end = new Date(digest.digestEndTime);
  return { from: end, to: new Date(end.getTime() + HOUR_MS) };
}

/**
 * Checks a digest's signature (steps B–E of the user guide): the key named by `digestPublicKeyFingerprint` and
 * valid when the digest was signed, the data-signing string rebuilt from the digest and the hash of its
 * uncompressed content, and RSA-SHA256 verification.
 * @returns findings: `invalid-signature` ones, or one `signature-not-checked` when there is no signature or no key
 *   list; none when the signature verifies
 */
export function checkDigestSignature(
  content: DigestContent,
  evidence: SignatureEvidence,
  publicKeys: readonly CloudTrailPublicKey[] | undefined,
  backfill: boolean,
): Finding[] {
  const { digest, sha256 } = content;
  if (digest.digestSignatureAlgorithm !== DIGEST_SIGNATURE_ALGORITHM) {
    return [{ status: 'invalid-signature', message: `its digestSignatureAlgorithm is not ${DIGEST_SIGNATURE_ALGORITHM}` }];
  }
  if (evidence.signature === undefined) {
    return [{ status: 'signature-not-checked', message: `no signature to check: ${evidence.unavailable ?? 'none was found'}` }];
  }
  if (publicKeys === undefined) {
    return [{ status: 'signature-not-checked', message: 'no signature checked: no public keys were given' }];
  }
  const choice = choosePublicKey(publicKeys, digest.digestPublicKeyFingerprint, signingSpanOf(digest, backfill, evidence.backfillGenerationTime));
  if ('problem' in choice) return [{ status: 'invalid-signature', message: choice.problem }];
  let key;
  try {
    key = rsaPublicKeyFromDer(choice.key.value);
  } catch (error) {
    if (!(error instanceof PublicKeyFormatError)) throw error;
    return [{ status: 'invalid-signature', message: `the public key with fingerprint ${choice.key.fingerprint} is ${error.message}` }];
  }
  if (!verifyDataSigningString(dataSigningString(digest, sha256), evidence.signature, key)) {
    return [
      {
        status: 'invalid-signature',
        message: `its signature (from ${evidence.source}) does not verify with the public key ${choice.key.fingerprint.toLowerCase()}`,
      },
    ];
  }
  return [];
}

/** What is known of a previous digest, to check the link a later digest makes to it. */
export interface PreviousDigestFacts {
  /** Hex SHA-256 of its uncompressed content. */
  readonly sha256: string;
  /** Its own signature (S3 metadata), when known. */
  readonly signature?: string;
}

/**
 * Checks the link from `current` to the previous digest (step G): the previous digest's content still hashes to
 * `previousDigestHashValue`, and its signature is `previousDigestSignature`.
 * @returns findings about the previous digest: `altered` (its content changed after the next digest was written)
 *   or `invalid-signature` (its signature is not the one the next digest recorded)
 */
export function checkPreviousDigest(
  current: Pick<DigestFile, 'previousDigestHashValue' | 'previousDigestSignature' | 'digestS3Object'>,
  previous: PreviousDigestFacts,
): Finding[] {
  const findings: Finding[] = [];
  if (current.previousDigestHashValue !== null && current.previousDigestHashValue.toLowerCase() !== previous.sha256) {
    findings.push({ status: 'altered', message: `its content does not hash to the value the next digest recorded (${current.digestS3Object})` });
  }
  if (
    current.previousDigestSignature !== null &&
    previous.signature !== undefined &&
    current.previousDigestSignature.toLowerCase() !== previous.signature.toLowerCase()
  ) {
    findings.push({ status: 'invalid-signature', message: `its signature is not the one the next digest recorded (${current.digestS3Object})` });
  }
  return findings;
}

/**
 * Checks what a digest's own previous-digest fields say, before the previous digest is looked at: either all
 * null (the first digest of a chain) or a previous digest named with its hash (SHA-256) and signature.
 */
export function checkPreviousFields(digest: DigestFile): Finding[] {
  if (digest.previousDigestS3Object === null) return [];
  const findings: Finding[] = [];
  if (digest.previousDigestHashValue === null || digest.previousDigestSignature === null) {
    findings.push({ status: 'chain-broken', message: 'it names a previous digest without its hash or signature' });
  }
  if (digest.previousDigestHashAlgorithm !== null && digest.previousDigestHashAlgorithm.toUpperCase() !== HASH_ALGORITHM) {
    findings.push({ status: 'chain-broken', message: `its previousDigestHashAlgorithm is not ${HASH_ALGORITHM}` });
  }
  return findings;
}

/** One digest object during verification. */
interface Entry {
  readonly object: DigestObject;
  readonly name: DigestObjectName | undefined;
  readonly content: DigestContent | undefined;
  /** Hex SHA-256 of the uncompressed bytes (or of the bytes as stored, when they do not gunzip). */
  readonly sha256: string;
  readonly findings: Finding[];
  readonly notes: string[];
  /** Read, but not from where its own fields say it was delivered. */
  readonly misplaced: boolean;
  /** Digests that name this one as their previous digest. */
  readonly nextDigests: Entry[];
}

/**
 * Verifies a set of digest objects: each one's format, location and signature, and every chain link between them.
 * A digest a later digest names but that is absent is reported `missing` (unless it ends before the period
 * verified, see {@link VerifyDigestsOptions.since}). On a local copy, which has no S3 metadata, a digest's
 * signature is the one the next digest recorded (`previousDigestSignature`), as the user guide's offline method
 * does: every digest but the newest of each chain can be checked.
 * @returns one result per digest object, then one per missing digest, ordered by chain and end time
 */
export function verifyDigests(objects: readonly DigestObject[], options: VerifyDigestsOptions = {}): DigestVerification[] {
  const entries = objects.map(readEntry);
  const missing = new Map<string, { bucket: string | null; key: string; next: Entry[] }>();
  linkChains(entries, options.since, missing);
  markChainStarts(entries);
  for (const entry of entries) checkSignatureOf(entry, options.publicKeys);

  const results: DigestVerification[] = entries.map(resultOf);
  for (const { bucket, key, next } of missing.values()) {
    const name = parseDigestObjectName(key);
    const referrers = next.map((entry) => entry.content?.digest.digestS3Object ?? entry.object.key).sort();
    results.push({
      key,
      ...(bucket === null ? {} : { bucket }),
      status: 'missing',
      problems: [`it is not there, but the next digest names it (${referrers.join(', ')})`],
      notes: [],
      ...(name === undefined ? {} : { name }),
      ...(next[0]?.name === undefined ? {} : { chain: chainId(next[0].name) }),
      chainStart: false,
    });
  }
  return results.sort(byChainAndTime);
}

function readEntry(object: DigestObject): Entry {
  const findings: Finding[] = [];
  const notes: string[] = [];
  let content: DigestContent | undefined;
  try {
    content = readDigestContent(object.bytes, object.key);
  } catch (error) {
    if (!(error instanceof DigestFormatError)) throw error;
    findings.push({ status: 'altered', message: `it cannot be read: ${error.field === undefined ? '' : `${error.field} `}${error.problem}` });
  }
  const name = parseDigestObjectName(object.key) ?? (content === undefined ? undefined : parseDigestObjectName(content.digest.digestS3Object));
  if (name === undefined) findings.push({ status: 'altered', message: "its key does not have CloudTrail's digest naming" });
  const misplaced = content === undefined ? undefined : checkDigestLocation(content.digest, object);
  if (misplaced !== undefined) findings.push(misplaced);
  if (content !== undefined) findings.push(...checkPreviousFields(content.digest));
  const sha256 = content?.sha256 ?? uncompressedHash(object.bytes);
  return { object, name, content, sha256, findings, notes, misplaced: misplaced !== undefined, nextDigests: [] };
}

/**
 * The hash the next digest would have recorded of a digest object: of its uncompressed bytes, or of its bytes when
 * they do not gunzip (so a digest that cannot be read is still compared, and found different).
 */
export function uncompressedHash(bytes: Uint8Array): string {
  if (!isGzip(bytes)) return sha256Hex(bytes);
  try {
    return sha256Hex(gunzipSync(bytes));
  } catch {
    return sha256Hex(bytes);
  }
}

/** Resolves every previous-digest link; records absent previous digests in `missing`. */
function linkChains(
  entries: readonly Entry[],
  since: Date | undefined,
  missing: Map<string, { bucket: string | null; key: string; next: Entry[] }>,
): void {
  const byBucketKey = new Map<string, Entry>();
  const localByLayoutKey = new Map<string, Entry>();
  for (const entry of entries) {
    if (entry.object.bucket === undefined) localByLayoutKey.set(layoutKeyOf(entry.object.key), entry);
    else byBucketKey.set(`${entry.object.bucket}/${entry.object.key}`, entry);
  }
  const oldestOfChain = new Map<string, number>();
  for (const entry of entries) {
    if (entry.name === undefined) continue;
    const chain = chainId(entry.name);
    oldestOfChain.set(chain, Math.min(oldestOfChain.get(chain) ?? Infinity, entry.name.endTime.getTime()));
  }

  for (const entry of entries) {
    const digest = entry.content?.digest;
    const previousKey = digest?.previousDigestS3Object ?? null;
    if (digest === undefined || previousKey === null) continue;
    const previousBucket = digest.previousDigestS3Bucket;
    const previous =
      (previousBucket === null ? undefined : byBucketKey.get(`${previousBucket}/${previousKey}`)) ??
      (entry.object.bucket === undefined ? localByLayoutKey.get(layoutKeyOf(previousKey)) : undefined);
    if (previous !== undefined) {
      previous.nextDigests.push(entry);
      previous.findings.push(...checkPreviousDigest(digest, { sha256: previous.sha256 }));
      checkLinkShape(entry, previous);
      continue;
    }
    const previousName = parseDigestObjectName(previousKey);
    if (entry.object.bucket !== undefined && previousBucket !== null && previousBucket !== entry.object.bucket) {
      entry.notes.push(`its previous digest is in another bucket (${previousBucket}), which was not read`);
    } else if (isBeforePeriod(entry, previousName, since, oldestOfChain)) {
      entry.notes.push('its previous digest is before the period verified');
    } else {
      const id = `${previousBucket ?? ''}/${layoutKeyOf(previousKey)}`;
      const record = missing.get(id) ?? { bucket: previousBucket, key: previousKey, next: [] };
      record.next.push(entry);
      missing.set(id, record);
    }
  }

  for (const entry of entries) {
    if (entry.nextDigests.length > 1) {
      for (const next of entry.nextDigests) {
        next.findings.push({ status: 'chain-broken', message: 'another digest names the same previous digest (the chain forks)' });
      }
    }
  }
}

function isBeforePeriod(
  entry: Entry,
  previousName: DigestObjectName | undefined,
  since: Date | undefined,
  oldestOfChain: ReadonlyMap<string, number>,
): boolean {
  if (since !== undefined) return previousName !== undefined && previousName.endTime < since;
  return entry.name !== undefined && oldestOfChain.get(chainId(entry.name)) === entry.name.endTime.getTime();
}

/** A link must stay in one trail and region and go back in time. */
function checkLinkShape(entry: Entry, previous: Entry): void {
  if (entry.name === undefined || previous.name === undefined) return;
  const sameChain = chainId({ ...entry.name, backfill: false }) === chainId({ ...previous.name, backfill: false });
  if (!sameChain) {
    entry.findings.push({ status: 'chain-broken', message: 'its previous digest belongs to another trail, account or region' });
  } else if (previous.name.endTime >= entry.name.endTime) {
    entry.findings.push({ status: 'chain-broken', message: 'its previous digest is not older than it' });
  }
}

/** Notes chain starts, and the gap before a chain that starts after an earlier digest of the same chain. */
function markChainStarts(entries: readonly Entry[]): void {
  const chains = new Map<string, Entry[]>();
  for (const entry of entries) {
    if (entry.name === undefined || entry.content === undefined) continue;
    const chain = chainId(entry.name);
    chains.set(chain, [...(chains.get(chain) ?? []), entry]);
  }
  for (const members of chains.values()) {
    members.sort((a, b) => (a.name?.endTime.getTime() ?? 0) - (b.name?.endTime.getTime() ?? 0));
    members.forEach((entry, index) => {
      if (entry.content?.digest.previousDigestS3Object !== null) return;
      const earlier = members[index - 1]?.content?.digest.digestEndTime;
      entry.notes.push(
        earlier === undefined || entry.name?.backfill === true
          ? 'first digest of its chain'
          : `first digest of a new chain: no digest from ${earlier} to ${entry.content.digest.digestStartTime} (log file validation or logging was off)`,
      );
    });
  }
}

function checkSignatureOf(entry: Entry, publicKeys: readonly CloudTrailPublicKey[] | undefined): void {
  if (entry.content === undefined) return;
  const backfill = entry.name?.backfill ?? false;
  const recorded = entry.nextDigests
    .map((next) => next.content?.digest.previousDigestSignature ?? undefined)
    .find((signature) => signature !== undefined);
  let evidence: SignatureEvidence;
  if (entry.object.metadata !== undefined) {
    const read = signatureFromMetadata(entry.object.metadata, backfill);
    entry.findings.push(...read.findings);
    evidence = read.evidence;
    // S3 always has the signature: its absence is the finding already made, not a signature left unchecked.
    if (evidence.signature === undefined) return;
    if (recorded !== undefined && recorded.toLowerCase() !== evidence.signature.toLowerCase()) {
      entry.findings.push({ status: 'invalid-signature', message: 'its signature is not the one the next digest recorded' });
    }
  } else if (recorded !== undefined) {
    evidence = { signature: recorded, source: 'the next digest' };
  } else {
    evidence = {
      source: 'none',
      unavailable: 'a local copy has no S3 metadata, and no later digest records its signature (the newest digest of a chain)',
    };
  }
  const findings = checkDigestSignature(entry.content, evidence, publicKeys, backfill);
  for (const finding of findings) {
    if (finding.status === 'signature-not-checked') entry.notes.push(finding.message);
  }
  entry.findings.push(...findings);
}

function resultOf(entry: Entry): DigestVerification {
  const digest = entry.content?.digest;
  const located = digest !== undefined && !entry.misplaced;
  return {
    key: located ? digest.digestS3Object : entry.object.key,
    ...(located ? { bucket: digest.digestS3Bucket } : entry.object.bucket === undefined ? {} : { bucket: entry.object.bucket }),
    foundAt: { ...(entry.object.bucket === undefined ? {} : { bucket: entry.object.bucket }), key: entry.object.key },
    status: digestStatusOf(entry.findings),
    problems: entry.findings.filter((finding) => finding.status !== 'signature-not-checked').map((finding) => finding.message),
    notes: entry.notes,
    ...(entry.name === undefined ? {} : { name: entry.name, chain: chainId(entry.name) }),
    ...(entry.content === undefined ? {} : { content: entry.content }),
    chainStart: digest !== undefined && digest.previousDigestS3Object === null,
  };
}

/** Orders verifications by chain, then by end time (then key): how reports list them. */
export function byChainAndTime(a: DigestVerification, b: DigestVerification): number {
  const chainA = a.chain ?? '\uffff';
  const chainB = b.chain ?? '\uffff';
  if (chainA !== chainB) return chainA < chainB ? -1 : 1;
  const timeA = a.name?.endTime.getTime() ?? Infinity;
  const timeB = b.name?.endTime.getTime() ?? Infinity;
  return timeA !== timeB ? timeA - timeB : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
