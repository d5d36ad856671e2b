import { Annotations, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createEncryptedLogGroup } from './kms-defaults';

/** The default trail name; the name is explicit because the bucket and key policies are conditioned on its ARN. */
export const DEFAULT_TRAIL_NAME = 'trail-audit';

/** Which management events the trail records. */
export type ManagementEvents = 'all' | 'writeOnly' | 'readOnly';

/** An AWS Organizations organization ID. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** A 12-digit AWS account ID. */
const ACCOUNT_ID = /^\d{12}$/;
/** CloudTrail's trail-name rules: 3-128 letters, digits, `.`, `_` or `-`, starting and ending alphanumeric. */
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** The bucket the trail writes to (its policy receives the CloudTrail grant). */
  readonly bucket: s3.IBucket;
  /** The key the trail encrypts log files with (its policy receives the CloudTrail grant). */
  readonly encryptionKey: kms.IKey;
  /**
   * The trail name; the trail ARN built from it conditions every CloudTrail grant.
   * @default 'trail-audit'
   */
  readonly trailName?: string;
  /**
   * Which management events to record.
   * @default 'all' (read and write)
   */
  readonly managementEvents?: ManagementEvents;
  /**
   * Creates an organization trail (deploy in the management account, or in a CloudTrail delegated administrator
   * account with `managementAccountId`).
   * @default false
   */
  readonly isOrganizationTrail?: boolean;
  /**
   * The organization ID (`o-...`), required with `isOrganizationTrail`: member accounts' logs are written under
   * `AWSLogs/o-.../` and the bucket policy grants that prefix.
   * @default none
   */
  readonly organizationId?: string;
  /**
   * The organization's management account ID, for an organization trail managed from a CloudTrail delegated
   * administrator account: the management account owns every organization trail, whichever account creates it, so
   * the trail's ARN (the `aws:SourceArn` of every CloudTrail grant), the `aws:SourceAccount` of the bucket policy,
   * the account log prefix and the KMS encryption context all name the management account.
   *
   * With it, no `AWS::CloudTrail::Trail` is created: CloudFormation addresses the trail by name after creating it
   * (StartLogging, then reads, updates and deletes), and from a delegated administrator a name resolves in the
   * caller's own account, so every call after CreateTrail fails with `TrailNotFoundException` (CloudFormation
   * coverage roadmap issue 1932; AWS Support: not supported). The bucket, key and grants are created for the trail
   * ARN, and {@link AuditTrail.setupCommands} are the AWS CLI calls that create the trail and start it by ARN.
   * @default the stack's account (deployed in the management account; CloudFormation creates the trail)
   */
  readonly managementAccountId?: string;
  /**
   * Other accounts whose own trails deliver to this bucket (multi-account delivery without AWS Organizations). Each
   * account's trail may write only under `AWSLogs/<its account>/`, only as that trail (`aws:SourceArn`
   * `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`, REGION being this stack's region, the trail's home region),
   * and may encrypt with the log key. The processor handles their files like the home account's.
   * @default none
   */
  readonly sourceAccountIds?: readonly string[];
  /**
   * The name of the trail each of {@link sourceAccountIds} creates (the same name in every account).
   * @default the trail name of this stack
   */
  readonly sourceTrailName?: string;
  /**
   * Also delivers events to a CloudWatch Logs log group (for metric filters and Logs Insights).
   * @default false
   */
  readonly cloudWatchLogs?: boolean;
  /**
   * Retention of the CloudWatch Logs log group, when `cloudWatchLogs` is on.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;
  /**
   * Turns on CloudTrail Insights (API call rate and error rate). Billed per 100,000 events analysed. API call rate
   * Insights analyses write management events, so `managementEvents: 'readOnly'` cannot have it.
   * @default false
   */
  readonly insights?: boolean;
}

/**
 * A multi-region CloudTrail trail (global service events, log file validation, KMS encryption, management events)
 * with the bucket-policy and key-policy grants it needs, each conditioned on `aws:SourceArn` and
 * `aws:SourceAccount` — and the same grants for the trails of other accounts that deliver to the bucket
 * (`sourceAccountIds`). With `cloudWatchLogs`, a log group encrypted with the log files' key.
 *
 * Why the L1 `CfnTrail`: the L2 `Trail` always adds its own bucket-policy statements without `aws:SourceArn`, and its
 * organization statement ignores the key prefix; the grants here are written once, as the CloudTrail documentation
 * gives them. No data events are configured: data events on the trail's own bucket would log every log delivery
 * and bill millions of events.
 */
