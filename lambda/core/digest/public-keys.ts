/**
 * CloudTrail's public keys for digest signatures: the list ListPublicKeys returns (or `aws cloudtrail
 * list-public-keys` prints), and the choice of the key for one digest by fingerprint and validity time.
 * Pure: no AWS SDK, no environment, no logging.
 */

/** One public key of a region, as ListPublicKeys describes it. */
export interface CloudTrailPublicKey {
  /** Hex fingerprint, what a digest names in `digestPublicKeyFingerprint`. */
  readonly fingerprint: string;
  /** The key, DER (PKCS#1 `RSAPublicKey` as ListPublicKeys documents it). */
  readonly value: Uint8Array;
  readonly validityStartTime: Date;
  readonly validityEndTime: Date;
}

/** A public-key list that cannot be used; names its source and the entry, never a key's value. */
export class PublicKeyListError extends Error {
  override readonly name = 'PublicKeyListError';
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

/**
 * Reads the JSON that `aws cloudtrail list-public-keys` prints: `{"PublicKeyList": [{"Value": base64,
 * "ValidityStartTime", "ValidityEndTime", "Fingerprint"}]}`. Times are accepted as the CLI prints them in either
 * major version: ISO 8601 (`2026-11-01T00:00:00+00:00`) or epoch seconds (`1436317441.0`, as a number or a
 * string). The user guide's sample spells the list `publicKeyList`: accepted too.
 * @throws PublicKeyListError naming the source and the entry
 */
export function parsePublicKeyList(json: unknown, source: string): CloudTrailPublicKey[] {
  const list = isObject(json) ? (json['PublicKeyList'] ?? json['publicKeyList']) : undefined;
  if (!Array.isArray(list)) throw new PublicKeyListError(source, 'has no PublicKeyList array');
  return list.map((entry: unknown, index) => {
    const where = `PublicKeyList[${index}]`;
    if (!isObject(entry)) throw new PublicKeyListError(source, `${where} is not an object`);
    const fingerprint = entry['Fingerprint'];
    if (typeof fingerprint !== 'string' || !/^[0-9a-fA-F]+$/.test(fingerprint)) {
      throw new PublicKeyListError(source, `${where}.Fingerprint is missing or not hex`);
    }
    const value = entry['Value'];
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      throw new PublicKeyListError(source, `${where}.Value is missing or not base64`);
    }
    return {
      fingerprint,
      value: Buffer.from(value, 'base64'),
      validityStartTime: timeOf(entry['ValidityStartTime'], source, `${where}.ValidityStartTime`),
      validityEndTime: timeOf(entry['ValidityEndTime'], source, `${where}.ValidityEndTime`),
    };
  });
}

function timeOf(value: unknown, source: string, where: string): Date {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  const time = seconds !== undefined ? new Date(seconds * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new PublicKeyListError(source, `${where} is missing or not a time (ISO 8601 or epoch seconds)`);
  }
  return time;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** When a digest was signed, as far as it is known: the key must have been valid at some time in this span. */
export interface SigningSpan {
  readonly from: Date;
  readonly to: Date;
}

/** The key chosen for a digest, or why none could be. */
export type KeyChoice =
  | { readonly key: CloudTrailPublicKey }
  | { readonly problem: string };

/**
 * Chooses the key a digest names: the one with its fingerprint (hex, any case) whose validity overlaps the span the
 * digest was signed in. Validity ranges of successive keys overlap, so several may match: any one whose
 * fingerprint matches is the same key. Without a span (a backfill digest read without its metadata), the
 * fingerprint alone chooses.
 */
export function choosePublicKey(
  keys: readonly CloudTrailPublicKey[],
  fingerprint: string,
  signedIn: SigningSpan | undefined,
): KeyChoice {
  const wanted = fingerprint.toLowerCase();
  const named = keys.filter((key) => key.fingerprint.toLowerCase() === wanted);
  if (named.length === 0) return { problem: `no public key with fingerprint ${wanted} was given or listed` };
  const key =
    signedIn === undefined
      ? named[0]
      : named.find((candidate) => candidate.validityStartTime <= signedIn.to && candidate.validityEndTime >= signedIn.from);
  if (key === undefined) {
    return {
      problem:
        `the public key with fingerprint ${wanted} was not valid when the digest was signed ` +
        `(${signedIn?.from.toISOString() ?? ''} to ${signedIn?.to.toISOString() ?? ''})`,
    };
  }
  return { key };
}
