/**
 * The `trail-audit` command line: `process`, `ingest`, `backfill`, `query`, `show`, `alerts`, `verify`, `local`.
 * `main()` parses the arguments, runs one command and returns its exit code; it never calls `process.exit`, so
 * tests run it in-process. `runCli()` wires it to the real process (stdout, stderr, SIGINT, SIGTERM, SIGHUP) and is
 * what `bin/trail-audit-cli.js` calls, through the bundle `npm run build` makes of this module.
 *
 * Commands are loaded lazily: only the module of the command being run is evaluated (with the AWS SDK, when it
 * needs it), so `--help`, `--version` and `process` start without loading the SDK at all.
 */
import { writeSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import type { BackfillDeps } from './commands/backfill';
import type { IngestDeps } from './commands/ingest';
import { describeError, ExitCode, TargetError, UsageError, type ExitCodeValue } from './errors';
import { Interrupted, STOP_SIGNALS, type StopSignal } from './interrupt';
import { streamSink, writeLine, type CliIO } from './io';
import type { StartLocal } from './target';

/** What `main()` can be given besides its I/O; tests inject these, production uses the defaults. */
export interface CliDeps extends IngestDeps, BackfillDeps {
  readonly startLocal?: StartLocal;
}

/** Adds one command to the program; each command reports its exit code through `setExitCode`. */
export type RegisterCommand = (
  program: Command,
  io: CliIO,
  setExitCode: (code: ExitCodeValue) => void,
  deps: CliDeps,
) => void;

/**
 * A command as the top-level help lists it, and how to load it. The name, usage and summary are written here (as
 * commander's own stand-alone subcommands declare theirs at the parent) so that `trail-audit --help` lists every
 * command without evaluating any command's module; a unit test checks they equal what each module registers.
 */
export interface CommandEntry {
  readonly name: string;
  /** The arguments after the name, as commander writes them (`[options] <file...>`). */
  readonly usage: string;
  /** The one-line summary of the top-level help. */
  readonly summary: string;
  /** Imports the command's module. */
  readonly load: () => Promise<RegisterCommand>;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'process',
    usage: '[options] <file...>',
    summary: 'decode, select and normalise local CloudTrail files (nothing is stored)',
    load: async () => (await import('./commands/process.js')).registerProcessCommand,
  },
  {
    name: 'ingest',
    usage: '[options] [path...]',
    summary: 'store CloudTrail files (local or s3://) in the event table; re-runs skip what is done',
    load: async () => (await import('./commands/ingest.js')).registerIngestCommand,
  },
  {
    name: 'backfill',
    usage: '[options]',
    summary: "backfill a range of the trail's log files through the deployed workflow (Step Functions)",
    load: async () => (await import('./commands/backfill.js')).registerBackfillCommand,
  },
  {
    name: 'query',
    usage: '[options]',
    summary: 'who did what to which resource: events by principal, resource, access key or action, newest first',
    load: async () => {
      const { registerQueryCommand } = await import('./commands/query.js');
      return (program, io, setExitCode, deps) => registerQueryCommand(program, io, setExitCode, deps.startLocal);
    },
  },
  {
    name: 'show',
    usage: '[options] <eventID>',
    summary: 'print the original CloudTrail record of an event',
    load: async () => {
      const { registerShowCommand } = await import('./commands/show.js');
      return (program, io, setExitCode, deps) => registerShowCommand(program, io, setExitCode, deps.startLocal);
    },
  },
  {
    name: 'alerts',
    usage: '[options] <file...>',
    summary: 'evaluate the compliance rules on local CloudTrail files (nothing is sent)',
    load: async () => (await import('./commands/alerts.js')).registerAlertsCommand,
  },
  {
    name: 'verify',
    usage: '[options] [path...]',
    summary: "prove CloudTrail's log files are complete and unaltered, from its signed digest files",
    load: async () => (await import('./commands/verify.js')).registerVerifyCommand,
  },
  {
    name: 'local',
    usage: '[options] [command]',
    summary: "the embedded default's server: local status, local stop",
    load: async () => (await import('./commands/local.js')).registerLocalCommand,
  },
];

/**
 * The command `argv` runs: its first word that is not an option (`help NAME` counts as NAME), when it names a
 * command; undefined for the top-level help, `--version` and unknown commands, which need no command's module.
 */
function commandOf(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name);
}

/**
 * A command's code could not be loaded: a file of the CLI bundle is missing or damaged (an interrupted install or
 * build). Reported as one line, not the loader's stack.
 */
