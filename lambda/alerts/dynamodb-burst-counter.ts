/**
 * Burst counts across log files: the distinct eventIDs of a (rule, principal, window) in a string set on the event
 * table, at the burst's own partition (`pk = BURST#...`, `sk = COUNT#<ruleId>`). Adding a file's eventIDs is
 * idempotent (a set), so a retried file does not inflate the count.
 *
 * The set stays small: a file whose own events reach the threshold alerts without counting here, and a set that
 * has reached the threshold is not added to again (the condition), so it holds fewer than twice the threshold.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BurstCounter } from '../app/ports';
import type { PartialBurst } from '../core/rules/engine';
import { TTL_ATTRIBUTE } from '../store/table-definition';

/** Sort key prefix of burst counters. */
export const BURST_COUNT_SORT_KEY_PREFIX = 'COUNT#';

/** Properties of {@link DynamoDBBurstCounter}. */
export interface DynamoDBBurstCounterProps {
  readonly client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
  /**
   * How long after its window a counter is kept (TTL `expiresAt`): longer than a late or retried file can arrive.
   * @default 7
   */
  readonly keepDays?: number;
}

/** Burst counters on the event table. */
export class DynamoDBBurstCounter implements BurstCounter {
  constructor(private readonly props: DynamoDBBurstCounterProps) {}

  async add(partial: PartialBurst): Promise<number> {
    const windowEnd = Date.parse(partial.alert.window?.end ?? partial.alert.eventTime);
    const expiresAt = Math.floor(windowEnd / 1000) + (this.props.keepDays ?? 7) * 86_400;
    try {
      const output = await this.props.client.send(
        new UpdateCommand({
          TableName: this.props.tableName,
          Key: { pk: partial.alert.key.pk, sk: `${BURST_COUNT_SORT_KEY_PREFIX}${partial.alert.rule}` },
          UpdateExpression: 'ADD eventIds :ids SET #ttl = if_not_exists(#ttl, :expiresAt)',
          ConditionExpression: 'attribute_not_exists(eventIds) OR size(eventIds) < :threshold',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':ids': new Set(partial.eventIds),
            ':threshold': partial.threshold,
            ':expiresAt': expiresAt,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const ids: unknown = output.Attributes?.eventIds;
      if (!(ids instanceof Set)) {
        throw new Error(`burst counter ${partial.alert.key.pk}: eventIds is not a string set`);
      }
      return ids.size;
    } catch (error) {
      // Already at the threshold: the burst's alert has been (or is being) sent; the ledger keeps it to one.
      if (error instanceof ConditionalCheckFailedException) return partial.threshold;
      throw error;
    }
  }
}
