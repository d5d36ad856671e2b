/**
 * A {@link CliIO} that captures what the CLI writes, for running `main()` in-process. Shared by the unit and
 * integration tests of the CLI.
 */
import type { CliIO, TextSink } from '../../../lambda/cli/io';

/** A sink that keeps everything written to it. */
export interface CapturedSink extends TextSink {
  /** Everything written so far. */
  text(): string;
  /** The written text split into lines (the last, empty one after a final newline dropped). */
  lines(): string[];
}

/** A sink that records writes; `isTTY` and `columns` as given. */
export function captureSink(isTTY = false, columns?: number): CapturedSink {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return Promise.resolve();
    },
    isTTY,
    ...(columns === undefined ? {} : { columns }),
    text: () => text,
    lines: () => text.split('\n').filter((line, index, all) => !(index === all.length - 1 && line === '')),
  };
}

/** A captured CLI environment and its parts. */
export interface CapturedIO extends CliIO {
  readonly stdout: CapturedSink;
  readonly stderr: CapturedSink;
  readonly controller: AbortController;
}

/** An environment rooted at `cwd`, with a fixed clock. */
export function captureIO(cwd: string, now = new Date('2026-11-21T12:00:00Z')): CapturedIO {
  const controller = new AbortController();
  return {
    stdout: captureSink(),
    stderr: captureSink(),
    cwd,
    now: () => now,
    signal: controller.signal,
    controller,
  };
}