export class AuditTrail extends Construct {
  /** The trail resource; none when the trail is managed from a delegated administrator (`managementAccountId`). */
  public readonly trail?: cloudtrail.CfnTrail;
  /**
   * With `managementAccountId`: the AWS CLI calls, in order, that create the organization trail from the delegated
   * administrator account and start it by ARN, with this stack's settings. Empty otherwise.
   */
  public readonly setupCommands: readonly string[];
  /** The trail's name. */
  public readonly trailName: string;
  /** `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`, known before the trail exists. */
  public readonly trailArn: string;
  /** The CloudWatch Logs log group, when `cloudWatchLogs` is on. */
  public readonly logGroup?: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.trailName = props.trailName ?? DEFAULT_TRAIL_NAME;
    if (!TRAIL_NAME.test(this.trailName)) {
      throw new Error(
        `AuditTrail ${this.node.path}: invalid trail name "${this.trailName}" (3-128 of A-Z a-z 0-9 . _ -)`,
      );
    }
    const isOrganizationTrail = props.isOrganizationTrail ?? false;
    if (isOrganizationTrail && (props.organizationId === undefined || !ORGANIZATION_ID.test(props.organizationId))) {
      throw new Error(
        `AuditTrail ${this.node.path}: an organization trail needs organizationId "o-" followed by 10-32 lowercase ` +
          `letters or digits, got ${JSON.stringify(props.organizationId)}`,
      );
    }
    if (!isOrganizationTrail && props.organizationId !== undefined) {
      throw new Error(`AuditTrail ${this.node.path}: organizationId is set but isOrganizationTrail is not`);
    }
    const managementAccountId = props.managementAccountId;
    if (managementAccountId !== undefined) {
      if (!isOrganizationTrail) {
        // An account trail belongs to the account that creates it; only an organization trail has another owner.
        throw new Error(`AuditTrail ${this.node.path}: managementAccountId is set but isOrganizationTrail is not`);
      }
      if (!ACCOUNT_ID.test(managementAccountId)) {
        throw new Error(
          `AuditTrail ${this.node.path}: managementAccountId must be a 12-digit account ID, got "${managementAccountId}"`,
        );
      }
    }
    if (props.insights === true && props.managementEvents === 'readOnly') {
      throw new Error(
        `AuditTrail ${this.node.path}: insights needs write management events (API call rate Insights analyses ` +
          `them), but managementEvents is 'readOnly': record 'all' or 'writeOnly', or turn insights off`,
      );
    }
    if (managementAccountId !== undefined && props.cloudWatchLogs === true) {
      throw new Error(
        `AuditTrail ${this.node.path}: cloudWatchLogs cannot be set up for an organization trail managed from a ` +
          'delegated administrator (managementAccountId): this stack creates no trail there. Add CloudWatch Logs ' +
          'delivery to the trail with the AWS CLI (update-trail --cloud-watch-logs-log-group-arn ...) instead',
      );
    }
    // The account that owns the trail: the management account for an organization trail, even one a delegated
    // administrator creates (CloudTrail user guide, "Organization delegated administrator").
    const trailOwner = managementAccountId ?? stack.account;
    const trailArnOf = (account: string, name: string): string =>
      stack.formatArn({
        service: 'cloudtrail',
        account,
        resource: 'trail',
        resourceName: name,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.trailArn = trailArnOf(trailOwner, this.trailName);
    const sources = sourceAccountsOf(this.node.path, props, this.trailName, trailOwner).map((account) => ({
      account,
      trailArn: trailArnOf(account, props.sourceTrailName ?? this.trailName),
    }));

    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    // Confused-deputy protection: only this trail, owned by this account, may use the grants.
    const sourceConditions = { 'aws:SourceArn': this.trailArn, 'aws:SourceAccount': trailOwner };

    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailAclCheck',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [props.bucket.bucketArn],
        conditions: { StringEquals: sourceConditions },
      }),
    );
    const writePrefixes = [`AWSLogs/${trailOwner}/*`];
    if (isOrganizationTrail && props.organizationId !== undefined) {
      writePrefixes.push(`AWSLogs/${props.organizationId}/*`);
    }
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailWrite',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: writePrefixes.map((prefix) => props.bucket.arnForObjects(prefix)),
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...sourceConditions } },
      }),
    );

    const encryptionContextOf = (account: string): string =>
      stack.formatArn({
        service: 'cloudtrail',
        region: '*',
        account,
        resource: 'trail',
        resourceName: '*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': encryptionContextOf(trailOwner) },
        },
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': this.trailArn } },
      }),
    );
    if (sources.length > 0) {
      this.grantSourceAccounts(props, cloudTrail, sources, encryptionContextOf);
    }

    let cloudWatchLogsRole: iam.Role | undefined;
    if (props.cloudWatchLogs === true) {
      // The log group holds whole records, as the log files do: the log files' key encrypts it too.
      this.logGroup = createEncryptedLogGroup(this, 'LogGroup', {
        encryptionKey: props.encryptionKey,
        retention: props.cloudWatchLogsRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      cloudWatchLogsRole = new iam.Role(this, 'CloudWatchLogsRole', {
        assumedBy: cloudTrail,
        description: `Lets CloudTrail trail ${this.trailName} deliver events to its log group`,
      });
      this.logGroup.grantWrite(cloudWatchLogsRole);
    }

    const readWriteType = READ_WRITE_TYPE[props.managementEvents ?? 'all'];
    const insightTypes = props.insights === true ? ['ApiCallRateInsight', 'ApiErrorRateInsight'] : [];
    if (managementAccountId !== undefined) {
      this.setupCommands = organizationTrailCommands({
        trailName: this.trailName,
        trailArn: this.trailArn,
        bucketName: props.bucket.bucketName,
        keyArn: props.encryptionKey.keyArn,
        region: stack.region,
        readWriteType,
        insightTypes,
      });
      Annotations.of(this).addWarningV2(
        'trail-audit:organizationTrailNotCreated',
        `No trail is created: CloudFormation cannot create an organization trail from a delegated administrator ` +
          `account. After the deploy, run the commands of the stack output OrganizationTrailSetupCommands from this ` +
          `account; they create the trail ${this.trailName} in the management account ${managementAccountId} and ` +
          'start it by ARN.',
      );
      return;
    }
    this.setupCommands = [];
    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName: this.trailName,
      isLogging: true,
      s3BucketName: props.bucket.bucketName,
      kmsKeyId: props.encryptionKey.keyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      isOrganizationTrail,
      eventSelectors: [{ includeManagementEvents: true, readWriteType }],
      ...(insightTypes.length > 0 ? { insightSelectors: insightTypes.map((insightType) => ({ insightType })) } : {}),
      ...(this.logGroup !== undefined && cloudWatchLogsRole !== undefined
        ? { cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn, cloudWatchLogsRoleArn: cloudWatchLogsRole.roleArn }
        : {}),
    });
    // CloudTrail checks the bucket policy (and the role) when the trail is created: they must exist first.
    if (props.bucket.policy !== undefined) {
      this.trail.node.addDependency(props.bucket.policy);
    }
    if (cloudWatchLogsRole !== undefined) {
      this.trail.node.addDependency(cloudWatchLogsRole);
    }
  }

  /**
   * The grants of the other accounts' trails, as the CloudTrail guide gives them for multi-account delivery, each
   * narrowed to its own account: an ACL check for the listed trails, one write statement per account (its trail may
   * write only under `AWSLogs/<its account>/`), and the key statements for the listed trails.
   */
  private grantSourceAccounts(
    props: AuditTrailProps,
    cloudTrail: iam.ServicePrincipal,
    sources: readonly { account: string; trailArn: string }[],
    encryptionContextOf: (account: string) => string,
  ): void {
    const trailArns = sources.map((source) => source.trailArn);
    const accounts = sources.map((source) => source.account);
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailAclCheckSourceAccounts',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [props.bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceArn': trailArns, 'aws:SourceAccount': accounts } },
      }),
    );
    for (const source of sources) {
      props.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `AWSCloudTrailWrite${source.account}`,
          principals: [cloudTrail],
          actions: ['s3:PutObject'],
          resources: [props.bucket.arnForObjects(`AWSLogs/${source.account}/*`)],
          conditions: {
            StringEquals: {
              's3:x-amz-acl': 'bucket-owner-full-control',
              'aws:SourceArn': source.trailArn,
              'aws:SourceAccount': source.account,
            },
          },
        }),
      );
    }
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSourceAccountTrailsToEncryptLogs',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArns },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': accounts.map(encryptionContextOf) },
        },
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSourceAccountTrailsToDescribeKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArns } },
      }),
    );
  }
}

