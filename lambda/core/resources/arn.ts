/**
 * Building and reading the ARNs of the indexed resources.
 *
 * An ARN is built only where the event determines it: classic load balancers, Beanstalk applications, versions,
 * templates and environments, EC2 instances and launch templates have ARNs made of what the request carries.
 * Auto Scaling groups and launch configurations have a UUID in their ARN that no request carries, so they are
 * written as IAM policies write them (`...:autoScalingGroup:*:autoScalingGroupName/NAME`), which is stable and
 * what a person pastes from a policy. ELBv2 ARNs are never built (their ID is random): they are read, and a child
 * ARN (listener, rule) names its parents.
 */
import type { CloudTrailRecord, Resource } from '../types';
import {
  ASG_GROUP,
  ASG_SCALING_POLICY,
  EB_APPLICATION,
  EB_APPLICATION_VERSION,
  EB_CONFIGURATION_TEMPLATE,
  EB_ENVIRONMENT,
  EB_PLATFORM_VERSION,
  ELBV2_LISTENER,
  ELBV2_LISTENER_RULE,
  ELBV2_LOAD_BALANCER,
  ELBV2_TARGET_GROUP,
  ELBV2_TRUST_STORE,
  ELB_LOAD_BALANCER,
  LAMBDA_FUNCTION,
  VPC_LATTICE_TARGET_GROUP,
} from './resource-types';

/** Where an event happened: what every built ARN needs. `account` is absent when the record names none. */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account?: string;
}

/** Region prefixes of the partitions other than `aws`, most specific first. */
const PARTITION_PREFIXES: readonly (readonly [string, string])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-iso-', 'aws-iso'],
  // The AWS European Sovereign Cloud (`eusc-de-east-1`, ...).
  ['eusc-', 'aws-eusc'],
];

/**
 * The ARN partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, `aws-eusc` for `eusc-*`, ... and
 * `aws` otherwise.
 */
export function partitionOf(region: string): string {
  for (const [prefix, partition] of PARTITION_PREFIXES) {
    if (region.startsWith(prefix)) return partition;
  }
  return 'aws';
}

/** The ARN context of a record: region, partition, and account (`recipientAccountId ?? userIdentity.accountId`). */
export function arnContextOf(record: CloudTrailRecord): ArnContext {
  const account = nonEmpty(record.recipientAccountId) ?? nonEmpty(record.userIdentity?.accountId);
  const partition = partitionOf(record.awsRegion);
  return account === undefined
    ? { partition, region: record.awsRegion }
    : { partition, region: record.awsRegion, account };
}

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, or undefined when the account is unknown. */
export function buildArn(context: ArnContext, service: string, resource: string): string | undefined {
  return context.account === undefined
    ? undefined
    : `arn:${context.partition}:${service}:${context.region}:${context.account}:${resource}`;
}

/** The parts of any ARN (the resource part may itself contain colons). */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its parts, or undefined when the text is not an ARN. */
export function parseArn(text: string): ArnParts | undefined {
  // The first five colons, found without splitting the whole text (the resource part may hold many more).
  if (!text.startsWith('arn:')) return undefined;
  const afterPartition = text.indexOf(':', 4);
  const afterService = afterPartition === -1 ? -1 : text.indexOf(':', afterPartition + 1);
  const afterRegion = afterService === -1 ? -1 : text.indexOf(':', afterService + 1);
  const afterAccount = afterRegion === -1 ? -1 : text.indexOf(':', afterRegion + 1);
  if (afterAccount === -1) return undefined;
  return {
    partition: text.slice(4, afterPartition),
    service: text.slice(afterPartition + 1, afterService),
    region: text.slice(afterService + 1, afterRegion),
    account: text.slice(afterRegion + 1, afterAccount),
    resource: text.slice(afterAccount + 1),
  };
}

/** A classic load balancer by name: `arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/NAME`. */
export function classicLoadBalancer(context: ArnContext, name: string): Resource {
  return withArn(ELB_LOAD_BALANCER, name, buildArn(context, 'elasticloadbalancing', `loadbalancer/${name}`));
}

