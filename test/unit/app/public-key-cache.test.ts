/**
 * The public keys cached per execution environment: ListPublicKeys is asked once per region while the digests' spans
 * stay in the window fetched, again for a span beyond it, and again (at most once a minute) for a fingerprint the
 * cached list lacks.
 */
import type { PublicKeySource } from '../../../lambda/app/ports';
import { PublicKeyCache } from '../../../lambda/app/public-key-cache';
import type { CloudTrailPublicKey } from '../../../lambda/core/digest';

const HOUR_MS = 3_600_000;

function key(fingerprint: string): CloudTrailPublicKey {
  return { fingerprint, value: new Uint8Array([1]), validityStartTime: new Date('2026-11-01T00:00:00Z'), validityEndTime: new Date('2026-12-01T00:00:00Z') };
}

/** A source that records its calls and answers with the keys it is given. */
class RecordingSource implements PublicKeySource {
  readonly calls: string[] = [];
  constructor(public keys: CloudTrailPublicKey[]) {}
  listPublicKeys(region: string, start: Date, end: Date): Promise<CloudTrailPublicKey[]> {
    this.calls.push(`${region} ${start.toISOString()} ${end.toISOString()}`);
    return Promise.resolve(this.keys);
  }
}

function span(end: string): { from: Date; to: Date } {
  return { from: new Date(end), to: new Date(Date.parse(end) + HOUR_MS) };
}

describe('PublicKeyCache', () => {
  it('asks once per region for digests within a day, with a day on either side', async () => {
    const source = new RecordingSource([key('aa')]);
    const cache = new PublicKeyCache(source, () => new Date('2026-11-20T13:00:00Z'));

    await cache.keysFor('us-east-1', span('2026-11-20T10:12:40Z'), 'aa');
    await cache.keysFor('us-east-1', span('2026-11-20T11:12:40Z'), 'AA');
    await cache.keysFor('eu-west-1', span('2026-11-20T11:58:31Z'), 'aa');

    expect(source.calls).toEqual([
      'us-east-1 2026-11-19T10:12:40.000Z 2026-11-21T11:12:40.000Z',
      'eu-west-1 2026-11-19T11:58:31.000Z 2026-11-21T12:58:31.000Z',
    ]);
  });

  it('asks again for a span beyond the window it fetched, keeping the window it had', async () => {
    const source = new RecordingSource([key('aa')]);
    const cache = new PublicKeyCache(source, () => new Date('2026-11-25T00:00:00Z'));

    await cache.keysFor('us-east-1', span('2026-11-20T10:12:40Z'), 'aa');
    await cache.keysFor('us-east-1', span('2026-11-23T10:12:40Z'), 'aa');

    expect(source.calls[1]).toBe('us-east-1 2026-11-19T10:12:40.000Z 2026-11-24T11:12:40.000Z');
  });

  it('asks again for a fingerprint it lacks, at most once a minute', async () => {
    const source = new RecordingSource([key('aa')]);
    let now = new Date('2026-11-20T13:00:00Z');
    const cache = new PublicKeyCache(source, () => now);
    await cache.keysFor('us-east-1', span('2026-11-20T10:12:40Z'), 'aa');

    source.keys = [key('aa'), key('bb')];
    const soon = await cache.keysFor('us-east-1', span('2026-11-20T10:12:40Z'), 'bb');
    now = new Date('2026-11-20T13:01:01Z');
    const later = await cache.keysFor('us-east-1', span('2026-11-20T10:12:40Z'), 'bb');

    expect({ calls: source.calls.length, soon: soon.map((k) => k.fingerprint), later: later.map((k) => k.fingerprint) }).toEqual({
      calls: 2,
      soon: ['aa'],
      later: ['aa', 'bb'],
    });
  });
});
