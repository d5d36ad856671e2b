/**
 * The building blocks of the resource tables: a {@link ResourceSpec} says which resource types a place in the
 * record holds and how to read them, and the small helpers below make each table entry one declarative line.
 */
import type { CloudTrailRecord, JsonObject, Resource } from '../types';
import {
  autoScalingGroup,
  beanstalkApplication,
  beanstalkApplicationVersion,
  beanstalkArn,
  beanstalkConfigurationTemplate,
  buildArn,
  classicLoadBalancer,
  elasticLoadBalancingArn,
  lambdaFunctionArn,
  scalingPolicyArn,
  vpcLatticeTargetGroupArn,
  withArn,
  type ArnContext,
} from './arn';
import { objectsAt, stringMember, stringsAt } from './paths';
import {
  ASG_GROUP,
  ASG_LAUNCH_CONFIGURATION,
  ASG_SCALING_POLICY,
  EB_APPLICATION,
  EB_APPLICATION_VERSION,
  EB_CONFIGURATION_TEMPLATE,
  EB_ENVIRONMENT,
  EB_PLATFORM_VERSION,
  EC2_INSTANCE,
  EC2_LAUNCH_TEMPLATE,
  ELBV2_LISTENER,
  ELBV2_LISTENER_RULE,
  ELBV2_LOAD_BALANCER,
  ELBV2_TARGET_GROUP,
  ELBV2_TRUST_STORE,
  ELB_LOAD_BALANCER,
  LAMBDA_FUNCTION,
  S3_BUCKET,
  VPC_LATTICE_TARGET_GROUP,
} from './resource-types';

/** What an extractor reads: the record, and where it happened (for the ARNs it builds). */
export interface ExtractionContext extends ArnContext {
  readonly record: CloudTrailRecord;
}

/**
 * One place in a record that names resources, and how to read it.
 *
 * `types`, `parents` and `from` describe the spec for the table in docs/coverage.md; `extract` reads the record. A
 * spec that finds nothing (a member absent, `responseElements` null) returns an empty list, never throws.
 */
export interface ResourceSpec {
  /** The resource types the place holds (alternatives: `resourceArns` may hold a load balancer or a target group). */
  readonly types: readonly string[];
  /** The types an identifier there names besides itself (a listener ARN names its load balancer). */
  readonly parents: readonly string[];
  /** Where the identifiers sit: `request.listenerArn`, `request.launchTemplate.{launchTemplateId, ...}`. */
  readonly from: string;
  /**
   * Every member path the spec reads, each ending in a string member (`[]` marks each list on the way): checked
   * against the services' API definitions by the tests, so a misspelt member cannot hide in the table.
   */
  readonly reads: readonly string[];
  readonly extract: (context: ExtractionContext) => Resource[];
}

/** The specs of one operation; empty when the operation names no resource (account-level describe calls). */
export type OperationEntry = readonly ResourceSpec[];

/** One service's table: operation (CloudTrail `eventName`) → its entry. */
export type OperationTable = Readonly<Record<string, OperationEntry>>;

/** A spec that turns each string at `path` into resources. */
function fromStrings(
  types: readonly string[],
  parents: readonly string[],
  path: string,
  toResources: (value: string, context: ExtractionContext) => Resource[],
): ResourceSpec {
  return {
    types,
    parents,
    from: path,
    reads: [path],
    extract: (context) => {
      const found: Resource[] = [];
      for (const value of stringsAt(context.record, path)) {
        for (const resource of toResources(value, context)) found.push(resource);
      }
      return found;
    },
  };
}

/** The parents an ELBv2 identifier names (a listener its load balancer, a rule its listener and load balancer). */
const ELBV2_PARENTS: Readonly<Record<string, readonly string[]>> = {
  [ELBV2_LISTENER]: [ELBV2_LOAD_BALANCER],
  [ELBV2_LISTENER_RULE]: [ELBV2_LISTENER, ELBV2_LOAD_BALANCER],
};

