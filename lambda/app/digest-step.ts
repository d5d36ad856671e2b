/**
 * The digest step of the log-object service (docs/integrity.md, "In the processor"): a CloudTrail digest file is
 * verified as it arrives, and every log file it lists is reconciled with the file ledger, so the table proves hour by
 * hour that it holds every log file CloudTrail delivered, unaltered.
 *
 * For one digest: its format and place, its signature (S3 metadata, CloudTrail's public keys), its link to the
 * previous digest (whose hash and signature this digest recorded: read from the table, or from the object when the
 * table has not seen it yet; absent, it is `missing`), then each listed log file against the ledger's SHA-256 of its
 * decompressed bytes — processed with the same hash (`verified`), another (`altered`), not processed yet (taken in
 * now through the same service when time allows, else `not-processed` and resolved when it is processed), gone
 * (`missing`). Last, a sweep of the trail folder's log files of two hours before, which no digest listed
 * (`unlisted`) or which are still not processed. Findings become alerts (exactly once) and results are stored per
 * digest and per log file (`core/integrity-items.ts`).
 *
 * The log side is here too: when a log file is processed, its hash goes into its index entry, and a listing that
 * was waiting for it is resolved.
 */
import type { IntegrityProblem } from '../core/alerts/integrity';
import { LogDecodeError } from '../core/decode';
import {
  chainId,
  checkDigestLocation,
  checkDigestSignature,
  checkPreviousDigest,
  checkPreviousFields,
  DigestFormatError,
  digestStatusOf,
  isProblem,
  logFileStatusOf,
  parseDigestObjectName,
  parseLogFileObjectName,
  readDigestContent,
  signatureFromMetadata,
  signingSpanOf,
  trailFolderId,
  uncompressedHash,
  type CloudTrailPublicKey,
  type DigestContent,
  type DigestObjectName,
  type DigestStatus,
  type Finding,
  type LogFileStatus,
  type Observation,
  type PreviousDigestFacts,
  type SignatureEvidence,
} from '../core/digest';
import {
  isoSeconds,
  type DigestHeader,
  type DigestId,
  type DigestNaming,
  type DigestRecords,
  type DigestResult,
  type ListedLogFileResult,
  type ListingRef,
  type LogFileId,
  type NextLinkResult,
} from '../core/integrity-items';
import type { IntegrityAlerts } from './integrity-alerts';
import { LogObjectNotFoundError, type FileLedger, type IntegrityStore, type OpenedLogObject } from './ports';
import type { PublicKeyCache } from './public-key-cache';

/** What the service needs to verify digests; without it, digest files are skipped (`digest-file`). */
export interface IntegrityDeps {
  readonly store: IntegrityStore;
  /** @default signatures are not checked (`signature-not-checked`): `trail-audit verify --table` checks them later */
  readonly publicKeys?: PublicKeyCache;
  /** @default findings are stored and counted, not alerted */
  readonly alerts?: IntegrityAlerts;
}

/** Counts of the verification work one object did (a digest, or a log file that resolved waiting listings). */
export interface IntegrityTally {
  /** Digests whose own result is `verified` (0 or 1). */
  digestsVerified: number;
  /** Listed log files found `verified`, now or by a late resolution. */
  logFilesVerified: number;
  /** Problems found (a digest, its previous digest, a listed or unlisted log file). */
  problems: number;
  /** Listed log files the ledger lacked, taken in through the service. */
  logFilesTakenIn: number;
}

/** A zeroed tally. */
export function newIntegrityTally(): IntegrityTally {
  return { digestsVerified: 0, logFilesVerified: 0, problems: 0, logFilesTakenIn: 0 };
}

/** An object a digest names, as the door locates it. */
export interface LocatedObject {
  readonly objectId: string;
  readonly key: string;
  open(): Promise<OpenedLogObject>;
}

