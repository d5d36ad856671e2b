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
  /** Interrupted (SIGINT): work in flight was abandoned, the target was closed. */
  Interrupted: 130,
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
