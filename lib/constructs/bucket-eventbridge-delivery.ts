import { Aws, CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createNodejsFunction } from './lambda-defaults';

/** Props of {@link BucketEventBridgeDelivery}. */
export interface BucketEventBridgeDeliveryProps {
  /** The bucket (in this stack's account and region) whose events go to EventBridge. */
  readonly bucket: s3.IBucket;
}

/**
 * Turns on an existing bucket's delivery of events to Amazon EventBridge, leaving the rest of its notification
 * configuration as it is, and on stack delete turns it off again only if this resource turned it on
 * (`lambda/custom-resources/bucket-eventbridge.ts` says how, and why it checks its write).
 *
 * Why not CDK's own `bucket.enableEventBridgeNotification()` on an imported bucket: its handler (the singleton
 * `BucketNotificationsHandler`, aws-cdk-lib 2.276) does keep the other configurations, but it writes the whole
 * configuration back on every create and update even when EventBridge is already on (a read-modify-write that can
 * lose another writer's concurrent change, and that re-validates every other team's destination, so a destination
 * broken since fails this deployment), and it never turns EventBridge off, even when it turned it on, which leaves a
 * bucket-wide, per-event-billed setting behind after the stack is deleted.
 */
export class BucketEventBridgeDelivery extends Construct {
  public constructor(scope: Construct, id: string, props: BucketEventBridgeDeliveryProps) {
    super(scope, id);
    const fn = createNodejsFunction(this, 'Function', {
      bundle: 'bucket-eventbridge',
      description: 'trail-audit: turns on an existing bucket\'s EventBridge delivery, keeping its other notifications',
      memorySize: 256,
      // A few read-write-check cycles with pauses: well under a minute, unless S3 is slow.
      timeout: Duration.minutes(2),
    });
    // Exactly the two calls it makes (GetBucketNotificationConfiguration and PutBucketNotificationConfiguration are
    // authorised by these actions), on this bucket only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
        resources: [props.bucket.bucketArn],
      }),
    );
    // The function's ARN makes the resource depend on it, and the function depends on its role and the role's policy:
    // CloudFormation calls it only once it may read and write the configuration, and deletes it only after.
    new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::BucketEventBridgeDelivery',
      properties: { BucketName: props.bucket.bucketName, ExpectedBucketOwner: Aws.ACCOUNT_ID },
    });
  }
}
