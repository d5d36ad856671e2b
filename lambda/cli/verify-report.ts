/**
 * What `verify` prints: a summary per trail, region and hour for people, or with `--json` one line per digest and
 * per log file (`{"kind":"digest"|"log-file","key","status",...}`, a contract scripts may rely on).
 */
import {
  INTEGRITY_STATUSES,
  isProblem,
  trailFolderId,
  type DigestVerification,
  type IntegrityStatus,
  type LogFileVerification,
} from '../core/digest';
import { writeLine, type TextSink } from './io';
import { TableWriter, type Column } from './table';
import { toEventTime } from './time';

/** Everything one run concluded. */
export interface VerifyOutcome {
  readonly digests: readonly DigestVerification[];
  /** The log files the digests list (one per digest that lists them), then the unlisted ones. */
  readonly logFiles: readonly LogFileVerification[];
  /** Log files too recent for a digest to list yet: not judged. */
  readonly awaitingDigest: number;
  /** Whether public keys were available (a file, or ListPublicKeys). */
  readonly publicKeys: boolean;
}

/** Whether anything found is a problem. */
export function hasProblems(outcome: VerifyOutcome): boolean {
  return outcome.digests.some((digest) => isProblem(digest.status)) || outcome.logFiles.some((file) => isProblem(file.status));
}

/** The `--json` line of a digest. */
export function digestLine(digest: DigestVerification): string {
  const name = digest.name;
  const fields = digest.content?.digest;
  return JSON.stringify({
    kind: 'digest',
    key: digest.key,
    ...(digest.bucket === undefined ? {} : { bucket: digest.bucket }),
    status: digest.status,
    ...(name === undefined
      ? {}
      : {
          account: name.accountId,
          ...(name.organizationId === undefined ? {} : { organization: name.organizationId }),
          region: name.region,
          trail: name.trailName,
          homeRegion: name.homeRegion,
          ...(name.backfill ? { backfill: true } : {}),
        }),
    ...(fields === undefined ? {} : { start: fields.digestStartTime }),
    ...(fields !== undefined ? { end: fields.digestEndTime } : name === undefined ? {} : { end: toEventTime(name.endTime) }),
    ...(fields === undefined ? {} : { logFiles: fields.logFiles.length }),
    ...(digest.chainStart ? { chainStart: true } : {}),
    ...(digest.problems.length === 0 ? {} : { problems: digest.problems }),
    ...(digest.notes.length === 0 ? {} : { notes: digest.notes }),
    ...(digest.foundAt === undefined || digest.foundAt.bucket !== undefined ? {} : { path: digest.foundAt.key }),
  });
}

/** The `--json` line of a log file. */
export function logFileLine(file: LogFileVerification): string {
  return JSON.stringify({
    kind: 'log-file',
    key: file.key,
    ...(file.bucket === undefined ? {} : { bucket: file.bucket }),
    status: file.status,
    ...(file.digestKey === undefined ? {} : { digest: file.digestKey }),
    ...(file.reason === undefined ? {} : { reason: file.reason }),
  });
}

/** Writes the `--json` lines: each digest followed by the log files it lists, then the unlisted log files. */
export async function writeJsonLines(outcome: VerifyOutcome, out: TextSink): Promise<void> {
  const byDigest = new Map<string, LogFileVerification[]>();
  const unlisted: LogFileVerification[] = [];
  for (const file of outcome.logFiles) {
    if (file.digestKey === undefined) unlisted.push(file);
    else byDigest.set(file.digestKey, [...(byDigest.get(file.digestKey) ?? []), file]);
  }
  for (const digest of outcome.digests) {
    await writeLine(out, digestLine(digest));
    for (const file of byDigest.get(digest.key) ?? []) await writeLine(out, logFileLine(file));
    byDigest.delete(digest.key);
  }
  for (const file of unlisted) await writeLine(out, logFileLine(file));
}

/** `6 digest files: 4 verified, 2 signature-not-checked`: counts by status. */
export function countLine(what: string, statuses: readonly IntegrityStatus[]): string {
  return `${statuses.length} ${what}${statuses.length === 0 ? '' : `: ${countsByStatus(statuses)}`}`;
}

/** The order counts are written in: what held first, then the problems, the most serious first. */
const COUNT_ORDER: readonly IntegrityStatus[] = ['verified', 'signature-not-checked', ...INTEGRITY_STATUSES.filter(isProblem)];

