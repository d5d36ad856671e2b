/**
 * Exit codes and the errors that choose them. Scripts branch on the exit code, so each one has one meaning.
 */
import { LogDecodeError } from '../core/decode';
import { MAX_NAMED_PROBLEMS, type PipelineCounts } from '../core/pipeline';

/** The CLI's exit codes (documented in docs/cli.md, "Exit codes"). */
export const ExitCode = {
  /** Everything asked for was done. */
  Ok: 0,
  /** Some input failed (a corrupt file, an unreadable object) and was named on stderr; the rest was done. */
  InputFailed: 1,
  /** The command line was wrong (unknown option, bad time, missing argument): nothing was done. */
  Usage: 2,
  /** The run could not be completed (target unreachable, table missing, credentials): see stderr. */
  Failed: 3,
  /** Interrupted by SIGINT (Ctrl-C): new work was not started, the work in flight ended or stopped cleanly. */
  Interrupted: 130,
  /** Stopped by SIGTERM, as {@link ExitCode.Interrupted}. */
  Terminated: 143,
  /** Stopped by SIGHUP (the terminal went away), as {@link ExitCode.Interrupted}. */
  HungUp: 129,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A wrong command line detected after parsing (a bad `--since`, a bad `s3://` URL): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Raised when the target cannot be used (a missing table, a server that does not start): exit code 3. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/** Error names that say the table cannot be used at all: it is missing, or the caller may not use it. */
const TABLE_FAILURE_NAMES = new Set([
  'ResourceNotFoundException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Socket error codes of a server that is gone or cannot be reached. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * What made the table unusable, when `error` (or an error it was caused by) says so — the server refused or dropped
 * the connection, the credentials were refused, the table does not exist, the service failed — else undefined: the
 * error is one object's (a corrupt file) or passing (throttling), not the target's.
 */
export function tableFailureReason(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (TABLE_FAILURE_NAMES.has(cause.name) || (code !== undefined && UNREACHABLE_CODES.has(code))) {
      return `${code ?? cause.name}: ${cause.message}`;
    }
    if (status !== undefined && status >= 500) return `${cause.name}: HTTP ${status}`;
    cause = cause.cause;
  }
  return undefined;
}

/** The message of anything thrown, for a one-line report on stderr. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The stderr line for a file that failed: the decoder's errors already name the object and how far it got,
 * anything else gets the file's name in front.
 */
export function fileFailureLine(displayName: string, error: unknown): string {
  if (error instanceof LogDecodeError) return `trail-audit: ${error.message}`;
  return `trail-audit: ${displayName}: ${describeError(error)}`;
}

/**
 * The stderr lines naming the records of a file that cost something (left out as invalid, stored trimmed,
 * resources left out), by position and reason: the same words the Lambda logs for the same file, so the
 * dead-letter runbook's `process` finds what the function reported. Only the first {@link MAX_NAMED_PROBLEMS} are
 * named; the summary's counts are exact.
 */
export function recordProblemLines(displayName: string, counts: PipelineCounts): string[] {
  const lines = counts.problems.map(
    (problem) => `trail-audit: ${displayName}: record ${problem.index} (byte ${problem.offset}): ${problem.problem}: ${problem.reason}`,
  );
  if (counts.problems.length >= MAX_NAMED_PROBLEMS) {
    lines.push(`trail-audit: ${displayName}: only the first ${MAX_NAMED_PROBLEMS} records with problems are named`);
  }
  return lines;
}

/**
 * Raised in place of an error of the table's store or ledger when it says the table cannot be used at all (see
 * {@link tableFailureReason}): the run stops there, once, instead of failing every file that follows.
 */
export class TableUnavailableError extends TargetError {}

/** Runs `call`, turning an error that says the table is unusable into a {@link TableUnavailableError}. */
async function guarded<T>(tableName: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reason = tableFailureReason(error);
    if (reason === undefined) throw error;
    throw new TableUnavailableError(`cannot use table ${tableName}: ${reason}`, { cause: error });
  }
}

/**
 * The same port (store, ledger, checkpoints, integrity results) with each call's error that says the table is
 * unusable turned into a {@link TableUnavailableError}, whichever of them meets it first.
 */
export function guardedPort<T extends object>(tableName: string, port: T): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => guarded(tableName, () => Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)));
    },
  });
}
