/**
 * Resource extraction: which load balancers, listeners, target groups, Auto Scaling groups, launch configurations
 * and Beanstalk environments a CloudTrail record names, with ARN where the event determines it and always a name.
 *
 * One table per service maps each operation (`eventName`) to where its identifiers sit in `requestParameters` and
 * `responseElements` (see `tables/`); adding an operation is one entry. An operation the table does not know falls
 * back to {@link genericResources} and is reported as unknown, so the pipeline can count it; it is never dropped.
 */
import type { CloudTrailRecord, Resource, Service } from '../types';
import { arnContextOf } from './arn';
import { genericResources } from './generic';
import { objectsAt, stringMember } from './paths';
import {
  EB_APPLICATION,
  EB_APPLICATION_VERSION,
  EB_CONFIGURATION_TEMPLATE,
  EB_ENVIRONMENT,
  EB_PLATFORM_VERSION,
} from './resource-types';
import type { ExtractionContext, OperationEntry, OperationTable } from './specs';
import { AUTOSCALING_TABLE } from './tables/autoscaling';
import { ELASTICBEANSTALK_TABLE } from './tables/elasticbeanstalk';
import { ELB_TABLE } from './tables/elb';
import { ELBV2_TABLE } from './tables/elbv2';

export type { OperationEntry, OperationTable, ResourceSpec } from './specs';

/** The resource table of each service: the single source of the extraction and of the table in docs/coverage.md. */
export const RESOURCE_TABLES: Readonly<Record<Service, OperationTable>> = {
  elb: ELB_TABLE,
  elbv2: ELBV2_TABLE,
  elasticbeanstalk: ELASTICBEANSTALK_TABLE,
  autoscaling: AUTOSCALING_TABLE,
};

/** The table entry of an operation, or undefined when the table does not know it. */
export function operationEntry(service: Service, eventName: string): OperationEntry | undefined {
  const table = RESOURCE_TABLES[service];
  return Object.hasOwn(table, eventName) ? table[eventName] : undefined;
}

/**
 * Lists the resources a record names, and whether its operation is one the resource table knows.
 *
 * Known operations read the places their entry lists; when those hold nothing (a malformed or unusual request),
 * the request is searched generically so the event still names what it can. Unknown operations are searched
 * generically, request and response. Resources are then merged (a name-only resource and the same resource with
 * its ARN become one) and Beanstalk-created resources (`awseb-e-<id>-...`) are linked to their environment.
 */
export function extractResources(
  record: CloudTrailRecord,
  service: Service,
): { resources: Resource[]; knownOperation: boolean } {
  const context: ExtractionContext = { ...arnContextOf(record), record };
  const entry = operationEntry(service, record.eventName);
  let resources: Resource[];
  if (entry === undefined) {
    resources = genericResources(context, service, ['request', 'response']);
  } else {
    resources = entry.flatMap((spec) => spec.extract(context));
    // Only the request: a describe call's response lists what exists, not what the call names.
    if (resources.length === 0 && entry.length > 0) resources = genericResources(context, service, ['request']);
  }
  return {
    resources: mergeResources(linkBeanstalkEnvironments(record, service, mergeResources(resources))),
    knownOperation: entry !== undefined,
  };
}

/** Resource types Beanstalk itself names: they are never "created by Beanstalk" in the `awseb-e-` sense. */
const BEANSTALK_TYPES = new Set([
  EB_APPLICATION,
  EB_APPLICATION_VERSION,
  EB_CONFIGURATION_TEMPLATE,
  EB_ENVIRONMENT,
  EB_PLATFORM_VERSION,
]);

/**
 * Elastic Beanstalk names the Auto Scaling groups, launch configurations and scaling policies it creates
 * `awseb-e-<id>-stack-...`; such a resource also names its environment, by ID, so an environment's history
 * includes what its CloudFormation stack did to them. Only a whole environment ID (`e-` and ten characters)
 * links: classic load balancer names are cut to 32 characters (`awseb-e-x-AWSEBLoa-...`) and keep only a
 * fragment of it, which would name the wrong environment.
 */
const BEANSTALK_CREATED = /^awseb-(e-[a-z0-9]{10})-/;

