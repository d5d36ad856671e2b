import { ArnFormat, Names, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * A KMS key ARN, `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID`, the key ID a UUID or a multi-Region `mrk-` ID. Not an
 * alias ARN: IAM authorises `kms:Decrypt` against the key's own ARN.
 */
const KMS_KEY_ARN = new RegExp(
  '^arn:aws(-[a-z]+)*:kms:[a-z]+(-[a-z0-9]+)+:\\d{12}:key/' +
    '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$',
);

/** Whether a string is a KMS key ARN (see {@link KMS_KEY_ARN}): the check run on a key ARN a user gives at synth. */
export function isKmsKeyArn(value: string): boolean {
  return KMS_KEY_ARN.test(value);
}

/** Props of {@link createKey}. */
export interface KeyDefaultsProps {
  /** What the key encrypts, shown in the KMS console. */
  readonly description: string;
  /** What happens to the key when the stack deletes it: retain a key whose ciphertext outlives the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Creates a customer-managed KMS key with the house defaults: yearly rotation on, and a key-policy statement that
 * denies `kms:CreateGrant` unless the grant is for an AWS resource (`kms:GrantIsForAWSResource`) or the caller is an
 * AWS service (`aws:PrincipalIsAWSService`).
 *
 * Why the deny: a grant is a second, policy-free way to hand out use of a key, and it does not show in the key
 * policy. The services that use these keys (DynamoDB creates grants for its tables) do so as AWS resources, so only
 * grants a person or a workload would create by hand are refused (AWS Control Tower control CT.KMS.PR.3).
 */
export function createKey(scope: Construct, id: string, props: KeyDefaultsProps): kms.Key {
  const key = new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    removalPolicy: props.removalPolicy,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsNotForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
  return key;
}

/** Props of {@link createEncryptedLogGroup}. */
export interface EncryptedLogGroupProps {
  /** The customer-managed key the log group is encrypted with; its policy gets the CloudWatch Logs statement. */
  readonly encryptionKey: kms.IKey;
  /** How long entries are kept. */
  readonly retention: logs.RetentionDays;
  /** What happens to the log group (and its entries) when the stack deletes it. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Creates a CloudWatch Logs log group encrypted with a customer-managed key, and lets CloudWatch Logs in this
 * region use the key for exactly this log group (the key policy's `kms:EncryptionContext:aws:logs:arn` condition,
 * as the CloudWatch Logs guide gives it).
 *
 * Why an explicit name (`/trail-audit/<stack>-<path>-<hash>/<id>`): the condition names the log group's ARN, and an
 * ARN read from the log group itself would make the key depend on the log group that depends on the key.
 *
 * @throws Error when the key is imported: its policy cannot be changed here, and without the statement CloudWatch
 *   Logs could not write to the log group.
 */
export function createEncryptedLogGroup(scope: Construct, id: string, props: EncryptedLogGroupProps): logs.LogGroup {
  const stack = Stack.of(scope);
  const logGroupName = `/trail-audit/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}/${id}`;
  const logGroupArn = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: logGroupName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const added = props.encryptionKey.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
    }),
  );
  if (!added.statementAdded) {
    throw new Error(
      `log group ${logGroupName}: the key ${props.encryptionKey.node.path} is imported, so its policy cannot let ` +
        'CloudWatch Logs use it; pass a key created in this app',
    );
  }
  return new logs.LogGroup(scope, id, {
    logGroupName,
    encryptionKey: props.encryptionKey,
    retention: props.retention,
    removalPolicy: props.removalPolicy,
  });
}