/** One digest to verify, and how to reach what it names. */
export interface DigestInput<T extends LocatedObject> {
  readonly objectId: string;
  /** The key (or path) it was read under; its name must be a digest name. */
  readonly key: string;
  readonly name: DigestObjectName;
  /** Its bytes as stored. */
  readonly bytes: Uint8Array;
  /** Its S3 user metadata (the signature); undefined for a local copy. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Finds an object the digest names in the same source. */
  locate(bucket: string, key: string): T;
  /** Takes a log file in through the service (`force`: read it even when the ledger has it). */
  takeIn(object: T, force: boolean): Promise<{ readonly status: string; readonly error?: unknown }>;
  /** Whether there is time to take a log file in now. */
  mayTakeIn(): boolean;
  /**
   * Takes the previous digest in through the service (its notification was lost, or it came before the processor),
   * so its log files are listed too; it does not take in its own previous digest.
   */
  takeInDigest(object: T): Promise<{ readonly status: string; readonly error?: unknown }>;
  /** Whether this digest may take in its previous digest now (there is time, and it was not taken in itself). */
  mayTakeInDigest(): boolean;
}

const HOUR_MS = 3_600_000;
/** Larger than any digest CloudTrail writes (a list of an hour's log files): such an object is not read whole. */
export const MAX_DIGEST_BYTES = 16 * 1024 * 1024;
/** Listed log files worked on at the same time. */
const CONCURRENCY = 8;

