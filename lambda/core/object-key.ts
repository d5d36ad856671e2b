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

/** What a CloudTrail object is, from its key. */
export type LogObjectKind = 'log' | 'digest' | 'insight' | 'other';

/** An object key, routed: its kind and the fields its path names. */
export interface LogObjectKey {
  readonly kind: LogObjectKind;
  readonly accountId?: string;
  /** The organization id (`o-...`) of an organization trail. */
  readonly organizationId?: string;
  readonly region?: string;
  /** The delivery date folder, `YYYY-MM-DD`. */
  readonly date?: string;
}

const FOLDER_KINDS: Readonly<Record<string, LogObjectKind>> = {
  CloudTrail: 'log',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-Insight': 'insight',
};

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const LOG_FILE = /\.json(\.gz)?$/;

/**
 * Routes an object key (already decoded) by CloudTrail's layout, anchored at an `AWSLogs/` path segment.
 * A key under `CloudTrail/` whose file ends in `.json.gz` (or `.json`) is a `log`; `CloudTrail-Digest/` a
 * `digest`; `CloudTrail-Insight/` an `insight`; anything else (other AWSLogs services, stray objects) `other`.
 * When the prefix itself contains `AWSLogs/`, the first occurrence that has CloudTrail's layout wins.
 */
export function parseLogObjectKey(key: string): LogObjectKey {
  const segments = key.split('/');
  for (let anchor = 0; anchor < segments.length; anchor++) {
    if (segments[anchor] !== 'AWSLogs') continue;
    const parsed = parseFrom(segments.slice(anchor + 1));
    if (parsed !== undefined) return parsed;
  }
  return { kind: 'other' };
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
  const [region, year, month, day, ...file] = rest.slice(index + 2);
  if (
    region === undefined ||
    !REGION.test(region) ||
    !/^\d{4}$/.test(year ?? '') ||
    !/^\d{2}$/.test(month ?? '') ||
    !/^\d{2}$/.test(day ?? '') ||
    file.length !== 1
  ) {
    return undefined;
  }
  const fileName = file[0] ?? '';
  const base = {
    accountId,
    ...(organizationId === undefined ? {} : { organizationId }),
    region,
    date: `${year ?? ''}-${month ?? ''}-${day ?? ''}`,
  };
  if (kind === 'log' && !LOG_FILE.test(fileName)) return { kind: 'other', ...base };
  return { kind, ...base };
}
