/**
 * Run totals of `process` and `ingest`: the pipeline's per-object counts added up, plus what happened to whole
 * files, printed as one summary line on stderr (identifiers and counts only).
 */
import type { LogObjectOutcome } from '../app/log-object-service';
import type { PipelineCounts } from '../core/pipeline';

/** The summary's reason for events left out because their `eventTime` is outside `--since` / `--until`. */
export const OUTSIDE_TIME_RANGE = 'outside-time-range';

/** What a run did, over all its objects. */
export interface RunTotals {
  files: number;
  /** Files read through the pipeline (not skipped by the ledger, not failed before opening). */
  filesRead: number;
  /** Whole files skipped by the pipeline (digest, Insight, empty, not a log file), by reason. */
  filesSkipped: Record<string, number>;
  /** Files the ledger said were already ingested with the same fingerprint. */
  filesUnchanged: number;
  filesFailed: number;
  recordsRead: number;
  kept: number;
  /** Kept events whose operation the resource tables do not know (stored with generic resources). */
  unknownOperations: number;
  /** Kept events whose record is stored trimmed to fit an item (or without its raw bytes). */
  recordsTrimmed: number;
  /** Resources kept events name beyond the per-event cap, left out. */
  resourcesOmitted: number;
  /** Records not kept, by reason. */
  skipped: Record<string, number>;
  /** Events written to the table (ingest only): what `kept` became once stored. */
  stored: number;
  /** Files stopped by an interrupt before they were finished (ingest only): a re-run reads them again. */
  filesInterrupted: number;
  /** Files a stopped run never started (ingest only). */
  filesNotStarted: number;
  /** Events a resumed file did not write again: an interrupted run had stored them (ingest only). */
  resumed: number;
  /** Items written, a failed write's share included (ingest only). */
  itemsWritten: number;
  /** Write requests retried (ingest only). */
  retries: number;
}

/** Zeroed totals. */
export function newTotals(): RunTotals {
  return {
    files: 0,
    filesRead: 0,
    filesSkipped: {},
    filesUnchanged: 0,
    filesFailed: 0,
    recordsRead: 0,
    kept: 0,
    unknownOperations: 0,
    recordsTrimmed: 0,
    resourcesOmitted: 0,
    skipped: {},
    stored: 0,
    filesInterrupted: 0,
    filesNotStarted: 0,
    resumed: 0,
    itemsWritten: 0,
    retries: 0,
  };
}

/** Adds one object's pipeline counts to the totals. */
export function addCounts(totals: RunTotals, counts: PipelineCounts): void {
  totals.filesRead += 1;
  totals.recordsRead += counts.recordsRead;
  totals.kept += counts.kept;
  totals.unknownOperations += counts.unknownOperations;
  totals.recordsTrimmed += counts.recordsTrimmed;
  totals.resourcesOmitted += counts.resourcesOmitted;
  for (const [reason, count] of Object.entries(counts.skipped)) {
    totals.skipped[reason] = (totals.skipped[reason] ?? 0) + (count ?? 0);
  }
  if (counts.fileSkipped !== undefined) {
    totals.filesSkipped[counts.fileSkipped] = (totals.filesSkipped[counts.fileSkipped] ?? 0) + 1;
  }
}

/**
 * Adds what the log-object service did with one object: a file the ledger already had is counted as unchanged and
 * nothing else; a file skipped by its key (a digest or Insight folder) as a skipped file; anything read, failed or
 * not, with its record counts, the events it stored and the items and retries its writes made.
 */
export function addOutcome(totals: RunTotals, outcome: LogObjectOutcome): void {
  if (outcome.status === 'skipped' && outcome.reason === 'already-processed') {
    totals.filesUnchanged += 1;
    return;
  }
  if (outcome.status === 'skipped' && outcome.counts.fileSkipped === undefined) {
    totals.filesSkipped[outcome.reason] = (totals.filesSkipped[outcome.reason] ?? 0) + 1;
    return;
  }
  if (outcome.status === 'failed') totals.filesFailed += 1;
  if (outcome.status === 'interrupted') totals.filesInterrupted += 1;
  addCounts(totals, outcome.counts);
  const { stored } = outcome;
  totals.stored += stored.events;
  totals.resumed += stored.resumed;
  totals.itemsWritten += stored.itemsWritten;
  totals.retries += stored.retries;
  if (stored.outsideRange > 0) {
    totals.skipped[OUTSIDE_TIME_RANGE] = (totals.skipped[OUTSIDE_TIME_RANGE] ?? 0) + stored.outsideRange;
  }
}

function number(value: number): string {
  return value.toLocaleString('en-US');
}

function byReason(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, count]) => `${reason} ${number(count)}`)
    .join(', ');
}

/** Options of {@link renderSummary}. */
export interface SummaryOptions {
  /**
   * Which count of events to show: `kept` (what the selection kept: `process`, a dry run) or `stored` (what is in
   * the table now: `ingest`, where a file that failed half-way kept more than it stored).
   * @default 'kept'
   */
  readonly events?: 'kept' | 'stored';
  /**
   * What `files` counts (`page` for Event history).
   * @default 'file'
   */
  readonly unit?: string;
}

/**
 * The summary line: `5 files (1 skipped: digest-file 1; 1 failed), 1,234 records, 56 kept, 2 unknown operations;
 * skipped: other-service 1,170, duplicate-event 8`. Unknown operations are named only when there are some: they
 * are kept events whose resources were taken generically, a sign the resource tables need an entry. So are kept
 * events whose record is stored trimmed (`3 trimmed to fit`) and resources left out by the per-event cap. A stopped
 * run names the files it interrupted and those it never started.
 */
export function renderSummary(totals: RunTotals, extra: readonly string[] = [], options: SummaryOptions = {}): string {
  const unit = options.unit ?? 'file';
  const fileNotes: string[] = [];
  const skippedFiles = byReason(totals.filesSkipped);
  if (skippedFiles !== '') fileNotes.push(`skipped: ${skippedFiles}`);
  if (totals.filesUnchanged > 0) fileNotes.push(`${number(totals.filesUnchanged)} already ingested`);
  if (totals.filesFailed > 0) fileNotes.push(`${number(totals.filesFailed)} failed`);
  if (totals.filesInterrupted > 0) fileNotes.push(`${number(totals.filesInterrupted)} interrupted`);
  if (totals.filesNotStarted > 0) fileNotes.push(`${number(totals.filesNotStarted)} not started`);
  const events = options.events === 'stored' ? totals.stored : totals.kept;
  const parts = [
    `${number(totals.files)} ${unit}${totals.files === 1 ? '' : 's'}` +
      (fileNotes.length > 0 ? ` (${fileNotes.join('; ')})` : ''),
    `${number(totals.recordsRead)} record${totals.recordsRead === 1 ? '' : 's'}`,
    `${number(events)} ${options.events ?? 'kept'}`,
    ...(totals.unknownOperations > 0
      ? [`${number(totals.unknownOperations)} unknown operation${totals.unknownOperations === 1 ? '' : 's'}`]
      : []),
    ...(totals.recordsTrimmed > 0 ? [`${number(totals.recordsTrimmed)} trimmed to fit`] : []),
    ...(totals.resourcesOmitted > 0
      ? [`${number(totals.resourcesOmitted)} resource${totals.resourcesOmitted === 1 ? '' : 's'} beyond the cap`]
      : []),
    ...extra,
  ];
  const skippedRecords = byReason(totals.skipped);
  return `${parts.join(', ')}${skippedRecords === '' ? '' : `; skipped: ${skippedRecords}`}`;
}
