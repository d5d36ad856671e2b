/**
 * `trail-audit show EVENTID`: the original CloudTrail record of one stored event, as pretty JSON.
 */
import type { Command } from 'commander';
import { getEvent } from '../../store/event-queries';
import { ExitCode, UsageError, type ExitCodeValue } from '../errors';
import { writeLine, type CliIO } from '../io';
import { addTargetOptions, NoLocalDataError, withTarget, type StartLocal, type TargetOptions } from '../target';

/**
 * Runs `show`.
 * @returns 0, or 1 when no event has this ID
 */
export async function runShow(
  eventID: string,
  options: TargetOptions,
  io: CliIO,
  startLocal?: StartLocal,
): Promise<ExitCodeValue> {
  if (eventID.trim() === '') throw new UsageError('the event ID cannot be empty');
  try {
    return await withTarget(options, io.cwd, 'read', async (target) => {
      const stored = await getEvent(target.client, target.tableName, eventID);
      if (stored === undefined) {
        await writeLine(io.stderr, `trail-audit: no event ${eventID} in ${target.description}`);
        return ExitCode.InputFailed;
      }
      await writeLine(io.stdout, JSON.stringify(JSON.parse(stored.record), null, 2));
      if (stored.recordTrimmed !== undefined && stored.recordTrimmed.length > 0) {
        await writeLine(
          io.stderr,
          `trail-audit: the stored record was trimmed to fit DynamoDB's item size; fields replaced by their size: ` +
            stored.recordTrimmed.join(', '),
        );
      }
      return ExitCode.Ok;
    }, startLocal);
  } catch (error) {
    if (!(error instanceof NoLocalDataError)) throw error;
    await writeLine(io.stderr, `trail-audit: no event ${eventID}: ${error.message}`);
    return ExitCode.InputFailed;
  }
}

/** Registers `show` on the program. */
export function registerShowCommand(
  program: Command,
  io: CliIO,
  setExitCode: (code: ExitCodeValue) => void,
  startLocal: StartLocal | undefined,
): void {
  const command = program
    .command('show')
    .summary('print the original CloudTrail record of an event')
    .description('Prints the full original CloudTrail record stored for EVENTID, as pretty JSON.')
    .argument('<eventID>', 'the eventID (from query, or the CloudTrail console)');
  addTargetOptions(command).action(async (eventID: string, options: TargetOptions) => {
    setExitCode(await runShow(eventID, options, io, startLocal));
  });
}
