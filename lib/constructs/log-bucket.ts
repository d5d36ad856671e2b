import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createKey } from './kms-defaults';

/** Seven years in days (with two leap days): the default retention of CloudTrail log files. */
export const DEFAULT_LOG_RETENTION_DAYS = 2557;

/** Props of {@link LogBucket}. */
export interface LogBucketProps {
  /**
   * How long log files (and the digest files that prove them) are kept before they expire.
   * @default Duration.days(2557) — seven years
   */
  readonly retention?: Duration;
  /**
   * Moves log files to S3 Standard-IA after this age.
   * @default Duration.days(30)
   */
  readonly infrequentAccessAfter?: Duration;
  /**
   * Moves log files to S3 Glacier Flexible Retrieval after this age.
   * @default Duration.days(90)
   */
  readonly glacierAfter?: Duration;
  /**
   * How long an overwritten or deleted version is kept. It is the evidence of tampering, so keep it long enough
   * for someone to notice; log file validation detects the change itself.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionRetention?: Duration;
  /**
   * Object Lock in compliance mode for the whole retention: nobody, root included, can delete or overwrite a log
   * file before it expires. Cannot be turned off once the bucket exists, and a locked bucket cannot be emptied.
   * @default false
   */
  readonly objectLock?: boolean;
}

/**
 * The S3 bucket CloudTrail writes to, with its KMS key and its own access-log bucket.
 *
 * Defaults an auditor checks for: all public access blocked, TLS-only policy, ACLs disabled, versioning, SSE-KMS
 * with a customer-managed key (rotation on) that the trail shares, server access logs to a separate bucket,
 * lifecycle rules, and both buckets retained when the stack is deleted. The CloudTrail grant itself is added by
 * `AuditTrail`, which knows the trail ARN it is conditioned on.
 *
 * Digest files live under the same `AWSLogs/` tree and follow the same lifecycle rule as the log files, so a digest
 * is kept exactly as long as the files it proves.
 */
export class LogBucket extends Construct {
  /** The bucket CloudTrail writes log and digest files to. */
  public readonly bucket: s3.Bucket;
  /** The customer-managed key that encrypts the log files; the trail encrypts with it too. */
  public readonly key: kms.Key;
  /** The bucket receiving the server access logs of {@link bucket}: who read or wrote which log file. */
  public readonly accessLogBucket: s3.Bucket;

  public constructor(scope: Construct, id: string, props: LogBucketProps = {}) {
    super(scope, id);

    const retention = props.retention ?? Duration.days(DEFAULT_LOG_RETENTION_DAYS);
    const infrequentAccessAfter = props.infrequentAccessAfter ?? Duration.days(30);
    const glacierAfter = props.glacierAfter ?? Duration.days(90);
    const retentionDays = retention.toDays();
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(
        `LogBucket ${this.node.path}: retention must be a whole number of days ≥ 1, got ${retentionDays}`,
      );
    }

    // S3 server access logs are granted by bucket policy (with ObjectOwnership BucketOwnerEnforced), never by the
    // LogDeliveryWrite ACL, whatever the feature flags of the app this construct is added to: without the flag CDK
    // would set that ACL, which BucketOwnerEnforced forbids. Context set here is read only by this subtree.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    this.key = createKey(this, 'Key', {
      description: 'trail-audit: encrypts CloudTrail log files',
      // Deleting the key would make every retained log file unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging delivers only to buckets with SSE-S3 default encryption, not SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: retention,
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the CloudTrail log bucket; logging it to itself would loop and logging ' +
        'it to a third bucket only moves the question. Its writes come from the S3 logging service alone.',
    });

    const transitions: s3.Transition[] = [];
    if (infrequentAccessAfter.toDays() < retentionDays) {
      transitions.push({ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: infrequentAccessAfter });
    }
    if (glacierAfter.toDays() < retentionDays) {
      transitions.push({ storageClass: s3.StorageClass.GLACIER, transitionAfter: glacierAfter });
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket instead of one KMS call per object: cuts KMS requests (and their cost) by ~99%.
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'cloudtrail-bucket/',
      ...(props.objectLock === true
        ? { objectLockEnabled: true, objectLockDefaultRetention: s3.ObjectLockRetention.compliance(retention) }
        : {}),
      lifecycleRules: [
        {
          // Log files, digest files and Insights files alike: a digest expires with the logs it proves.
          id: 'cloudtrail-logs',
          transitions,
          expiration: retention,
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