function countsByStatus(statuses: readonly IntegrityStatus[]): string {
  return COUNT_ORDER.map((status) => [status, statuses.filter((s) => s === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
}

/** One line for stderr (after `--json`) or the end of the report: the totals and the verdict. */
export function verdictLine(outcome: VerifyOutcome): string {
  const problems =
    outcome.digests.filter((digest) => isProblem(digest.status)).length +
    outcome.logFiles.filter((file) => isProblem(file.status)).length;
  return problems === 0 ? 'no problem found' : `${problems} problem${problems === 1 ? '' : 's'} found`;
}

interface HourRow {
  readonly digest: DigestVerification;
  readonly files: readonly LogFileVerification[];
}

const HOUR_COLUMNS: readonly Column<HourRow>[] = [
  { heading: 'DIGEST END', cell: ({ digest }) => endOf(digest) },
  { heading: 'DIGEST', cell: ({ digest }) => `${digest.status}${digest.chainStart ? ' (first of chain)' : ''}${digest.name?.backfill === true ? ' (backfill)' : ''}` },
  {
    heading: 'LOG FILES',
    cell: ({ digest, files }) => (digest.content === undefined ? '-' : files.length === 0 ? 'none' : countsByStatus(files.map((file) => file.status))),
    maxWidth: 80,
  },
];

/** Writes the readable report: per chain (trail, region) a row per digest (hour), then problems, notes, totals. */
export async function writeTextReport(outcome: VerifyOutcome, out: TextSink): Promise<void> {
  const byDigest = new Map<string, LogFileVerification[]>();
  for (const file of outcome.logFiles) {
    if (file.digestKey !== undefined) byDigest.set(file.digestKey, [...(byDigest.get(file.digestKey) ?? []), file]);
  }
  const chains = new Map<string, DigestVerification[]>();
  for (const digest of outcome.digests) {
    const chain = digest.chain ?? '';
    chains.set(chain, [...(chains.get(chain) ?? []), digest]);
  }
  for (const digests of chains.values()) {
    await writeLine(out, chainLabel(digests.find((digest) => digest.foundAt !== undefined) ?? digests[0]));
    const table = new TableWriter<HourRow>(HOUR_COLUMNS, (line) => writeLine(out, `  ${line}`), {
      blockSize: Number.MAX_SAFE_INTEGER,
    });
    for (const digest of digests) await table.add({ digest, files: byDigest.get(digest.key) ?? [] });
    await table.end();
    await writeLine(out, '');
  }

  const problems = [
    ...outcome.digests.filter((digest) => isProblem(digest.status)).map((digest) => `${digest.status}  digest ${digest.key}: ${digest.problems.join('; ')}`),
    ...outcome.logFiles.filter((file) => isProblem(file.status)).map((file) => `${file.status}  log file ${file.key}: ${file.reason ?? ''}`),
  ];
  if (problems.length > 0) {
    await writeLine(out, 'Problems:');
    for (const line of problems) await writeLine(out, `  ${line}`);
    await writeLine(out, '');
  }
  const notes = outcome.digests.flatMap((digest) =>
    digest.notes.filter((note) => note.startsWith('first digest of a new chain') || note.includes('another bucket')).map((note) => `digest ${digest.key}: ${note}`),
  );
  if (notes.length > 0) {
    await writeLine(out, 'Notes:');
    for (const line of notes) await writeLine(out, `  ${line}`);
    await writeLine(out, '');
  }

  await writeLine(out, countLine('digest files', outcome.digests.map((digest) => digest.status)));
  await writeLine(out, countLine('log files', outcome.logFiles.map((file) => file.status)));
  if (outcome.awaitingDigest > 0) {
    await writeLine(out, `Not judged: ${outcome.awaitingDigest} log file${outcome.awaitingDigest === 1 ? '' : 's'} newer than the newest digest of its folder (awaiting a digest)`);
  }
  const unchecked = outcome.digests.filter((digest) => digest.status === 'signature-not-checked').length;
  if (unchecked > 0) {
    const digests = `${unchecked} digest${unchecked === 1 ? '' : 's'}`;
    await writeLine(
      out,
      outcome.publicKeys
        ? `Signatures not checked: ${digests} that no later digest vouches for, as the newest of each chain (a local ` +
            'copy has no S3 metadata; verify s3://... checks them)'
        : `Signatures not checked: ${digests} (no public keys: give --public-keys FILE, the output of ` +
            '`aws cloudtrail list-public-keys`); hashes and the chain were checked',
    );
  }
  await writeLine(out, `Result: ${verdictLine(outcome)}`);
}

/** `trail T (home R), region R, [s3://BUCKET/]PREFIX/AWSLogs/[o-ID/]ACCOUNT[, backfill digests]` */
function chainLabel(digest: DigestVerification | undefined): string {
  const name = digest?.name;
  if (name === undefined) return 'digest files without CloudTrail naming';
  const folder = trailFolderId(name).split(' ')[0] ?? '';
  const bucket = digest?.foundAt?.bucket;
  const where = bucket === undefined ? folder : `s3://${bucket}/${folder}`;
  return `trail ${name.trailName} (home ${name.homeRegion}), region ${name.region}, ${where}${name.backfill ? ', backfill digests' : ''}`;
}

function endOf(digest: DigestVerification): string {
  return digest.content?.digest.digestEndTime ?? (digest.name === undefined ? '?' : toEventTime(digest.name.endTime));
}