class CommandLoadError extends Error {
  constructor(command: string, cause: unknown) {
    super(
      `the code of the '${command}' command could not be loaded (${describeError(cause)}): the installation is ` +
        "incomplete; run 'npm run build' in trail-audit's folder, or install it again",
    );
    this.name = 'CommandLoadError';
  }
}

const EXIT_CODE_HELP = `
Exit codes:
  0    done
  1    some input failed (a bad file, an unknown event ID), named on stderr; the rest was done
  2    usage error: nothing was done
  3    the run failed (target unreachable, table missing, credentials)
  130  interrupted (Ctrl-C); 143 on SIGTERM, 129 on SIGHUP`;

/**
 * Builds the program for `argv`: the command it runs, loaded and registered in full; when it runs none, every
 * command as a name, usage and summary only, which is all the top-level help and commander's "unknown command"
 * suggestions read. Commander writes help and its errors synchronously: `flush` awaits those writes.
 */
export async function buildProgram(
  argv: readonly string[],
  io: CliIO,
  deps: CliDeps,
  setExitCode: (code: ExitCodeValue) => void,
): Promise<{ program: Command; flush: () => Promise<unknown> }> {
  const pending: Promise<void>[] = [];
  const program = new Command('trail-audit')
    .description(
      'CloudTrail audit for Elastic Load Balancing, Elastic Beanstalk and EC2 Auto Scaling: process log files, ' +
        'ingest them into the event table (the deployed one with --table, else an embedded DynamoDB Local), ' +
        'and ask who did what to which resource.',
    )
    .version(version)
    .configureOutput({
      writeOut: (text) => pending.push(io.stdout.write(text)),
      writeErr: (text) => pending.push(io.stderr.write(text)),
    })
    // The listed term is the command's usage, so a placeholder lists exactly as the loaded command would.
    .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}`.trimEnd() })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODE_HELP);
  const wanted = commandOf(argv);
  if (wanted === undefined) {
    for (const entry of COMMANDS) program.command(entry.name).usage(entry.usage).summary(entry.summary);
  } else {
    const register = await wanted.load().catch((error: unknown) => {
      throw new CommandLoadError(wanted.name, error);
    });
    register(program, io, setExitCode, deps);
  }
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
  let built: Awaited<ReturnType<typeof buildProgram>>;
  try {
    built = await buildProgram(argv, io, deps, (code) => {
      exitCode = code;
    });
  } catch (error) {
    if (!(error instanceof CommandLoadError)) throw error;
    await writeLine(io.stderr, `trail-audit: ${error.message}`);
    return ExitCode.Failed;
  }
  const { program, flush } = built;
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
    await writeLine(io.stderr, `trail-audit: ${error.message}`);
    return error.exitCode;
  }
  const kind = error instanceof TargetError || !(error instanceof Error) ? '' : `${error.name}: `;
  await writeLine(io.stderr, `trail-audit: ${kind}${describeError(error)}`);
  return ExitCode.Failed;
}

/**
 * The process entry point: real stdout/stderr, the current folder, SIGINT, SIGTERM and SIGHUP → a clean stop (a
 * second one exits at once, after the running command's one-line summary), and `process.exitCode` set from
 * {@link main}. A closed stdout (`| head`) ends the run quietly.
 */
export async function runCli(): Promise<void> {
  const controller = new AbortController();
  const stdout = streamSink(process.stdout);
  const stderr = streamSink(process.stderr);
  let lastWords: (() => string) | undefined;
  for (const name of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const handler = (): void => {
      if (controller.signal.aborted) {
        // Written synchronously: the process ends on the next line, before the event loop turns. What the sinks have
        // gathered goes first: it may hold the command's own summary, written after it cleared `lastWords`.
        try {
          stdout.flushSync();
          stderr.flushSync();
        } catch {
          // A closed pipe: the exit code below is what is left to say.
        }
        const line = lastWords?.();
        const clear = process.stderr.isTTY ? '\r\x1b[2K' : '';
        writeSync(2, `${clear}${line === undefined ? '' : `${line}\n`}trail-audit: stopped at once (${name})\n`);
        process.exit(STOP_SIGNALS[name]);
      }
      controller.abort(name);
    };
    process.on(name, handler);
  }
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.Ok);
    throw error;
  });
  try {
    process.exitCode = await main(process.argv.slice(2), {
      stdout,
      stderr,
      cwd: process.cwd(),
      now: () => new Date(),
      signal: controller.signal,
      onForcedExit: (line) => {
        lastWords = line;
      },
    });
  } finally {
    // The handlers stay while the process drains its output: a signal then still ends it with its exit code (not
    // killed by the signal), and without repeating the summary already printed.
    lastWords = undefined;
  }
}
