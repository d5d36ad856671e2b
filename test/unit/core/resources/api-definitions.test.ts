/**
 * Derive, don't guess: every member path the resource tables read is checked against the services' API
 * definitions, as the AWS SDK for JavaScript v3 ships them (each operation's runtime schema, `<Operation>$`).
 *
 * CloudTrail writes an API member with its first letter lower-cased (`TargetGroupARNs` → `targetGroupARNs`), so
 * each path segment must be an API member so spelt, every list on the way must be marked `[]` (and nothing else),
 * and the path must end in a string: a misspelt or moved member fails here instead of silently naming nothing.
 * The per-operation fixtures are held to the same definitions, so their records are what CloudTrail would write.
 */
import * as autoScaling from '@aws-sdk/client-auto-scaling';
import * as elasticBeanstalk from '@aws-sdk/client-elastic-beanstalk';
import * as elb from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { RESOURCE_TABLES } from '../../../../lambda/core/resources';
import type { Service } from '../../../../lambda/core/types';
import { loadResourceFixtures } from './resource-fixtures';

const CLIENTS: Readonly<Record<Service, Readonly<Record<string, unknown>>>> = {
  elb,
  elbv2,
  elasticbeanstalk: elasticBeanstalk,
  autoscaling: autoScaling,
};

/**
 * The smithy runtime schema encoding the SDK uses: a number is a simple type (0 string, 1 number, 2 boolean, ...;
 * `64 | x` a list of x, `128 | x` a map); an array is `[kind, namespace, name, traits, ...]` with kind 3 structure
 * (member names, member schemas), 1 list (value schema), 2 map, 0 a simple type with traits, 9 an operation (input,
 * output); a member with traits is `[schema, traits]`; a lazy reference is a function.
 */
type Shape =
  | { readonly kind: 'string' }
  | { readonly kind: 'other'; readonly description: string }
  | { readonly kind: 'list'; readonly value: unknown }
  | { readonly kind: 'structure'; readonly members: ReadonlyMap<string, unknown> };

const LIST_MODIFIER = 64;
const MAP_MODIFIER = 128;

function shapeOf(schema: unknown): Shape {
  let current: unknown = schema;
  for (;;) {
    if (typeof current === 'function') {
      current = (current as () => unknown)();
    } else if (Array.isArray(current) && current.length === 2 && typeof current[1] !== 'string') {
      current = current[0]; // a member with traits
    } else {
      break;
    }
  }
  if (typeof current === 'number') {
    if (current === 0) return { kind: 'string' };
    if ((current & LIST_MODIFIER) !== 0) return { kind: 'list', value: current & ~LIST_MODIFIER };
    return { kind: 'other', description: (current & MAP_MODIFIER) !== 0 ? 'a map' : `simple type ${current}` };
  }
  if (!Array.isArray(current)) return { kind: 'other', description: 'an unknown schema' };
  const [kind, , name] = current as unknown[];
  if (kind === 0) return shapeOf(current[4]);
  if (kind === 1) return { kind: 'list', value: current[4] };
  if (kind === 3) {
    const names = current[4] as readonly string[];
    const schemas = current[5] as readonly unknown[];
    return { kind: 'structure', members: new Map(names.map((member, i) => [member, schemas[i]])) };
  }
  return { kind: 'other', description: `${String(name)} (kind ${String(kind)})` };
}

/** CloudTrail's spelling of an API member: the first letter lower-cased. */
function cloudTrailName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** Why a path does not fit the operation's API definition, or undefined when it does. */
function checkPath(service: Service, operation: string, path: string): string | undefined {
  const schema = CLIENTS[service][`${operation}$`];
  if (!Array.isArray(schema) || schema[0] !== 9) return `no API definition for ${operation}`;
  const [root, ...segments] = path.split('.');
  let shape = shapeOf(root === 'request' ? schema[4] : schema[5]);
  for (const segment of segments) {
    const marked = segment.endsWith('[]');
    const name = marked ? segment.slice(0, -2) : segment;
    if (shape.kind !== 'structure') return `"${name}" is read inside a ${shape.kind}`;
    const member = [...shape.members.keys()].find((candidate) => cloudTrailName(candidate) === name);
    if (member === undefined) return `"${name}" is not a member (members: ${[...shape.members.keys()].join(', ')})`;
    shape = shapeOf(shape.members.get(member));
    if (shape.kind === 'list' && !marked) return `"${name}" is a list: write "${name}[]"`;
    if (shape.kind !== 'list' && marked) return `"${name}" is not a list`;
    if (shape.kind === 'list') shape = shapeOf(shape.value);
  }
  if (shape.kind === 'string') return undefined;
  return `the path ends in ${shape.kind === 'other' ? shape.description : `a ${shape.kind}`}`;
}

