import { gzipSync } from 'node:zlib';
import { verifyDigests, type DigestObject, type DigestVerification } from '../../../../lambda/core/digest';
import { digestKey, writeDigest, type WrittenDigest } from '../../../../scripts/digest-writer';
import { TRAIL, hourlyChain, inBucket, inFolder, logFile, newSigningKey, type TrailLayout } from '../../../helpers/digest-chain';

const KEY = newSigningKey();
const KEYS = [KEY.publicKey];

/** Four hourly digests of trail `main` in us-east-1: the first starts the chain, the third lists no log file. */
function chain(layout: TrailLayout = TRAIL, key = KEY): WrittenDigest[] {
  return hourlyChain(layout, key, '2026-11-20T10:05:12Z', [
    [logFile(layout, '2026-11-20T09:10Z', 'a')],
    [logFile(layout, '2026-11-20T10:15Z', 'b'), logFile(layout, '2026-11-20T10:40Z', 'c')],
    [],
    [logFile(layout, '2026-11-20T12:30Z', 'd')],
  ]);
}

function statuses(results: readonly DigestVerification[]): [string, string][] {
  return results.map((result) => [result.key.slice(result.key.lastIndexOf('_') + 1), result.status]);
}

/** A copy of a written digest with its JSON changed (and so its hash), its signature left as it was. */
function edited(digest: WrittenDigest, change: (fields: Record<string, unknown>) => void): DigestObject {
  const fields = JSON.parse(digest.text) as Record<string, unknown>;
  change(fields);
  return inBucket(digest, { bytes: gzipSync(JSON.stringify(fields)) });
}