/** The digest step; one per service. */
export class DigestStep {
  /** The log file being taken in: one at a time, so memory stays that of one streaming object. */
  private takingIn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: IntegrityDeps,
    private readonly ledger: FileLedger,
    private readonly now: () => Date,
  ) {}

  /**
   * Verifies one digest and the log files it lists, stores the results and raises the alerts.
   * @returns the hash of its uncompressed content (for its ledger entry) and its own status
   * @throws a failure that retrying may cure (a read, a write, ListPublicKeys, an alert delivery): the digest is
   *   then retried whole, and every step is idempotent
   */
  async verify<T extends LocatedObject>(
    input: DigestInput<T>,
    tally: IntegrityTally,
  ): Promise<{ readonly sha256: string; readonly status: DigestStatus }> {
    const { name } = input;
    const verifiedAt = isoSeconds(this.now());
    const bucket = bucketOf(input.objectId);
    const id: DigestId = { accountId: name.accountId, region: name.region, end: isoSeconds(name.endTime), objectId: input.objectId };
    const findings: Finding[] = [];
    const notes: string[] = [];
    const problems: IntegrityProblem[] = [];

    let content: DigestContent | undefined;
    if (input.bytes.byteLength > MAX_DIGEST_BYTES) {
      findings.push({ status: 'altered', message: `it cannot be read: it is larger than a digest file can be (${input.bytes.byteLength} bytes)` });
    } else {
      try {
        content = readDigestContent(input.bytes, input.key);
      } catch (error) {
        if (!(error instanceof DigestFormatError)) throw error;
        findings.push({ status: 'altered', message: `it cannot be read: ${error.field === undefined ? '' : `${error.field} `}${error.problem}` });
      }
    }
    const sha256 = content?.sha256 ?? uncompressedHash(input.bytes);
    const digest = content?.digest;
    const misplaced = digest === undefined ? undefined : checkDigestLocation(digest, { ...bucketField(bucket), key: input.key });
    if (misplaced !== undefined) findings.push(misplaced);
    if (digest !== undefined) findings.push(...checkPreviousFields(digest));

    const stored = await this.deps.store.readDigest(id);
    const signature = await this.checkSignature(input, content, stored, notes);
    const ownSignature = input.metadata?.['signature'];
    // The next digest was verified first: what it recorded of this one must still hold.
    const recorded = stored.next;
    if (recorded !== undefined && recorded.findings.every((finding) => finding.status !== 'missing')) {
      findings.push(
        ...checkPreviousDigest(
          { previousDigestHashValue: recorded.hashValue, previousDigestSignature: recorded.signature, digestS3Object: recorded.next.key },
          { sha256, ...(ownSignature === undefined || ownSignature === '' ? {} : { signature: ownSignature }) },
        ),
      );
    }

    let previousRecorded = false;
    if (digest !== undefined && digest.previousDigestS3Object !== null) {
      // What a digest names is looked for in the bucket it was read from (CloudTrail delivers a trail's log files
      // and digests to one bucket): a digest that names another bucket is not where it was delivered (altered).
      const link = await this.checkPrevious(input, bucket ?? digest.previousDigestS3Bucket ?? '', digest.previousDigestS3Object, digest, findings, verifiedAt);
      previousRecorded = link.previousRecorded;
      if (link.problem !== undefined) problems.push(link.problem);
    }
    if (digest !== undefined && digest.previousDigestS3Object === null) notes.push('first digest of its chain');

    const status = digestStatusOf([...findings, ...signature.findings]);
    // Where CloudTrail delivered it, as its own fields say (when they agree with where it was read).
    const located = digest !== undefined && misplaced === undefined;
    const result: DigestResult = {
      ...id,
      ...namingOf(name),
      key: located ? digest.digestS3Object : input.key,
      ...bucketField(located ? digest.digestS3Bucket : bucket),
      status,
      findings,
      signatureFindings: signature.findings,
      notes,
      chainStart: digest?.previousDigestS3Object === null,
      ...(digest === undefined ? {} : { start: digest.digestStartTime, logFiles: digest.logFiles.length, header: headerOf(digest) }),
      sha256,
      ...(ownSignature === undefined || ownSignature === '' ? {} : { signature: ownSignature }),
      ...(signature.backfillGenerationTime === undefined ? {} : { backfillGenerationTime: signature.backfillGenerationTime }),
      verifiedAt,
    };
    await this.deps.store.putDigest(result);
    if (status === 'verified') tally.digestsVerified += 1;
    if (isProblem(status)) {
      tally.problems += 1;
      problems.push(digestProblem(result, [...findings, ...signature.findings]));
    }

    if (content !== undefined) await this.reconcile(input, bucket, id, content, status, verifiedAt, tally, problems);
    if (previousRecorded) await this.sweep(input, id, tally, problems);
    await this.deps.alerts?.raise(problems);
    return { sha256, status };
  }

  /**
   * After a log file was processed: records its hash in its index entry, resolves the listings that waited for it
   * (a digest that listed it before it was processed), and judges again the listings that found it with another
   * hash (the file was changed and processed again after its digest was verified: now `altered`).
   */
  async logFileProcessed(objectId: string, key: string, sha256: string, tally: IntegrityTally): Promise<void> {
    const file = logFileIdOf(objectId, key);
    if (file === undefined) return;
    const { awaitedBy, listedBy } = await this.deps.store.recordLogFile(file, sha256, isoSeconds(this.now()));
    const problems: IntegrityProblem[] = [];
    const observation: Observation = { state: 'hashed', sha256 };
    for (const ref of awaitedBy) await this.resolve(ref, observation, tally, problems);
    for (const ref of listedBy) {
      const listed = await this.deps.store.getListedLogFile(ref);
      if (listed?.observation.state !== 'hashed' || listed.observation.sha256 === sha256) continue;
      const judged = this.judged(listed, observation);
      await this.deps.store.putListedLogFiles([judged]);
      countListed(judged, tally, problems);
    }
    await this.deps.alerts?.raise(problems);
  }

  /** The signature check: from S3 metadata, or (a local copy) from what the next digest recorded. */
  private async checkSignature(
    input: DigestInput<LocatedObject>,
    content: DigestContent | undefined,
    stored: DigestRecords,
    notes: string[],
  ): Promise<{ findings: Finding[]; backfillGenerationTime?: string }> {
    if (content === undefined) return { findings: [] };
    const backfill = input.name.backfill;
    const findings: Finding[] = [];
    let evidence: SignatureEvidence;
    if (input.metadata !== undefined) {
      const read = signatureFromMetadata(input.metadata, backfill);
      findings.push(...read.findings);
      evidence = read.evidence;
      // S3 always has the signature: its absence is the finding already made, not a signature left unchecked.
      if (evidence.signature === undefined) return { findings };
    } else if (stored.next?.signature !== undefined && stored.next.signature !== null) {
      evidence = { signature: stored.next.signature, source: 'the next digest' };
    } else {
      evidence = {
        source: 'none',
        unavailable: 'a local copy has no S3 metadata, and no later digest records its signature (yet)',
      };
    }
    const keys = await this.keysFor(input.name, content, evidence);
    const checked = checkDigestSignature(content, evidence, keys, backfill);
    for (const finding of checked) if (finding.status === 'signature-not-checked') notes.push(finding.message);
    findings.push(...checked);
    const generated = evidence.backfillGenerationTime;
    return { findings, ...(generated === undefined ? {} : { backfillGenerationTime: isoSeconds(generated) }) };
  }

  private async keysFor(
    name: DigestObjectName,
    content: DigestContent,
    evidence: SignatureEvidence,
  ): Promise<readonly CloudTrailPublicKey[] | undefined> {
    if (this.deps.publicKeys === undefined || evidence.signature === undefined) return undefined;
    const span = signingSpanOf(content.digest, name.backfill, evidence.backfillGenerationTime) ?? {
      from: new Date(name.endTime.getTime() - HOUR_MS),
      to: new Date(name.endTime.getTime() + HOUR_MS),
    };
    return this.deps.publicKeys.keysFor(name.region, span, content.digest.digestPublicKeyFingerprint);
  }

  /**
   * Checks the link to the previous digest and stores what this digest says of it. A finding about the link's
   * shape (another trail, a newer digest, a fork) is this digest's; one about the previous digest (missing,
   * altered, another signature) is the previous digest's.
   */
  private async checkPrevious(
    input: DigestInput<LocatedObject>,
    previousBucket: string,
    previousKey: string,
    digest: NonNullable<DigestContent['digest']>,
    findings: Finding[],
    verifiedAt: string,
  ): Promise<{ previousRecorded: boolean; problem?: IntegrityProblem }> {
    const previousName = parseDigestObjectName(previousKey);
    if (previousName === undefined) {
      findings.push({ status: 'chain-broken', message: "its previous digest's key does not have CloudTrail's digest naming" });
      return { previousRecorded: false };
    }
    // Both names as the digest's own fields give them (a local copy's path has another prefix than the S3 key).
    const ownName = parseDigestObjectName(digest.digestS3Object) ?? input.name;
    if (chainId({ ...ownName, backfill: false }) !== chainId({ ...previousName, backfill: false })) {
      findings.push({ status: 'chain-broken', message: 'its previous digest belongs to another trail, account or region' });
    } else if (previousName.endTime >= ownName.endTime) {
      findings.push({ status: 'chain-broken', message: 'its previous digest is not older than it' });
    }
    const previous = input.locate(previousBucket, previousKey);
    const previousId: DigestId = {
      accountId: previousName.accountId,
      region: previousName.region,
      end: isoSeconds(previousName.endTime),
      objectId: previous.objectId,
    };
    let stored = await this.deps.store.readDigest(previousId);
    let absent = false;
    if (stored.own === undefined && input.mayTakeInDigest()) {
      const outcome = await input.takeInDigest(previous);
      if (outcome.status === 'failed') {
        if (!(outcome.error instanceof LogObjectNotFoundError)) throw outcome.error;
        absent = true;
      } else {
        stored = await this.deps.store.readDigest(previousId);
      }
    }
    if (stored.next !== undefined && stored.next.next.objectId !== input.objectId) {
      findings.push({ status: 'chain-broken', message: 'another digest names the same previous digest (the chain forks)' });
    }
    const facts = absent ? 'missing' : stored.own !== undefined ? factsOf(stored.own) : await readPreviousFacts(previous);
    const linkFindings: Finding[] =
      facts === 'missing'
        ? [{ status: 'missing', message: `it is not there, but the next digest names it (${digest.digestS3Object})` }]
        : checkPreviousDigest(digest, facts);
    let signatureFindings: Finding[] | undefined;
    const own = stored.own;
    if (own?.header !== undefined && own.signature === undefined && digest.previousDigestSignature !== null) {
      // A local copy's previous digest has no signature of its own: this digest recorded it.
      const evidence: SignatureEvidence = { signature: digest.previousDigestSignature, source: 'the next digest' };
      const previousContent: DigestContent = { digest: { ...own.header, logFiles: [] }, sha256: own.sha256 };
      const keys = await this.keysFor(previousName, previousContent, evidence);
      if (keys !== undefined) signatureFindings = checkDigestSignature(previousContent, evidence, keys, previousName.backfill);
    }
    const link: NextLinkResult = {
      ...previousId,
      ...namingOf(previousName),
      key: previousKey,
      ...(previousBucket === '' ? {} : { bucket: previousBucket }),
      next: { objectId: input.objectId, key: digest.digestS3Object },
      hashValue: digest.previousDigestHashValue,
      signature: digest.previousDigestSignature,
      status: digestStatusOf([...linkFindings, ...(signatureFindings ?? [])]),
      findings: linkFindings,
      ...(signatureFindings === undefined ? {} : { signatureFindings }),
      verifiedAt,
    };
    await this.deps.store.putNextLink(link);
    return {
      previousRecorded: own !== undefined && (await this.beforeRecorded(input, previousBucket, own)),
      ...(isProblem(link.status) ? { problem: digestProblem(link, [...linkFindings, ...(signatureFindings ?? [])]) } : {}),
    };
  }

  /** Reconciles every listed log file with the ledger, and stores the results and the index entries. */
  private async reconcile(
    input: DigestInput<LocatedObject>,
    bucket: string | undefined,
    id: DigestId,
    content: DigestContent,
    status: DigestStatus,
    verifiedAt: string,
    tally: IntegrityTally,
    problems: IntegrityProblem[],
  ): Promise<void> {
    const { digest } = content;
    const results = await mapConcurrently(digest.logFiles, async (file) => {
      const located = input.locate(bucket ?? file.s3Bucket, file.s3Object);
      const observation = await this.observe(input, located, tally);
      const { status: fileStatus, reason } = logFileStatusOf(file, observation, status);
      const fileName = parseLogFileObjectName(file.s3Object);
      const result: ListedLogFileResult = {
        digest: id,
        objectId: located.objectId,
        digestKey: digest.digestS3Object,
        bucket: file.s3Bucket,
        key: file.s3Object,
        hashValue: file.hashValue,
        hashAlgorithm: file.hashAlgorithm,
        listing: status,
        observation,
        status: fileStatus,
        ...(reason === undefined ? {} : { reason }),
        ...(fileName === undefined ? {} : { fileTime: isoSeconds(fileName.fileTime) }),
        verifiedAt,
      };
      return { result, located };
    });
    await this.deps.store.putListedLogFiles(results.map(({ result }) => result));
    await mapConcurrently(results, async ({ result, located }) => {
      const file = logFileIdOf(located.objectId, located.key);
      const awaited = result.observation.state === 'not-processed';
      if (file !== undefined) {
        const marked = await this.deps.store.markListed(file, result, awaited);
        // Processed between the ledger read and now: resolved at once.
        if (awaited && marked.sha256 !== undefined) {
          await this.resolve(result, { state: 'hashed', sha256: marked.sha256 }, tally, problems);
          return;
        }
      }
      countListed(result, tally, problems);
    });
  }

  /** What is known of a listed log file: its ledger hash, or what taking it in found. */
  private async observe(input: DigestInput<LocatedObject>, located: LocatedObject, tally: IntegrityTally): Promise<Observation> {
    const entry = await this.ledger.get(located.objectId);
    if (entry?.sha256 !== undefined) return { state: 'hashed', sha256: entry.sha256 };
    if (parseLogFileObjectName(located.key) === undefined) {
      return { state: 'not-processed', reason: "its key does not have CloudTrail's log file naming: not taken in" };
    }
    if (!input.mayTakeIn()) {
      return { state: 'not-processed', reason: 'not processed yet when its digest was verified; resolved when it is' };
    }
    // An entry without a hash was written before trail-audit kept hashes: the file is read again to hash it.
    const outcome = await this.oneAtATime(() => input.takeIn(located, entry !== undefined));
    tally.logFilesTakenIn += 1;
    if (outcome.status === 'failed') {
      if (outcome.error instanceof LogObjectNotFoundError) return { state: 'absent' };
      if (outcome.error instanceof LogDecodeError) {
        return { state: 'unreadable', reason: `it cannot be read whole (${outcome.error.message})` };
      }
      throw outcome.error;
    }
    const after = await this.ledger.get(located.objectId);
    if (after?.sha256 !== undefined) return { state: 'hashed', sha256: after.sha256 };
    return { state: 'not-processed', reason: `it was read, but not recorded as processed (${outcome.status})` };
  }

  /**
   * Runs `work` after the work queued before it has settled: the listed log files are looked up in the ledger a
   * few at a time, but taken in one by one (each streams up to hundreds of MB of JSON).
   */
  private oneAtATime<R>(work: () => Promise<R>): Promise<R> {
    const run = this.takingIn.then(work, work);
    this.takingIn = run.catch(() => undefined);
    return run;
  }

  /** Replaces a listing that waited with what is now known of its log file; alerts a problem. */
  private async resolve(ref: ListingRef, observation: Observation, tally: IntegrityTally, problems: IntegrityProblem[]): Promise<void> {
    const listed = await this.deps.store.getListedLogFile(ref);
    if (listed?.status !== 'not-processed') return;
    if (observation.state === 'not-processed') return;
    const resolved = this.judged(listed, observation);
    if (!(await this.deps.store.resolveListedLogFile(ref, resolved))) return;
    countListed(resolved, tally, problems);
  }

  /** A listed result judged again with what is now known of its log file. */
  private judged(listed: ListedLogFileResult, observation: Observation): ListedLogFileResult {
    const { status, reason } = logFileStatusOf(listed, observation, listed.listing);
    return {
      ...withoutReason(listed),
      observation,
      status,
      ...(reason === undefined ? {} : { reason }),
      verifiedAt: isoSeconds(this.now()),
    };
  }

  /**
   * Whether the digest before `previous` is recorded too, or known missing, or `previous` starts its chain: the
   * sweep's window reaches two hours back, into the hour that digest lists. Live digests arrive in order; a backfill's map runs them in any.
   */
  private async beforeRecorded(input: DigestInput<LocatedObject>, bucket: string, previous: DigestResult): Promise<boolean> {
    const key = previous.header?.previousDigestS3Object;
    if (previous.chainStart || key === undefined || key === null) return true;
    const name = parseDigestObjectName(key);
    if (name === undefined) return true;
    const located = input.locate(bucket === '' ? (previous.header?.previousDigestS3Bucket ?? '') : bucket, key);
    const stored = await this.deps.store.readDigest({
      accountId: name.accountId,
      region: name.region,
      end: isoSeconds(name.endTime),
      objectId: located.objectId,
    });
    // A digest found missing (by the link `previous` recorded) lists nothing to wait for: its files are unlisted.
    return stored.own !== undefined || stored.next?.status === 'missing';
  }

  /**
   * The trail folder's log files written one to three hours before this digest ended: those no digest lists are
   * `unlisted`; those still awaited are taken in now, or alerted as never processed. Run only when the two digests
   * before it in the chain are recorded (so their listings are in), and two digests look at each hour.
   */
  private async sweep(input: DigestInput<LocatedObject>, id: DigestId, tally: IntegrityTally, problems: IntegrityProblem[]): Promise<void> {
    const end = input.name.endTime.getTime();
    const entries = await this.deps.store.logFilesBetween(
      id.accountId,
      id.region,
      trailFolderId(input.name),
      new Date(end - 3 * HOUR_MS),
      new Date(end - HOUR_MS),
    );
    const now = isoSeconds(this.now());
    for (const entry of entries) {
      if (entry.listedBy.length === 0) {
        if (entry.sha256 === undefined || entry.unlistedAt !== undefined) continue;
        await this.deps.store.markUnlisted(entry, now);
        tally.problems += 1;
        problems.push({
          subject: 'log-file',
          status: 'unlisted',
          objectId: entry.objectId,
          ...bucketField(bucketOf(entry.objectId)),
          key: entry.key,
          accountId: entry.accountId,
          region: entry.region,
          time: entry.fileTime,
          reasons: ['no digest of its trail lists it an hour after it was written'],
        });
        continue;
      }
      if (entry.sha256 !== undefined) continue;
      for (const ref of entry.awaitedBy) {
        const listed = await this.deps.store.getListedLogFile(ref);
        if (listed?.status !== 'not-processed') continue;
        const observation = await this.observe(input, input.locate(bucketOf(input.objectId) ?? listed.bucket, listed.key), tally);
        if (observation.state !== 'not-processed') {
          await this.resolve(ref, observation, tally, problems);
          continue;
        }
        tally.problems += 1;
        problems.push(logFileProblem(listed, 'not-processed', [
          `its digest listed it ${listed.digest.end}, and it has still not been processed (${observation.reason ?? 'no reason known'})`,
        ]));
      }
    }
  }
}