/** Classic load balancers by name, each with its built ARN. */
export function elbNames(path: string): ResourceSpec {
  return fromStrings([ELB_LOAD_BALANCER], [], path, (name, context) => [classicLoadBalancer(context, name)]);
}

/**
 * ELBv2 resources by ARN (`type` documents what the member holds; the ARN itself decides), with the parents a
 * child ARN names. A value that is not an Elastic Load Balancing ARN names nothing.
 */
export function elbv2Arns(type: string, path: string): ResourceSpec {
  return fromStrings([type], ELBV2_PARENTS[type] ?? [], path, (arn) => elasticLoadBalancingArn(arn) ?? []);
}

/** Any Elastic Load Balancing resource by ARN (`resourceArns` of the tagging calls). */
export function anyElbv2Arns(path: string): ResourceSpec {
  const types = [ELBV2_LOAD_BALANCER, ELBV2_TARGET_GROUP, ELBV2_LISTENER, ELBV2_LISTENER_RULE, ELBV2_TRUST_STORE];
  const parents = [ELBV2_LISTENER, ELBV2_LOAD_BALANCER];
  return fromStrings(types, parents, path, (arn) => elasticLoadBalancingArn(arn) ?? []);
}

/** Resources named by name only: their ARN holds an ID or UUID the event does not carry. */
export function names(type: string, path: string): ResourceSpec {
  return fromStrings([type], [], path, (name) => [{ type, name }]);
}

/**
 * ELBv2 targets (`targets[].id`): an instance ID is an EC2 instance, a Lambda ARN a function, an ALB ARN (target
 * of a Network Load Balancer) a load balancer; an IP address is not a resource and names nothing.
 */
export function elbv2Targets(path: string): ResourceSpec {
  return fromStrings([EC2_INSTANCE, LAMBDA_FUNCTION, ELBV2_LOAD_BALANCER], [], path, (id, context) => {
    if (/^i-[0-9a-f]+$/.test(id)) return [ec2Instance(context, id)];
    const lambda = lambdaFunctionArn(id);
    if (lambda !== undefined) return [lambda];
    return elasticLoadBalancingArn(id) ?? [];
  });
}

/** EC2 instances by ID: `arn:PARTITION:ec2:REGION:ACCOUNT:instance/ID`. */
export function instances(path: string): ResourceSpec {
  return fromStrings([EC2_INSTANCE], [], path, (id, context) => [ec2Instance(context, id)]);
}

function ec2Instance(context: ArnContext, id: string): Resource {
  return withArn(EC2_INSTANCE, id, buildArn(context, 'ec2', `instance/${id}`));
}

/** Auto Scaling groups by name (ARN as IAM writes it). */
export function groups(path: string): ResourceSpec {
  return fromStrings([ASG_GROUP], [], path, (name, context) => [autoScalingGroup(context, name)]);
}

/** Launch configurations by name (ARN as IAM writes it: `launchConfiguration:*:launchConfigurationName/NAME`). */
export function launchConfigurations(path: string): ResourceSpec {
  return fromStrings([ASG_LAUNCH_CONFIGURATION], [], path, (name, context) => [
    withArn(
      ASG_LAUNCH_CONFIGURATION,
      name,
      buildArn(context, 'autoscaling', `launchConfiguration:*:launchConfigurationName/${name}`),
    ),
  ]);
}

/**
 * Scaling policies: `policyName` is a name or a full policy ARN. An ARN gives the policy's ARN and names its
 * group; a plain name gives the policy by name (its ARN holds a UUID the request does not carry).
 */
export function scalingPolicies(path: string): ResourceSpec {
  return fromStrings([ASG_SCALING_POLICY], [ASG_GROUP], path, (value) =>
    value.startsWith('arn:') ? (scalingPolicyArn(value) ?? []) : [{ type: ASG_SCALING_POLICY, name: value }],
  );
}

/**
 * Launch templates from `LaunchTemplateSpecification` objects (`launchTemplateId` and/or `launchTemplateName`).
 * The ARN is built from the ID (`launch-template/lt-...`); the name is the template's name when given, else its ID.
 */
