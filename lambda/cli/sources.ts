/**
 * What `process` and `ingest` read: local files and folders, or an S3 prefix, turned into a list of log objects
 * with an id for the file ledger, a fingerprint of their version, and a way to stream their bytes.
 */
import type { paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LogObjectNotFoundError, type LogObjectSource, type OpenedLogObject } from '../app/ports';
import { layoutKeyOf } from '../core/digest';
import { normaliseETag } from '../core/object-key';
import { dayFoldersOf, keyInRange } from '../core/date-folders';
import { describeError, UsageError } from './errors';
import type { TimeRange } from './time';

/** An object found in a source: listed, or named by a digest file found there. */
export interface SourceObject {
  /** The file ledger's id: `file:///abs/path` or `s3://bucket/key`. */
  readonly objectId: string;
  /** The name the pipeline reports in its errors and recognises digest and Insight files by. */
  readonly objectKey: string;
  /**
   * Opens the bytes as a stream, with the object's version (`etag`: its ETag, or `size:mtimeMs` of a file) and, from
   * S3, its user metadata (a digest's signature).
   * @throws LogObjectNotFoundError when the object is not there
   */
  open(): Promise<OpenedLogObject>;
  /**
   * Finds, in the same source, an object a digest file names by its S3 bucket and key: in S3 that object; in a
   * local copy the file at the same place under the folder that holds this object's `AWSLogs/`.
   * @default none: the object has no CloudTrail layout to find others by
   */
  readonly locate?: (bucket: string, key: string) => SourceObject;
}

/** One log object to read. */
export interface LogObject extends SourceObject {
  /** What messages call it: the path as the user gave it (joined with the folder walk), or the `s3://` URL. */
  readonly displayName: string;
  /** The version the ledger compares: `size:mtimeMs` of a file, the ETag of an S3 object. */
  readonly fingerprint: string;
  readonly size: number;
  /** The S3 storage class (`STANDARD`, `GLACIER`, ...); absent for local files. */
  readonly storageClass?: string;
}

/** The chunk size local files are read in. */
const LOCAL_READ_BYTES = 1024 * 1024;

/** An input that could not be listed (a missing path): reported by name, the rest goes on. */
export interface InputFailure {
  readonly input: string;
  readonly reason: string;
}

/** The objects found under the inputs, and the inputs that could not be read. */
export interface Listing {
  readonly objects: LogObject[];
  readonly failures: InputFailure[];
}

/**
 * Names a folder walk picks up: CloudTrail's own `.json.gz`, plain `.json`, and the newline-delimited exports
 * (`.jsonl`, `.ndjson`) some tools write. A file named on the command line is read whatever its name.
 */
const LOG_FILE_NAME = /\.(json|jsonl|ndjson)(\.gz)?$|\.gz$/i;

/** Whether a folder walk reads a file of this name. */
export function isLogFileName(name: string): boolean {
  return LOG_FILE_NAME.test(name);
}

/** An `s3://bucket/prefix` argument, split. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** Parses `s3://bucket[/prefix]`; undefined for anything that is not an `s3://` URL. */
export function parseS3Url(input: string): S3Location | undefined {
  if (!input.startsWith('s3://')) return undefined;
  const rest = input.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  // Bucket naming rules, loosely: enough to catch `s3:///key` and `s3://Bucket Name`.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UsageError(`'${input}' does not name an S3 bucket: use s3://bucket/prefix`);
  }
  return { bucket, prefix };
}

/**
 * Lists local files: each file as given, each folder recursively (log file names only, see
 * {@link isLogFileName}; hidden entries such as `.trail-audit/` skipped), sorted so runs are repeatable.
 *
 * Symbolic links in a folder are followed, to files and folders inside or outside it: a folder of links to the
 * day's logs is read like the logs. A file or folder reached twice (two links to it, or a link back up the tree) is
 * read once, so a loop ends; a link to nothing is named as a failure rather than skipped without a word.
 */
export async function listLocal(inputs: readonly string[], cwd: string): Promise<Listing> {
  const objects: LogObject[] = [];
  const failures: InputFailure[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const absolute = resolve(cwd, input);
    try {
      const info = await stat(absolute);
      if (info.isDirectory()) {
        for await (const found of walk(absolute, seen)) {
          const displayName = join(input, relative(absolute, found.path));
          if ('reason' in found) failures.push({ input: displayName, reason: found.reason });
          else objects.push(await localObject(found.path, displayName));
        }
      } else {
        objects.push(await localObject(absolute, input));
      }
    } catch (error) {
      failures.push({ input, reason: fileErrorReason(error) });
    }
  }
  return { objects, failures };
}