/**
 * The most source accounts: each adds about 500 bytes to the bucket policy, which S3 caps at 20 KB (30 accounts and an
 * organization trail measure about 16 KB).
 * More accounts than this belong in an organization trail.
 */
export const MAX_SOURCE_ACCOUNTS = 30;

/** Validates `sourceAccountIds` and `sourceTrailName`, naming the construct and the bad value. */
function sourceAccountsOf(path: string, props: AuditTrailProps, trailName: string, trailOwner: string): string[] {
  const accounts = [...(props.sourceAccountIds ?? [])];
  if (props.sourceTrailName !== undefined && accounts.length === 0) {
    throw new Error(`AuditTrail ${path}: sourceTrailName is set but sourceAccountIds is empty`);
  }
  if (props.sourceTrailName !== undefined && !TRAIL_NAME.test(props.sourceTrailName)) {
    throw new Error(
      `AuditTrail ${path}: invalid sourceTrailName "${props.sourceTrailName}" (3-128 of A-Z a-z 0-9 . _ -)`,
    );
  }
  const invalid = accounts.filter((account) => !ACCOUNT_ID.test(account));
  if (invalid.length > 0) {
    throw new Error(`AuditTrail ${path}: sourceAccountIds must be 12-digit account IDs, got ${invalid.join(', ')}`);
  }
  const repeated = accounts.filter((account, index) => accounts.indexOf(account) !== index);
  if (repeated.length > 0) {
    throw new Error(`AuditTrail ${path}: sourceAccountIds lists ${[...new Set(repeated)].join(', ')} more than once`);
  }
  if (accounts.includes(trailOwner)) {
    throw new Error(
      `AuditTrail ${path}: sourceAccountIds lists ${trailOwner}, the account of trail ${trailName} itself; its ` +
        'grants are already there',
    );
  }
  if (accounts.length > MAX_SOURCE_ACCOUNTS) {
    throw new Error(
      `AuditTrail ${path}: ${accounts.length} sourceAccountIds would overflow the 20 KB bucket policy (at most ` +
        `${MAX_SOURCE_ACCOUNTS}); for more accounts, use an organization trail`,
    );
  }
  return accounts;
}