export function launchTemplates(path: string): ResourceSpec {
  return {
    types: [EC2_LAUNCH_TEMPLATE],
    parents: [],
    from: `${path}.{launchTemplateId, launchTemplateName}`,
    reads: [`${path}.launchTemplateId`, `${path}.launchTemplateName`],
    extract: (context) =>
      objectsAt(context.record, path).flatMap((spec) => {
        const id = stringMember(spec, 'launchTemplateId');
        const name = stringMember(spec, 'launchTemplateName') ?? id;
        if (name === undefined) return [];
        const arn = id === undefined ? undefined : buildArn(context, 'ec2', `launch-template/${id}`);
        const resource = withArn(EC2_LAUNCH_TEMPLATE, name, arn);
        return [id !== undefined && id !== name ? { ...resource, id } : resource];
      }),
  };
}

/**
 * Auto Scaling traffic sources (`{identifier, type}`): `elb` is a classic load balancer name, `elbv2` a target
 * group ARN, `vpc-lattice` a VPC Lattice target group ARN. Without a type, the identifier's form decides.
 */
export function trafficSources(path: string): ResourceSpec {
  return {
    types: [ELBV2_TARGET_GROUP, ELB_LOAD_BALANCER, VPC_LATTICE_TARGET_GROUP],
    parents: [],
    from: `${path}.identifier`,
    reads: [`${path}.identifier`],
    extract: (context) =>
      objectsAt(context.record, path).flatMap((source) => {
        const identifier = stringMember(source, 'identifier');
        if (identifier === undefined) return [];
        const lattice = vpcLatticeTargetGroupArn(identifier);
        if (lattice !== undefined) return [lattice];
        const elb = elasticLoadBalancingArn(identifier);
        if (elb !== undefined) return elb;
        return identifier.startsWith('arn:') ? [] : [classicLoadBalancer(context, identifier)];
      }),
  };
}

/** Beanstalk applications by name (`...:application/APP`). */
export function applications(path: string): ResourceSpec {
  return fromStrings([EB_APPLICATION], [], path, (name, context) => [beanstalkApplication(context, name)]);
}

/**
 * Elastic Beanstalk resources by ARN (`resourceArn`, `applicationVersionArn`, `platformArn`): a version, template
 * or environment ARN names its application too (`parents` documents whether the place can hold such an ARN).
 */
export function beanstalkArns(types: readonly string[], path: string, parents: readonly string[] = []): ResourceSpec {
  return fromStrings(types, parents, path, (arn) => beanstalkArn(arn) ?? []);
}

/**
 * Application versions: the labels in `labelMember` (a string or a list) of each object at `base`, each with the
 * application named by `applicationMember` of the same object. Without an application, a label names nothing: a
 * label alone is not unique.
 */
export function applicationVersions(
  base: string,
  labelMember = 'versionLabel',
  applicationMember = 'applicationName',
): ResourceSpec {
  return childrenOfApplication(
    EB_APPLICATION_VERSION,
    base,
    labelMember,
    applicationMember,
    beanstalkApplicationVersion,
  );
}

/** Configuration templates: `templateName` of each object at `base`, with its `applicationName`. */
export function configurationTemplates(base: string): ResourceSpec {
  return childrenOfApplication(
    EB_CONFIGURATION_TEMPLATE,
    base,
    'templateName',
    'applicationName',
    beanstalkConfigurationTemplate,
  );
}

function childrenOfApplication(
  type: string,
  base: string,
  childMember: string,
  applicationMember: string,
  build: (context: ArnContext, application: string, child: string) => Resource,
): ResourceSpec {
  return {
    types: [type],
    parents: [EB_APPLICATION],
    from: `${base}.{${childMember}, ${applicationMember}}`,
    reads: [`${base}.${childMember}`, `${base}.${applicationMember}`],
    extract: (context) =>
      objectsAt(context.record, base).flatMap((object) => {
        const application = stringMember(object, applicationMember);
        if (application === undefined) return [];
        const children = valuesIn(object, childMember).map((child) => build(context, application, child));
        return [...children, beanstalkApplication(context, application)];
      }),
  };
}

