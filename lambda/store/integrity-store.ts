/**
 * The verification results in the event table (the key design is `core/integrity-items.ts`): the processor's
 * {@link IntegrityStore}, and the reads `trail-audit verify --table` makes of them.
 *
 * Writes never clobber what another party owns: a digest's own result, what the next digest says of it and each
 * listed log file are items of their own; a log file's index entry is changed with `SET` of its own attributes and
 * `ADD` to string sets, which commute; a late resolution replaces a listed result only while it is still
 * `not-processed` (a conditional write). Reads are strongly consistent, so a retry sees what the attempt before it
 * wrote.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  paginateQuery,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { IntegrityStore } from '../app/ports';
import {
  DIGEST_SORT_KEY_PREFIX,
  digestItem,
  digestKeys,
  digestResultOf,
  INTEGRITY_REGISTRY_PARTITION,
  integrityItemKind,
  integrityPartition,
  listedLogFileItem,
  listedLogFileKeys,
  listedLogFileResultOf,
  listingRefText,
  LOG_FILE_SORT_KEY_PREFIX,
  logFileEntryOf,
  logFileIdentity,
  logFileKeys,
  nextLinkItem,
  nextLinkKeys,
  nextLinkResultOf,
  parseListingRefText,
  registryItem,
  isoSeconds,
  type AwaitingListing,
  type DigestId,
  type DigestRecords,
  type DigestResult,
  type Item,
  type ListedLogFileResult,
  type ListingRef,
  type LogFileEntry,
  type LogFileId,
  type NextLinkResult,
} from '../core/integrity-items';

/** Properties of {@link DynamoDBIntegrityStore}. */
export interface DynamoDBIntegrityStoreProps {
  readonly client: Pick<DynamoDBDocumentClient, 'send'>;
  /** The event table. */
  readonly tableName: string;
}

/** The highest character a sort key holds: the end of a `BETWEEN` that takes every key with a prefix. */
const HIGHEST = '\uffff';

/** The results in DynamoDB (the event table; DynamoDB Local in tests and the CLI's local mode). */
export class DynamoDBIntegrityStore implements IntegrityStore {
  constructor(private readonly props: DynamoDBIntegrityStoreProps) {}

  async readDigest(id: DigestId): Promise<DigestRecords> {
    const [own, next] = await Promise.all([this.get(digestKeys(id)), this.get(nextLinkKeys(id))]);
    return {
      ...(own === undefined ? {} : { own: digestResultOf(own) }),
      ...(next === undefined ? {} : { next: nextLinkResultOf(next) }),
    };
  }

  async putDigest(result: DigestResult): Promise<void> {
    await this.put(digestItem(result));
    // The partition's entry in the registry: one more small write per digest, so `verify --table` finds it.
    await this.put(registryItem(result.accountId, result.region));
  }

  async putNextLink(result: NextLinkResult): Promise<void> {
    await this.put(nextLinkItem(result));
    await this.put(registryItem(result.accountId, result.region));
  }

