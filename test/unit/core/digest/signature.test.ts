import { generateKeyPairSync } from 'node:crypto';
import {
  dataSigningString,
  PublicKeyFormatError,
  rsaPublicKeyFromDer,
  signDataSigningString,
  verifyDataSigningString,
} from '../../../../lambda/core/digest';

/**
 * The example data-signing string of the CloudTrail user guide ("Custom implementations of CloudTrail log file
 * integrity validation", section D), as the guide prints it. The guide wraps the previous digest's signature
 * over three lines for display; it is one opaque field, passed through unchanged.
 */
const GUIDE_PREVIOUS_SIGNATURE = [
  '6e8540b83c3ac86a0312d971a225361d28ed0af20d70c211a2d405e32abf529a8145c2966e3bb47362383a52441545ed091fb81',
  'd4c7c09dd152b84e79099ce7a9ec35d2b264eb92eb6e090f1e5ec5d40ec8a0729c02ff57f9e30d5343a8591638f8b794972ce15bb3063a01972',
  '98b0aee2c1c8af74ec620261529265e83a9834ebef6054979d3e9a6767dfa6fdb4ae153436c567d6ae208f988047ccfc8e5e41f7d0121e54ed66b1b904f80fb2ce304458a2a6b91685b699434b946c52589e9438f8ebe5a0d80522b2f043b3710b87d2cda43e5c1e0db921d8d540b9ad5f6d4$31b1f4a8ef2d758424329583897339493a082bb36e782143ee5464b4e3eb4ef6',
].join('\n');
const GUIDE_EXAMPLE = `2015-08-12T04:01:31Z
S3-bucket-name/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/12/111122223333_us-east-2_CloudTrail-Digest_us-east-2_20150812T040131Z.json.gz
4ff08d7c6ecd6eb313257e839645d20363ee3784a2328a7d76b99b53cc9bcacd
${GUIDE_PREVIOUS_SIGNATURE}`;

describe('dataSigningString', () => {
  it("reproduces the user guide's example from its inputs", () => {
    // Prepare
    const digest = {
      digestEndTime: '2015-08-12T04:01:31Z',
      digestS3Bucket: 'S3-bucket-name',
      digestS3Object:
        'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/12/111122223333_us-east-2_CloudTrail-Digest_us-east-2_20150812T040131Z.json.gz',
      previousDigestSignature: GUIDE_PREVIOUS_SIGNATURE,
    };

    // Act
    const text = dataSigningString(digest, '4ff08d7c6ecd6eb313257e839645d20363ee3784a2328a7d76b99b53cc9bcacd');

    // Assess
    expect(text).toBe(GUIDE_EXAMPLE);
  });

  it('writes null for the previous signature of the first digest of a chain', () => {
    const text = dataSigningString(
      { digestEndTime: '2026-11-20T10:00:00Z', digestS3Bucket: 'b', digestS3Object: 'k', previousDigestSignature: null },
      'ab',
    );

    expect(text).toBe('2026-11-20T10:00:00Z\nb/k\nab\nnull');
  });
});

describe('SHA256withRSA signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = publicKey.export({ format: 'der', type: 'pkcs1' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const text = '2026-11-20T10:00:00Z\nb/k\nab\nnull';

  it('verify with the DER PKCS#1 key ListPublicKeys returns', () => {
    const signature = signDataSigningString(text, privateKey);

    expect(verifyDataSigningString(text, signature, rsaPublicKeyFromDer(pkcs1))).toBe(true);
  });

  it("verify with an X.509 SubjectPublicKeyInfo key, as in the guide's sample list", () => {
    const signature = signDataSigningString(text, privateKey);

    expect(verifyDataSigningString(text, signature, rsaPublicKeyFromDer(spki))).toBe(true);
  });

  it('do not verify another string', () => {
    const signature = signDataSigningString(text, privateKey);

    expect(verifyDataSigningString(`${text}0`, signature, rsaPublicKeyFromDer(pkcs1))).toBe(false);
  });

  it('do not verify with another key', () => {
    const signature = signDataSigningString(text, privateKey);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'pkcs1' });

    expect(verifyDataSigningString(text, signature, rsaPublicKeyFromDer(other))).toBe(false);
  });

  it('treat a signature that is not hex as not verifying', () => {
    expect(verifyDataSigningString(text, 'not-hex', rsaPublicKeyFromDer(pkcs1))).toBe(false);
  });

  it('reject key bytes that are not an RSA public key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });

    expect(() => rsaPublicKeyFromDer(ec)).toThrow(PublicKeyFormatError);
  });
});
