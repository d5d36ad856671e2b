/**
 * The resource types trail-audit indexes, named as CloudFormation (and CloudTrail's own `resources` field) names
 * them, so a type reads the same in the table, the CLI output and the AWS documentation.
 */

/** A classic load balancer (Elastic Load Balancing API 2012-06-01). */
export const ELB_LOAD_BALANCER = 'AWS::ElasticLoadBalancing::LoadBalancer';
/** An Application, Network or Gateway Load Balancer (API 2015-12-01). */
export const ELBV2_LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
/** A listener of an ELBv2 load balancer; its ARN names its load balancer. */
export const ELBV2_LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
/** A listener rule; its ARN names its listener and load balancer. */
export const ELBV2_LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';
/** An ELBv2 target group. */
export const ELBV2_TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
/** An ELBv2 trust store (mutual TLS). */
export const ELBV2_TRUST_STORE = 'AWS::ElasticLoadBalancingV2::TrustStore';

/** An EC2 Auto Scaling group. */
export const ASG_GROUP = 'AWS::AutoScaling::AutoScalingGroup';
/** An EC2 Auto Scaling launch configuration. */
export const ASG_LAUNCH_CONFIGURATION = 'AWS::AutoScaling::LaunchConfiguration';
/** A scaling policy of an Auto Scaling group. */
export const ASG_SCALING_POLICY = 'AWS::AutoScaling::ScalingPolicy';
/** A scheduled action of an Auto Scaling group. */
export const ASG_SCHEDULED_ACTION = 'AWS::AutoScaling::ScheduledAction';
/** A lifecycle hook of an Auto Scaling group. */
export const ASG_LIFECYCLE_HOOK = 'AWS::AutoScaling::LifecycleHook';

/** An Elastic Beanstalk application. */
export const EB_APPLICATION = 'AWS::ElasticBeanstalk::Application';
/** An Elastic Beanstalk environment. */
export const EB_ENVIRONMENT = 'AWS::ElasticBeanstalk::Environment';
/** A version (label) of an Elastic Beanstalk application. */
export const EB_APPLICATION_VERSION = 'AWS::ElasticBeanstalk::ApplicationVersion';
/** A saved configuration (template) of an Elastic Beanstalk application. */
export const EB_CONFIGURATION_TEMPLATE = 'AWS::ElasticBeanstalk::ConfigurationTemplate';
/**
 * An Elastic Beanstalk platform version. CloudFormation has no type for it; the name follows the same pattern so
 * that custom platforms (CreatePlatformVersion, DeletePlatformVersion) can be queried like everything else.
 */
export const EB_PLATFORM_VERSION = 'AWS::ElasticBeanstalk::PlatformVersion';

/** An EC2 launch template, linked from the Auto Scaling groups and instance refreshes that use it. */
export const EC2_LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';
/** An EC2 instance, named by the calls that act on instances (attach, standby, health, targets). */
export const EC2_INSTANCE = 'AWS::EC2::Instance';
/** A Lambda function registered as an ELBv2 target. */
export const LAMBDA_FUNCTION = 'AWS::Lambda::Function';
/** A VPC Lattice target group attached to an Auto Scaling group as a traffic source. */
export const VPC_LATTICE_TARGET_GROUP = 'AWS::VpcLattice::TargetGroup';
/** The S3 bucket Elastic Beanstalk's CreateStorageLocation creates. */
export const S3_BUCKET = 'AWS::S3::Bucket';
