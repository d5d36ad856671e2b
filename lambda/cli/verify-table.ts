/**
 * `trail-audit verify` on a table (`--table NAME`, or the embedded default when no path is given): the verification
 * results the processor (or `ingest`) stored per digest and per log file, checked again against the file ledger, and
 * reported with the same output as a folder or bucket (`verify-report.ts`).
 *
 * What is checked again: a signature left unchecked (`ingest` has no public keys; a local copy's digest is vouched
 * for by the signature the next digest recorded) when `--public-keys` are given; each listed
 * log file against its ledger entry now (processed since, or processed again with another hash); the log files the
 * index holds that no digest lists. A digest's verdict is the worse of its own result and what the next digest
 * recorded of it (missing, altered since, another signature).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileLedger } from '../app/ports';
import {
  chainId,
  checkDigestSignature,
  byChainAndTime,
  digestStatusOf,
  isProblem,
  logFileStatusOf,
  parseDigestObjectName,
  parseLogFileObjectName,
  trailFolderId,
  type CloudTrailPublicKey,
  type DigestContent,
  type DigestVerification,
  type Finding,
  type LogFileVerification,
  type Observation,
  type SignatureEvidence,
} from '../core/digest';
import type { DigestResult, ListedLogFileResult, LogFileEntry, NextLinkResult } from '../core/integrity-items';
import { DynamoDBFileLedger } from '../store/file-ledger';
import { IntegrityReader } from '../store/integrity-store';
import { forEachConcurrently } from '../core/pool';
import type { Target } from './target';
import type { TimeRange } from './time';
import type { VerifyOutcome } from './verify-report';

const HOUR_MS = 3_600_000;

/** What `verifyTable` needs besides the table. */
export interface VerifyTableOptions {
  readonly range: TimeRange;
  /** Keys from `--public-keys` files: the signatures left unchecked are checked with them. */
  readonly publicKeys?: readonly CloudTrailPublicKey[];
  /** Where relative paths of local objects are written from. */
  readonly cwd: string;
  readonly concurrency: number;
  readonly signal: AbortSignal;
}

/** One digest's stored results. */
interface StoredDigest {
  readonly own?: DigestResult;
  readonly next?: NextLinkResult;
  readonly listed: ListedLogFileResult[];
}

/** Reads the table's results in the range and verifies them again; see the module comment. */
export async function verifyTable(target: Target, options: VerifyTableOptions): Promise<VerifyOutcome> {
  const reader = new IntegrityReader({ client: target.client, tableName: target.tableName });
  const ledger = new DynamoDBFileLedger({ client: target.client, tableName: target.tableName });
  const { since, until } = options.range;
  const digestRange = { ...(since === undefined ? {} : { from: since }), ...(until === undefined ? {} : { to: new Date(until.getTime() + HOUR_MS) }) };
  const logFileRange = { ...(since === undefined ? {} : { from: since }), ...(until === undefined ? {} : { to: until }) };

  const stored = new Map<string, StoredDigest>();
  const logFiles: LogFileEntry[] = [];
  for (const { accountId, region } of await reader.partitions()) {
    const content = await reader.read(accountId, region, digestRange, logFileRange);
    const entry = (objectId: string): StoredDigest => {
      const found = stored.get(objectId) ?? { listed: [] };
      stored.set(objectId, found);
      return found;
    };
    for (const own of content.digests) stored.set(own.objectId, { ...entry(own.objectId), own });
    for (const next of content.nextLinks) stored.set(next.objectId, { ...entry(next.objectId), next });
    for (const listed of content.listed) entry(listed.digest.objectId).listed.push(listed);
    logFiles.push(...content.logFiles);
  }

  const publicKeys = options.publicKeys;

  const digests: DigestVerification[] = [];
  const listedFiles: LogFileVerification[] = [];
  const observations = await ledgerObservations([...stored.values()].flatMap((digest) => digest.listed), ledger, options);
  for (const [objectId, digest] of stored) {
    const verification = digestVerification(objectId, digest, publicKeys, options.cwd);
    if (verification === undefined) continue;
    digests.push(verification);
    for (const listed of digest.listed) listedFiles.push(listedVerification(listed, observations.get(listed) ?? listed.observation, verification));
  }
  digests.sort(byChainAndTime);
  const unlisted = unlistedLogFiles(logFiles, digests, options.cwd);
  return { digests, logFiles: [...listedFiles, ...unlisted.unlisted], awaitingDigest: unlisted.awaiting, publicKeys: publicKeys !== undefined };
}

