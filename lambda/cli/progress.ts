/**
 * Progress of an ingest: a one-line bar redrawn on a terminal (files, events, rate, ETA), and a plain summary
 * otherwise. Written here rather than taken from a package: it is one line of text.
 */
import type { TextSink } from './io';

/** What an ingest has done so far. */
export interface ProgressState {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly events: number;
  /** Bytes read of the files selected; with `bytesTotal`, the better ETA (files differ in size). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly elapsedMs: number;
}

const BAR_WIDTH = 24;

/** `1:05` / `1:02:03` for a duration. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Estimated time left, from bytes when their total is known, else from files; undefined before any progress. */
export function estimateRemainingMs(state: ProgressState): number | undefined {
  const [done, total] =
    state.bytesTotal > 0 ? [state.bytesDone, state.bytesTotal] : [state.filesDone, state.filesTotal];
  if (done <= 0 || state.elapsedMs <= 0) return undefined;
  return ((total - done) * state.elapsedMs) / done;
}

/** The bar line: `[#####·····] 12/40 files · 3,456 events · 1,200 events/s · ETA 0:12`. */
export function renderProgress(state: ProgressState): string {
  const fraction =
    state.bytesTotal > 0
      ? state.bytesDone / state.bytesTotal
      : state.filesTotal > 0
        ? state.filesDone / state.filesTotal
        : 0;
  const filled = Math.min(BAR_WIDTH, Math.round(Math.min(1, fraction) * BAR_WIDTH));
  const rate = state.elapsedMs > 0 ? Math.round((state.events * 1000) / state.elapsedMs) : 0;
  const remaining = estimateRemainingMs(state);
  return (
    `[${'#'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}] ` +
    `${state.filesDone}/${state.filesTotal} files · ${state.events.toLocaleString('en-US')} events · ` +
    `${rate.toLocaleString('en-US')} events/s · ETA ${remaining === undefined ? '--:--' : formatDuration(remaining)}`
  );
}

/** Redraws the bar on a terminal at most every `intervalMs`; draws nothing when the sink is not a terminal. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly sink: TextSink,
    private readonly clock: () => number = Date.now,
    private readonly intervalMs = 100,
  ) {}

  /** Redraws if the sink is a terminal and enough time has passed (or `force`). */
  async update(state: ProgressState, force = false): Promise<void> {
    if (!this.sink.isTTY) return;
    const now = this.clock();
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.drawn = true;
    const width = (this.sink.columns ?? 100) - 1;
    await this.sink.write(`\r\x1b[2K${renderProgress(state).slice(0, width)}`);
  }

  /** Clears the bar so the next line (a file's error, the summary) starts clean. */
  async clear(): Promise<void> {
    if (!this.drawn) return;
    this.drawn = false;
    await this.sink.write('\r\x1b[2K');
  }
}