/** An Auto Scaling group by name, its ARN written as IAM writes it (the group's UUID is in no request). */
export function autoScalingGroup(context: ArnContext, name: string): Resource {
  return withArn(ASG_GROUP, name, buildArn(context, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${name}`));
}

/**
 * The resources an ELBv2 ARN names, the resource itself first: a listener ARN also names its load balancer, a
 * rule ARN its listener and load balancer. Also reads classic load balancer ARNs (`loadbalancer/NAME`).
 * Undefined when the ARN is not an Elastic Load Balancing one.
 *
 * Names: a load balancer, target group or trust store is named by its name; a listener or rule has no name of its
 * own, so its name is the ARN's path after the resource type (`app/my-lb/50dc6c495c0c9188/f2f7dc8efc522ab2`),
 * unique in its account and region and copyable from any console or CLI output.
 */
export function elasticLoadBalancingArn(arn: string): Resource[] | undefined {
  const parts = parseArn(arn);
  if (parts?.service !== 'elasticloadbalancing') return undefined;
  const prefix = `arn:${parts.partition}:elasticloadbalancing:${parts.region}:${parts.account}:`;
  const [kind = '', ...path] = parts.resource.split('/');
  if (path.some((segment) => segment === '')) return undefined;
  const lbPath = path.slice(0, 3); // [type, name, id]
  const lb = (): Resource => ({
    type: ELBV2_LOAD_BALANCER,
    arn: `${prefix}loadbalancer/${lbPath.join('/')}`,
    name: lbPath[1] ?? '',
  });
  switch (kind) {
    case 'loadbalancer':
      if (path.length === 1) return [{ type: ELB_LOAD_BALANCER, arn, name: path[0] ?? '' }];
      return path.length === 3 ? [lb()] : undefined;
    case 'listener':
      return path.length === 4 ? [{ type: ELBV2_LISTENER, arn, name: path.join('/') }, lb()] : undefined;
    case 'listener-rule': {
      if (path.length !== 5) return undefined;
      const listenerPath = path.slice(0, 4).join('/');
      return [
        { type: ELBV2_LISTENER_RULE, arn, name: path.join('/') },
        { type: ELBV2_LISTENER, arn: `${prefix}listener/${listenerPath}`, name: listenerPath },
        lb(),
      ];
    }
    case 'targetgroup':
      return path.length === 2 ? [{ type: ELBV2_TARGET_GROUP, arn, name: path[0] ?? '' }] : undefined;
    case 'truststore':
      return path.length === 2 ? [{ type: ELBV2_TRUST_STORE, arn, name: path[0] ?? '' }] : undefined;
    default:
      return undefined;
  }
}

/**
 * The resources a scaling policy ARN names: the policy (named by its policy name) and its group.
 * `arn:aws:autoscaling:REGION:ACCOUNT:scalingPolicy:UUID:autoScalingGroupName/GROUP:policyName/POLICY`.
 * Undefined when the text is not such an ARN.
 */
export function scalingPolicyArn(arn: string): Resource[] | undefined {
  const parts = parseArn(arn);
  if (parts?.service !== 'autoscaling') return undefined;
  const match = /^scalingPolicy:[^:]+:autoScalingGroupName\/(.+):policyName\/(.+)$/.exec(parts.resource);
  const group = match?.[1];
  const policy = match?.[2];
  if (group === undefined || policy === undefined) return undefined;
  const groupContext: ArnContext = { partition: parts.partition, region: parts.region, account: parts.account };
  return [{ type: ASG_SCALING_POLICY, arn, name: policy }, autoScalingGroup(groupContext, group)];
}

/**
 * An Auto Scaling group or launch configuration ARN with its UUID (`...:autoScalingGroup:<uuid>:autoScalingGroupName/
 * NAME`, as the console and DescribeAutoScalingGroups show it) → the form the table stores
 * (`...:autoScalingGroup:*:autoScalingGroupName/NAME`, as IAM writes it): no request carries the UUID, so no
 * event is stored under it. Any other text is returned unchanged. Scaling policy ARNs are stored with their UUID
 * (they are read from responses), so they are left as they are.
 */
const AUTO_SCALING_ARN_WITH_UUID =
  /^(arn:[^:]+:autoscaling:[^:]*:[^:]*:)(autoScalingGroup|launchConfiguration):[0-9a-fA-F-]+:(autoScalingGroupName|launchConfigurationName)\//;

export function storedAutoScalingArn(text: string): string {
  return text.replace(AUTO_SCALING_ARN_WITH_UUID, (_match, prefix: string, kind: string, member: string) => {
    return `${prefix}${kind}:*:${member}/`;
  });
}

/** A Beanstalk application: `arn:PARTITION:elasticbeanstalk:REGION:ACCOUNT:application/APP`. */
export function beanstalkApplication(context: ArnContext, application: string): Resource {
  return withArn(EB_APPLICATION, application, buildArn(context, 'elasticbeanstalk', `application/${application}`));
}

/** An application version, named by its label: `...:applicationversion/APP/LABEL`. */
export function beanstalkApplicationVersion(context: ArnContext, application: string, label: string): Resource {
  const arn = buildArn(context, 'elasticbeanstalk', `applicationversion/${application}/${label}`);
  return withArn(EB_APPLICATION_VERSION, label, arn);
}

/** A saved configuration, named by its template name: `...:configurationtemplate/APP/TEMPLATE`. */
export function beanstalkConfigurationTemplate(context: ArnContext, application: string, template: string): Resource {
  const arn = buildArn(context, 'elasticbeanstalk', `configurationtemplate/${application}/${template}`);
  return withArn(EB_CONFIGURATION_TEMPLATE, template, arn);
}

/**
 * The resources an Elastic Beanstalk ARN names, the resource first, then its application: `application/APP`,
 * `applicationversion/APP/LABEL`, `configurationtemplate/APP/TEMPLATE`, `environment/APP/ENV`,
 * `platform/NAME/VERSION`. Undefined for other ARNs (solution stacks are not resources).
 */
export function beanstalkArn(arn: string): Resource[] | undefined {
  const parts = parseArn(arn);
  if (parts?.service !== 'elasticbeanstalk') return undefined;
  const slash = parts.resource.indexOf('/');
  if (slash < 0) return undefined;
  const kind = parts.resource.slice(0, slash);
  const rest = parts.resource.slice(slash + 1);
  const context: ArnContext = { partition: parts.partition, region: parts.region, account: parts.account };
  if (kind === 'application') return rest === '' ? undefined : [{ type: EB_APPLICATION, arn, name: rest }];
  if (kind === 'platform') return rest === '' ? undefined : [{ type: EB_PLATFORM_VERSION, arn, name: rest }];
  // The application's name cannot contain '/', so the first slash ends it.
  const inner = rest.indexOf('/');
  if (inner <= 0 || inner === rest.length - 1) return undefined;
  const application = rest.slice(0, inner);
  const name = rest.slice(inner + 1);
  const type = {
    applicationversion: EB_APPLICATION_VERSION,
    configurationtemplate: EB_CONFIGURATION_TEMPLATE,
    environment: EB_ENVIRONMENT,
  }[kind];
  return type === undefined ? undefined : [{ type, arn, name }, beanstalkApplication(context, application)];
}

/** A Lambda function ARN (an ELBv2 target), named by its function name; undefined for other text. */
export function lambdaFunctionArn(arn: string): Resource | undefined {
  const parts = parseArn(arn);
  const match = parts?.service === 'lambda' ? /^function:([^:]+)/.exec(parts.resource) : null;
  return match?.[1] === undefined ? undefined : { type: LAMBDA_FUNCTION, arn, name: match[1] };
}

/** A VPC Lattice target group ARN (an Auto Scaling traffic source), named by its ID; undefined for other text. */
export function vpcLatticeTargetGroupArn(arn: string): Resource | undefined {
  const parts = parseArn(arn);
  const match = parts?.service === 'vpc-lattice' ? /^targetgroup\/(.+)$/.exec(parts.resource) : null;
  return match?.[1] === undefined ? undefined : { type: VPC_LATTICE_TARGET_GROUP, arn, name: match[1] };
}

/** A resource with its ARN when known. */
export function withArn(type: string, name: string, arn: string | undefined): Resource {
  return arn === undefined ? { type, name } : { type, arn, name };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
