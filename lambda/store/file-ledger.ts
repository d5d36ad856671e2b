/**
 * The file ledger: which log objects were processed, and as which version. The handler and `trail-audit ingest`
 * skip an object whose ledger entry has the same fingerprint; writes are idempotent anyway, the ledger saves the
 * work and tells an auditor what was read. Each entry keeps the SHA-256 of the object's decompressed bytes, which a
 * digest file's `hashValue` is compared with (docs/integrity.md).
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FileLedger, LedgerEntry } from '../app/ports';

/** Sort key of ledger items; their partition key is the object id. */
export const LEDGER_SORT_KEY = 'LEDGER';

/** Raised when a ledger item does not have the shape trail-audit writes. */
export class LedgerItemError extends Error {
  override readonly name = 'LedgerItemError';
  constructor(
    message: string,
    readonly objectId: string,
  ) {
    super(message);
  }
}

/** The `s3://bucket/key` id of an S3 object in the ledger. */
export function s3ObjectId(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Properties of {@link DynamoDBFileLedger}. */
export interface DynamoDBFileLedgerProps {
  readonly client: DynamoDBDocumentClient;
  /** The event table: ledger items live beside the events, under `pk = objectId`, `sk = "LEDGER"`. */
  readonly tableName: string;
}

/** The ledger in the event table: one item per object, `pk = objectId`, `sk = "LEDGER"`. */
export class DynamoDBFileLedger implements FileLedger {
  constructor(private readonly props: DynamoDBFileLedgerProps) {}

  /** Reads the entry of an object (strongly consistent, so a just-finished retry is seen). */
  async get(objectId: string): Promise<LedgerEntry | undefined> {
    const output = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: { pk: objectId, sk: LEDGER_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    const item = output.Item;
    if (item === undefined) return undefined;
    const { fingerprint, events, processedAt } = item;
    const sha256: unknown = item.sha256;
    if (typeof fingerprint !== 'string' || typeof events !== 'number' || typeof processedAt !== 'string') {
      throw new LedgerItemError('ledger item lacks fingerprint, events or processedAt', objectId);
    }
    // Entries written before the hash was kept have none: they read as before.
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))) {
      throw new LedgerItemError('ledger item has a sha256 that is not a lower-case hex SHA-256', objectId);
    }
    return { objectId, fingerprint, events, processedAt, ...(sha256 === undefined ? {} : { sha256 }) };
  }

  /** Writes the entry of an object, replacing an earlier one. */
  async put(entry: LedgerEntry): Promise<void> {
    await this.props.client.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: {
          pk: entry.objectId,
          sk: LEDGER_SORT_KEY,
          objectId: entry.objectId,
          fingerprint: entry.fingerprint,
          events: entry.events,
          processedAt: entry.processedAt,
          ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256 }),
        },
      }),
    );
  }
}
