/**
 * `trail-audit process FILE...`: decode → select → normalise on local files, printed as a table or as NDJSON
 * (the normalised-event contract). Nothing is stored; no AWS account is needed.
 */
import type { Command } from 'commander';
import { newCounts, normaliseLogObject } from '../../core/pipeline';
import type { NormalisedEvent } from '../../core/types';
import { ExitCode, fileFailureLine, recordProblemLines, UsageError, type ExitCodeValue } from '../errors';
import { writeLine, type CliIO } from '../io';
import { eventLine } from '../ndjson';
import { listLocal } from '../sources';
import { addCounts, newTotals, renderSummary } from '../summary';
import { EVENT_COLUMNS, TableWriter, tableWidth } from '../table';
import { throwIfInterrupted } from '../interrupt';

/** Options of `process`. */
export interface ProcessOptions {
  /** Print NDJSON (one normalised event per line) instead of a table. */
  readonly json?: boolean;
  /** Drop read-only calls (Describe, List, Get). */
  readonly dropReadOnly?: boolean;
}

/**
 * Runs `process`. Files are read one after the other, in the order given (folders sorted), so the output order
 * is repeatable; an event is printed once per run even when several files repeat it.
 * @returns 0, or 1 when some input failed (each named on stderr; the others were still processed)
 */
export async function runProcess(
  inputs: readonly string[],
  options: ProcessOptions,
  io: CliIO,
): Promise<ExitCodeValue> {
  const remote = inputs.find((input) => input.startsWith('s3://'));
  if (remote !== undefined) {
    throw new UsageError(`process reads local files; '${remote}' is in S3: use 'trail-audit ingest ${remote}'`);
  }
  const listing = await listLocal(inputs, io.cwd);
  const totals = newTotals();
  totals.files = listing.objects.length;
  for (const failure of listing.failures) {
    totals.filesFailed += 1;
    await writeLine(io.stderr, `trail-audit: ${failure.input}: ${failure.reason}`);
  }
  const table = new TableWriter<NormalisedEvent>(EVENT_COLUMNS, (line) => writeLine(io.stdout, line), {
    maxWidth: tableWidth(io.stdout),
  });
  const print = (event: NormalisedEvent): Promise<void> =>
    options.json === true ? io.stdout.write(eventLine(event)) : table.add(event);
  const seenEventIds = new Set<string>();

  for (const object of listing.objects) {
    throwIfInterrupted(io.signal);
    const counts = newCounts();
    try {
      const events = normaliseLogObject(
        (await object.open()).body,
        { objectKey: object.objectKey, dropReadOnly: options.dropReadOnly === true, seenEventIds },
        counts,
      );
      for await (const kept of events) await print(kept.event);
    } catch (error) {
      totals.filesFailed += 1;
      await writeLine(io.stderr, fileFailureLine(object.displayName, error));
    }
    for (const line of recordProblemLines(object.displayName, counts)) await writeLine(io.stderr, line);
    addCounts(totals, counts);
  }
  if (options.json !== true) await table.end();
  await writeLine(io.stderr, `process: ${renderSummary(totals)}`);
  return totals.filesFailed > 0 ? ExitCode.InputFailed : ExitCode.Ok;
}

/** Registers `process` on the program. */
export function registerProcessCommand(program: Command, io: CliIO, setExitCode: (code: ExitCodeValue) => void): void {
  program
    .command('process')
    .summary('decode, select and normalise local CloudTrail files (nothing is stored)')
    .description(
      'Reads CloudTrail log files (.json.gz, .json; folders recursively) and prints the Elastic Load Balancing, ' +
        'Elastic Beanstalk and EC2 Auto Scaling events they hold: a table, or with --json one normalised event ' +
        'per line. Each event is printed once per run. A bad file is named on stderr and the others are still read; ' +
        'so is each record left out as invalid or kept with a mark (trimmed, resources left out), by position.',
    )
    .argument('<file...>', 'log files or folders')
    .option('--json', 'print NDJSON: one normalised event per line (the documented contract)')
    .option('--drop-read-only', 'leave out read-only calls (Describe*, List*, Get*)')
    .action(async (files: string[], options: ProcessOptions) => {
      setExitCode(await runProcess(files, options, io));
    });
}
