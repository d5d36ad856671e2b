/**
 * CloudTrail's public keys for `verify`: from `--public-keys` files (what `aws cloudtrail list-public-keys` prints),
 * or from ListPublicKeys in each region that signed digests, for the span they were signed in.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CloudTrailPublicKeySource } from '../adapters/cloudtrail-public-keys';
import type { PublicKeySource } from '../app/ports';
import { parsePublicKeyList, type CloudTrailPublicKey } from '../core/digest';
import { describeError, UsageError } from './errors';

const HOUR_MS = 3_600_000;

/** When a digest was signed, as far as its name and metadata tell: its region and a time. */
export interface SigningTime {
  readonly region: string;
  /** The digest's end time, or a backfill digest's generation time. */
  readonly at: Date;
}

/** Reads `--public-keys` files; a bad one is a usage error naming it. */
export async function readPublicKeyFiles(files: readonly string[], cwd: string): Promise<CloudTrailPublicKey[]> {
  const keys: CloudTrailPublicKey[] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(resolve(cwd, file), 'utf8'));
    } catch (error) {
      throw new UsageError(`--public-keys ${file}: ${describeError(error)}`);
    }
    try {
      keys.push(...parsePublicKeyList(json, `--public-keys ${file}`));
    } catch (error) {
      throw new UsageError(describeError(error));
    }
  }
  return keys;
}

/**
 * Asks ListPublicKeys, in each region that signed digests, for the keys valid while they were signed: from an hour
 * before the earliest signing time to an hour after the latest. (An end in the future is fine: `aws cloudtrail
 * validate-logs` asks up to two hours after now.)
 * @param source where the keys come from; by default ListPublicKeys, one CloudTrail client per region with the
 *   SDK's standard configuration
 */
export async function lookUpPublicKeys(signings: readonly SigningTime[], source?: PublicKeySource): Promise<CloudTrailPublicKey[]> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const { region, at } of signings) {
    const span = spans.get(region) ?? { from: Infinity, to: -Infinity };
    spans.set(region, { from: Math.min(span.from, at.getTime() - HOUR_MS), to: Math.max(span.to, at.getTime() + HOUR_MS) });
  }
  if (spans.size === 0) return [];
  const owned = source === undefined ? new CloudTrailPublicKeySource((region) => new CloudTrailClient({ region })) : undefined;
  const lister = source ?? owned;
  if (lister === undefined) return [];
  try {
    const keys: CloudTrailPublicKey[] = [];
    for (const [region, span] of [...spans].sort(([a], [b]) => (a < b ? -1 : 1))) {
      keys.push(...(await lister.listPublicKeys(region, new Date(span.from), new Date(span.to))));
    }
    return keys;
  } finally {
    owned?.destroy();
  }
}
