/**
 * Time ranges over CloudTrail's delivery folders (`--since` / `--until` of `ingest`, the backfill workflow): which
 * date folders of CloudTrail's key layout (`[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/file.json.gz`)
 * hold the files of a time range. Pure: the CLI and the backfill workflow's plan step select the same folders.
 *
 * CloudTrail files a log under the day it delivers it, up to about 15 minutes after the events it holds, so the
 * events of a day's last minutes can sit in the next day's folder: the selection takes one extra day after
 * `--until`. It selects files, not events: a selected file is ingested whole.
 */

const DAY_MS = 86_400_000;

/** A time range with optional ends, both inclusive. */
export interface TimeRange {
  readonly since?: Date;
  readonly until?: Date;
}

// The date folders that follow the region folder under `CloudTrail/`.
const DATE_FOLDER = /(?:^|\/)CloudTrail\/[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\//;

/** A day as CloudTrail's folders write it: `YYYY/MM/DD`. */
export type DayFolder = string;

/** The `YYYY/MM/DD` date folder a key sits in, or undefined when the key is not in CloudTrail's layout. */
export function dayFolderOfKey(key: string): DayFolder | undefined {
  const match = DATE_FOLDER.exec(key);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return undefined;
  return `${match[1]}/${match[2]}/${match[3]}`;
}

function dayFolderOf(date: Date): DayFolder {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

/** The first and last date folder (inclusive) that can hold events of `range`; an open end stays open. */
export function dayFolderBounds(range: TimeRange): { readonly first?: DayFolder; readonly last?: DayFolder } {
  return {
    ...(range.since === undefined ? {} : { first: dayFolderOf(range.since) }),
    ...(range.until === undefined ? {} : { last: dayFolderOf(new Date(range.until.getTime() + DAY_MS)) }),
  };
}

/**
 * Whether a key's date folder falls in the range (see {@link dayFolderBounds}). Keys outside CloudTrail's layout
 * are selected only when no range is asked for: with a range, a key without a date cannot be placed in it.
 */
export function keyInRange(key: string, range: TimeRange): boolean {
  if (range.since === undefined && range.until === undefined) return true;
  const day = dayFolderOfKey(key);
  if (day === undefined) return false;
  const { first, last } = dayFolderBounds(range);
  return (first === undefined || day >= first) && (last === undefined || day <= last);
}

/**
 * Every date folder of a closed range, oldest first, so a backfill lists only those prefixes instead of the
 * whole region folder.
 * @returns undefined when the range has an open start (then there is no first folder to enumerate from)
 */
export function dayFoldersOf(range: TimeRange, now: Date): DayFolder[] | undefined {
  if (range.since === undefined) return undefined;
  const { first, last } = dayFolderBounds({ since: range.since, until: range.until ?? now });
  if (first === undefined || last === undefined) return undefined;
  const folders: DayFolder[] = [];
  for (let time = Date.parse(`${first.replace(/\//g, '-')}T00:00:00Z`); ; time += DAY_MS) {
    const folder = dayFolderOf(new Date(time));
    if (folder > last) break;
    folders.push(folder);
  }
  return folders;
}
