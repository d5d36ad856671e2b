/**
 * A CloudTrail digest file: its bytes read (gunzipped when gzip), validated field by field, and hashed.
 *
 * The structure is the one the CloudTrail user guide documents ("CloudTrail digest file structure"). Validation
 * is strict where verification depends on a field (times, locations, hashes, the previous-digest link) and names
 * the field and what is wrong; it never quotes the file's content. Pure: no AWS SDK, no environment, no logging.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

/** The signature algorithm CloudTrail signs digests with (`digestSignatureAlgorithm`, `x-amz-meta-signature-algorithm`). */
export const DIGEST_SIGNATURE_ALGORITHM = 'SHA256withRSA';
/** The hash algorithm of log files and of the previous digest (`hashAlgorithm`, `previousDigestHashAlgorithm`). */
export const HASH_ALGORITHM = 'SHA-256';

/** A log file as a digest lists it (`logFiles[]`). */
export interface ListedLogFile {
  readonly s3Bucket: string;
  readonly s3Object: string;
  /** Hex SHA-256 of the uncompressed content, lower case. */
  readonly hashValue: string;
  readonly hashAlgorithm: string;
  readonly newestEventTime?: string;
  readonly oldestEventTime?: string;
}

/** The fields of a digest file, as CloudTrail names them. */
export interface DigestFile {
  readonly awsAccountId: string;
  readonly digestStartTime: string;
  readonly digestEndTime: string;
  readonly digestS3Bucket: string;
  readonly digestS3Object: string;
  readonly digestPublicKeyFingerprint: string;
  readonly digestSignatureAlgorithm: string;
  /** Null in an hour without log files. */
  readonly newestEventTime: string | null;
  readonly oldestEventTime: string | null;
  /** The five previous-digest fields are null in the first digest of a chain. */
  readonly previousDigestS3Bucket: string | null;
  readonly previousDigestS3Object: string | null;
  /** Hex SHA-256 of the previous digest file's uncompressed content, lower case. */
  readonly previousDigestHashValue: string | null;
  readonly previousDigestHashAlgorithm: string | null;
  /** The previous digest's signature, hex, as written: the one in its `x-amz-meta-signature`. */
  readonly previousDigestSignature: string | null;
  /** Empty in an hour without log files. */
  readonly logFiles: readonly ListedLogFile[];
}

/** A digest file read from its object: the parsed fields and the hash of its uncompressed bytes. */
export interface DigestContent {
  readonly digest: DigestFile;
  /** Hex SHA-256 of the uncompressed content: what the next digest records as `previousDigestHashValue`. */
  readonly sha256: string;
}

/**
 * A digest file that cannot be used: not gzip or JSON, or a field missing or malformed. Names the object and the
 * field (`logFiles[2].hashValue`), never the content.
 */
