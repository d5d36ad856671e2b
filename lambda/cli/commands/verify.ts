/**
 * `trail-audit verify PATH...|s3://BUCKET/PREFIX`: proof of completeness. Checks CloudTrail's digest files (their
 * signatures with CloudTrail's public keys, and the chain that links each to the previous one of its trail and
 * region) and the log files they list (present, and hashing to the listed value), and reports log files no digest
 * lists. The algorithm is the pure one of `core/digest`; this command lists, reads and reports.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import type { PublicKeySource } from '../../app/ports';
import {
  findUnlistedLogFiles,
  parseDigestObjectName,
  reconcileLogFiles,
  verifyDigests,
  type DigestObject,
  type DigestVerification,
  type ListedLogFile,
  type LogFileVerification,
  type Observation,
} from '../../core/digest';
import { describeError, ExitCode, UsageError, type ExitCodeValue } from '../errors';
import { throwIfInterrupted } from '../interrupt';
import { writeLine, type CliIO } from '../io';
import { forEachConcurrently } from '../../core/pool';
import { lookUpPublicKeys, readPublicKeyFiles, type SigningTime } from '../public-keys';
import { parseS3Url } from '../sources';
import { addTargetOptions, withTarget, type StartLocal, type TargetOptions } from '../target';
import { parseTimeRange, type TimeRange } from '../time';
import {
  listLocalForVerify,
  listS3ForVerify,
  observeLocalLogFile,
  observeS3LogFile,
  type DigestRef,
  type VerifyListing,
} from '../verify-sources';
import { hasProblems, verdictLine, writeJsonLines, writeTextReport, type VerifyOutcome } from '../verify-report';
import { verifyTable } from '../verify-table';
import { parseConcurrency } from './ingest';

/** Options of `verify`, as commander hands them over. */
export interface VerifyOptions extends TargetOptions {
  readonly since?: string;
  readonly until?: string;
  /** Files of `aws cloudtrail list-public-keys` output. */
  readonly publicKeys?: readonly string[];
  readonly json?: boolean;
  readonly concurrency?: string;
  /** An S3-compatible endpoint for `s3://` inputs (MinIO, a test server); path-style addressing. */
  readonly s3Endpoint?: string;
}

/** What `verify` needs from outside besides {@link CliIO}; tests inject these. */
export interface VerifyDeps {
  /** The S3 client for `s3://` inputs. @default one built from the SDK defaults and --s3-endpoint */
  readonly s3Client?: S3Client;
  /**
   * Where public keys come from when no --public-keys file is given and an input is in S3.
   * @default ListPublicKeys, one CloudTrail client per region with the SDK's standard configuration
   */
  readonly publicKeySource?: PublicKeySource;
  /** Starts the embedded default's DynamoDB Local (`verify` without a path). */
  readonly startLocal?: StartLocal;
}

/**
 * Runs `verify`.
 * @returns 0 when everything checked holds (`verified`, or `signature-not-checked`), 1 when a problem was found,
 *   an input could not be read, or no digest file was found
 */
