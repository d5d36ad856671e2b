/**
 * S3 object keys of CloudTrail deliveries: decoding them from event notifications and routing them by layout.
 *
 * CloudTrail writes `[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail[-Digest|-Insight]/REGION/YYYY/MM/DD/FILE`.
 * Routing is anchored at the `AWSLogs/` path segment, so any prefix before it and the organization-trail layout
 * both work. Pure: no AWS SDK, no environment, no logging.
 */

/** Raised when a key from an S3 notification is not valid URL encoding. */
export class ObjectKeyError extends Error {
  override readonly name = 'ObjectKeyError';
  constructor(
    message: string,
    readonly rawKey: string,
  ) {
    super(message);
  }
}

/**
 * The object key as stored, from the key of an S3 event notification.
 * S3 URL-encodes keys in notifications as a form would: a space is `+`, other bytes are `%XX` (a literal `+` is
 * `%2B`). So `+` becomes a space first, then `%XX` sequences are decoded as UTF-8.
 * @throws ObjectKeyError when a `%` sequence is malformed.
 */
export function decodeS3Key(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ObjectKeyError(`S3 object key is not valid URL encoding (${reason})`, raw);
  }
}

/**
 * What a CloudTrail object is, from its key. `unrecognised` is a key under a `CloudTrail*` folder that does not
 * have CloudTrail's layout: not processed, but worth a warning (a layout this code does not know yet would
 * otherwise be skipped silently).
 */
export type LogObjectKind = 'log' | 'digest' | 'insight' | 'unrecognised' | 'other';

/** An object key, routed: its kind and the fields its path names. */
export interface LogObjectKey {
  readonly kind: LogObjectKind;
  readonly accountId?: string;
  /** The organization id (`o-...`) of an organization trail. */
  readonly organizationId?: string;
  /** The region folder, when the key has CloudTrail's `REGION/YYYY/MM/DD/FILE` layout under the folder. */
  readonly region?: string;
  /** The delivery date folder, `YYYY-MM-DD`, when the key has CloudTrail's layout under the folder. */
  readonly date?: string;
}

const FOLDER_KINDS: Readonly<Record<string, LogObjectKind>> = {
  CloudTrail: 'log',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-Insight': 'insight',
};

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
/**
 * A region name, loosely: lower-case words and digits joined by hyphens (`us-east-1`, `us-gov-west-1`,
 * `eusc-de-east-1`). Strict patterns have missed new partitions' names; the region folder only fills a field.
 */
const REGION = /^[a-z]+(-[a-z0-9]+)+$/;
const LOG_FILE = /\.json(\.gz)?$/;
/** A path segment that names a CloudTrail delivery folder, known or not (`CloudTrail`, `CloudTrail-Digest`, ...). */
const CLOUDTRAIL_FOLDER = /^CloudTrail(-|$)/;

/**
 * Routes an object key (already decoded) by CloudTrail's layout, anchored at an `AWSLogs/` path segment.
 *
 * The route rests on what CloudTrail never changes: `AWSLogs/[o-ORGID/]ACCOUNT/<folder>/` and a file name ending
 * in `.json.gz` (or `.json`). Under `CloudTrail/` such a file is a `log`; under `CloudTrail-Digest/` a `digest`;
 * under `CloudTrail-Insight/` an `insight`. The folders below (`REGION/YYYY/MM/DD/`) only fill `region` and
 * `date` when present, so a new region name or a small layout difference does not drop a log file. A key with a
 * `CloudTrail*` path segment that fits none of this is `unrecognised`; anything else (other AWSLogs services,
 * stray objects) is `other`. When the prefix itself contains `AWSLogs/`, the first occurrence that has
 * CloudTrail's layout wins.
 */
export function parseLogObjectKey(key: string): LogObjectKey {
  const segments = key.split('/');
  for (let anchor = 0; anchor < segments.length; anchor++) {
    if (segments[anchor] !== 'AWSLogs') continue;
    const parsed = parseFrom(segments.slice(anchor + 1));
    if (parsed !== undefined) return parsed;
  }
  // A folder marker (`.../CloudTrail/`, made by the console) is no file. Folders only: a file name that merely
  // starts with "CloudTrail" outside such a folder is not CloudTrail's.
  if (key.endsWith('/')) return { kind: 'other' };
  const folders = segments.slice(0, -1);
  return { kind: folders.some((segment) => CLOUDTRAIL_FOLDER.test(segment)) ? 'unrecognised' : 'other' };
}

function parseFrom(rest: readonly string[]): LogObjectKey | undefined {
  let index = 0;
  let organizationId: string | undefined;
  if (rest[index] !== undefined && ORGANIZATION_ID.test(rest[index] ?? '')) {
    organizationId = rest[index];
    index++;
  }
  const accountId = rest[index];
  if (accountId === undefined || !ACCOUNT_ID.test(accountId)) return undefined;
  const folder = rest[index + 1];
  const kind = folder === undefined ? undefined : FOLDER_KINDS[folder];
  if (kind === undefined) return undefined;
  const below = rest.slice(index + 2);
  const fileName = below[below.length - 1];
  if (fileName === undefined || !LOG_FILE.test(fileName)) return undefined;
  return {
    kind,
    accountId,
    ...(organizationId === undefined ? {} : { organizationId }),
    ...standardFolders(below),
  };
}

/** `region` and `date` from `REGION/YYYY/MM/DD/FILE`, when the folders below the CloudTrail folder are exactly that. */
function standardFolders(below: readonly string[]): { region?: string; date?: string } {
  const [region, year, month, day, ...file] = below;
  if (
    region === undefined ||
    !REGION.test(region) ||
    !/^\d{4}$/.test(year ?? '') ||
    !/^\d{2}$/.test(month ?? '') ||
    !/^\d{2}$/.test(day ?? '') ||
    file.length !== 1
  ) {
    return {};
  }
  return { region, date: `${year ?? ''}-${month ?? ''}-${day ?? ''}` };
}

/** Removes the quotes S3 puts around an ETag (GetObject and listings quote it; notifications carry it bare). */
export function normaliseETag(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
