/**
 * The backfill workflow's plan: which prefixes of the log bucket its listing runs read.
 *
 * Step Functions' S3 item reader lists one prefix per map run, and CloudTrail's layout puts the date below the
 * account and the region (`AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`), so a range of days across
 * accounts and regions is many prefixes. The plan finds the account and region folders (a few delimiter listings)
 * and cuts the range into listing units, one map run each, run one after another by an inline Map in the parent
 * execution. Every run lists its prefix whole and the batch function skips, by key alone, what falls outside the
 * range, the accounts or the regions asked for — so a unit may cover more than the range, and the plan trades that
 * over-listing against the number of runs:
 *
 * - units are day, month or year folders of every region folder (log and digest folders alike): the fewest units
 *   whose folders cover at most twice the range plus two months;
 * - when that is more units than one execution holds ({@link MAX_LISTING_UNITS}: its history has 25,000 events and
 *   its state 256 KB), whole region folders, then whole accounts (`ACCOUNT/CloudTrail`, which covers the log and the
 *   digest folders), listed across their whole history;
 * - past that, the plan fails and says to split the backfill by account or to read an S3 Inventory manifest.
 */
import type { DayFolder } from '../core/date-folders';
import { daysBetween, dayStart, type BackfillRequest } from './backfill-request';
import type { FolderLister } from './ports';

/** The most listing units (map runs) one execution runs: about 8 history events each, under the 25,000 limit. */
export const MAX_LISTING_UNITS = 2_000;
/** The most bytes the unit list may take in the execution's state (256 KB in all, with the rest of the plan). */
const MAX_UNITS_JSON_BYTES = 180_000;

/** How much of a region folder one listing unit covers. */
export type ListingLevel = 'day' | 'month' | 'year' | 'region' | 'account';

/** The folders CloudTrail delivers a trail's files to. */
export interface TrailFolders {
  readonly accounts: readonly TrailAccount[];
}

/** One account folder and its region folders. */
export interface TrailAccount {
  /** The account folder, relative to the plan's base: `111122223333/` or `o-a1b2c3d4e5/111122223333/`. */
  readonly folder: string;
  readonly accountId: string;
  /** Region names (`us-east-1`), sorted. */
  readonly regions: readonly string[];
}

/** The listing units of a backfill. */
export interface ListingPlan {
  readonly level: ListingLevel;
  /** The prefixes to list, relative to the base, in the order they run. */
  readonly units: readonly string[];
}

/** Raised when a backfill cannot be planned (too many accounts for one execution, a base that is no log folder). */
export class BackfillPlanError extends Error {
  override readonly name = 'BackfillPlanError';
}

const ACCOUNT_FOLDER = /^\d{12}\/$/;
const ORGANIZATION_FOLDER = /^o-[a-z0-9]{10,32}\/$/;
const REGION_FOLDER = /^[a-z]+(-[a-z0-9]+)+\/$/;
/** The folders below an account folder that a backfill reads: log files, and digest files (the same path as live). */
const DELIVERY_FOLDERS = ['CloudTrail/', 'CloudTrail-Digest/'] as const;

/**
 * Finds the account and region folders under `base` (a trail's `[PREFIX/]AWSLogs/`, or an organization's
 * `…/AWSLogs/o-ORGID/`), keeping the accounts and regions the request names. Accounts and regions given in the
 * request are taken as given where that saves a listing: under an organization folder the account folders are not
 * listed, and given regions are not looked up.
 */
export async function discoverTrailFolders(
  lister: FolderLister,
  bucket: string,
  base: string,
  request: Pick<BackfillRequest, 'accounts' | 'regions'>,
): Promise<TrailFolders> {
  const underOrganization = /(?:^|\/)AWSLogs\/o-[a-z0-9]{10,32}\/$/.test(base);
  if (!underOrganization && !/(?:^|\/)AWSLogs\/$/.test(base)) {
    throw new BackfillPlanError(`'${base}' is not a trail's AWSLogs/ folder or an organization folder under it`);
  }
  const accountFolders: { folder: string; accountId: string }[] = [];
  const wanted = (accountId: string): boolean => request.accounts === undefined || request.accounts.includes(accountId);
  if (underOrganization && request.accounts !== undefined) {
    for (const accountId of request.accounts) accountFolders.push({ folder: `${accountId}/`, accountId });
  } else {
    for (const child of await children(lister, bucket, base)) {
      if (ACCOUNT_FOLDER.test(child) && wanted(child.slice(0, -1))) {
        accountFolders.push({ folder: child, accountId: child.slice(0, -1) });
      } else if (!underOrganization && ORGANIZATION_FOLDER.test(child)) {
        for (const grandchild of await children(lister, bucket, `${base}${child}`)) {
          if (ACCOUNT_FOLDER.test(grandchild) && wanted(grandchild.slice(0, -1))) {
            accountFolders.push({ folder: `${child}${grandchild}`, accountId: grandchild.slice(0, -1) });
          }
        }
      }
    }
  }
  const accounts: TrailAccount[] = [];
  for (const { folder, accountId } of accountFolders) {
    const regions =
      request.regions ??
      (await children(lister, bucket, `${base}${folder}CloudTrail/`))
        .filter((child) => REGION_FOLDER.test(child))
        .map((child) => child.slice(0, -1));
    if (regions.length > 0) accounts.push({ folder, accountId, regions: [...regions].sort() });
  }
  return { accounts };
}