describe('verifyDigests in a bucket (signatures in S3 metadata)', () => {
  it('verifies every digest of a clean chain', () => {
    const results = verifyDigests(chain().map((digest) => inBucket(digest)), { publicKeys: KEYS });

    expect(statuses(results)).toEqual([
      ['20261120T100512Z.json.gz', 'verified'],
      ['20261120T110512Z.json.gz', 'verified'],
      ['20261120T120512Z.json.gz', 'verified'],
      ['20261120T130512Z.json.gz', 'verified'],
    ]);
  });

  it('marks the first digest as the start of its chain', () => {
    const results = verifyDigests(chain().map((digest) => inBucket(digest)), { publicKeys: KEYS });

    expect(results.map((result) => result.chainStart)).toEqual([true, false, false, false]);
  });

  it('reports a digest edited after the next one was written as altered', () => {
    const digests = chain();
    const objects = digests.map((digest, index) =>
      index === 1 ? edited(digest, (fields) => void (fields['logFiles'] = [])) : inBucket(digest),
    );

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results[1]).toMatchObject({
      status: 'altered',
      problems: expect.arrayContaining([
        `its content does not hash to the value the next digest recorded (${digests[2]?.key ?? ''})`,
      ]) as unknown,
    });
  });

  it('reports the newest digest edited as having an invalid signature (no next digest records its hash)', () => {
    const digests = chain();
    const objects = digests.map((digest, index) =>
      index === 3 ? edited(digest, (fields) => void (fields['logFiles'] = [])) : inBucket(digest),
    );

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(statuses(results)[3]).toEqual(['20261120T130512Z.json.gz', 'invalid-signature']);
  });

  it('reports a deleted digest as missing, named by the digest after it', () => {
    const digests = chain();
    const objects = digests.filter((_, index) => index !== 1).map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results.filter((result) => result.status !== 'verified')).toEqual([
      expect.objectContaining({
        key: digests[1]?.key,
        bucket: TRAIL.bucket,
        status: 'missing',
        problems: [`it is not there, but the next digest names it (${digests[2]?.key ?? ''})`],
      }),
    ]);
  });

  it('does not look for the previous digest of the oldest digest read', () => {
    const digests = chain().slice(1);

    const results = verifyDigests(digests.map((digest) => inBucket(digest)), { publicKeys: KEYS });

    expect({ statuses: results.map((result) => result.status), notes: results[0]?.notes }).toEqual({
      statuses: ['verified', 'verified', 'verified'],
      notes: ['its previous digest is before the period verified'],
    });
  });

  it('reports the oldest digest missing when --since says it is inside the period', () => {
    const digests = chain();
    const objects = digests.slice(1).map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: KEYS, since: new Date('2026-11-20T09:00:00Z') });

    expect(results.find((result) => result.status === 'missing')?.key).toBe(digests[0]?.key);
  });

  it('reports a signature in metadata that does not verify', () => {
    const digests = chain();
    const other = chain(TRAIL, newSigningKey());
    const objects = digests.map((digest, index) =>
      inBucket(digest, index === 3 ? { metadata: { ...digest.metadata, signature: other[3]?.signature ?? '' } } : {}),
    );

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results[3]?.problems).toEqual([`its signature (from S3 metadata) does not verify with the public key ${KEY.publicKey.fingerprint}`]);
  });

  it('reports a digest object without signature metadata', () => {
    const objects = chain().map((digest) => inBucket(digest, { metadata: {} }));

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results[3]).toMatchObject({
      status: 'invalid-signature',
      problems: ['its object has no x-amz-meta-signature', 'its object has no x-amz-meta-signature-algorithm'],
    });
  });

  it('refuses a key that was not valid when the digest was signed', () => {
    const expired = newSigningKey(new Date('2026-01-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'));
    const objects = chain(TRAIL, expired).map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: [expired.publicKey] });

    expect(results.map((result) => result.status)).toEqual(Array(4).fill('invalid-signature'));
  });

  it('reports a digest read from another key than the one it names as altered', () => {
    const [first] = chain();
    if (first === undefined) throw new Error('no digest');
    const moved = inBucket(first, { key: first.key.replace('us-east-1/2026', 'us-east-1/2025') });

    const [result] = verifyDigests([moved], { publicKeys: KEYS });

    expect(result?.problems).toEqual(['it is not where it was delivered (its digestS3Bucket/digestS3Object name another object)']);
  });

  it('reports a digest that does not gunzip as altered', () => {
    const [first] = chain();
    if (first === undefined) throw new Error('no digest');

    const [result] = verifyDigests([inBucket(first, { bytes: gzipSync(first.text).subarray(0, 40) })], { publicKeys: KEYS });

    expect({ status: result?.status, problems: result?.problems }).toEqual({
      status: 'altered',
      problems: ['it cannot be read: is not valid gzip (corrupt, truncated, or data after its end)'],
    });
  });

  it('reports two digests naming the same previous digest as a broken chain', () => {
    const digests = chain();
    const fork = hourlyChain(TRAIL, KEY, '2026-11-20T11:35:00Z', [[]], digests[0]);
    const objects = [...digests, ...fork].map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results.filter((result) => result.status === 'chain-broken').map((result) => result.key)).toEqual([
      digests[1]?.key,
      fork[0]?.key,
    ]);
  });

  it('notes a new chain after a gap (validation or logging off) without calling it a problem', () => {
    const before = chain().slice(0, 2);
    const after = hourlyChain(TRAIL, KEY, '2026-11-20T18:00:00Z', [[], []]);

    const results = verifyDigests([...before, ...after].map((digest) => inBucket(digest)), { publicKeys: KEYS });

    expect({ statuses: results.map((result) => result.status), notes: results[2]?.notes }).toEqual({
      statuses: Array(4).fill('verified'),
      notes: ['first digest of a new chain: no digest from 2026-11-20T11:05:12Z to 2026-11-20T17:00:00Z (log file validation or logging was off)'],
    });
  });

  it('keeps the chains of two trails and two regions in one bucket apart', () => {
    const west = { ...TRAIL, region: 'eu-west-1' };
    const other = { ...TRAIL, trailName: 'security' };
    const westKey = newSigningKey();
    const objects = [...chain(), ...chain(west, westKey), ...chain(other)].map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: [...KEYS, westKey.publicKey] });

    expect({
      chains: new Set(results.map((result) => result.chain)).size,
      starts: results.filter((result) => result.chainStart).length,
      verified: results.every((result) => result.status === 'verified'),
    }).toEqual({ chains: 3, starts: 3, verified: true });
  });

  it('reports a link to a digest of another trail as a broken chain', () => {
    const other = chain({ ...TRAIL, trailName: 'security' });
    const crossing = hourlyChain(TRAIL, KEY, '2026-11-20T14:05:12Z', [[]], other[3]);
    const objects = [...other, ...crossing].map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results.find((result) => result.key === crossing[0]?.key)?.problems).toEqual([
      'its previous digest belongs to another trail, account or region',
    ]);
  });
});

