/**
 * The event table's definition: keys, TTL attribute and billing, in one place.
 *
 * The CDK construct (`lib/constructs/event-table.ts`), the local mode (DynamoDB Local) and the integration tests
 * all create the table from this module, so the deployed table and the tested one cannot drift.
 *
 * Key design (see docs/key-design.md): one partition per thing a person knows — an event ID, a principal
 * ARN or name, a session ARN, an access key ID, an action, a resource ARN or name — so that every question is one
 * Query with the value typed as it is. The sort key orders by time, so a Query with `ScanIndexForward: false` is
 * newest first and a time range is a `BETWEEN` on it.
 */

/** Partition key attribute: the value a person types (event ID, ARN, name, access key ID, action). */
export const PARTITION_KEY = 'pk';
/**
 * Sort key attribute: `EVENT` on the event item, `<eventTime>#<eventID>#<lookup>` on each lookup item (the lookup
 * kind keeps two lookups of one event under the same value apart), `LEDGER` on a file-ledger item.
 */
export const SORT_KEY = 'sk';
/** Optional TTL attribute (epoch seconds), written only when a retention is configured. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** Sort key of the item that holds the whole event (and its original record) under `pk = eventID`. */
export const EVENT_ITEM_SORT_KEY = 'EVENT';
/** Default table name of the local mode and the integration tests; the stack lets CloudFormation name its table. */
export const DEFAULT_TABLE_NAME = 'trail-audit-events';

/** The attribute type of both keys. */
export type KeyAttributeType = 'S';

/** What CreateTable needs, and what the CDK construct maps onto `dynamodb.TableV2`. */
export interface EventTableDefinition {
  readonly partitionKey: { readonly name: string; readonly type: KeyAttributeType };
  readonly sortKey: { readonly name: string; readonly type: KeyAttributeType };
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
}

/** The event table, as every creator of it builds it. */
export const EVENT_TABLE: EventTableDefinition = {
  partitionKey: { name: PARTITION_KEY, type: 'S' },
  sortKey: { name: SORT_KEY, type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  billingMode: 'PAY_PER_REQUEST',
};

/** The CreateTable input for a table of this definition (used by the local mode and the tests). */
export function createTableInput(tableName: string): {
  TableName: string;
  AttributeDefinitions: { AttributeName: string; AttributeType: KeyAttributeType }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  BillingMode: 'PAY_PER_REQUEST';
} {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: EVENT_TABLE.partitionKey.name, AttributeType: EVENT_TABLE.partitionKey.type },
      { AttributeName: EVENT_TABLE.sortKey.name, AttributeType: EVENT_TABLE.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: EVENT_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: EVENT_TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    BillingMode: EVENT_TABLE.billingMode,
  };
}