/** Counts a listed log file's status and notes its problem (a `not-processed` one is not a problem yet). */
function countListed(result: ListedLogFileResult, tally: IntegrityTally, problems: IntegrityProblem[]): void {
  if (result.status === 'verified') tally.logFilesVerified += 1;
  if (!isProblem(result.status) || result.status === 'not-processed') return;
  tally.problems += 1;
  problems.push(logFileProblem(result, result.status, result.reason === undefined ? [] : [result.reason]));
}

function logFileProblem(result: ListedLogFileResult, status: LogFileStatus, reasons: readonly string[]): IntegrityProblem {
  const name = parseLogFileObjectName(result.key);
  return {
    subject: 'log-file',
    status,
    objectId: result.objectId,
    bucket: result.bucket,
    key: result.key,
    accountId: name?.accountId ?? result.digest.accountId,
    region: name?.region ?? result.digest.region,
    time: result.fileTime ?? result.digest.end,
    digestKey: result.digestKey,
    reasons,
  };
}

function digestProblem(result: DigestResult | NextLinkResult, findings: readonly Finding[]): IntegrityProblem {
  return {
    subject: 'digest',
    status: result.status,
    objectId: result.objectId,
    ...bucketField(result.bucket),
    key: result.key,
    accountId: result.accountId,
    region: result.region,
    time: result.end,
    trailName: result.trailName,
    reasons: findings.filter((finding) => isProblem(finding.status)).map((finding) => finding.message),
  };
}

