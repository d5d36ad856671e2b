/**
 * The fallback for operations the table does not know (an operation AWS adds after this release): every
 * identifying member it recognises, anywhere in the request and the response, so the event is still found by
 * its resources. The pipeline counts such events, so a gap in the table shows up in a metric, not as a hole.
 */
import type { JsonObject, Resource, Service } from '../types';
import { beanstalkArn, elasticLoadBalancingArn, scalingPolicyArn } from './arn';
import { isIdentifier, isJsonObject } from './paths';
import {
  applications,
  DESCRIBED_ENVIRONMENT,
  elbNames,
  environments,
  groups,
  instances,
  launchConfigurations,
  type ExtractionContext,
  type ResourceSpec,
} from './specs';

/** Members that identify a resource in any of the four APIs, applied to every object of the record. */
const COMMON_MEMBERS: readonly ResourceSpec[] = [
  groups('request.autoScalingGroupName'),
  groups('request.autoScalingGroupNames[]'),
  launchConfigurations('request.launchConfigurationName'),
  launchConfigurations('request.launchConfigurationNames[]'),
];

/** Members whose meaning depends on the API (`loadBalancerName` is a classic name, never an ELBv2 one). */
const SERVICE_MEMBERS: Readonly<Record<Service, readonly ResourceSpec[]>> = {
  elb: [elbNames('request.loadBalancerName'), elbNames('request.loadBalancerNames[]'), instances('request.instanceId')],
  elbv2: [],
  autoscaling: [
    elbNames('request.loadBalancerNames[]'),
    instances('request.instanceId'),
    instances('request.instanceIds[]'),
  ],
  elasticbeanstalk: [
    applications('request.applicationName'),
    applications('request.applicationNames[]'),
    environments('request', DESCRIBED_ENVIRONMENT),
    environments('request', { id: 'environmentIds[]', name: 'environmentNames[]', application: 'applicationName' }),
  ],
};

/** How deep the walk goes: CloudTrail's parameters nest a handful of levels; a bound keeps odd input cheap. */
const MAX_DEPTH = 12;

/**
 * The resources recognisable anywhere in the given parts of a record: the identifying members of
 * {@link COMMON_MEMBERS} and the service's members in every object, and every string that is an Elastic Load
 * Balancing, Elastic Beanstalk or scaling policy ARN.
 */
export function genericResources(
  context: ExtractionContext,
  service: Service,
  parts: readonly ('request' | 'response')[],
): Resource[] {
  const specs = [...COMMON_MEMBERS, ...SERVICE_MEMBERS[service]];
  const found: Resource[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      if (isIdentifier(value)) found.push(...resourcesOfArn(value));
    } else if (Array.isArray(value)) {
      for (const item of value as unknown[]) visit(item, depth + 1);
    } else if (isJsonObject(value)) {
      found.push(...membersOf(context, value, specs));
      for (const member of Object.values(value)) visit(member, depth + 1);
    }
  };
  for (const part of parts) {
    visit(part === 'request' ? context.record.requestParameters : context.record.responseElements, 0);
  }
  return found;
}

/** Applies the member specs to one object, as if it were the request. */
function membersOf(context: ExtractionContext, object: JsonObject, specs: readonly ResourceSpec[]): Resource[] {
  const scoped: ExtractionContext = { ...context, record: { ...context.record, requestParameters: object } };
  return specs.flatMap((spec) => spec.extract(scoped));
}

function resourcesOfArn(text: string): Resource[] {
  if (!text.startsWith('arn:')) return [];
  return elasticLoadBalancingArn(text) ?? beanstalkArn(text) ?? scalingPolicyArn(text) ?? [];
}
