/**
 * The `trail-audit` command line: `process`, `ingest`, `backfill`, `query`, `show`, `alerts`. `main()` parses the arguments, runs one
 * command and returns its exit code; it never calls `process.exit`, so tests run it in-process. `runCli()` wires
 * it to the real process (stdout, stderr, SIGINT) and is what `bin/trail-audit-cli.js` calls.
 */
import { Command, CommanderError } from 'commander';
import { registerAlertsCommand } from './commands/alerts';
import { registerBackfillCommand, type BackfillDeps } from './commands/backfill';
import { registerIngestCommand, type IngestDeps } from './commands/ingest';
import { registerProcessCommand } from './commands/process';
import { registerQueryCommand } from './commands/query';
import { registerShowCommand } from './commands/show';
import { describeError, ExitCode, UsageError, type ExitCodeValue } from './errors';
import { Interrupted } from './interrupt';
import { streamSink, writeLine, type CliIO } from './io';
import { TargetError, type StartLocal } from './target';

/** What `main()` can be given besides its I/O; tests inject these, production uses the defaults. */
export interface CliDeps extends IngestDeps, BackfillDeps {
  readonly startLocal?: StartLocal;
}

const EXIT_CODE_HELP = `
Exit codes:
  0    done
  1    some input failed (a bad file, an unknown event ID), named on stderr; the rest was done
  2    usage error: nothing was done
  3    the run failed (target unreachable, table missing, credentials)
  130  interrupted`;

/**
 * Builds the program; each command reports its exit code through `setExitCode`. Commander writes help and its
 * errors synchronously: `flush` awaits those writes.
 */
export function buildProgram(
  io: CliIO,
  deps: CliDeps,
  setExitCode: (code: ExitCodeValue) => void,
): { program: Command; flush: () => Promise<unknown> } {
  const pending: Promise<void>[] = [];
  const program = new Command('trail-audit')
    .description(
      'CloudTrail audit for Elastic Load Balancing, Elastic Beanstalk and EC2 Auto Scaling: process log files, ' +
        'ingest them into the event table (the deployed one with --table, else an embedded DynamoDB Local), ' +
        'and ask who did what to which resource.',
    )
    .configureOutput({
      writeOut: (text) => pending.push(io.stdout.write(text)),
      writeErr: (text) => pending.push(io.stderr.write(text)),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODE_HELP);
  registerProcessCommand(program, io, setExitCode);
  registerIngestCommand(program, io, setExitCode, deps);
  registerBackfillCommand(program, io, setExitCode, deps);
  registerQueryCommand(program, io, setExitCode, deps.startLocal);
  registerShowCommand(program, io, setExitCode, deps.startLocal);
  registerAlertsCommand(program, io, setExitCode);
  for (const command of program.commands) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)').addHelpText('after', EXIT_CODE_HELP);
  }
  return { program, flush: () => Promise.all(pending) };
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and returns the exit code.
 * Errors are reported on stderr as one line each; nothing is thrown.
 */
export async function main(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.Ok;
  const { program, flush } = buildProgram(io, deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    exitCode = await reportError(error, io);
  }
  await flush();
  return exitCode;
}

async function reportError(error: unknown, io: CliIO): Promise<ExitCodeValue> {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
    if (error.code === 'commander.help' && error.exitCode === 0) return ExitCode.Ok;
    return ExitCode.Usage;
  }
  if (error instanceof UsageError) {
    await writeLine(io.stderr, `trail-audit: ${error.message}`);
    return ExitCode.Usage;
  }
  if (error instanceof Interrupted) {
    await writeLine(io.stderr, 'trail-audit: interrupted');
    return ExitCode.Interrupted;
  }
  const kind = error instanceof TargetError || !(error instanceof Error) ? '' : `${error.name}: `;
  await writeLine(io.stderr, `trail-audit: ${kind}${describeError(error)}`);
  return ExitCode.Failed;
}

/**
 * The process entry point: real stdout/stderr, the current folder, SIGINT → a clean stop (a second SIGINT exits at
 * once), and `process.exitCode` set from {@link main}. A closed stdout (`| head`) ends the run quietly.
 */
export async function runCli(): Promise<void> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.Ok);
    throw error;
  });
  try {
    process.exitCode = await main(process.argv.slice(2), {
      stdout: streamSink(process.stdout),
      stderr: streamSink(process.stderr),
      cwd: process.cwd(),
      now: () => new Date(),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