/** Which members of an object identify an environment (absent: the object has no such member). */
export interface EnvironmentMembers {
  readonly id?: string;
  readonly name?: string;
  readonly application?: string;
  readonly arn?: string;
}

/** A request naming an environment by ID or name, without its application (RestartAppServer, ...). */
export const ENVIRONMENT_BY_ID_OR_NAME: EnvironmentMembers = { id: 'environmentId', name: 'environmentName' };
/** A request naming an environment by name only (AssociateEnvironmentOperationsRole, ...). */
export const ENVIRONMENT_BY_NAME: EnvironmentMembers = { name: 'environmentName' };
/** A request naming an environment by name within its application (CreateEnvironment, ...). */
export const ENVIRONMENT_OF_APPLICATION: EnvironmentMembers = {
  name: 'environmentName',
  application: 'applicationName',
};
/** A request naming an environment by ID or name, with its application (UpdateEnvironment, DescribeEvents). */
export const ENVIRONMENT_BY_ID_OR_NAME_OF_APPLICATION: EnvironmentMembers = {
  ...ENVIRONMENT_BY_ID_OR_NAME,
  application: 'applicationName',
};
/** An `EnvironmentDescription` (the response of CreateEnvironment, UpdateEnvironment, ComposeEnvironments, ...). */
export const DESCRIBED_ENVIRONMENT: EnvironmentMembers = {
  ...ENVIRONMENT_BY_ID_OR_NAME_OF_APPLICATION,
  arn: 'environmentArn',
};

/**
 * Beanstalk environments from each object at `base` (the request, a response, a list of environment descriptions).
 *
 * Identity: the ARN from `environmentArn` when present, else built when the application and environment names are
 * both known (`...:environment/APP/ENV`), else none. The name is the environment's name when known, else its ID
 * (`e-...`); when both are known the ID is kept in `id`. The application is named too when known (from the
 * object or the ARN). Members holding lists (DescribeEnvironments' `environmentNames`, `environmentIds`) give one
 * environment per value, never paired: an ID and a name are taken for one environment only where the API says so.
 */
export function environments(base: string, members: EnvironmentMembers): ResourceSpec {
  const read = [members.arn, members.name, members.id, members.application].filter((m) => m !== undefined);
  return {
    types: [EB_ENVIRONMENT],
    parents: members.application === undefined && members.arn === undefined ? [] : [EB_APPLICATION],
    from: `${base}.{${read.join(', ')}}`,
    reads: read.map((member) => `${base}.${member}`),
    extract: (context) =>
      objectsAt(context.record, base).flatMap((object) => environmentsIn(context, object, members)),
  };
}

function environmentsIn(context: ArnContext, object: JsonObject, m: EnvironmentMembers): Resource[] {
  const ids = m.id === undefined ? [] : valuesIn(object, m.id);
  const envNames = m.name === undefined ? [] : valuesIn(object, m.name);
  const application = m.application === undefined ? undefined : stringMember(object, m.application);
  const arn = m.arn === undefined ? undefined : stringMember(object, m.arn);
  const [fromArn, applicationOfArn] = arn === undefined ? [] : (beanstalkArn(arn) ?? []);
  // An environment names its application, as a listener names its load balancer.
  const parent =
    application !== undefined
      ? [beanstalkApplication(context, application)]
      : applicationOfArn === undefined
        ? []
        : [applicationOfArn];
  const arnFor = (name: string): string | undefined =>
    application === undefined ? undefined : buildArn(context, 'elasticbeanstalk', `environment/${application}/${name}`);
  // One ID and one name of the same object are one environment, except in lists (DescribeEnvironments'
  // `environmentIds` and `environmentNames` are two filters, which need not name the same environment).
  const lists = m.id?.endsWith('[]') === true || m.name?.endsWith('[]') === true;
  if (!lists && ids.length <= 1 && envNames.length <= 1) {
    const id = ids[0];
    const name = envNames[0] ?? fromArn?.name ?? id;
    if (name === undefined) return [];
    const resolvedArn = arn ?? (envNames[0] === undefined ? undefined : arnFor(envNames[0]));
    const resource = withArn(EB_ENVIRONMENT, name, resolvedArn);
    return [id !== undefined && id !== name ? { ...resource, id } : resource, ...parent];
  }
  return [
    ...envNames.map((name) => withArn(EB_ENVIRONMENT, name, arnFor(name))),
    ...ids.map((id) => ({ type: EB_ENVIRONMENT, name: id })),
    ...parent,
  ];
}

