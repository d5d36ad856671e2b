/**
 * The names CloudTrail gives digest files and log files, read for what verification needs: which trail folder
 * (prefix, organization, account, region) an object belongs to, which trail and home region signed a digest, and
 * the time in each file name.
 *
 * Digest: `[prefix/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/`
 *         `ACCOUNT_CloudTrail-Digest_REGION_TRAILNAME_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz`
 * Log:    `[prefix/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz`
 *
 * Routing (the `AWSLogs/` anchor, organization folders, prefixes) is {@link parseLogObjectKey}'s; this adds the
 * file-name fields. Pure: no AWS SDK, no environment, no logging.
 */
import { parseLogObjectKey } from '../object-key';

/** The folder of one account and region of one bucket layout: where a trail's log files and digests sit side by side. */
export interface TrailFolder {
  /** Everything before the `AWSLogs/` segment: the trail's S3 key prefix with its slash, or `''`. */
  readonly prefix: string;
  readonly organizationId?: string;
  readonly accountId: string;
  /** The region the files were delivered from (the region folder). */
  readonly region: string;
}

/** A digest file's key, read. */
export interface DigestObjectName extends TrailFolder {
  /** The key from its `AWSLogs/` segment on: what a local copy of the bucket and the bucket itself share. */
  readonly layoutKey: string;
  readonly trailName: string;
  /** The trail's home region (where it was created): differs from `region` for a multi-region trail. */
  readonly homeRegion: string;
  /** The digest's end time, from the file name. */
  readonly endTime: Date;
  /** A backfill digest (`_backfill.json.gz`): lists log files an hourly digest missed. */
  readonly backfill: boolean;
}

/** A log file's key, read. */
export interface LogFileObjectName extends TrailFolder {
  /** The key from its `AWSLogs/` segment on. */
  readonly layoutKey: string;
  /** The time in the file name (`YYYYMMDDTHHMMZ`): about when CloudTrail wrote it, minutes before delivery. */
  readonly fileTime: Date;
}

const DIGEST_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const LOG_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/;
const REGION = /^[a-z]+(-[a-z0-9]+)+$/;

/** The key from the `AWSLogs/` segment that starts CloudTrail's layout, with the prefix before it. */
function anchored(key: string): { prefix: string; layoutKey: string } | undefined {
  const segments = key.split('/');
  for (let index = 0; index < segments.length; index++) {
    if (segments[index] !== 'AWSLogs') continue;
    const layoutKey = segments.slice(index).join('/');
    if (parseLogObjectKey(layoutKey).kind === 'other') continue;
    const prefix = segments.slice(0, index).join('/');
    return { prefix: prefix === '' ? '' : `${prefix}/`, layoutKey };
  }
  return undefined;
}

/**
 * The key from its `AWSLogs/` segment on, or the key itself when it has no CloudTrail layout. A local copy of a
 * bucket and the bucket hold the same layout keys, whatever the prefix or the folder the copy sits in.
 */
export function layoutKeyOf(key: string): string {
  return anchored(key)?.layoutKey ?? key;
}

function folderOf(key: string, kind: 'digest' | 'log'): (TrailFolder & { layoutKey: string; fileName: string }) | undefined {
  const anchor = anchored(key);
  if (anchor === undefined) return undefined;
  const routed = parseLogObjectKey(anchor.layoutKey);
  if (routed.kind !== kind || routed.accountId === undefined || routed.region === undefined) return undefined;
  const fileName = anchor.layoutKey.slice(anchor.layoutKey.lastIndexOf('/') + 1);
  return {
    prefix: anchor.prefix,
    ...(routed.organizationId === undefined ? {} : { organizationId: routed.organizationId }),
    accountId: routed.accountId,
    region: routed.region,
    layoutKey: anchor.layoutKey,
    fileName,
  };
}

/** Reads a digest file's key; undefined when it is not a digest key in CloudTrail's layout. */
export function parseDigestObjectName(key: string): DigestObjectName | undefined {
  const folder = folderOf(key, 'digest');
  if (folder === undefined) return undefined;
  const { fileName, ...rest } = folder;
  const head = `${folder.accountId}_CloudTrail-Digest_${folder.region}_`;
  if (!fileName.startsWith(head)) return undefined;
  const backfill = fileName.endsWith('_backfill.json.gz');
  const body = fileName.slice(head.length, fileName.length - (backfill ? '_backfill.json.gz' : '.json.gz').length);
  // TRAILNAME_HOMEREGION_TIME: trail names may hold underscores, regions and times never do.
  const timeAt = body.lastIndexOf('_');
  const regionAt = body.lastIndexOf('_', timeAt - 1);
  if (timeAt <= 0 || regionAt <= 0) return undefined;
  const trailName = body.slice(0, regionAt);
  const homeRegion = body.slice(regionAt + 1, timeAt);
  const endTime = parseCompactTime(body.slice(timeAt + 1), DIGEST_TIME);
  if (!REGION.test(homeRegion) || endTime === undefined) return undefined;
  return { ...rest, trailName, homeRegion, endTime, backfill };
}

/** Reads a log file's key; undefined when it is not a log file key in CloudTrail's layout. */
export function parseLogFileObjectName(key: string): LogFileObjectName | undefined {
  const folder = folderOf(key, 'log');
  if (folder === undefined) return undefined;
  const { fileName, ...rest } = folder;
  const head = `${folder.accountId}_CloudTrail_${folder.region}_`;
  if (!fileName.startsWith(head)) return undefined;
  const fileTime = parseCompactTime(fileName.slice(head.length).split('_')[0] ?? '', LOG_TIME);
  if (fileTime === undefined) return undefined;
  return { ...rest, fileTime };
}

function parseCompactTime(text: string, pattern: RegExp): Date | undefined {
  const match = pattern.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const time = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** One string per trail folder, the same for its log files and its digests (`prefix/AWSLogs/[o-ID/]ACCOUNT REGION`). */
export function trailFolderId(folder: TrailFolder): string {
  const organization = folder.organizationId === undefined ? '' : `${folder.organizationId}/`;
  return `${folder.prefix}AWSLogs/${organization}${folder.accountId} ${folder.region}`;
}

/**
 * One string per digest chain: CloudTrail chains the digests of one trail in one region, and backfill digests
 * apart from the hourly ones.
 */
export function chainId(name: DigestObjectName): string {
  return `${trailFolderId(name)} ${name.trailName} ${name.homeRegion}${name.backfill ? ' backfill' : ''}`;
}