/** A whole Elastic Beanstalk environment ID. */
const ENVIRONMENT_ID = /^e-[a-z0-9]{10}$/;

/** The tags Elastic Beanstalk puts on the load balancers, target groups and Auto Scaling groups it creates. */
const ENVIRONMENT_ID_TAG = 'elasticbeanstalk:environment-id';
const ENVIRONMENT_NAME_TAG = 'elasticbeanstalk:environment-name';

function linkBeanstalkEnvironments(record: CloudTrailRecord, service: Service, resources: Resource[]): Resource[] {
  const links = resources.flatMap((resource): Resource[] => {
    if (BEANSTALK_TYPES.has(resource.type)) return [];
    const id = BEANSTALK_CREATED.exec(resource.name ?? '')?.[1];
    return id === undefined ? [] : [{ type: EB_ENVIRONMENT, name: id }];
  });
  const tagged = service === 'elasticbeanstalk' ? [] : taggedEnvironments(record);
  return [...resources, ...links, ...tagged];
}

/**
 * The environments named by Elastic Beanstalk's own tags in the request's `tags[]` (`{key, value}`:
 * CreateLoadBalancer, classic and v2, CreateTargetGroup, CreateAutoScalingGroup, and the tagging calls):
 * `elasticbeanstalk:environment-id` (kept only when it is a whole `e-...` ID) and `elasticbeanstalk:environment-name`.
 * This links the load balancers and target groups Beanstalk creates, whose names carry no environment ID. Auto
 * Scaling tags name their group in `resourceId`: tags of one group are read together, so a call tagging several
 * groups links each to its own environment.
 */
function taggedEnvironments(record: CloudTrailRecord): Resource[] {
  const byResource = new Map<string, { id?: string; name?: string }>();
  for (const tag of objectsAt(record, 'request.tags[]')) {
    const key = stringMember(tag, 'key');
    const value = stringMember(tag, 'value');
    if (value === undefined || (key !== ENVIRONMENT_ID_TAG && key !== ENVIRONMENT_NAME_TAG)) continue;
    const owner = stringMember(tag, 'resourceId') ?? '';
    const environment = byResource.get(owner) ?? {};
    if (key === ENVIRONMENT_ID_TAG && ENVIRONMENT_ID.test(value)) environment.id = value;
    if (key === ENVIRONMENT_NAME_TAG) environment.name = value;
    byResource.set(owner, environment);
  }
  return [...byResource.values()].flatMap(({ id, name }): Resource[] => {
    const shown = name ?? id;
    if (shown === undefined) return [];
    const environment: Resource = { type: EB_ENVIRONMENT, name: shown };
    return [id !== undefined && id !== shown ? { ...environment, id } : environment];
  });
}

/**
 * Merges the resources that are one: same type and the same ARN, or the same name (or the name of one is the ID
 * of the other) where at least one has no ARN. The merged resource keeps the ARN, the name (a real name over an
 * ID) and the ID. Order is the order of first appearance.
 */
export function mergeResources(resources: readonly Resource[]): Resource[] {
  const merged: Resource[] = [];
  for (const resource of resources) {
    const index = merged.findIndex((other) => sameResource(other, resource));
    const existing = index < 0 ? undefined : merged[index];
    if (existing === undefined) merged.push(resource);
    else merged[index] = combine(existing, resource);
  }
  return merged;
}

function sameResource(a: Resource, b: Resource): boolean {
  if (a.type !== b.type) return false;
  if (a.arn !== undefined && b.arn !== undefined) return a.arn === b.arn;
  return (
    (a.name !== undefined && (a.name === b.name || a.name === b.id)) || (a.id !== undefined && a.id === b.name)
  );
}

function combine(a: Resource, b: Resource): Resource {
  const id = a.id ?? b.id;
  const aIsId = a.name === undefined || a.name === id;
  const name = aIsId ? (b.name ?? a.name) : a.name;
  const arn = a.arn ?? b.arn;
  return {
    type: a.type,
    ...(arn === undefined ? {} : { arn }),
    ...(name === undefined ? {} : { name }),
    ...(id === undefined || id === name ? {} : { id }),
  };
}
