/**
 * The key design of the proof-of-completeness results (docs/key-design.md, "Verification results"), in one place:
 * what the processor concludes about each digest file and each log file it lists → DynamoDB items of the event
 * table, and back.
 *
 * One partition per account and region whose files CloudTrail delivered, `pk = "INTEGRITY#<account>#<region>"`,
 * ordered by time, so "is this hour verified?" is one Query a person types in the console:
 * - `sk = "DIGEST#<end>#<digest id>"`: a digest's own result (format, place, signature, its link to the previous
 *   digest). `<end>` is the time in the digest's name (`2026-11-20T10:12:40Z`), the id the file ledger's
 *   (`s3://bucket/key`).
 * - `sk = "DIGEST#<end>#<digest id>#LOG#<log file id>"`: a log file the digest lists, as the digest found it.
 * - `sk = "DIGEST#<end>#<digest id>#NEXT"`: what the next digest of the chain says of this one (its hash and
 *   signature still match, or it is missing). A digest's verdict is the worse of its own result and this.
 * - `sk = "LOG#<file time>#<log file id>"`: an index of processed and listed log files by the time in their name
 *   (which digests list each, which listings wait for it to be processed): the unlisted check and the late
 *   resolution read it.
 * So `begins_with(sk, "DIGEST#2026-11-20T10")` returns each digest that ended in that hour followed by its log
 * files and its next link. One more partition, `pk = "INTEGRITY"`, `sk = "<account>#<region>"`, lists the
 * partitions, for `trail-audit verify --table`.
 *
 * Pure: no AWS SDK, no environment, no logging.
 */
import type { Finding, Observation } from './digest';
import { INTEGRITY_STATUSES, type DigestFile, type DigestStatus, type IntegrityStatus, type LogFileStatus } from './digest';

/** The partition that lists the integrity partitions: `pk = "INTEGRITY"`, `sk = "<account>#<region>"`. */
export const INTEGRITY_REGISTRY_PARTITION = 'INTEGRITY';
/** Prefix of the per-account-and-region partitions. */
export const INTEGRITY_PARTITION_PREFIX = 'INTEGRITY#';
/** Sort key prefix of digest results and the items under them. */
export const DIGEST_SORT_KEY_PREFIX = 'DIGEST#';
/** Sort key prefix of the log file index. */
export const LOG_FILE_SORT_KEY_PREFIX = 'LOG#';
/** Between a digest's sort key and a listed log file's id. */
const LISTED_INFIX = '#LOG#';
/** After a digest's sort key: what the next digest says of it. */
const NEXT_LINK_SUFFIX = '#NEXT';

/** What identifies a digest's results: its folder's account and region, the end time in its name, its ledger id. */
export interface DigestId {
  readonly accountId: string;
  /** The region the digest was delivered from (its region folder). */
  readonly region: string;
  /** The end time in the digest's name, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly end: string;
  /** The digest object's file-ledger id: `s3://bucket/key` or `file:///path`. */
  readonly objectId: string;
}

/** What a digest's name says of its trail. */
export interface DigestNaming {
  /** The key prefix before `AWSLogs/`, with its slash, or `''`. */
  readonly prefix: string;
  readonly organizationId?: string;
  readonly trailName: string;
  readonly homeRegion: string;
  readonly backfill: boolean;
}

/** A digest's fields other than its list of log files: what its signature and its chain link are checked with. */
export type DigestHeader = Omit<DigestFile, 'logFiles'>;

