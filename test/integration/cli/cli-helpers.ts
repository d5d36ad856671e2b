/**
 * Shared pieces of the CLI's integration tests: the example logs, running `main()` in-process, and the events
 * the examples hold according to `process --json` (the contract every query is compared with).
 */
import { resolve } from 'node:path';
import { main, type CliDeps } from '../../../lambda/cli/main';
import type { NormalisedEvent } from '../../../lambda/core/types';
import { captureIO, type CapturedIO } from '../../unit/cli/capture-io';

/** The project's example logs, the folder the README's main job ingests. */
export const EXAMPLES_DIR = resolve(__dirname, '..', '..', '..', 'examples');

/** What a CLI run left behind. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly io: CapturedIO;
}

/** Runs the CLI in-process with captured output, in `cwd`. */
export async function runCli(argv: readonly string[], cwd: string, deps: CliDeps = {}): Promise<CliRun> {
  const io = captureIO(cwd, new Date());
  const code = await main(argv, io, deps);
  return { code, stdout: io.stdout.text(), stderr: io.stderr.text(), io };
}

/** The lines of NDJSON output, parsed. */
export function parseNdjson(stdout: string): NormalisedEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as NormalisedEvent);
}

/** Event IDs newest first, as the table's sort key (`eventTime#eventID`) orders them. */
export function newestFirst(events: readonly NormalisedEvent[]): string[] {
  return [...events]
    .sort((a, b) => {
      const left = `${a.eventTime}#${a.eventID}`;
      const right = `${b.eventTime}#${b.eventID}`;
      return left < right ? 1 : left > right ? -1 : 0;
    })
    .map((event) => event.eventID);
}

/** Whether an event names a resource by this ARN or name. */
export function namesResource(event: NormalisedEvent, value: string): boolean {
  return event.resources.some((resource) => resource.arn === value || resource.name === value);
}