const READS = (Object.keys(RESOURCE_TABLES) as Service[]).flatMap((service) =>
  Object.entries(RESOURCE_TABLES[service]).flatMap(([operation, entry]) =>
    entry.flatMap((spec) =>
      spec.reads.map((path) => [`${service} ${operation}: ${path}`, service, operation, path] as const),
    ),
  ),
);

describe('resource table paths against the API definitions', () => {
  it('checks the paths of all four tables', () => {
    expect(READS.length).toBeGreaterThan(300);
  });

  it.each(READS)('%s', (_title, service, operation, path) => {
    expect(checkPath(service, operation, path)).toBeUndefined();
  });
});

describe('the path check itself', () => {
  it.each([
    ['a misspelt member', 'elbv2', 'CreateListener', 'request.loadBalancerARN', /is not a member/],
    ['an unmarked list', 'autoscaling', 'AttachLoadBalancers', 'request.loadBalancerNames', /is a list/],
    ['a marked non-list', 'elb', 'DeleteLoadBalancer', 'request.loadBalancerName[]', /is not a list/],
    ['a path ending in a number', 'elbv2', 'CreateListener', 'request.port', /ends in simple type/],
  ] as const)('rejects %s', (_case, service, operation, path, reason) => {
    expect(checkPath(service, operation, path)).toMatch(reason);
  });
});

/** The members of a fixture's parameters that its operation's API definition does not have, as paths. */
function unknownMembers(value: unknown, schema: unknown, path: string): string[] {
  const shape = shapeOf(schema);
  if (Array.isArray(value)) {
    if (shape.kind !== 'list') return [`${path} is a list, the API member is not`];
    return value.flatMap((item, index) => unknownMembers(item, shape.value, `${path}[${index}]`));
  }
  if (typeof value !== 'object' || value === null || Object.keys(value).length === 0) return [];
  if (shape.kind !== 'structure') return [`${path} is an object, the API member is not`];
  return Object.entries(value).flatMap(([name, member]) => {
    const apiMember = [...shape.members.keys()].find((candidate) => cloudTrailName(candidate) === name);
    return apiMember === undefined
      ? [`${path}.${name}`]
      : unknownMembers(member, shape.members.get(apiMember), `${path}.${name}`);
  });
}

describe('per-operation fixtures against the API definitions', () => {
  it.each(loadResourceFixtures().map((fixture) => [fixture.file, fixture] as const))('%s', (_file, fixture) => {
    const schema = CLIENTS[fixture.service][`${fixture.operation}$`] as readonly unknown[];

    const unknown = [
      ...unknownMembers(fixture.record.requestParameters ?? {}, schema[4], 'request'),
      ...unknownMembers(fixture.record.responseElements ?? {}, schema[5], 'response'),
    ];

    expect(unknown).toEqual([]);
  });
});

describe('the fixture check itself', () => {
  it('reports a member the API does not have', () => {
    const schema = CLIENTS.elb['DeleteLoadBalancer$'] as readonly unknown[];

    expect(unknownMembers({ LoadBalancerName: 'my-lb' }, schema[4], 'request')).toEqual(['request.LoadBalancerName']);
  });

  it('reports a list where the API has a single value', () => {
    const schema = CLIENTS.elb['DeleteLoadBalancer$'] as readonly unknown[];

    expect(unknownMembers({ loadBalancerName: ['my-lb'] }, schema[4], 'request')).toEqual([
      'request.loadBalancerName is a list, the API member is not',
    ]);
  });
});