/** A digest's own result. */
export interface DigestResult extends DigestId, DigestNaming {
  /** The key CloudTrail delivered it under (its `digestS3Object`; the key read when it cannot be read). */
  readonly key: string;
  /** The bucket CloudTrail delivered it to (its `digestS3Bucket`), when known. */
  readonly bucket?: string;
  readonly status: DigestStatus;
  /** What its own checks found (format, place, previous-digest fields, the link's shape, what the next digest recorded). */
  readonly findings: readonly Finding[];
  /** What its signature check found: none when the signature verified, one `signature-not-checked` when unchecked. */
  readonly signatureFindings: readonly Finding[];
  /** Facts that are no problem (a chain start, why a signature was not checked). */
  readonly notes: readonly string[];
  /** Its previous-digest fields are null: the first digest of a chain. */
  readonly chainStart: boolean;
  readonly start?: string;
  /** How many log files it lists, when it could be read. */
  readonly logFiles?: number;
  /** Hex SHA-256 of its uncompressed content (of its bytes when they do not gunzip). */
  readonly sha256: string;
  /** Its signature from S3 metadata (`x-amz-meta-signature`), when it has one. */
  readonly signature?: string;
  /** `x-amz-meta-backfill-generation-timestamp` of a backfill digest. */
  readonly backfillGenerationTime?: string;
  /** Its fields (without the log files), when it could be read. */
  readonly header?: DigestHeader;
  readonly verifiedAt: string;
}

/** What a digest (the next one) says of the digest before it; identified by the previous digest's id. */
export interface NextLinkResult extends DigestId, DigestNaming {
  /** The previous digest's key, as the next digest names it. */
  readonly key: string;
  readonly bucket?: string;
  /** The digest that names it. */
  readonly next: { readonly objectId: string; readonly key: string };
  /** `previousDigestHashValue` of the next digest. */
  readonly hashValue: string | null;
  /** `previousDigestSignature` of the next digest: the previous digest's signature as recorded. */
  readonly signature: string | null;
  readonly status: DigestStatus;
  /** About the previous digest: missing, altered after the next digest recorded it, or a signature that differs. */
  readonly findings: readonly Finding[];
  /**
   * The previous digest's signature checked with {@link NextLinkResult.signature}, when it has none of its own (a
   * local copy has no S3 metadata): none when it verified.
   * @default not checked
   */
  readonly signatureFindings?: readonly Finding[];
  readonly verifiedAt: string;
}

/** The digest's results as stored: its own, and the next digest's link to it. */
export interface DigestRecords {
  readonly own?: DigestResult;
  readonly next?: NextLinkResult;
}

/** One listed log file of one digest. */
export interface ListingRef {
  readonly digest: DigestId;
  /** The log file's ledger id. */
  readonly objectId: string;
}

/** A listing that waits for its log file to be processed. */
export type AwaitingListing = ListingRef;

