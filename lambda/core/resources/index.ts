/**
 * Resource extraction: which load balancers, listeners, target groups, Auto Scaling groups, launch configurations
 * and Beanstalk environments a CloudTrail record names, with ARN where the event determines it and always a name.
 *
 * One table per service maps each operation (`eventName`) to where its identifiers sit in `requestParameters` and
 * `responseElements` (see `tables/`); adding an operation is one entry. An operation the table does not know falls
 * back to {@link genericResources} and is reported as unknown, so the pipeline can count it; it is never dropped.
 */
import { MAX_RESOURCES_PER_EVENT } from '../limits';
import { popSmallest, pushHeap } from '../min-heap';
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

/**
 * The entries of each table by operation, as maps: read once per kept record, where a keyed read of a table object
 * of a few hundred members took about 2.5 times the map's samples in the pipeline's CPU profile.
 */
const ENTRIES: ReadonlyMap<Service, ReadonlyMap<string, OperationEntry>> = new Map(
  (Object.keys(RESOURCE_TABLES) as Service[]).map((service) => [service, new Map(Object.entries(RESOURCE_TABLES[service]))]),
);

/** The table entry of an operation, or undefined when the table does not know it. */
export function operationEntry(service: Service, eventName: string): OperationEntry | undefined {
  return ENTRIES.get(service)?.get(eventName);
}

/** What {@link extractResources} found in a record. */
export interface ExtractedResources {
  /** The resources the record names, in order of first appearance, at most {@link MAX_RESOURCES_PER_EVENT}. */
  readonly resources: Resource[];
  /** Whether the resource table knows the record's operation. */
  readonly knownOperation: boolean;
  /** How many more distinct resources the record names beyond the cap (0 for every real call). */
  readonly resourcesOmitted: number;
}

/**
 * Lists the resources a record names, and whether its operation is one the resource table knows.
 *
 * Known operations read the places their entry lists; when those hold nothing (a malformed or unusual request),
 * the request is searched generically so the event still names what it can. Unknown operations are searched
 * generically, request and response. Resources are then merged (a name-only resource and the same resource with
 * its ARN become one) and Beanstalk-created resources (`awseb-e-<id>-...`) are linked to their environment.
 *
 * Fan-out is bounded: the work is at most n log n in the record's size (linear for every real call), and at most
 * {@link MAX_RESOURCES_PER_EVENT} resources are listed (each becomes lookup items); the others are counted in
 * `resourcesOmitted`.
 */
