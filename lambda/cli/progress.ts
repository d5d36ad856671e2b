/**
 * Progress of an ingest: a one-line bar redrawn on a terminal (files, events, rate, ETA), and a plain summary
 * otherwise. Written here rather than taken from a package: it is one line of text.
 */
import type { TextSink } from './io';

/**
 * What an ingest has done so far. Every field counts completed work — events written, files finished, bytes whose
 * events are written — so the file count, the bar and the ETA agree: the bar is not full, nor the ETA zero, while
 * writes are still pending.
 */
export interface ProgressState {
  /** Files finished: their events written (or the file skipped or failed). */
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Events written. */
  readonly events: number;
  /**
   * Bytes of the selected files whose events are written; with `bytesTotal`, the better ETA (files differ in
   * size).
   */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly elapsedMs: number;
  /**
   * What the run counts in `filesDone`/`filesTotal`, in the singular (`ingest --event-history` counts streams: one
   * region and one event source each).
   * @default 'file'
   */
  readonly unit?: string;
}

const BAR_WIDTH = 24;
/** The width assumed when the terminal does not say (or says 0, as some pseudo-terminals do). */
const DEFAULT_COLUMNS = 80;
/** The fewest characters drawn: below this the line says nothing useful, and a real terminal is never this narrow. */
const MIN_WIDTH = 20;

/** `1:05` / `1:02:03` for a duration. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * The fraction of the work done, from bytes when their total is known, else from files. It reaches 1 only when
 * every file is finished: bytes can all be counted while a file's last writes or ledger entry are pending.
 */
function fractionDone(state: ProgressState): number {
  const filesLeft = state.filesTotal - state.filesDone;
  const fraction =
    state.bytesTotal > 0
      ? state.bytesDone / state.bytesTotal
      : state.filesTotal > 0
        ? state.filesDone / state.filesTotal
        : 0;
  const clamped = Math.min(1, Math.max(0, fraction));
  return filesLeft > 0 && clamped >= 1 && state.filesTotal > 0 ? 1 - 1 / (state.filesTotal * BAR_WIDTH) : clamped;
}

/** Estimated time left, from the fraction of work done; undefined before any progress. */
export function estimateRemainingMs(state: ProgressState): number | undefined {
  const fraction = fractionDone(state);
  if (fraction <= 0 || state.elapsedMs <= 0) return undefined;
  return ((1 - fraction) * state.elapsedMs) / fraction;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/** The bar itself, `[#####·····]`, for a fraction done (rounded down: a full bar means all is done). */
export function renderBar(fraction: number): string {
  const filled = Math.min(BAR_WIDTH, Math.max(0, Math.floor(fraction * BAR_WIDTH)));
  return `[${'#'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}]`;
}

/** The bar line: `[#####·····] 12/40 files · 3,456 events · 1,200 events/s · ETA 0:12`. */
export function renderProgress(state: ProgressState): string {
  const fraction = fractionDone(state);
  const rate = state.elapsedMs > 0 ? Math.round((state.events * 1000) / state.elapsedMs) : 0;
  const estimate = estimateRemainingMs(state);
  // While a file is unfinished the work is not done: never claim 0:00 left.
  const remaining =
    estimate === undefined || state.filesDone >= state.filesTotal ? estimate : Math.max(1_000, estimate);
  return (
    `${renderBar(fraction)} ` +
    `${state.filesDone}/${state.filesTotal} ${plural(state.filesTotal, state.unit ?? 'file')} · ` +
    `${state.events.toLocaleString('en-US')} ${plural(state.events, 'event')} · ` +
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
    await this.show(renderProgress(state), force);
  }

  /** Draws a line of the caller's own (the backfill's map-run counts) the way {@link update} draws an ingest's. */
  async show(line: string, force = false): Promise<void> {
    if (!this.sink.isTTY) return;
    const now = this.clock();
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.drawn = true;
    // One column short of the terminal: a line that fills it exactly wraps on some terminals, breaking `\r`.
    const columns = this.sink.columns;
    const width = columns === undefined || columns <= 0 ? DEFAULT_COLUMNS - 1 : Math.max(MIN_WIDTH, columns - 1);
    await this.sink.write(`\r\x1b[2K${line.slice(0, width)}`);
  }

  /** Clears the bar so the next line (a file's error, the summary) starts clean. */
  async clear(): Promise<void> {
    if (!this.drawn) return;
    this.drawn = false;
    await this.sink.write('\r\x1b[2K');
  }
}
