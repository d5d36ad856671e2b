/**
 * Digest signatures as the CloudTrail user guide specifies them ("Custom implementations of CloudTrail log file
 * integrity validation"): CloudTrail builds a data-signing string from four fields, signs its SHA-256 with the
 * region's RSA private key (`SHA256withRSA`: RSASSA-PKCS1-v1_5 with SHA-256) and stores the signature, hex, in the
 * digest object's `x-amz-meta-signature`. Pure: node:crypto only.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** The digest fields the data-signing string is made of. */
export interface SigningFields {
  readonly digestEndTime: string;
  readonly digestS3Bucket: string;
  readonly digestS3Object: string;
  /** Null in the first digest of a chain: the string then holds `null`, as CloudTrail's own tools write it. */
  readonly previousDigestSignature: string | null;
}

/**
 * The data-signing string: the end time, the digest's S3 path (`bucket/key`), the hex SHA-256 of the digest's
 * uncompressed content and the previous digest's hex signature, joined by `\n`.
 */
export function dataSigningString(digest: SigningFields, digestSha256: string): string {
  return [
    digest.digestEndTime,
    `${digest.digestS3Bucket}/${digest.digestS3Object}`,
    digestSha256,
    digest.previousDigestSignature ?? 'null',
  ].join('\n');
}

/** Raised when public key bytes are not an RSA public key in DER. */
export class PublicKeyFormatError extends Error {
  override readonly name = 'PublicKeyFormatError';
}

/**
 * An RSA public key from DER bytes. ListPublicKeys documents PKCS#1 (`RSAPublicKey`); the user guide's own sample
 * list also has a key in X.509 `SubjectPublicKeyInfo` form, so both are accepted.
 * @throws PublicKeyFormatError when the bytes are neither
 */
export function rsaPublicKeyFromDer(der: Uint8Array): KeyObject {
  for (const type of ['pkcs1', 'spki'] as const) {
    try {
      const key = createPublicKey({ key: Buffer.from(der), format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // Try the other encoding.
    }
  }
  throw new PublicKeyFormatError('not an RSA public key in DER (PKCS#1 or X.509 SubjectPublicKeyInfo)');
}

/**
 * Whether `signatureHex` is a valid SHA256withRSA signature of the data-signing string under the key.
 * A signature that is not hex does not verify.
 */
export function verifyDataSigningString(signingString: string, signatureHex: string, publicKey: KeyObject): boolean {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  return verify('sha256', Buffer.from(signingString, 'utf8'), publicKey, Buffer.from(signatureHex, 'hex'));
}

/**
 * Signs a data-signing string as CloudTrail does, returning the hex signature. Verification never needs it: it
 * exists for the project's examples and tests, which sign digests with their own test keys.
 */
export function signDataSigningString(signingString: string, privateKey: KeyObject | string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign('sha256', Buffer.from(signingString, 'utf8'), key).toString('hex');
}
