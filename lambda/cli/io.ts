/**
 * The CLI's view of its surroundings: where it writes, where it runs, what time it is, and whether it was
 * interrupted. `main()` takes one of these so tests run every command in-process with captured output.
 */
import { writeSync } from 'node:fs';
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
  /**
   * Aborted on SIGINT, SIGTERM or SIGHUP (the reason is the signal's name): commands stop taking new work, and the
   * target is still closed.
   */
  readonly signal: AbortSignal;
  /**
   * Sets the one line a second signal prints as the CLI exits at once (a command's summary so far), or clears it
   * (`undefined`) in the same turn as the command writes its own summary; the CLI's entry point provides it, tests
   * need not.
   */
  readonly onForcedExit?: (line: (() => string) | undefined) => void;
}

/**
 * How much text a stream sink gathers before it writes: 64 KiB, the size of a pipe's buffer on Linux. `process
 * --json` prints thousands of short lines; one write (and one system call) per line costs more than the rest of the
 * printing.
 */
export const SINK_BUFFER_CHARS = 64 * 1024;

/** A {@link TextSink} over a Node stream, which can also write what it has gathered at once. */
export interface StreamSink extends TextSink {
  /**
   * Writes the text still gathered, synchronously (to the stream's file descriptor when it has one): for a process
   * that is about to exit, before the event loop turns again.
   */
  flushSync(): void;
}

/**
 * Wraps a Node stream (process.stdout, process.stderr) as a {@link TextSink} that gathers writes and honours
 * backpressure. Text is written once {@link SINK_BUFFER_CHARS} have gathered, and otherwise as soon as the event loop
 * turns (`setImmediate`), so a person watching sees each line at once and a script reading a pipe gets large writes.
 * A write fails once an earlier one has; the stream's own `error` event still fires (see `runCli`).
 */
export function streamSink(stream: Writable & { isTTY?: boolean; columns?: number; fd?: number }): StreamSink {
  let pending: string[] = [];
  let pendingChars = 0;
  let flushScheduled = false;
  let failure: Error | undefined;
  const flush = (): boolean => {
    flushScheduled = false;
    if (pendingChars === 0) return true;
    const text = pending.length === 1 ? (pending[0] as string) : pending.join('');
    pending = [];
    pendingChars = 0;
    return stream.write(text, (error) => {
      if (error) failure ??= error;
    });
  };
  return {
    write(text: string): Promise<void> {
      if (failure !== undefined) return Promise.reject(failure);
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars < SINK_BUFFER_CHARS) {
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
        return Promise.resolve();
      }
      if (flush()) return Promise.resolve();
      return new Promise((resolve) => stream.once('drain', () => resolve()));
    },
    flushSync(): void {
      if (pendingChars === 0) return;
      const text = pending.join('');
      pending = [];
      pendingChars = 0;
      if (stream.fd === undefined) stream.write(text);
      else writeSync(stream.fd, text);
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
