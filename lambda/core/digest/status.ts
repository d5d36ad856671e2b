/**
 * What verification concludes about each digest file and each log file: one status per object, shared by the
 * CLI's report, its `--json` lines and (later) the results stored per digest and per log file in the table.
 */

/**
 * The status of a digest file or a log file.
 * - `verified`: intact, and vouched for by a digest whose signature verified.
 * - `missing`: named by a digest (a log file in `logFiles`, a digest in `previousDigestS3Object`) but not there.
 * - `altered`: there, but its content is not what the digest recorded (or it cannot be read, or it is not where
 *   it says it was delivered).
 * - `not-processed`: there and intact, but the processor has no completed record of it (a file that failed
 *   quietly or whose notification was lost).
 * - `unlisted`: a log file that no digest lists (planted, or delivered while validation was off).
 * - `chain-broken`: the digest chain cannot vouch for it: the link between two digests does not hold, or the digest
 *   that lists this log file was altered.
 * - `invalid-signature`: the digest's signature does not verify with CloudTrail's public key (or is absent where
 *   S3 should have it), so nothing it lists can be trusted.
 * - `signature-not-checked`: consistent, but no signature could be checked (a local copy carries no S3 metadata for
 *   the newest digest of a chain, or no public keys were given). Not a problem by itself.
 */
export type IntegrityStatus =
  | 'verified'
  | 'missing'
  | 'altered'
  | 'not-processed'
  | 'unlisted'
  | 'chain-broken'
  | 'invalid-signature'
  | 'signature-not-checked';

/** The statuses a digest file can have. */
export type DigestStatus = Extract<
  IntegrityStatus,
  'verified' | 'missing' | 'altered' | 'chain-broken' | 'invalid-signature' | 'signature-not-checked'
>;

/** The statuses a log file can have: all of them. */
export type LogFileStatus = IntegrityStatus;

/** Every status, in the order reports list them: problems first, the most serious first. */
export const INTEGRITY_STATUSES: readonly IntegrityStatus[] = [
  'missing',
  'altered',
  'invalid-signature',
  'chain-broken',
  'unlisted',
  'not-processed',
  'signature-not-checked',
  'verified',
];

/**
 * Whether a status is a problem (the CLI exits 1). `signature-not-checked` is not: it says what could not be
 * checked, and everything that could be checked held.
 */
export function isProblem(status: IntegrityStatus): boolean {
  return status !== 'verified' && status !== 'signature-not-checked';
}

/** The worst of some statuses, by the order of {@link INTEGRITY_STATUSES}; undefined when there are none. */
export function worstStatus<S extends IntegrityStatus>(statuses: Iterable<S>): S | undefined {
  let worst: S | undefined;
  for (const status of statuses) {
    if (worst === undefined || INTEGRITY_STATUSES.indexOf(status) < INTEGRITY_STATUSES.indexOf(worst)) worst = status;
  }
  return worst;
}
