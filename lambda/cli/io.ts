/**
 * The CLI's view of its surroundings: where it writes, where it runs, what time it is, and whether it was
 * interrupted. `main()` takes one of these so tests run every command in-process with captured output.
 */
import type { Writable } from 'node:stream';

/** Somewhere the CLI writes text: stdout or stderr, or a buffer in tests. */
export interface TextSink {
  /** Writes `text`; the promise settles once the sink can take more (backpressure on pipes). */
  write(text: string): Promise<void>;
  /** True when a person watches this sink: progress bars are drawn only then. */
  readonly isTTY: boolean;
  /** Terminal width in columns, when known. */
  readonly columns?: number;
}

/** Everything a command needs from outside itself. */
export interface CliIO {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Folder that relative paths (and the default `--data-dir`) resolve against. */
  readonly cwd: string;
  /** The clock relative times (`--since 24h`) count back from. */
  readonly now: () => Date;
  /** Aborted on SIGINT: commands stop taking new work, and the target is still closed. */
  readonly signal: AbortSignal;
}

/** Wraps a Node stream (process.stdout, process.stderr) as a {@link TextSink} that honours backpressure. */
export function streamSink(stream: Writable & { isTTY?: boolean; columns?: number }): TextSink {
  return {
    write(text: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const ok = stream.write(text, (error) => {
          if (error) reject(error);
        });
        if (ok) resolve();
        else stream.once('drain', () => resolve());
      });
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** Writes one line (a newline is appended). */
export async function writeLine(sink: TextSink, line: string): Promise<void> {
  await sink.write(`${line}\n`);
}
