import {
  findUnlistedLogFiles,
  reconcileLogFiles,
  sha256Hex,
  verifyDigests,
  type DigestStatus,
  type DigestVerification,
  type Observation,
} from '../../../../lambda/core/digest';
import { TRAIL, hourlyChain, inBucket, logFile, newSigningKey } from '../../../helpers/digest-chain';

const KEY = newSigningKey();
const FILE = logFile(TRAIL, '2026-11-20T09:40Z', 'a');
const [DIGEST] = hourlyChain(TRAIL, KEY, '2026-11-20T10:05:12Z', [[FILE]]);
const [VERIFIED] = verifyDigests(DIGEST === undefined ? [] : [inBucket(DIGEST)], { publicKeys: [KEY.publicKey] });

function withStatus(status: DigestStatus): DigestVerification {
  if (VERIFIED === undefined) throw new Error('no digest');
  return { ...VERIFIED, status };
}

function reconcileOne(observation: Observation, status: DigestStatus = 'verified'): string[] {
  return reconcileLogFiles(withStatus(status), () => observation).map((file) => `${file.status}: ${file.reason ?? ''}`);
}

const INTACT: Observation = { state: 'hashed', sha256: sha256Hex(FILE.text) };
const EDITED: Observation = { state: 'hashed', sha256: sha256Hex(`${FILE.text} `) };

describe('reconcileLogFiles', () => {
  it('verifies a file whose content hashes to the value a verified digest lists', () => {
    expect(reconcileOne(INTACT)).toEqual(['verified: ']);
  });

  it('names the digest that lists the file', () => {
    const [file] = reconcileLogFiles(withStatus('verified'), () => INTACT);

    expect({ key: file?.key, digestKey: file?.digestKey }).toEqual({ key: FILE.key, digestKey: DIGEST?.key });
  });

  it('reports a listed file that is not there as missing', () => {
    expect(reconcileOne({ state: 'absent' })).toEqual(['missing: a digest lists it, but it is not there']);
  });

  it('reports a file whose content changed as altered', () => {
    expect(reconcileOne(EDITED)).toEqual(['altered: its content does not hash to the value its digest recorded']);
  });

  it('reports a file that cannot be decompressed as altered, with the reason', () => {
    expect(reconcileOne({ state: 'unreadable', reason: 'its gzip data is corrupt' })).toEqual(['altered: its gzip data is corrupt']);
  });

  it('reports an intact file the processor never finished as not processed', () => {
    expect(reconcileOne({ state: 'not-processed' })).toEqual(['not-processed: it is there, but was never processed']);
  });

  it('does not verify a matching file listed by a digest whose signature failed', () => {
    expect(reconcileOne(INTACT, 'invalid-signature')).toEqual([
      "invalid-signature: its digest's signature does not verify: the listing cannot be trusted",
    ]);
  });

  it('does not verify a matching file listed by an altered digest', () => {
    expect(reconcileOne(INTACT, 'altered')).toEqual(['chain-broken: its digest is altered: the listing cannot be trusted']);
  });

  it('still reports a missing file listed by an untrusted digest as missing', () => {
    expect(reconcileOne({ state: 'absent' }, 'invalid-signature')).toEqual(['missing: a digest lists it, but it is not there']);
  });

  it("says a matching file's digest signature was not checked", () => {
    expect(reconcileOne(INTACT, 'signature-not-checked')).toEqual([
      'signature-not-checked: it matches its digest, whose signature was not checked',
    ]);
  });
});

describe('findUnlistedLogFiles', () => {
  const digests = VERIFIED === undefined ? [] : [VERIFIED];

  it('reports a log file no digest lists', () => {
    const planted = logFile(TRAIL, '2026-11-20T08:55Z', 'planted');

    const { unlisted } = findUnlistedLogFiles([{ key: FILE.key, bucket: TRAIL.bucket }, { key: planted.key, bucket: TRAIL.bucket }], digests);

    expect(unlisted.map((file) => [file.key, file.status, file.reason])).toEqual([[planted.key, 'unlisted', 'no digest lists it']]);
  });

  it('matches a local copy by its key from AWSLogs/ on', () => {
    const { unlisted } = findUnlistedLogFiles([{ key: `copy/${FILE.key}` }], digests);

    expect(unlisted).toEqual([]);
  });

  it('leaves a file newer than the newest digest minus an hour to await its digest', () => {
    const recent = logFile(TRAIL, '2026-11-20T09:10Z', 'recent');

    const result = findUnlistedLogFiles([{ key: recent.key, bucket: TRAIL.bucket }], digests);

    expect(result).toEqual({ unlisted: [], awaitingDigest: [{ key: recent.key, bucket: TRAIL.bucket }] });
  });

  it('reports every log file of a folder without digests as unlisted, saying why', () => {
    const west = logFile({ ...TRAIL, region: 'eu-west-1' }, '2026-11-20T08:55Z', 'w');

    const { unlisted } = findUnlistedLogFiles([{ key: west.key, bucket: TRAIL.bucket }], digests);

    expect(unlisted.map((file) => file.reason)).toEqual([
      'no digest lists it: no digest file was found for its account and region (is log file validation on?)',
    ]);
  });

  it('judges only the files of the time range', () => {
    const early = logFile(TRAIL, '2026-11-20T06:00Z', 'early');

    const { unlisted } = findUnlistedLogFiles([{ key: early.key, bucket: TRAIL.bucket }], digests, { since: new Date('2026-11-20T07:00:00Z') });

    expect(unlisted).toEqual([]);
  });
});
