/**
 * CloudTrail's public keys, cached per execution environment: the digest step asks for the keys of a region valid
 * while a digest was signed, and ListPublicKeys is called only when the span asked for is not covered yet (a day is
 * fetched on either side, so an hourly digest needs about one call per region and day), or when a digest names a
 * fingerprint the cached list lacks (a key that started after the list was fetched).
 */
import type { CloudTrailPublicKey, SigningSpan } from '../core/digest';
import type { PublicKeySource } from './ports';

const DAY_MS = 86_400_000;
/** A fingerprint missing from the cache triggers a new call at most this often per region. */
const REFRESH_AFTER_MS = 60_000;

interface CachedRegion {
  readonly from: number;
  readonly to: number;
  readonly keys: readonly CloudTrailPublicKey[];
  readonly fetchedAt: number;
}

/** The cache; one per execution environment. */
export class PublicKeyCache {
  private readonly regions = new Map<string, CachedRegion>();

  constructor(
    private readonly source: PublicKeySource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The keys of `region` valid in `span` (a superset: every key of the cached window).
   * @throws what the source throws (ListPublicKeys failing): the digest is then retried
   */
  async keysFor(region: string, span: SigningSpan, fingerprint: string): Promise<readonly CloudTrailPublicKey[]> {
    const cached = this.regions.get(region);
    const from = span.from.getTime();
    const to = span.to.getTime();
    const covered = cached !== undefined && cached.from <= from && cached.to >= to;
    const known = cached?.keys.some((key) => key.fingerprint.toLowerCase() === fingerprint.toLowerCase()) === true;
    const now = this.now().getTime();
    if (cached !== undefined && covered && (known || now - cached.fetchedAt < REFRESH_AFTER_MS)) return cached.keys;
    const window = {
      from: Math.min(cached?.from ?? Infinity, from - DAY_MS),
      to: Math.max(cached?.to ?? -Infinity, to + DAY_MS),
    };
    const keys = await this.source.listPublicKeys(region, new Date(window.from), new Date(window.to));
    this.regions.set(region, { ...window, keys, fetchedAt: now });
    return keys;
  }
}