export async function runVerify(
  inputs: readonly string[],
  options: VerifyOptions,
  io: CliIO,
  deps: VerifyDeps = {},
): Promise<ExitCodeValue> {
  const range = parseTimeRange(options.since, options.until, io.now());
  const concurrency = parseConcurrency(options.concurrency);
  if (inputs.length > 0 && options.table !== undefined) {
    throw new UsageError('verify takes folders or s3:// inputs, or --table, not both');
  }
  const fileKeys = options.publicKeys === undefined ? undefined : await readPublicKeyFiles(options.publicKeys, io.cwd);
  if (inputs.length === 0) {
    // No input: the results in the table (deployed with --table, else the embedded default).
    return withTarget(
      options,
      io.cwd,
      'read',
      async (target) =>
        report(
          await verifyTable(target, {
            range,
            ...(fileKeys === undefined ? {} : { publicKeys: fileKeys }),
            cwd: io.cwd,
            concurrency,
            signal: io.signal,
          }),
          options,
          range,
          io,
          0,
        ),
      deps.startLocal,
    );
  }
  const remote = inputs.map((input) => ({ input, location: parseS3Url(input) }));
  const s3Inputs = remote.filter((entry) => entry.location !== undefined);
  const s3 = s3Inputs.length === 0 ? undefined : (deps.s3Client ?? newS3Client(options));
  try {
    let failed = 0;
    const fail = async (line: string): Promise<void> => {
      failed += 1;
      await writeLine(io.stderr, `trail-audit: ${line}`);
    };

    const listings: VerifyListing[] = [
      await listLocalForVerify(remote.filter((entry) => entry.location === undefined).map((entry) => entry.input), io.cwd, range),
    ];
    for (const { input, location } of s3Inputs) {
      if (location === undefined || s3 === undefined) continue;
      try {
        listings.push(await listS3ForVerify(s3, location, range));
      } catch (error) {
        await fail(`${input}: cannot list: ${describeError(error)}`);
      }
    }
    for (const failure of listings.flatMap((listing) => listing.failures)) await fail(`${failure.input}: ${failure.reason}`);
    throwIfInterrupted(io.signal);

    const digests: DigestObject[] = [];
    await forEachConcurrently(
      listings.flatMap((listing) => listing.digests),
      concurrency,
      async (ref: DigestRef) => {
        try {
          digests.push(await ref.read());
        } catch (error) {
          await fail(`${ref.bucket === undefined ? ref.key : `s3://${ref.bucket}/${ref.key}`}: cannot read: ${describeError(error)}`);
        }
      },
      () => io.signal.aborted,
    );
    throwIfInterrupted(io.signal);

    const publicKeys = fileKeys ?? (s3 === undefined ? undefined : await lookUpPublicKeys(signingTimes(digests), deps.publicKeySource));
    const verifications = verifyDigests(digests, { ...(publicKeys === undefined ? {} : { publicKeys }), ...(range.since === undefined ? {} : { since: range.since }) });
    const listed = await reconcileAll(verifications, concurrency, io, s3, fail);
    const unlisted = findUnlistedLogFiles(listings.flatMap((listing) => listing.logFiles), verifications, range);
    const outcome: VerifyOutcome = {
      digests: verifications,
      logFiles: [...listed, ...unlisted.unlisted],
      awaitingDigest: unlisted.awaitingDigest.length,
      publicKeys: publicKeys !== undefined,
    };
    return await report(outcome, options, range, io, failed);
  } finally {
    if (s3 !== undefined && deps.s3Client === undefined) s3.destroy();
  }
}

/**
 * Prints the outcome (text, or `--json` lines and a summary on stderr) and gives the exit code: 1 when a problem
 * was found, `failed` inputs could not be read, or no digest file was found.
 */
async function report(outcome: VerifyOutcome, options: VerifyOptions, range: TimeRange, io: CliIO, failed: number): Promise<ExitCodeValue> {
  if (options.json === true) {
    await writeJsonLines(outcome, io.stdout);
    await writeLine(io.stderr, `verify: ${outcome.digests.length} digest files, ${outcome.logFiles.length} log files: ${verdictLine(outcome)}`);
  } else {
    await writeTextReport(outcome, io.stdout);
  }
  if (outcome.digests.length === 0) {
    await writeLine(io.stderr, `trail-audit: no digest file found${describeRange(range)}: is log file validation on for the trail?`);
    return ExitCode.InputFailed;
  }
  return failed > 0 || hasProblems(outcome) ? ExitCode.InputFailed : ExitCode.Ok;
}

function newS3Client(options: VerifyOptions): S3Client {
  return new S3Client({
    ...(options.s3Endpoint === undefined ? {} : { endpoint: options.s3Endpoint, forcePathStyle: true }),
    followRegionRedirects: true,
  });
}

function describeRange(range: TimeRange): string {
  if (range.since === undefined && range.until === undefined) return '';
  return ` between ${range.since?.toISOString() ?? 'the start'} and ${range.until?.toISOString() ?? 'now'}`;
}

/** When each digest was signed: its end time, or a backfill digest's generation time. */
function signingTimes(digests: readonly DigestObject[]): SigningTime[] {
  return digests.flatMap((digest) => {
    const name = parseDigestObjectName(digest.key);
    if (name === undefined) return [];
    const generated = Date.parse(digest.metadata?.['backfill-generation-timestamp'] ?? '');
    return [{ region: name.region, at: new Date(name.backfill && !Number.isNaN(generated) ? generated : name.endTime.getTime()) }];
  });
}

/**
 * Observes every log file each digest lists (a few at a time) and reconciles them. A file that cannot be read (an
 * access error, not an absence) is named through `fail` and left out of the results.
 */
async function reconcileAll(
  verifications: readonly DigestVerification[],
  concurrency: number,
  io: CliIO,
  s3: S3Client | undefined,
  fail: (line: string) => Promise<void>,
): Promise<LogFileVerification[]> {
  const observations = new Map<ListedLogFile, Observation>();
  const unread = new Set<ListedLogFile>();
  const work = verifications.flatMap((digest) => (digest.content?.digest.logFiles ?? []).map((file) => ({ digest, file })));
  await forEachConcurrently(
    work,
    concurrency,
    async ({ digest, file }) => {
      const local = digest.foundAt !== undefined && digest.foundAt.bucket === undefined ? digest.foundAt.key : undefined;
      try {
        if (local !== undefined) observations.set(file, await observeLocalLogFile(file, local, io.cwd));
        else if (s3 !== undefined) observations.set(file, await observeS3LogFile(s3, file));
      } catch (error) {
        unread.add(file);
        await fail(`s3://${file.s3Bucket}/${file.s3Object}: cannot read: ${describeError(error)}`);
      }
    },
    () => io.signal.aborted,
  );
  throwIfInterrupted(io.signal);
  return verifications.flatMap((digest) => {
    const files = digest.content?.digest.logFiles ?? [];
    return reconcileLogFiles(digest, (file) => observations.get(file) ?? { state: 'absent' }).filter(
      (_, index) => !unread.has(files[index] as ListedLogFile),
    );
  });
}

/** Registers `verify` on the program. */
export function registerVerifyCommand(
  program: Command,
  io: CliIO,
  setExitCode: (code: ExitCodeValue) => void,
  deps: VerifyDeps,
): void {
  const command = program
    .command('verify')
    .summary("prove CloudTrail's log files are complete and unaltered, from its signed digest files")
    .description(
      "Checks CloudTrail's digest files — local folders in CloudTrail's key layout, or s3://bucket/prefix — as " +
        '`aws cloudtrail validate-logs` does: each digest\'s signature with CloudTrail\'s public key, the chain from ' +
        'each digest to the previous one of its trail and region (a deleted or edited digest breaks it), and every ' +
        'log file a digest lists (present, and its uncompressed content hashing to the listed value). Log files no ' +
        'digest lists are reported too. Signatures are in S3 object metadata: a local copy has none for the newest ' +
        'digest of each chain (signature-not-checked), and checks the others with the signature the next digest ' +
        'recorded. Public keys come from --public-keys files, else (for s3:// inputs) from ListPublicKeys with the ' +
        'SDK\'s default credentials. Without a path, verifies what the processor (or ingest) stored in the table — ' +
        '--table NAME, or the embedded default — checked again against its file ledger. See docs/integrity.md.',
    )
    .argument('[path...]', 'folders in CloudTrail\'s layout (AWSLogs/...), or s3://bucket/prefix; none: the table')
    .option('--since <time>', 'digests ending from this time, and log files from it: ISO, date or age (7d)')
    .option('--until <time>', 'digests ending up to an hour after this time, and log files up to it')
    .option(
      '--public-keys <file>',
      'the JSON `aws cloudtrail list-public-keys --region R` prints (repeat for each region)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--json', 'one JSON object per line: {"kind":"digest"|"log-file","key","status",...}')
    .option('--concurrency <n>', 'objects read at the same time (1-64)', '4')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// inputs (path-style), e.g. MinIO')
    .addHelpText(
      'after',
      `
Statuses: verified, signature-not-checked (no problem); missing, altered, invalid-signature, chain-broken,
unlisted, not-processed (problems).
verify exits 0 when everything checked holds, 1 when a problem was found, an input could not be read, or no
digest file was found.`,
    );
  addTargetOptions(command).action(async (paths: string[], options: VerifyOptions) => {
    setExitCode(await runVerify(paths, options, io, deps));
  });
}