function bucketField(bucket: string | undefined): { bucket?: string } {
  return bucket === undefined ? {} : { bucket };
}

/** The bucket of an `s3://bucket/key` id; undefined for a local file. */
function bucketOf(objectId: string): string | undefined {
  if (!objectId.startsWith('s3://')) return undefined;
  const rest = objectId.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash);
}

function namingOf(name: DigestObjectName): DigestNaming {
  return {
    prefix: name.prefix,
    ...(name.organizationId === undefined ? {} : { organizationId: name.organizationId }),
    trailName: name.trailName,
    homeRegion: name.homeRegion,
    backfill: name.backfill,
  };
}

function headerOf(digest: DigestContent['digest']): DigestHeader {
  return Object.fromEntries(Object.entries(digest).filter(([name]) => name !== 'logFiles')) as DigestHeader;
}

/** A listed result without its reason (a resolution writes its own). */
function withoutReason(listed: ListedLogFileResult): Omit<ListedLogFileResult, 'reason'> {
  return Object.fromEntries(Object.entries(listed).filter(([name]) => name !== 'reason')) as Omit<ListedLogFileResult, 'reason'>;
}

function factsOf(result: DigestResult): PreviousDigestFacts {
  return { sha256: result.sha256, ...(result.signature === undefined ? {} : { signature: result.signature }) };
}

