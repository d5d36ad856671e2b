/**
 * Checkpoints of objects an interrupted `trail-audit ingest` stopped part-way, in the event table beside the file
 * ledger: one item per object, `pk = objectId`, `sk = "CHECKPOINT"`, removed once the object is taken in whole.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CheckpointStore, ObjectCheckpoint } from '../app/ports';

/** Sort key of checkpoint items; their partition key is the object id. */
export const CHECKPOINT_SORT_KEY = 'CHECKPOINT';

/** Properties of {@link DynamoDBCheckpointStore}. */
export interface DynamoDBCheckpointStoreProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The checkpoints in the event table. */
export class DynamoDBCheckpointStore implements CheckpointStore {
  constructor(private readonly props: DynamoDBCheckpointStoreProps) {}

  /** The checkpoint of an object (strongly consistent), or undefined; an item of another shape is ignored. */
  async get(objectId: string): Promise<ObjectCheckpoint | undefined> {
    const output = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: { pk: objectId, sk: CHECKPOINT_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    const item = output.Item;
    if (item === undefined) return undefined;
    const { fingerprint, records, selection } = item;
    if (typeof fingerprint !== 'string' || typeof records !== 'number' || typeof selection !== 'string') return undefined;
    return { objectId, fingerprint, records, selection };
  }

  /** Records (or replaces) an object's checkpoint. */
  async put(checkpoint: ObjectCheckpoint): Promise<void> {
    await this.props.client.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: { pk: checkpoint.objectId, sk: CHECKPOINT_SORT_KEY, ...checkpoint },
      }),
    );
  }

  /** Removes an object's checkpoint. */
  async delete(objectId: string): Promise<void> {
    await this.props.client.send(
      new DeleteCommand({ TableName: this.props.tableName, Key: { pk: objectId, sk: CHECKPOINT_SORT_KEY } }),
    );
  }
}