export class DigestFormatError extends Error {
  override readonly name = 'DigestFormatError';
  constructor(
    /** The object the digest was read from. */
    readonly objectKey: string,
    /** The field that is wrong, when one is. */
    readonly field: string | undefined,
    /** What is wrong with it. */
    readonly problem: string,
  ) {
    super(`digest file ${objectKey}: ${field === undefined ? '' : `${field} `}${problem}`);
  }
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
/** UTC extended format as CloudTrail writes it: `2015-08-17T15:01:31Z` (a fraction is tolerated). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Whether the bytes start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Reads a digest object's bytes as stored (gzip, as CloudTrail delivers them, or already uncompressed), hashes the
 * uncompressed content and validates it.
 * @throws DigestFormatError naming the object and what is wrong
 */
export function readDigestContent(bytes: Uint8Array, objectKey: string): DigestContent {
  let content: Uint8Array = bytes;
  if (isGzip(bytes)) {
    try {
      content = gunzipSync(bytes);
    } catch {
      throw new DigestFormatError(objectKey, undefined, 'is not valid gzip (corrupt, truncated, or data after its end)');
    }
  }
  return { digest: parseDigestFile(content, objectKey), sha256: sha256Hex(content) };
}

/**
 * Parses and validates the uncompressed content of a digest file.
 * @throws DigestFormatError naming the object and the field
 */
export function parseDigestFile(content: Uint8Array | string, objectKey: string): DigestFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof content === 'string' ? content : Buffer.from(content).toString('utf8'));
  } catch {
    throw new DigestFormatError(objectKey, undefined, 'is not JSON');
  }
  if (!isObject(parsed)) throw new DigestFormatError(objectKey, undefined, 'is not a JSON object');
  const fields = new FieldReader(parsed, objectKey, '');
  const logFiles = parsed['logFiles'];
  if (!Array.isArray(logFiles)) throw new DigestFormatError(objectKey, 'logFiles', 'is missing or not an array');
  return {
    awsAccountId: fields.string('awsAccountId', /^\d{12}$/, 'is not a 12-digit account ID'),
    digestStartTime: fields.time('digestStartTime'),
    digestEndTime: fields.time('digestEndTime'),
    digestS3Bucket: fields.string('digestS3Bucket'),
    digestS3Object: fields.string('digestS3Object'),
    digestPublicKeyFingerprint: fields.string('digestPublicKeyFingerprint', HEX, 'is not hex'),
    digestSignatureAlgorithm: fields.string('digestSignatureAlgorithm'),
    newestEventTime: fields.optionalTime('newestEventTime'),
    oldestEventTime: fields.optionalTime('oldestEventTime'),
    previousDigestS3Bucket: fields.nullableString('previousDigestS3Bucket'),
    previousDigestS3Object: fields.nullableString('previousDigestS3Object'),
    previousDigestHashValue: fields.nullableString('previousDigestHashValue', HEX_SHA256, 'is not a hex SHA-256')?.toLowerCase() ?? null,
    previousDigestHashAlgorithm: fields.nullableString('previousDigestHashAlgorithm'),
    // Required (possibly null) and kept exactly as written: it is part of the data-signing string.
    previousDigestSignature: fields.requiredNullableString('previousDigestSignature', HEX, 'is not hex'),
    logFiles: logFiles.map((entry: unknown, index) => listedLogFile(entry, objectKey, `logFiles[${index}]`)),
  };
}

function listedLogFile(entry: unknown, objectKey: string, path: string): ListedLogFile {
  if (!isObject(entry)) throw new DigestFormatError(objectKey, path, 'is not an object');
  const fields = new FieldReader(entry, objectKey, `${path}.`);
  const newestEventTime = fields.optionalTime('newestEventTime');
  const oldestEventTime = fields.optionalTime('oldestEventTime');
  return {
    s3Bucket: fields.string('s3Bucket'),
    s3Object: fields.string('s3Object'),
    hashValue: fields.string('hashValue', HEX_SHA256, 'is not a hex SHA-256').toLowerCase(),
    hashAlgorithm: fields.string('hashAlgorithm'),
    ...(newestEventTime === null ? {} : { newestEventTime }),
    ...(oldestEventTime === null ? {} : { oldestEventTime }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed fields of one JSON object, naming `path + name` in its errors. */
class FieldReader {
  constructor(
    private readonly source: Record<string, unknown>,
    private readonly objectKey: string,
    private readonly path: string,
  ) {}

  string(name: string, pattern?: RegExp, mismatch = 'is malformed'): string {
    const value = this.source[name];
    if (typeof value !== 'string' || value === '') throw this.error(name, 'is missing or not a non-empty string');
    if (pattern !== undefined && !pattern.test(value)) throw this.error(name, mismatch);
    return value;
  }

  /** A string or null; absent counts as null. */
  nullableString(name: string, pattern?: RegExp, mismatch?: string): string | null {
    return this.source[name] === undefined || this.source[name] === null ? null : this.string(name, pattern, mismatch);
  }

  /** A string or null that must be present. */
  requiredNullableString(name: string, pattern?: RegExp, mismatch?: string): string | null {
    if (!(name in this.source)) throw this.error(name, 'is missing');
    return this.nullableString(name, pattern, mismatch);
  }

  time(name: string): string {
    return this.string(name, UTC_TIME, 'is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)');
  }

  optionalTime(name: string): string | null {
    return this.source[name] === undefined || this.source[name] === null ? null : this.time(name);
  }

  private error(name: string, problem: string): DigestFormatError {
    return new DigestFormatError(this.objectKey, `${this.path}${name}`, problem);
  }
}
