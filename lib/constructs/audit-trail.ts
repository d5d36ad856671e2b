import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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
   * The organization's management account ID, for an organization trail deployed from a CloudTrail delegated
   * administrator account: the management account owns every organization trail, whichever account creates it, so
   * the trail's ARN (the `aws:SourceArn` of every CloudTrail grant), the `aws:SourceAccount` of the bucket policy,
   * the account log prefix and the KMS encryption context all name the management account.
   * @default the stack's account (deployed in the management account)
   */
  readonly managementAccountId?: string;
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
   * Turns on CloudTrail Insights (API call rate and error rate). Billed per 100,000 events analysed.
   * @default false
   */
  readonly insights?: boolean;
}

/**
 * A multi-region CloudTrail trail (global service events, log file validation, KMS encryption, management events)
 * with the bucket-policy and key-policy grants it needs, each conditioned on `aws:SourceArn` and
 * `aws:SourceAccount`.
 *
 * Why the L1 `CfnTrail`: the L2 `Trail` always adds its own bucket-policy statements without `aws:SourceArn`, and its
 * organization statement ignores the key prefix; the grants here are written once, as the CloudTrail documentation
 * gives them. No data events are configured: data events on the trail's own bucket would log every log delivery
 * and bill millions of events.
 */
export class AuditTrail extends Construct {
  /** The trail resource. */
  public readonly trail: cloudtrail.CfnTrail;
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
    // The account that owns the trail: the management account for an organization trail, even one a delegated
    // administrator creates (CloudTrail user guide, "Organization delegated administrator").
    const trailOwner = managementAccountId ?? stack.account;

    this.trailArn = stack.formatArn({
      service: 'cloudtrail',
      account: trailOwner,
      resource: 'trail',
      resourceName: this.trailName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
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

    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({
              service: 'cloudtrail',
              region: '*',
              account: trailOwner,
              resource: 'trail',
              resourceName: '*',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
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

    let cloudWatchLogsRole: iam.Role | undefined;
    if (props.cloudWatchLogs === true) {
      this.logGroup = new logs.LogGroup(this, 'LogGroup', {
        retention: props.cloudWatchLogsRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      cloudWatchLogsRole = new iam.Role(this, 'CloudWatchLogsRole', {
        assumedBy: cloudTrail,
        description: `Lets CloudTrail trail ${this.trailName} deliver events to its log group`,
      });
      this.logGroup.grantWrite(cloudWatchLogsRole);
    }

    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName: this.trailName,
      isLogging: true,
      s3BucketName: props.bucket.bucketName,
      kmsKeyId: props.encryptionKey.keyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      isOrganizationTrail,
      eventSelectors: [
        {
          includeManagementEvents: true,
          readWriteType: READ_WRITE_TYPE[props.managementEvents ?? 'all'],
        },
      ],
      ...(props.insights === true
        ? { insightSelectors: [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight' }] }
        : {}),
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
}

/** CloudTrail's `ReadWriteType` for each {@link ManagementEvents} choice. */
const READ_WRITE_TYPE: Readonly<Record<ManagementEvents, string>> = {
  all: 'All',
  writeOnly: 'WriteOnly',
  readOnly: 'ReadOnly',
};