/** What a folder walk finds: a log file to read, or an entry that cannot be read (a broken link). */
type Found = { readonly path: string } | { readonly path: string; readonly reason: string };

/**
 * The log files under `folder`, depth first in name order. `seen` holds the real paths of the folders and files
 * already listed in this run: a real path is listed once, however many links lead to it.
 */
async function* walk(folder: string, seen: Set<string>): AsyncGenerator<Found> {
  const real = await realpath(folder);
  if (seen.has(real)) return;
  seen.add(real);
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch (error) {
        if (isLogFileName(entry.name)) yield { path, reason: `symbolic link to nothing: ${fileErrorReason(error)}` };
        continue;
      }
    }
    if (isDirectory) yield* walk(path, seen);
    else if (isFile && isLogFileName(entry.name)) {
      const realFile = await realpath(path);
      if (seen.has(realFile)) continue;
      seen.add(realFile);
      yield { path };
    }
  }
}

async function localObject(absolute: string, displayName: string): Promise<LogObject> {
  const info = await stat(absolute);
  if (!info.isFile()) throw new Error('not a regular file');
  const fingerprint = localFingerprint(info);
  const root = localRoot(absolute, displayName);
  return {
    objectId: pathToFileURL(absolute).href,
    displayName,
    objectKey: displayName,
    fingerprint,
    size: info.size,
    // 1 MiB reads rather than the default 64 KiB: a local log file is read whole, and fewer, larger chunks cost the
    // decoder less per byte.
    open: () =>
      Promise.resolve({ body: createReadStream(absolute, { highWaterMark: LOCAL_READ_BYTES }), etag: fingerprint, size: info.size }),
    ...(root === undefined ? {} : { locate: (_bucket: string, key: string) => localSibling(root, key) }),
  };
}

function localFingerprint(info: { size: number; mtimeMs: number }): string {
  return `${info.size}:${Math.trunc(info.mtimeMs)}`;
}

/**
 * Where a local copy of a bucket starts: the absolute path and the path as given, each without the object's key from
 * `AWSLogs/` on; undefined when the path has no CloudTrail layout.
 */
function localRoot(absolute: string, displayName: string): { absolute: string; display: string } | undefined {
  const layoutKey = layoutKeyOf(absolute);
  if (layoutKey === absolute || !absolute.endsWith(layoutKey) || !displayName.endsWith(layoutKey)) return undefined;
  return {
    absolute: absolute.slice(0, absolute.length - layoutKey.length),
    display: displayName.slice(0, displayName.length - layoutKey.length),
  };
}

/** The file of a local copy at the place of `key` (from its `AWSLogs/` on); its absence shows when it is opened. */
function localSibling(root: { absolute: string; display: string }, key: string): SourceObject {
  const layoutKey = layoutKeyOf(key);
  const absolute = `${root.absolute}${layoutKey}`;
  const objectId = pathToFileURL(absolute).href;
  return {
    objectId,
    objectKey: `${root.display}${layoutKey}`,
    open: async () => {
      let info;
      try {
        info = await stat(absolute);
      } catch (error) {
        if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new LogObjectNotFoundError(objectId, { cause: error });
        throw error;
      }
      return {
        body: createReadStream(absolute, { highWaterMark: LOCAL_READ_BYTES }),
        etag: localFingerprint(info),
        size: info.size,
      };
    },
    locate: (_bucket, other) => localSibling(root, other),
  };
}

function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES') return 'permission denied';
  return describeError(error);
}

/** Listing depth below the given prefix before the walk stops descending folder by folder. */
const MAX_WALK_DEPTH = 8;
// A prefix that ends at a region folder: `.../CloudTrail/us-east-1/`.
const REGION_FOLDER = /(?:^|\/)CloudTrail\/[^/]+\/$/;
// A prefix inside CloudTrail's folder, below the region: a flat listing filtered by date is all that is left.
const INSIDE_REGION = /(?:^|\/)CloudTrail\/[^/]+\/./;
// Sibling folders of `CloudTrail/` that never hold management events: a time-range walk does not go into them. A
// flat listing reads digest files (which the service verifies) and leaves Insight files out, saving a GetObject each.
const NOT_LOG_FOLDER = /(?:^|\/)CloudTrail-(Digest|Insight)\/$/;
const IN_NOT_LOG_FOLDER = /(?:^|\/)CloudTrail-Insight\//;

/** The S3 parts of a listing, imported by {@link listS3} only: local runs never load the S3 client. */
interface S3Listing {
  readonly client: S3Client;
  readonly paginate: typeof paginateListObjectsV2;
  readonly normaliseETag: typeof normaliseETag;
}