  async putListedLogFiles(results: readonly ListedLogFileResult[]): Promise<void> {
    // One PutItem each, a few at a time: a digest lists tens of files, and the SDK retries a throttled call.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < results.length) {
        const result = results[next++];
        if (result !== undefined) await this.put(listedLogFileItem(result));
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, results.length) }, worker));
  }

  async getListedLogFile(ref: ListingRef): Promise<ListedLogFileResult | undefined> {
    const item = await this.get(listedLogFileKeys(ref));
    return item === undefined ? undefined : listedLogFileResultOf(item);
  }

  async resolveListedLogFile(ref: ListingRef, result: ListedLogFileResult): Promise<boolean> {
    try {
      await this.props.client.send(
        new PutCommand({
          TableName: this.props.tableName,
          Item: listedLogFileItem({ ...result, digest: ref.digest, objectId: ref.objectId }),
          ConditionExpression: '#status = :notProcessed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':notProcessed': 'not-processed' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markListed(file: LogFileId, listing: ListingRef, awaited: boolean): Promise<{ readonly sha256?: string }> {
    const output = await this.props.client.send(
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: logFileKeys(file),
        ...identityUpdate(file, awaited ? 'ADD listedBy :digest, awaitedBy :listing' : 'ADD listedBy :digest'),
        ExpressionAttributeValues: {
          ...identityValues(file),
          ':digest': new Set([listingRefText(listing)]),
          ...(awaited ? { ':listing': new Set([listingRefText(listing)]) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const sha256: unknown = output.Attributes?.['sha256'];
    return typeof sha256 === 'string' ? { sha256 } : {};
  }

  async recordLogFile(
    file: LogFileId,
    sha256: string,
    processedAt: string,
  ): Promise<{ readonly awaitedBy: readonly AwaitingListing[]; readonly listedBy: readonly ListingRef[] }> {
    const keys = logFileKeys(file);
    const output = await this.props.client.send(
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: keys,
        ...identityUpdate(file, '', ', sha256 = :sha256, processedAt = :processedAt'),
        ExpressionAttributeValues: { ...identityValues(file), ':sha256': sha256, ':processedAt': processedAt },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const listings = (name: string): ListingRef[] => {
      const value: unknown = output.Attributes?.[name];
      return value instanceof Set ? [...(value as Set<unknown>)].map((text) => parseListingRefText(String(text), keys)) : [];
    };
    return { awaitedBy: listings('awaitedBy'), listedBy: listings('listedBy') };
  }

  async logFilesBetween(accountId: string, region: string, folder: string, from: Date, to: Date): Promise<LogFileEntry[]> {
    const entries: LogFileEntry[] = [];
    for await (const page of paginateQuery(
      { client: this.props.client as DynamoDBDocumentClient },
      {
        TableName: this.props.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'folder = :folder',
        ExpressionAttributeValues: {
          ':pk': integrityPartition(accountId, region),
          ':from': `${LOG_FILE_SORT_KEY_PREFIX}${isoSeconds(from)}`,
          ':to': `${LOG_FILE_SORT_KEY_PREFIX}${isoSeconds(to)}#${HIGHEST}`,
          ':folder': folder,
        },
        ConsistentRead: true,
      },
    )) {
      for (const item of page.Items ?? []) entries.push(logFileEntryOf(item));
    }
    return entries;
  }

  async markUnlisted(file: LogFileId, judgedAt: string): Promise<void> {
    await this.props.client.send(
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: logFileKeys(file),
        ...identityUpdate(file, '', ', unlistedAt = if_not_exists(unlistedAt, :judgedAt)'),
        ExpressionAttributeValues: { ...identityValues(file), ':judgedAt': judgedAt },
      }),
    );
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const output = await this.props.client.send(new GetCommand({ TableName: this.props.tableName, Key: key, ConsistentRead: true }));
    return output.Item;
  }

  private async put(item: Item): Promise<void> {
    await this.props.client.send(new PutCommand({ TableName: this.props.tableName, Item: item }));
  }
}

/** The `SET` of a log file's identity attributes, followed by more of the update expression. */
function identityUpdate(file: LogFileId, add: string, moreSet = ''): { UpdateExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const names = Object.keys(logFileIdentity(file));
  return {
    UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}${moreSet}${add === '' ? '' : ` ${add}`}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
  };
}

function identityValues(file: LogFileId): Record<string, unknown> {
  return Object.fromEntries(Object.entries(logFileIdentity(file)).map(([name, value]) => [`:${name}`, value]));
}

/** One account and region's results over a time range, as `verify --table` reads them. */
export interface IntegrityPartitionContent {
  readonly digests: DigestResult[];
  readonly nextLinks: NextLinkResult[];
  readonly listed: ListedLogFileResult[];
  readonly logFiles: LogFileEntry[];
}

/** The reads of `trail-audit verify --table`: the registry, then each partition's items over a range. */
export class IntegrityReader {
  constructor(private readonly props: DynamoDBIntegrityStoreProps) {}

  /** The accounts and regions with results. */
  async partitions(): Promise<{ accountId: string; region: string }[]> {
    const partitions: { accountId: string; region: string }[] = [];
    for await (const page of paginateQuery(
      { client: this.props.client as DynamoDBDocumentClient },
      {
        TableName: this.props.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': INTEGRITY_REGISTRY_PARTITION },
      },
    )) {
      for (const item of page.Items ?? []) {
        if (typeof item['accountId'] === 'string' && typeof item['region'] === 'string') {
          partitions.push({ accountId: item['accountId'], region: item['region'] });
        }
      }
    }
    return partitions;
  }

  /**
   * The digests of a partition that end in the range (both ends inclusive, open ends open), with their listed log
   * files and next links, and the log file index entries whose name's time is in `logFileRange`.
   */
  async read(
    accountId: string,
    region: string,
    digestRange: { readonly from?: Date; readonly to?: Date },
    logFileRange: { readonly from?: Date; readonly to?: Date },
  ): Promise<IntegrityPartitionContent> {
    const content: IntegrityPartitionContent = { digests: [], nextLinks: [], listed: [], logFiles: [] };
    const pk = integrityPartition(accountId, region);
    for (const item of await this.query(pk, DIGEST_SORT_KEY_PREFIX, digestRange)) {
      switch (integrityItemKind(item)) {
        case 'digest':
          content.digests.push(digestResultOf(item));
          break;
        case 'next-link':
          content.nextLinks.push(nextLinkResultOf(item));
          break;
        case 'listed-log-file':
          content.listed.push(listedLogFileResultOf(item));
          break;
        default:
          break;
      }
    }
    for (const item of await this.query(pk, LOG_FILE_SORT_KEY_PREFIX, logFileRange)) content.logFiles.push(logFileEntryOf(item));
    return content;
  }

  private async query(pk: string, prefix: string, range: { readonly from?: Date; readonly to?: Date }): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of paginateQuery(
      { client: this.props.client as DynamoDBDocumentClient },
      {
        TableName: this.props.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':from': `${prefix}${range.from === undefined ? '' : isoSeconds(range.from)}`,
          ':to': `${prefix}${range.to === undefined ? HIGHEST : `${isoSeconds(range.to)}#${HIGHEST}`}`,
        },
      },
    )) {
      items.push(...(page.Items ?? []));
    }
    return items;
  }
}
