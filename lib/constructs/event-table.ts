import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EVENT_TABLE, type EventTableDefinition, type KeyAttributeType } from '../../lambda/store/table-definition';
import { createKey } from './kms-defaults';

/** Props of {@link EventTable}. */
export interface EventTableProps {
  /**
   * The customer-managed key the table is encrypted with.
   * @default a key of the table's own (rotation on, grants only for AWS resources): whoever writes items must be able
   *   to encrypt with the table's key, and a key shared with the log files would let the writer encrypt log files too
   */
  readonly encryptionKey?: kms.IKey;
}

/** DynamoDB attribute types of the definition's key types. */
const ATTRIBUTE_TYPE: Readonly<Record<KeyAttributeType, dynamodb.AttributeType>> = {
  S: dynamodb.AttributeType.STRING,
};

/** CDK billing modes of the definition's billing modes. */
const BILLING_MODE: Readonly<Record<EventTableDefinition['billingMode'], dynamodb.BillingMode>> = {
  PAY_PER_REQUEST: dynamodb.BillingMode.PAY_PER_REQUEST,
};

/**
 * The DynamoDB table of normalised events and their lookup items, built from `lambda/store/table-definition.ts` —
 * the same definition the local mode and the integration tests create their tables from, so they cannot drift.
 *
 * On-demand capacity (CloudTrail arrives in bursts every few minutes; nothing to size), point-in-time recovery,
 * deletion protection, retained on stack delete, TTL on the definition's attribute (only items the processor gives
 * an expiry to ever expire). Encrypted with a customer-managed key rather than the AWS-owned default: the table
 * holds the same identities and request parameters as the CMK-encrypted log files, and an AWS-owned key would let
 * anyone with `dynamodb:GetItem` read them; reading the table takes `kms:Decrypt` on this key as well. Switching a
 * deployed table to another key is an in-place update (`SSESpecification.KMSMasterKeyId`: no interruption).
 */
export class EventTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;
  /** The key the table is encrypted with. */
  public readonly key: kms.IKey;

  public constructor(scope: Construct, id: string, props: EventTableProps = {}) {
    super(scope, id);
    this.key =
      props.encryptionKey ??
      createKey(this, 'Key', {
        description: 'trail-audit: encrypts the event table',
        // Deleting the key would make the retained table and its backups unreadable.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    // `Table` rather than `TableV2`: TableV2 cannot render a customer-managed key in an environment-agnostic stack.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: EVENT_TABLE.partitionKey.name, type: ATTRIBUTE_TYPE[EVENT_TABLE.partitionKey.type] },
      sortKey: { name: EVENT_TABLE.sortKey.name, type: ATTRIBUTE_TYPE[EVENT_TABLE.sortKey.type] },
      timeToLiveAttribute: EVENT_TABLE.timeToLiveAttribute,
      billingMode: BILLING_MODE[EVENT_TABLE.billingMode],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