async function children(lister: FolderLister, bucket: string, prefix: string): Promise<string[]> {
  return (await lister.listFolders(bucket, prefix)).map((folder) => folder.slice(prefix.length));
}

/**
 * Cuts `[firstDay, lastDay]` across the folders into listing units (see the module comment for the choice).
 * @throws BackfillPlanError when even one unit per account is more than {@link MAX_LISTING_UNITS}
 */
export function planListing(
  folders: TrailFolders,
  firstDay: DayFolder,
  lastDay: DayFolder,
  maxUnits = MAX_LISTING_UNITS,
): ListingPlan {
  const rangeDays = daysBetween(firstDay, lastDay);
  const candidates = (['day', 'month', 'year'] as const).map((level) => {
    const dates = datePrefixes(level, firstDay, lastDay);
    return { level, dates, coveredDays: coveredDays(level, dates) };
  });
  const acceptable = candidates.filter((candidate) => candidate.coveredDays <= 2 * rangeDays + 60);
  // The day level always qualifies (it covers the range exactly); among the rest the fewest prefixes wins.
  const chosen = acceptable.reduce((best, candidate) => (candidate.dates.length < best.dates.length ? candidate : best));
  const order: ListingLevel[] = ['day', 'month', 'year', 'region', 'account'];
  for (const level of order.slice(order.indexOf(chosen.level))) {
    const dates = level === 'region' || level === 'account' ? [''] : datePrefixes(level, firstDay, lastDay);
    const units = unitsOf(folders, level, dates);
    if (units.length <= maxUnits && JSON.stringify(units).length <= MAX_UNITS_JSON_BYTES) return { level, units };
  }
  throw new BackfillPlanError(
    `${folders.accounts.length} accounts need more listing runs than one execution holds (${maxUnits}): ` +
      'split the backfill by account (--accounts), or read an S3 Inventory manifest of the bucket (--manifest)',
  );
}

function unitsOf(folders: TrailFolders, level: ListingLevel, dates: readonly string[]): string[] {
  if (level === 'account') return folders.accounts.map((account) => `${account.folder}CloudTrail`);
  const units: string[] = [];
  for (const account of folders.accounts) {
    for (const region of account.regions) {
      for (const delivery of DELIVERY_FOLDERS) {
        for (const date of dates) units.push(`${account.folder}${delivery}${region}/${date}`);
      }
    }
  }
  return units;
}

/** The date folders (`2024/`, `2024/05/`, `2024/05/01/`) of a level that cover the range. */
function datePrefixes(level: 'day' | 'month' | 'year', firstDay: DayFolder, lastDay: DayFolder): string[] {
  const length = level === 'day' ? 10 : level === 'month' ? 7 : 4;
  const prefixes: string[] = [];
  for (let time = dayStart(firstDay); ; time += 86_400_000) {
    const day = new Date(time).toISOString().slice(0, 10).replace(/-/g, '/');
    if (day > lastDay) break;
    const prefix = `${day.slice(0, length)}/`;
    if (prefixes[prefixes.length - 1] !== prefix) prefixes.push(prefix);
  }
  return prefixes;
}

/** How many days the prefixes of a level cover in one region folder. */
function coveredDays(level: 'day' | 'month' | 'year', prefixes: readonly string[]): number {
  if (level === 'day') return prefixes.length;
  return prefixes.reduce((sum, prefix) => {
    const year = Number(prefix.slice(0, 4));
    if (level === 'year') return sum + daysBetween(`${year}/01/01`, `${year}/12/31`);
    const month = Number(prefix.slice(5, 7));
    return sum + new Date(Date.UTC(year, month, 0)).getUTCDate();
  }, 0);
}