export function extractResources(record: CloudTrailRecord, service: Service): ExtractedResources {
  // Written out rather than spread: the spread alone was about 2.5% of the pipeline's CPU profile.
  const { partition, region, account } = arnContextOf(record);
  const context: ExtractionContext =
    account === undefined ? { partition, region, record } : { partition, region, account, record };
  const entry = operationEntry(service, record.eventName);
  let resources: Resource[];
  if (entry === undefined) {
    resources = genericResources(context, service, ['request', 'response']);
  } else {
    resources = [];
    for (const spec of entry) for (const resource of spec.extract(context)) resources.push(resource);
    // Only the request: a describe call's response lists what exists, not what the call names.
    if (resources.length === 0 && entry.length > 0) resources = genericResources(context, service, ['request']);
  }
  const merged = mergeResources(linkBeanstalkEnvironments(record, service, mergeResources(resources)));
  const resourcesOmitted = Math.max(0, merged.length - MAX_RESOURCES_PER_EVENT);
  return {
    resources: resourcesOmitted === 0 ? merged : merged.slice(0, MAX_RESOURCES_PER_EVENT),
    knownOperation: entry !== undefined,
    resourcesOmitted,
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
  // Appended to `resources` (a list of extractResources' own): the links, then the tagged environments.
  const count = resources.length;
  for (let index = 0; index < count; index++) {
    const resource = resources[index];
    if (resource === undefined || BEANSTALK_TYPES.has(resource.type)) continue;
    const id = resource.name?.startsWith('awseb-') === true ? BEANSTALK_CREATED.exec(resource.name)?.[1] : undefined;
    if (id !== undefined) resources.push({ type: EB_ENVIRONMENT, name: id });
  }
  if (service !== 'elasticbeanstalk') for (const environment of taggedEnvironments(record)) resources.push(environment);
  return resources;
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
  const tags = objectsAt(record, 'request.tags[]');
  // Most requests carry no tags.
  if (tags.length === 0) return [];
  const byResource = new Map<string, { id?: string; name?: string }>();
  for (const tag of tags) {
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
 *
 * Each resource merges into the first merged so far that is the same. Up to {@link FEW_RESOURCES}, it is found by
 * comparing; beyond, through an index (by ARN, by name, by ID) that gives the same answer, instead of a search of all
 * before it, which made a record naming 50,000 resources cost seconds.
 */
export function mergeResources(resources: readonly Resource[]): Resource[] {
  // Most events name one resource: nothing to merge, and no index worth building.
  if (resources.length < 2) return [...resources];
  if (resources.length <= FEW_RESOURCES) return mergeFew(resources);
  const merged: Resource[] = [];
  const index = new ResourceIndex(merged);
  for (const resource of resources) {
    const position = index.find(resource);
    const existing = position === undefined ? undefined : merged[position];
    if (position === undefined || existing === undefined) {
      merged.push(resource);
      index.add(merged.length - 1, undefined, resource);
    } else {
      const combined = combine(existing, resource);
      merged[position] = combined;
      index.add(position, existing, combined);
    }
  }
  return merged;
}

/**
 * Up to this many resources (nearly every event), each is compared with those merged before it: fewer allocations
 * than the index, which costs a map per type and a list per name.
 */
const FEW_RESOURCES = 8;

/** {@link mergeResources} by comparing each resource with the merged ones, first to last: the rule itself. */
function mergeFew(resources: readonly Resource[]): Resource[] {
  const merged: Resource[] = [];
  for (const resource of resources) {
    let position = 0;
    while (position < merged.length && !isSame(merged[position] as Resource, resource)) position++;
    const existing = merged[position];
    if (existing === undefined) merged.push(resource);
    else merged[position] = combine(existing, resource);
  }
  return merged;
}

/**
 * Whether a merged resource and another are one: same type and the same ARN when both have one; else the name of
 * one is the name or the ID of the other (`a.name` is `b.name` or `b.id`, or `a.id` is `b.name`).
 */
function isSame(merged: Resource, resource: Resource): boolean {
  if (merged.type !== resource.type) return false;
  if (merged.arn !== undefined && resource.arn !== undefined) return merged.arn === resource.arn;
  const { name, id } = resource;
  return (name !== undefined && (merged.name === name || merged.id === name)) || (id !== undefined && merged.name === id);
}

/**
 * Where the resources merged so far are, by type and ARN, name or ID, so that "is one of them the same as this
 * one?" costs a few map reads. Two resources of one type are the same when both have an ARN and they are equal, or
 * when at least one has none and the name of one is the name or the ID of the other (`a.name` is `b.name` or
 * `b.id`, or `a.id` is `b.name`). Name and ID entries go stale when a resource gains an ARN or trades an ID for
 * its real name; a stale entry is dropped the first time it is met. With the positions in heaps the work is at most
 * n log n (each resource is listed a few times at most, and each listing is pushed and popped once).
 */
class ResourceIndex {
  private readonly types = new Map<string, TypeIndex>();

  constructor(private readonly merged: readonly Resource[]) {}

  /** The position of the first merged resource that is the same as `resource`, if any. */
  find(resource: Resource): number | undefined {
    const index = this.types.get(resource.type);
    if (index === undefined) return undefined;
    const { arn, name, id } = resource;
    // A resource with an ARN is the same as one with the same ARN, or as one without an ARN by name or ID.
    const withArn = arn !== undefined;
    let found = withArn ? index.byArn.get(arn) : undefined;
    if (name !== undefined) {
      found = earlier(found, this.first(index.byName, name, 'name', withArn));
      found = earlier(found, this.first(index.byId, name, 'id', withArn));
    }
    if (id !== undefined) found = earlier(found, this.first(index.byName, id, 'name', withArn));
    return found;
  }

  /** Indexes the resource now at `position` by what it has and `before` (its previous state) had not. */
  add(position: number, before: Resource | undefined, resource: Resource): void {
    let index = this.types.get(resource.type);
    if (index === undefined) {
      index = { byArn: new Map(), byName: new Map(), byId: new Map() };
      this.types.set(resource.type, index);
    }
    const { arn, name, id } = resource;
    if (arn !== undefined && arn !== before?.arn) {
      const known = index.byArn.get(arn);
      if (known === undefined || position < known) index.byArn.set(arn, position);
    }
    if (name !== undefined && name !== before?.name) push(index.byName, name, position);
    if (id !== undefined && id !== before?.id) push(index.byId, id, position);
  }

  /**
   * The earliest position listed under `value` whose resource still has it as its `member` (and, when the resource
   * asking has an ARN, has none itself). A position that fails is dropped: a resource never loses an ARN, and when it
   * gains a value (a name, an ID) again, {@link add} lists it again.
   */
  private first(lists: Map<string, Positions>, value: string, member: 'name' | 'id', askerHasArn: boolean): number | undefined {
    const list = lists.get(value);
    if (list === undefined) return undefined;
    const heap = askerHasArn ? list.withoutArn : list.all;
    for (let position = heap[0]; position !== undefined; position = heap[0]) {
      const resource = this.merged[position];
      if (resource !== undefined && resource[member] === value && !(askerHasArn && resource.arn !== undefined)) return position;
      popSmallest(heap);
    }
    return undefined;
  }
}

/** The merged resources of one type, by ARN, by name and by ID. */
interface TypeIndex {
  readonly byArn: Map<string, number>;
  readonly byName: Map<string, Positions>;
  readonly byId: Map<string, Positions>;
}

/**
 * The positions listed under one value, each list a binary min-heap, so that the earliest comes first however they
 * were added: new resources come last, but a resource that trades its ID for its real name is listed under that name
 * after later resources of the name, and the earliest must win. Resources asking with an ARN read `withoutArn`,
 * which drops those with an ARN, since passing over them must not hide them from the others.
 */
interface Positions {
  readonly all: number[];
  readonly withoutArn: number[];
}

function push(lists: Map<string, Positions>, value: string, position: number): void {
  const list = lists.get(value);
  if (list === undefined) {
    lists.set(value, { all: [position], withoutArn: [position] });
  } else {
    pushHeap(list.all, position);
    pushHeap(list.withoutArn, position);
  }
}

/** The smaller of two optional positions. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined || b >= a ? a : b;
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