/** An S3 object as a listing returns it. */
interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly storageClass?: string;
}

/**
 * Lists the log objects under `s3://bucket/prefix`. Without a time range: a flat listing of the prefix. With one:
 * a walk down CloudTrail's layout (`AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/`) that lists only the selected
 * date folders of each region, so a backfill of last week does not page through years of keys.
 */
export async function listS3(
  client: S3Client,
  location: S3Location,
  range: TimeRange,
  now: Date,
): Promise<LogObject[]> {
  // Imported here rather than at the top: `process`, `alerts` and `ingest` of local files start without the S3 client.
  const [{ paginateListObjectsV2 }, reader] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../adapters/s3-log-reader.js'),
  ]);
  const s3: S3Listing = { client, paginate: paginateListObjectsV2, normaliseETag };
  const source = new reader.S3LogObjectSource(client);
  const objects: LogObject[] = [];
  for await (const listed of listS3Keys(s3, location, range, now)) {
    const url = `s3://${location.bucket}/${listed.key}`;
    objects.push({
      ...s3Object(source, location.bucket, listed.key),
      displayName: url,
      fingerprint: listed.etag,
      size: listed.size,
      ...(listed.storageClass === undefined ? {} : { storageClass: listed.storageClass }),
    });
  }
  return objects;
}

/** An object of a bucket, read through `source`, which finds the objects a digest names in S3 too. */
function s3Object(source: LogObjectSource, bucket: string, key: string): SourceObject {
  return {
    objectId: `s3://${bucket}/${key}`,
    objectKey: key,
    open: () => source.open(bucket, key),
    locate: (otherBucket, otherKey) => s3Object(source, otherBucket, otherKey),
  };
}

async function* listS3Keys(
  s3: S3Listing,
  location: S3Location,
  range: TimeRange,
  now: Date,
): AsyncGenerator<ListedObject> {
  const ranged = range.since !== undefined || range.until !== undefined;
  if (!ranged) {
    yield* flat(s3, location.bucket, location.prefix, range);
    return;
  }
  yield* walkS3(s3, location.bucket, location.prefix, range, now, 0);
}

async function* walkS3(
  s3: S3Listing,
  bucket: string,
  prefix: string,
  range: TimeRange,
  now: Date,
  depth: number,
): AsyncGenerator<ListedObject> {
  if (REGION_FOLDER.test(prefix)) {
    const days = dayFoldersOf(range, now);
    if (days === undefined) {
      yield* flat(s3, bucket, prefix, range);
      return;
    }
    for (const day of days) yield* flat(s3, bucket, `${prefix}${day}/`, range);
    return;
  }
  if (INSIDE_REGION.test(prefix) || depth >= MAX_WALK_DEPTH) {
    yield* flat(s3, bucket, prefix, range);
    return;
  }
  const children: string[] = [];
  for await (const page of s3.paginate({ client: s3.client }, { Bucket: bucket, Prefix: prefix, Delimiter: '/' })) {
    for (const object of page.Contents ?? []) {
      const listed = toListed(s3, object);
      if (listed !== undefined && keyInRange(listed.key, range)) yield listed;
    }
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix !== undefined && !NOT_LOG_FOLDER.test(common.Prefix)) children.push(common.Prefix);
    }
  }
  // Under an account folder only `CloudTrail/` holds management events; elsewhere every child may lead to one.
  const trail = children.find((child) => child.endsWith('/CloudTrail/') || child === 'CloudTrail/');
  for (const child of trail === undefined ? children : [trail]) {
    yield* walkS3(s3, bucket, child, range, now, depth + 1);
  }
}

async function* flat(s3: S3Listing, bucket: string, prefix: string, range: TimeRange): AsyncGenerator<ListedObject> {
  for await (const page of s3.paginate({ client: s3.client }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) {
      const listed = toListed(s3, object);
      if (listed === undefined || listed.key.endsWith('/') || IN_NOT_LOG_FOLDER.test(listed.key)) continue;
      if (keyInRange(listed.key, range)) yield listed;
    }
  }
}

function toListed(s3: S3Listing, object: { Key?: string; Size?: number; ETag?: string; StorageClass?: string }): ListedObject | undefined {
  if (object.Key === undefined) return undefined;
  return {
    key: object.Key,
    size: object.Size ?? 0,
    etag: s3.normaliseETag(object.ETag ?? ''),
    ...(object.StorageClass === undefined ? {} : { storageClass: object.StorageClass }),
  };
}