/** What {@link organizationTrailCommands} writes the commands for. */
interface OrganizationTrailSettings {
  readonly trailName: string;
  readonly trailArn: string;
  readonly bucketName: string;
  readonly keyArn: string;
  readonly region: string;
  readonly readWriteType: string;
  readonly insightTypes: readonly string[];
}

/**
 * The AWS CLI calls that create an organization trail from a delegated administrator account with the settings
 * `CfnTrail` would have had, and start it. Every call after create-trail names the trail by ARN: by name, a
 * delegated administrator's call looks in its own account and fails with `TrailNotFoundException`.
 */
function organizationTrailCommands(settings: OrganizationTrailSettings): string[] {
  const region = `--region ${settings.region}`;
  const commands = [
    `aws cloudtrail create-trail --name ${settings.trailName} --s3-bucket-name ${settings.bucketName} ` +
      `--kms-key-id ${settings.keyArn} --is-organization-trail --is-multi-region-trail ` +
      `--include-global-service-events --enable-log-file-validation ${region}`,
    `aws cloudtrail put-event-selectors --trail-name ${settings.trailArn} --event-selectors ` +
      `'[{"ReadWriteType":"${settings.readWriteType}","IncludeManagementEvents":true}]' ${region}`,
  ];
  if (settings.insightTypes.length > 0) {
    const selectors = settings.insightTypes.map((type) => `{"InsightType":"${type}"}`).join(',');
    commands.push(
      `aws cloudtrail put-insight-selectors --trail-name ${settings.trailArn} ` +
        `--insight-selectors '[${selectors}]' ${region}`,
    );
  }
  commands.push(`aws cloudtrail start-logging --name ${settings.trailArn} ${region}`);
  return commands;
}

/** CloudTrail's `ReadWriteType` for each {@link ManagementEvents} choice. */
const READ_WRITE_TYPE: Readonly<Record<ManagementEvents, string>> = {
  all: 'All',
  writeOnly: 'WriteOnly',
  readOnly: 'ReadOnly',
};