/** Reads a previous digest the table has not seen (yet): its hash and signature, or that it is not there. */
async function readPreviousFacts(previous: LocatedObject): Promise<PreviousDigestFacts | 'missing'> {
  let opened: OpenedLogObject;
  try {
    opened = await previous.open();
  } catch (error) {
    if (error instanceof LogObjectNotFoundError) return 'missing';
    throw error;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of opened.body) {
    size += chunk.byteLength;
    if (size > MAX_DIGEST_BYTES) break;
    chunks.push(chunk);
  }
  const signature = opened.metadata?.['signature'];
  return { sha256: uncompressedHash(Buffer.concat(chunks)), ...(signature === undefined || signature === '' ? {} : { signature }) };
}

/** A log file's index identity, when its key has CloudTrail's log file naming. */
function logFileIdOf(objectId: string, key: string): LogFileId | undefined {
  const name = parseLogFileObjectName(key);
  if (name === undefined) return undefined;
  return {
    accountId: name.accountId,
    region: name.region,
    fileTime: isoSeconds(name.fileTime),
    objectId,
    key,
    folder: trailFolderId(name),
  };
}

/** Maps with at most {@link CONCURRENCY} calls in flight, keeping the order; the first error is thrown once all settle. */
async function mapConcurrently<T, R>(items: readonly T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results;
}
