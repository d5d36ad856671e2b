/**
 * The key design of the verification results: the keys a console user types and sorts by, and every result written
 * as an item and read back unchanged.
 */
import {
  digestItem,
  digestKeys,
  digestResultOf,
  IntegrityItemError,
  listedLogFileItem,
  listedLogFileKeys,
  listedLogFileResultOf,
  listingRefText,
  logFileEntryOf,
  logFileIdentity,
  logFileKeys,
  nextLinkItem,
  nextLinkKeys,
  nextLinkResultOf,
  parseListingRefText,
  type DigestId,
  type DigestResult,
  type ListedLogFileResult,
  type NextLinkResult,
} from '../../../lambda/core/integrity-items';
import type { Observation } from '../../../lambda/core/digest';

const DIGEST: DigestId = {
  accountId: '111122223333',
  region: 'us-east-1',
  end: '2026-11-20T10:12:40Z',
  objectId: 's3://logs/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/d_20261120T101240Z.json.gz',
};
const LOG_FILE = 's3://logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0930Z_a.json.gz';

const OWN: DigestResult = {
  ...DIGEST,
  prefix: '',
  trailName: 'management-trail',
  homeRegion: 'us-east-1',
  backfill: false,
  key: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/d_20261120T101240Z.json.gz',
  bucket: 'logs',
  status: 'invalid-signature',
  findings: [],
  signatureFindings: [{ status: 'invalid-signature', message: 'its signature does not verify' }],
  notes: [],
  chainStart: false,
  start: '2026-11-20T09:12:40Z',
  logFiles: 1,
  sha256: 'b'.repeat(64),
  signature: 'ab12',
  header: {
    awsAccountId: '111122223333',
    digestStartTime: '2026-11-20T09:12:40Z',
    digestEndTime: '2026-11-20T10:12:40Z',
    digestS3Bucket: 'logs',
    digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/d_20261120T101240Z.json.gz',
    digestPublicKeyFingerprint: 'abcd',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: null,
    oldestEventTime: null,
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
  },
  verifiedAt: '2026-11-20T10:20:00Z',
};

const NEXT: NextLinkResult = {
  ...DIGEST,
  prefix: '',
  organizationId: 'o-exampleorg1',
  trailName: 'org-trail',
  homeRegion: 'us-east-1',
  backfill: true,
  key: OWN.key,
  next: { objectId: 's3://logs/next.json.gz', key: 'next.json.gz' },
  hashValue: null,
  signature: null,
  status: 'missing',
  findings: [{ status: 'missing', message: 'it is not there, but the next digest names it (next.json.gz)' }],
  verifiedAt: '2026-11-20T11:20:00Z',
};

function listed(observation: Observation): ListedLogFileResult {
  return {
    digest: DIGEST,
    objectId: LOG_FILE,
    digestKey: OWN.key,
    bucket: 'logs',
    key: LOG_FILE.replace('s3://logs/', ''),
    hashValue: 'c'.repeat(64),
    hashAlgorithm: 'SHA-256',
    listing: 'verified',
    observation,
    status: 'verified',
    reason: 'why',
    fileTime: '2026-11-20T09:30:00Z',
    verifiedAt: '2026-11-20T10:20:00Z',
  };
}

describe('the keys', () => {
  it('put every result of an account and region in one partition, a digest under its end time', () => {
    expect([digestKeys(DIGEST), nextLinkKeys(DIGEST), listedLogFileKeys({ digest: DIGEST, objectId: LOG_FILE })]).toEqual([
      { pk: 'INTEGRITY#111122223333#us-east-1', sk: `DIGEST#2026-11-20T10:12:40Z#${DIGEST.objectId}` },
      { pk: 'INTEGRITY#111122223333#us-east-1', sk: `DIGEST#2026-11-20T10:12:40Z#${DIGEST.objectId}#NEXT` },
      { pk: 'INTEGRITY#111122223333#us-east-1', sk: `DIGEST#2026-11-20T10:12:40Z#${DIGEST.objectId}#LOG#${LOG_FILE}` },
    ]);
  });

  it('sort a digest first, then its log files, then its next link: one begins_with returns them together', () => {
    const own = digestKeys(DIGEST).sk;
    const sorted = [nextLinkKeys(DIGEST).sk, listedLogFileKeys({ digest: DIGEST, objectId: LOG_FILE }).sk, own].sort();

    expect({ order: sorted.map((sk) => sk.slice(own.length)), allUnderTheHour: sorted.every((sk) => sk.startsWith('DIGEST#2026-11-20T10')) }).toEqual({
      order: ['', `#LOG#${LOG_FILE}`, '#NEXT'],
      allUnderTheHour: true,
    });
  });

  it('index a log file under the time in its name', () => {
    expect(logFileKeys({ accountId: '111122223333', region: 'eu-west-1', fileTime: '2026-11-20T09:30:00Z', objectId: LOG_FILE })).toEqual({
      pk: 'INTEGRITY#111122223333#eu-west-1',
      sk: `LOG#2026-11-20T09:30:00Z#${LOG_FILE}`,
    });
  });

  it('name a listing in a set by a JSON array, read back whatever characters the ids hold', () => {
    const ref = { digest: { ...DIGEST, objectId: 's3://logs/a#b|"c".json.gz' }, objectId: 'file:///x#y' };

    expect(parseListingRefText(listingRefText(ref), { pk: 'p', sk: 's' })).toEqual(ref);
  });
});

describe('results as items and back', () => {
  it("keeps a digest's own result", () => {
    expect(digestResultOf(digestItem(OWN))).toEqual(OWN);
  });

  it('keeps what the next digest says of a digest', () => {
    expect(nextLinkResultOf(nextLinkItem(NEXT))).toEqual(NEXT);
  });

  it.each<[string, Observation]>([
    ['hashed', { state: 'hashed', sha256: 'd'.repeat(64) }],
    ['absent', { state: 'absent' }],
    ['unreadable', { state: 'unreadable', reason: 'corrupt gzip' }],
    ['not-processed', { state: 'not-processed', reason: 'no time' }],
  ])('keeps a listed log file %s', (_, observation) => {
    expect(listedLogFileResultOf(listedLogFileItem(listed(observation)))).toEqual(listed(observation));
  });

  it("reads a log file's index entry with its listings", () => {
    const ref = { digest: DIGEST, objectId: LOG_FILE };
    const file = { accountId: '111122223333', region: 'us-east-1', fileTime: '2026-11-20T09:30:00Z', objectId: LOG_FILE, key: 'k', folder: 'AWSLogs/111122223333 us-east-1' };
    const item = { ...logFileKeys(file), ...logFileIdentity(file), sha256: 'e'.repeat(64), listedBy: new Set([listingRefText(ref)]), awaitedBy: new Set([listingRefText(ref)]) };

    expect(logFileEntryOf(item)).toEqual({ ...file, sha256: 'e'.repeat(64), listedBy: [ref], awaitedBy: [ref] });
  });

  it('names the item and the attribute it cannot read', () => {
    const item = { ...digestItem(OWN), status: 'fine' };

    expect(() => digestResultOf(item)).toThrow(new IntegrityItemError(digestKeys(DIGEST).pk, digestKeys(DIGEST).sk, 'status is not a status'));
  });
});