describe('verifyDigests on backfill digests', () => {
  function backfill(generatedAt: string): WrittenDigest {
    return writeDigest(
      {
        bucket: TRAIL.bucket,
        key: digestKey({ ...TRAIL, endTime: '2026-11-20T11:05:12Z', backfill: true }),
        startTime: '2026-11-20T10:05:12Z',
        endTime: '2026-11-20T11:05:12Z',
        accountId: TRAIL.accountId,
        logFiles: [logFile(TRAIL, '2026-11-20T10:50Z', 'late')],
        backfillGenerationTime: generatedAt,
      },
      KEY,
    );
  }

  it('verifies a backfill digest in a chain of its own, with a key valid when it was generated', () => {
    const rotated = newSigningKey(new Date('2026-11-25T00:00:00Z'), new Date('2026-12-25T00:00:00Z'));
    const late = writeDigest(
      {
        bucket: TRAIL.bucket,
        key: digestKey({ ...TRAIL, endTime: '2026-11-20T11:05:12Z', backfill: true }),
        startTime: '2026-11-20T10:05:12Z',
        endTime: '2026-11-20T11:05:12Z',
        accountId: TRAIL.accountId,
        logFiles: [],
        backfillGenerationTime: '2026-11-26T08:00:00Z',
      },
      rotated,
    );
    const objects = [...chain(), late].map((digest) => inBucket(digest));

    const results = verifyDigests(objects, { publicKeys: [...KEYS, rotated.publicKey] });

    expect(results.map((result) => [result.name?.backfill, result.status])).toEqual([
      [false, 'verified'],
      [false, 'verified'],
      [false, 'verified'],
      [false, 'verified'],
      [true, 'verified'],
    ]);
  });

  it('reports a backfill digest without its generation timestamp', () => {
    const digest = backfill('2026-11-20T15:00:00Z');
    const metadata = { signature: digest.signature, 'signature-algorithm': 'SHA256withRSA' };

    const [result] = verifyDigests([inBucket(digest, { metadata })], { publicKeys: KEYS });

    expect(result?.problems).toEqual(['this backfill digest has no readable x-amz-meta-backfill-generation-timestamp']);
  });
});

describe('verifyDigests on a local copy (no S3 metadata)', () => {
  it("checks each digest's signature with the one the next digest recorded; the newest one's is not checked", () => {
    const results = verifyDigests(chain().map((digest) => inFolder(digest)), { publicKeys: KEYS });

    expect(results.map((result) => result.status)).toEqual(['verified', 'verified', 'verified', 'signature-not-checked']);
  });

  it('says why the newest signature was not checked', () => {
    const results = verifyDigests(chain().map((digest) => inFolder(digest)), { publicKeys: KEYS });

    expect(results[3]?.notes).toEqual([
      'no signature to check: a local copy has no S3 metadata, and no later digest records its signature (the newest digest of a chain)',
    ]);
  });

  it('checks no signature without public keys, and still checks the hash chain', () => {
    const digests = chain();
    const objects = digests.map((digest, index) =>
      index === 1 ? { ...edited(digest, (fields) => void (fields['logFiles'] = [])), key: `download/${digest.key}`, bucket: undefined, metadata: undefined } : inFolder(digest),
    );

    const results = verifyDigests(objects);

    expect(results.map((result) => result.status)).toEqual(['signature-not-checked', 'altered', 'signature-not-checked', 'signature-not-checked']);
  });

  it('finds a missing digest by its key from AWSLogs/ on, whatever folder the copy is in', () => {
    const digests = chain({ ...TRAIL, prefix: 'trails/prod/' });
    const objects = digests.filter((_, index) => index !== 2).map((digest) => inFolder(digest, '/tmp/copy'));

    const results = verifyDigests(objects, { publicKeys: KEYS });

    expect(results.filter((result) => result.status === 'missing').map((result) => result.key)).toEqual([digests[2]?.key]);
  });
});