/** A log file as a digest lists it, and what the digest step found of it. */
export interface ListedLogFileResult extends ListingRef {
  /** The digest's key (its `digestS3Object`). */
  readonly digestKey: string;
  /** Where the digest lists it (`s3Bucket`, `s3Object`). */
  readonly bucket: string;
  readonly key: string;
  readonly hashValue: string;
  readonly hashAlgorithm: string;
  /** The listing digest's own status when it listed the file. */
  readonly listing: DigestStatus;
  readonly observation: Observation;
  readonly status: LogFileStatus;
  readonly reason?: string;
  /** The time in the file's name, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly fileTime?: string;
  readonly verifiedAt: string;
}

/** What identifies a log file in the index. */
export interface LogFileId {
  readonly accountId: string;
  readonly region: string;
  /** The time in its name, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly fileTime: string;
  readonly objectId: string;
  /** Its key (the path for a local file). */
  readonly key: string;
  /** Its trail folder (`trailFolderId`): the unlisted check judges one folder's files against its digests. */
  readonly folder: string;
}

/** A log file's index entry. */
export interface LogFileEntry extends LogFileId {
  /** Hex SHA-256 of its decompressed content, once processed. */
  readonly sha256?: string;
  readonly processedAt?: string;
  /** The digests' listings of it. */
  readonly listedBy: readonly ListingRef[];
  /** The listings still waiting for it to be processed (or that waited). */
  readonly awaitedBy: readonly ListingRef[];
  /** When it was judged `unlisted`. */
  readonly unlistedAt?: string;
}

/** A stored item of the table. */
export type Item = Record<string, unknown>;

/** Raised when an integrity item does not have the shape trail-audit writes; names the item's keys. */
export class IntegrityItemError extends Error {
  override readonly name = 'IntegrityItemError';
  constructor(
    readonly pk: string,
    readonly sk: string,
    problem: string,
  ) {
    super(`integrity item ${pk} ${sk}: ${problem}`);
  }
}

/** `2026-11-20T10:12:40Z`: whole seconds, as CloudTrail writes times and sort keys compare. */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The partition of an account and region's results. */
export function integrityPartition(accountId: string, region: string): string {
  return `${INTEGRITY_PARTITION_PREFIX}${accountId}#${region}`;
}

/** The keys of a digest's own result. */
export function digestKeys(id: DigestId): { pk: string; sk: string } {
  return { pk: integrityPartition(id.accountId, id.region), sk: `${DIGEST_SORT_KEY_PREFIX}${id.end}#${id.objectId}` };
}

/** The keys of what the next digest says of a digest. */
export function nextLinkKeys(id: DigestId): { pk: string; sk: string } {
  const own = digestKeys(id);
  return { pk: own.pk, sk: `${own.sk}${NEXT_LINK_SUFFIX}` };
}

/** The keys of a listed log file's result. */
export function listedLogFileKeys(ref: ListingRef): { pk: string; sk: string } {
  const own = digestKeys(ref.digest);
  return { pk: own.pk, sk: `${own.sk}${LISTED_INFIX}${ref.objectId}` };
}

/** The keys of a log file's index entry. */
export function logFileKeys(id: Pick<LogFileId, 'accountId' | 'region' | 'fileTime' | 'objectId'>): { pk: string; sk: string } {
  return { pk: integrityPartition(id.accountId, id.region), sk: `${LOG_FILE_SORT_KEY_PREFIX}${id.fileTime}#${id.objectId}` };
}

/** The registry item of a partition. */
export function registryItem(accountId: string, region: string): Item {
  return { pk: INTEGRITY_REGISTRY_PARTITION, sk: `${accountId}#${region}`, accountId, region };
}

/**
 * How a listing is named in a log file's `listedBy` and `awaitedBy` sets: a JSON array of the digest's id and the
 * log file's, so no separator can be confused.
 */
export function listingRefText(ref: ListingRef): string {
  return JSON.stringify([ref.digest.accountId, ref.digest.region, ref.digest.end, ref.digest.objectId, ref.objectId]);
}

/** Reads a listing named in a `listedBy` or `awaitedBy` set. */
export function parseListingRefText(text: string, where: { pk: string; sk: string }): ListingRef {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IntegrityItemError(where.pk, where.sk, 'a listing set holds an element that is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || !parsed.every((part): part is string => typeof part === 'string')) {
    throw new IntegrityItemError(where.pk, where.sk, 'a listing set holds an element that is not a listing');
  }
  const [accountId, region, end, digestObjectId, objectId] = parsed as [string, string, string, string, string];
  return { digest: { accountId, region, end, objectId: digestObjectId }, objectId };
}

// ---------------------------------------------------------------------------------------------------------------
// Results → items

function findingsAttribute(findings: readonly Finding[]): { status: string; message: string }[] {
  return findings.map((finding) => ({ status: finding.status, message: finding.message }));
}

/** The problems of some findings, as the sentences a person reads in the console. */
function problemsOf(findings: readonly Finding[]): string[] {
  return findings.filter((finding) => finding.status !== 'signature-not-checked').map((finding) => finding.message);
}

/** What identifies a digest's items: its id, its name's parts, and where it was delivered. */
function digestAttributes(digest: DigestId & DigestNaming & { readonly key: string; readonly bucket?: string }): Item {
  return {
    objectId: digest.objectId,
    accountId: digest.accountId,
    region: digest.region,
    end: digest.end,
    key: digest.key,
    ...(digest.bucket === undefined ? {} : { bucket: digest.bucket }),
    prefix: digest.prefix,
    ...(digest.organizationId === undefined ? {} : { organizationId: digest.organizationId }),
    trailName: digest.trailName,
    homeRegion: digest.homeRegion,
    backfill: digest.backfill,
  };
}

/** The item of a digest's own result. */
export function digestItem(result: DigestResult): Item {
  return {
    ...digestKeys(result),
    kind: 'digest',
    ...digestAttributes(result),
    status: result.status,
    problems: problemsOf([...result.findings, ...result.signatureFindings]),
    findings: findingsAttribute(result.findings),
    signatureFindings: findingsAttribute(result.signatureFindings),
    notes: [...result.notes],
    chainStart: result.chainStart,
    ...(result.start === undefined ? {} : { start: result.start }),
    ...(result.logFiles === undefined ? {} : { logFiles: result.logFiles }),
    sha256: result.sha256,
    ...(result.signature === undefined ? {} : { signature: result.signature }),
    ...(result.backfillGenerationTime === undefined ? {} : { backfillGenerationTime: result.backfillGenerationTime }),
    ...(result.header === undefined ? {} : { header: { ...result.header } }),
    verifiedAt: result.verifiedAt,
  };
}

/** The item of what the next digest says of a digest. */
export function nextLinkItem(result: NextLinkResult): Item {
  return {
    ...nextLinkKeys(result),
    kind: 'next-link',
    ...digestAttributes(result),
    next: { objectId: result.next.objectId, key: result.next.key },
    hashValue: result.hashValue,
    signature: result.signature,
    status: result.status,
    problems: problemsOf([...result.findings, ...(result.signatureFindings ?? [])]),
    findings: findingsAttribute(result.findings),
    ...(result.signatureFindings === undefined ? {} : { signatureFindings: findingsAttribute(result.signatureFindings) }),
    verifiedAt: result.verifiedAt,
  };
}

/** The item of a listed log file's result. */
export function listedLogFileItem(result: ListedLogFileResult): Item {
  const observation = result.observation;
  return {
    ...listedLogFileKeys(result),
    kind: 'listed-log-file',
    objectId: result.objectId,
    digestObjectId: result.digest.objectId,
    digestKey: result.digestKey,
    accountId: result.digest.accountId,
    region: result.digest.region,
    end: result.digest.end,
    bucket: result.bucket,
    key: result.key,
    hashValue: result.hashValue,
    hashAlgorithm: result.hashAlgorithm,
    listing: result.listing,
    observed: observation.state,
    ...(observation.state === 'hashed' ? { sha256: observation.sha256 } : {}),
    ...((observation.state === 'unreadable' || observation.state === 'not-processed') && observation.reason !== undefined
      ? { observedReason: observation.reason }
      : {}),
    status: result.status,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
    ...(result.fileTime === undefined ? {} : { fileTime: result.fileTime }),
    verifiedAt: result.verifiedAt,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Items → results

/** Reads the typed attributes of one item, naming the item and the attribute in its errors. */
class ItemReader {
  readonly pk: string;
  readonly sk: string;

  constructor(private readonly item: Item) {
    this.pk = typeof item['pk'] === 'string' ? item['pk'] : '?';
    this.sk = typeof item['sk'] === 'string' ? item['sk'] : '?';
  }

  string(name: string): string {
    const value = this.item[name];
    if (typeof value !== 'string') throw this.error(`${name} is missing or not a string`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.item[name];
    return value === undefined || value === null ? undefined : this.string(name);
  }

  nullableString(name: string): string | null {
    return this.optionalString(name) ?? null;
  }

  number(name: string): number | undefined {
    const value = this.item[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw this.error(`${name} is not a number`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.item[name];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw this.error(`${name} is not a boolean`);
    return value;
  }

  strings(name: string): string[] {
    const value = this.item[name];
    if (value === undefined) return [];
    const values = value instanceof Set ? [...(value as Set<unknown>)] : value;
    if (!Array.isArray(values) || !values.every((element): element is string => typeof element === 'string')) {
      throw this.error(`${name} is not a list of strings`);
    }
    return values;
  }

  status<S extends IntegrityStatus>(name: string): S {
    const value = this.string(name);
    if (!(INTEGRITY_STATUSES as readonly string[]).includes(value)) throw this.error(`${name} is not a status`);
    return value as S;
  }

  findings(name: string): Finding[] | undefined {
    const value = this.item[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.error(`${name} is not a list`);
    return value.map((element: unknown) => {
      if (typeof element !== 'object' || element === null) throw this.error(`${name} holds an element that is not a map`);
      const { status, message } = element as Record<string, unknown>;
      if (typeof message !== 'string' || typeof status !== 'string' || !(INTEGRITY_STATUSES as readonly string[]).includes(status)) {
        throw this.error(`${name} holds an element without a status and a message`);
      }
      return { status: status as DigestStatus, message };
    });
  }

  map(name: string): Record<string, unknown> | undefined {
    const value = this.item[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.error(`${name} is not a map`);
    return value as Record<string, unknown>;
  }

  naming(): DigestNaming {
    const organizationId = this.optionalString('organizationId');
    return {
      prefix: this.optionalString('prefix') ?? '',
      ...(organizationId === undefined ? {} : { organizationId }),
      trailName: this.string('trailName'),
      homeRegion: this.string('homeRegion'),
      backfill: this.boolean('backfill'),
    };
  }

  digestId(): DigestId {
    return { accountId: this.string('accountId'), region: this.string('region'), end: this.string('end'), objectId: this.string('objectId') };
  }

  error(problem: string): IntegrityItemError {
    return new IntegrityItemError(this.pk, this.sk, problem);
  }
}

/** The kind of an integrity item (`digest`, `next-link`, `listed-log-file`, `log-file`), or undefined. */
export function integrityItemKind(item: Item): string | undefined {
  return typeof item['kind'] === 'string' ? item['kind'] : undefined;
}

/** Reads a digest's own result. @throws IntegrityItemError when the item lacks an attribute */
export function digestResultOf(item: Item): DigestResult {
  const read = new ItemReader(item);
  const bucket = read.optionalString('bucket');
  const start = read.optionalString('start');
  const logFiles = read.number('logFiles');
  const signature = read.optionalString('signature');
  const backfillGenerationTime = read.optionalString('backfillGenerationTime');
  const header = read.map('header');
  return {
    ...read.digestId(),
    ...read.naming(),
    key: read.string('key'),
    ...(bucket === undefined ? {} : { bucket }),
    status: read.status<DigestStatus>('status'),
    findings: read.findings('findings') ?? [],
    signatureFindings: read.findings('signatureFindings') ?? [],
    notes: read.strings('notes'),
    chainStart: read.boolean('chainStart'),
    ...(start === undefined ? {} : { start }),
    ...(logFiles === undefined ? {} : { logFiles }),
    sha256: read.string('sha256'),
    ...(signature === undefined ? {} : { signature }),
    ...(backfillGenerationTime === undefined ? {} : { backfillGenerationTime }),
    ...(header === undefined ? {} : { header: headerOf(header, read) }),
    verifiedAt: read.string('verifiedAt'),
  };
}

function headerOf(map: Record<string, unknown>, owner: ItemReader): DigestHeader {
  const read = new ItemReader({ ...map, pk: owner.pk, sk: owner.sk });
  return {
    awsAccountId: read.string('awsAccountId'),
    digestStartTime: read.string('digestStartTime'),
    digestEndTime: read.string('digestEndTime'),
    digestS3Bucket: read.string('digestS3Bucket'),
    digestS3Object: read.string('digestS3Object'),
    digestPublicKeyFingerprint: read.string('digestPublicKeyFingerprint'),
    digestSignatureAlgorithm: read.string('digestSignatureAlgorithm'),
    newestEventTime: read.nullableString('newestEventTime'),
    oldestEventTime: read.nullableString('oldestEventTime'),
    previousDigestS3Bucket: read.nullableString('previousDigestS3Bucket'),
    previousDigestS3Object: read.nullableString('previousDigestS3Object'),
    previousDigestHashValue: read.nullableString('previousDigestHashValue'),
    previousDigestHashAlgorithm: read.nullableString('previousDigestHashAlgorithm'),
    previousDigestSignature: read.nullableString('previousDigestSignature'),
  };
}

/** Reads what the next digest says of a digest. @throws IntegrityItemError when the item lacks an attribute */
export function nextLinkResultOf(item: Item): NextLinkResult {
  const read = new ItemReader(item);
  const bucket = read.optionalString('bucket');
  const next = read.map('next');
  if (next === undefined || typeof next['objectId'] !== 'string' || typeof next['key'] !== 'string') {
    throw read.error('next is missing its objectId or key');
  }
  const signatureFindings = read.findings('signatureFindings');
  return {
    ...read.digestId(),
    ...read.naming(),
    key: read.string('key'),
    ...(bucket === undefined ? {} : { bucket }),
    next: { objectId: next['objectId'], key: next['key'] },
    hashValue: read.nullableString('hashValue'),
    signature: read.nullableString('signature'),
    status: read.status<DigestStatus>('status'),
    findings: read.findings('findings') ?? [],
    ...(signatureFindings === undefined ? {} : { signatureFindings }),
    verifiedAt: read.string('verifiedAt'),
  };
}

/** Reads a listed log file's result. @throws IntegrityItemError when the item lacks an attribute */
export function listedLogFileResultOf(item: Item): ListedLogFileResult {
  const read = new ItemReader(item);
  const observed = read.string('observed');
  const observedReason = read.optionalString('observedReason');
  let observation: Observation;
  switch (observed) {
    case 'hashed':
      observation = { state: 'hashed', sha256: read.string('sha256') };
      break;
    case 'absent':
      observation = { state: 'absent' };
      break;
    case 'unreadable':
      observation = { state: 'unreadable', reason: observedReason ?? 'it cannot be read' };
      break;
    case 'not-processed':
      observation = { state: 'not-processed', ...(observedReason === undefined ? {} : { reason: observedReason }) };
      break;
    default:
      throw read.error('observed is not an observation');
  }
  const reason = read.optionalString('reason');
  const fileTime = read.optionalString('fileTime');
  return {
    digest: { accountId: read.string('accountId'), region: read.string('region'), end: read.string('end'), objectId: read.string('digestObjectId') },
    objectId: read.string('objectId'),
    digestKey: read.string('digestKey'),
    bucket: read.string('bucket'),
    key: read.string('key'),
    hashValue: read.string('hashValue'),
    hashAlgorithm: read.string('hashAlgorithm'),
    listing: read.status<DigestStatus>('listing'),
    observation,
    status: read.status<LogFileStatus>('status'),
    ...(reason === undefined ? {} : { reason }),
    ...(fileTime === undefined ? {} : { fileTime }),
    verifiedAt: read.string('verifiedAt'),
  };
}

/** Reads a log file's index entry. @throws IntegrityItemError when the item lacks an attribute */
export function logFileEntryOf(item: Item): LogFileEntry {
  const read = new ItemReader(item);
  const sha256 = read.optionalString('sha256');
  const processedAt = read.optionalString('processedAt');
  const unlistedAt = read.optionalString('unlistedAt');
  return {
    accountId: read.string('accountId'),
    region: read.string('region'),
    fileTime: read.string('fileTime'),
    objectId: read.string('objectId'),
    key: read.string('key'),
    folder: read.string('folder'),
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(processedAt === undefined ? {} : { processedAt }),
    listedBy: read.strings('listedBy').map((text) => parseListingRefText(text, read)),
    awaitedBy: read.strings('awaitedBy').map((text) => parseListingRefText(text, read)),
    ...(unlistedAt === undefined ? {} : { unlistedAt }),
  };
}

/** The attributes of a log file's index entry that identify it (written with each update). */
export function logFileIdentity(file: LogFileId): Item {
  return {
    kind: 'log-file',
    accountId: file.accountId,
    region: file.region,
    fileTime: file.fileTime,
    objectId: file.objectId,
    key: file.key,
    folder: file.folder,
  };
}