/** Platform versions by ARN (`platformArn`), named `PLATFORM/VERSION`. */
export function platformVersions(path: string): ResourceSpec {
  return beanstalkArns([EB_PLATFORM_VERSION], path, []);
}

/** S3 buckets by name (`arn:PARTITION:s3:::BUCKET`). */
export function buckets(path: string): ResourceSpec {
  return fromStrings([S3_BUCKET], [], path, (name, context) => [
    { type: S3_BUCKET, arn: `arn:${context.partition}:s3:::${name}`, name },
  ]);
}

/**
 * Auto Scaling groups named by `tags[].resourceId` (CreateOrUpdateTags, DeleteTags, CreateAutoScalingGroup):
 * only tags whose `resourceType` is `auto-scaling-group` (or absent, its only value) are groups.
 */
export function taggedGroups(path: string): ResourceSpec {
  return {
    types: [ASG_GROUP],
    parents: [],
    from: `${path}.resourceId`,
    reads: [`${path}.resourceId`, `${path}.resourceType`],
    extract: (context) =>
      objectsAt(context.record, path).flatMap((tag) => {
        const id = stringMember(tag, 'resourceId');
        const type = stringMember(tag, 'resourceType') ?? 'auto-scaling-group';
        return id === undefined || type !== 'auto-scaling-group' ? [] : [autoScalingGroup(context, id)];
      }),
  };
}

/**
 * Auto Scaling groups named in describe filters (`filters[{name: "auto-scaling-group", values: [...]}]`), the
 * way DescribeTags asks for one group's tags.
 */
export function filteredGroups(path: string): ResourceSpec {
  return {
    types: [ASG_GROUP],
    parents: [],
    from: `${path}.values (name "auto-scaling-group")`,
    reads: [`${path}.name`, `${path}.values[]`],
    extract: (context) =>
      objectsAt(context.record, path)
        .filter((filter) => stringMember(filter, 'name') === 'auto-scaling-group')
        .flatMap((filter) => valuesIn(filter, 'values').map((name) => autoScalingGroup(context, name))),
  };
}

/** A member's non-empty strings, whether it holds one string or a list (`[]` after the name marks a list). */
function valuesIn(object: JsonObject, member: string): string[] {
  const value = object[member.endsWith('[]') ? member.slice(0, -2) : member];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.filter((item): item is string => typeof item === 'string' && item !== '');
}

/**
 * Custom platform versions created from `platformName` and `platformVersion` (CreatePlatformVersion):
 * `arn:PARTITION:elasticbeanstalk:REGION:ACCOUNT:platform/NAME/VERSION`, named `NAME/VERSION`.
 */
export function customPlatforms(base: string): ResourceSpec {
  return {
    types: [EB_PLATFORM_VERSION],
    parents: [],
    from: `${base}.{platformName, platformVersion}`,
    reads: [`${base}.platformName`, `${base}.platformVersion`],
    extract: (context) =>
      objectsAt(context.record, base).flatMap((object) => {
        const platform = stringMember(object, 'platformName');
        const version = stringMember(object, 'platformVersion');
        if (platform === undefined || version === undefined) return [];
        const name = `${platform}/${version}`;
        return [withArn(EB_PLATFORM_VERSION, name, buildArn(context, 'elasticbeanstalk', `platform/${name}`))];
      }),
  };
}