/** What the ledger says now of each listed log file (a few reads at a time). */
async function ledgerObservations(
  listed: readonly ListedLogFileResult[],
  ledger: FileLedger,
  options: Pick<VerifyTableOptions, 'concurrency' | 'signal'>,
): Promise<Map<ListedLogFileResult, Observation>> {
  const observations = new Map<ListedLogFileResult, Observation>();
  await forEachConcurrently(
    listed,
    options.concurrency,
    async (result) => {
      const entry = await ledger.get(result.objectId);
      if (entry?.sha256 !== undefined) observations.set(result, { state: 'hashed', sha256: entry.sha256 });
    },
    () => options.signal.aborted,
  );
  return observations;
}

/** Where an object of the table was read: a local path (relative to the working folder) or its S3 bucket and key. */
function foundAtOf(objectId: string, cwd: string): { bucket?: string; key: string } {
  if (objectId.startsWith('file://')) return { key: relative(cwd, fileURLToPath(objectId)) };
  const rest = objectId.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  return slash === -1 ? { key: rest } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** A digest's verdict: its own result (its signature checked now if it can be) and what the next digest recorded. */
function digestVerification(
  objectId: string,
  digest: StoredDigest,
  publicKeys: readonly CloudTrailPublicKey[] | undefined,
  cwd: string,
): DigestVerification | undefined {
  const { own, next } = digest;
  const first = own ?? next;
  if (first === undefined) return undefined;
  // A link that holds to a digest with no result of its own (it ended before the range, or before the processor)
  // says nothing to report.
  if (own === undefined && next !== undefined && !isProblem(next.status)) return undefined;
  const foundAt = foundAtOf(objectId, cwd);
  const name = parseDigestObjectName(foundAt.key);
  const signature = own === undefined ? { findings: [], notes: [], staleNotes: [] } : signatureOf(own, next, publicKeys);
  const findings: Finding[] = [
    ...(own?.findings ?? []),
    ...signature.findings,
    ...(next?.findings ?? []),
    ...(next?.signatureFindings ?? []).filter((finding) => finding.status !== 'signature-not-checked'),
  ];
  const header = own?.header;
  const content: DigestContent | undefined =
    header === undefined || own === undefined
      ? undefined
      : {
          digest: {
            ...header,
            logFiles: digest.listed.map((listed) => ({
              s3Bucket: listed.bucket,
              s3Object: listed.key,
              hashValue: listed.hashValue,
              hashAlgorithm: listed.hashAlgorithm,
            })),
          },
          sha256: own.sha256,
        };
  return {
    key: first.key,
    ...(first.bucket === undefined ? {} : { bucket: first.bucket }),
    ...(own === undefined ? {} : { foundAt }),
    status: digestStatusOf(findings),
    problems: findings.filter((finding) => finding.status !== 'signature-not-checked').map((finding) => finding.message),
    notes: [...(own?.notes.filter((note) => !signature.staleNotes.includes(note)) ?? []), ...signature.notes],
    ...(name === undefined ? {} : { name, chain: chainId(name) }),
    ...(content === undefined ? {} : { content }),
    chainStart: own?.chainStart ?? false,
  };
}

/**
 * A digest's signature findings: as stored, or checked now when the processor could not (no keys at `ingest`, or a
 * local copy whose signature only the next digest holds).
 */
function signatureOf(
  own: DigestResult,
  next: NextLinkResult | undefined,
  publicKeys: readonly CloudTrailPublicKey[] | undefined,
): { findings: readonly Finding[]; notes: string[]; staleNotes: string[] } {
  const unchecked = own.signatureFindings.filter((finding) => finding.status === 'signature-not-checked');
  if (unchecked.length === 0 || own.header === undefined) return { findings: own.signatureFindings, notes: [], staleNotes: [] };
  // The processor checked this local copy's signature with the one the next digest recorded.
  if (publicKeys === undefined && next?.signatureFindings !== undefined) {
    return { findings: next.signatureFindings, notes: [], staleNotes: unchecked.map((finding) => finding.message) };
  }
  const recorded = typeof next?.signature === 'string' ? next.signature : undefined;
  const evidence: SignatureEvidence =
    own.signature !== undefined
      ? {
          signature: own.signature,
          source: 'S3 metadata',
          ...(own.backfillGenerationTime === undefined ? {} : { backfillGenerationTime: new Date(own.backfillGenerationTime) }),
        }
      : recorded !== undefined
        ? { signature: recorded, source: 'the next digest' }
        : {
            source: 'none',
            unavailable: 'a local copy has no S3 metadata, and no later digest records its signature (the newest digest of a chain)',
          };
  const findings = checkDigestSignature({ digest: { ...own.header, logFiles: [] }, sha256: own.sha256 }, evidence, publicKeys, own.backfill);
  return {
    findings,
    notes: findings.filter((finding) => finding.status === 'signature-not-checked').map((finding) => finding.message),
    staleNotes: unchecked.map((finding) => finding.message),
  };
}

/** A listed log file judged with what the ledger says now and its digest's verdict. */
function listedVerification(listed: ListedLogFileResult, observation: Observation, digest: DigestVerification): LogFileVerification {
  const { status, reason } = logFileStatusOf(listed, observation, digest.status);
  return {
    key: listed.key,
    bucket: listed.bucket,
    status,
    ...(reason === undefined ? {} : { reason }),
    digestKey: digest.key,
    ...(listed.fileTime === undefined ? {} : { fileTime: new Date(listed.fileTime) }),
  };
}

/**
 * The processed log files no digest lists: `unlisted`, unless written less than an hour before the end of the newest
 * digest of their folder (awaiting a digest), as for a folder or a bucket.
 */
function unlistedLogFiles(
  entries: readonly LogFileEntry[],
  digests: readonly DigestVerification[],
  cwd: string,
): { unlisted: LogFileVerification[]; awaiting: number } {
  const newestEnd = new Map<string, number>();
  for (const digest of digests) {
    if (digest.name === undefined || digest.foundAt === undefined) continue;
    const folder = trailFolderId(digest.name);
    newestEnd.set(folder, Math.max(newestEnd.get(folder) ?? 0, digest.name.endTime.getTime()));
  }
  const unlisted: LogFileVerification[] = [];
  let awaiting = 0;
  for (const entry of entries) {
    if (entry.listedBy.length > 0 || entry.sha256 === undefined) continue;
    const foundAt = foundAtOf(entry.objectId, cwd);
    const name = parseLogFileObjectName(foundAt.key);
    const end = name === undefined ? undefined : newestEnd.get(trailFolderId(name));
    const fileTime = new Date(entry.fileTime);
    if (end !== undefined && fileTime.getTime() > end - HOUR_MS) {
      awaiting += 1;
      continue;
    }
    unlisted.push({
      key: foundAt.key,
      ...(foundAt.bucket === undefined ? {} : { bucket: foundAt.bucket }),
      status: 'unlisted',
      reason:
        end === undefined
          ? 'no digest lists it: no digest file was found for its account and region (is log file validation on?)'
          : 'no digest lists it',
      fileTime,
    });
  }
  return { unlisted, awaiting };
}
