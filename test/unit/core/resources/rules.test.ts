/**
 * The identity rules of resource extraction, one behaviour per test: ARNs and partitions, accounts, merging,
 * Beanstalk links, the generic fallback for unknown operations, and robustness against odd input.
 */
import { MAX_IDENTIFIER_BYTES, MAX_RESOURCES_PER_EVENT } from '../../../../lambda/core/limits';
import { extractResources, mergeResources } from '../../../../lambda/core/resources';
import { parseArn, partitionOf } from '../../../../lambda/core/resources/arn';
import { valuesAt } from '../../../../lambda/core/resources/paths';
import type { Resource } from '../../../../lambda/core/types';
import { seededRandom } from '../../../helpers/chunkings';
import {
  BEANSTALK_CREATED_FIXTURES_DIR,
  cloudTrailRecord,
  loadResourceFixtures,
  sortedResources,
} from './resource-fixtures';

const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:';
const LB_ARN = `${ELB}loadbalancer/app/my-load-balancer/50dc6c495c0c9188`;
const TG_ARN = `${ELB}targetgroup/my-targets/73e2d6bc24d8a067`;
const LISTENER_ARN = `${ELB}listener/app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2`;

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s is in partition %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('parseArn', () => {
  it.each([
    [LISTENER_ARN, { partition: 'aws', service: 'elasticloadbalancing', region: 'us-east-1', account: '123456789012', resource: 'listener/app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2' }],
    // The resource part keeps its own colons; empty parts stay empty.
    ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web', { partition: 'aws', service: 'autoscaling', region: 'us-east-1', account: '123456789012', resource: 'autoScalingGroup:*:autoScalingGroupName/web' }],
    ['arn:aws:iam::123456789012:role/x', { partition: 'aws', service: 'iam', region: '', account: '123456789012', resource: 'role/x' }],
    ['arn:::::', { partition: '', service: '', region: '', account: '', resource: '' }],
  ])('splits %s into its parts', (text, parts) => {
    // Act & Assess
    expect(parseArn(text)).toEqual(parts);
  });

  it.each(['arn:aws:s3::', 'arn:aws:iam:', 'arns:aws:iam::123456789012:role/x', 'xarn:aws:iam::1:r', 'web-prod', ''])(
    'finds no ARN in %j (fewer than five colons, or not starting with arn:)',
    (text) => {
      // Act & Assess
      expect(parseArn(text)).toBeUndefined();
    },
  );
});

describe('classic load balancer ARNs', () => {
  it('are built in the GovCloud partition for a us-gov region', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'DeleteLoadBalancer',
      awsRegion: 'us-gov-west-1',
      requestParameters: { loadBalancerName: 'my-lb' },
    });

    expect(extractResources(record, 'elb').resources).toEqual([
      {
        type: 'AWS::ElasticLoadBalancing::LoadBalancer',
        arn: 'arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/my-lb',
        name: 'my-lb',
      },
    ]);
  });

  it('take the account from userIdentity when the record has no recipientAccountId', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'DeleteLoadBalancer',
      recipientAccountId: undefined,
      userIdentity: { type: 'IAMUser', accountId: '444455556666' },
      requestParameters: { loadBalancerName: 'my-lb' },
    });

    expect(extractResources(record, 'elb').resources[0]?.arn).toBe(
      'arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/my-lb',
    );
  });

  it('are left out, keeping the name, when the record names no account at all', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'DeleteLoadBalancer',
      recipientAccountId: undefined,
      userIdentity: { type: 'AWSService', invokedBy: 'elasticbeanstalk.amazonaws.com' },
      requestParameters: { loadBalancerName: 'my-lb' },
    });

    expect(extractResources(record, 'elb').resources).toEqual([
      { type: 'AWS::ElasticLoadBalancing::LoadBalancer', name: 'my-lb' },
    ]);
  });
});

describe('ELBv2 creates', () => {
  it('name the new load balancer by name when the call failed and the response is null', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'CreateLoadBalancer',
      errorCode: 'AccessDenied',
      requestParameters: { name: 'my-load-balancer', type: 'application' },
      responseElements: null,
    });

    expect(extractResources(record, 'elbv2').resources).toEqual([
      { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name: 'my-load-balancer' },
    ]);
  });
});

describe('merging', () => {
  it('names a resource listed twice once', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'AddTags',
      requestParameters: { resourceArns: [TG_ARN, TG_ARN], tags: [{ key: 'k', value: 'v' }] },
    });

    expect(extractResources(record, 'elbv2').resources).toHaveLength(1);
  });

  it('keeps two load balancers of the same name in different places apart', () => {
    const other =
      'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/0123456789abcdef';
    const record = cloudTrailRecord('elbv2', {
      eventName: 'DescribeTags',
      requestParameters: { resourceArns: [LB_ARN, other] },
    });

    expect(extractResources(record, 'elbv2').resources.map((resource) => resource.arn)).toEqual([LB_ARN, other]);
  });

  it('gives an environment named by ID and by name in one request one resource with both, and its application', () => {
    const record = cloudTrailRecord('elasticbeanstalk', {
      eventName: 'UpdateEnvironment',
      requestParameters: { applicationName: 'my-app', environmentName: 'my-env', environmentId: 'e-rpqsewtp2j' },
    });

    expect(extractResources(record, 'elasticbeanstalk').resources).toEqual([
      {
        type: 'AWS::ElasticBeanstalk::Environment',
        arn: 'arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/my-app/my-env',
        name: 'my-env',
        id: 'e-rpqsewtp2j',
      },
      {
        type: 'AWS::ElasticBeanstalk::Application',
        arn: 'arn:aws:elasticbeanstalk:us-east-1:123456789012:application/my-app',
        name: 'my-app',
      },
    ]);
  });
});

describe('mergeResources', () => {
  const GROUP = 'AWS::AutoScaling::AutoScalingGroup';
  const GROUP_ARN = 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web';

  it('merges a name-only resource into the one with its ARN, whichever comes first, keeping the first place', () => {
    const merged = [
      mergeResources([{ type: GROUP, name: 'web' }, { type: 'AWS::EC2::Instance', name: 'i-1' }, { type: GROUP, arn: GROUP_ARN, name: 'web' }]),
      mergeResources([{ type: GROUP, arn: GROUP_ARN, name: 'web' }, { type: GROUP, name: 'web' }]),
    ];

    expect(merged).toEqual([
      [{ type: GROUP, arn: GROUP_ARN, name: 'web' }, { type: 'AWS::EC2::Instance', name: 'i-1' }],
      [{ type: GROUP, arn: GROUP_ARN, name: 'web' }],
    ]);
  });

  it('keeps resources of one name with different ARNs apart, and merges a name-only one into the first of them', () => {
    const other = `${GROUP_ARN}-other`;

    const merged = mergeResources([
      { type: GROUP, arn: GROUP_ARN, name: 'web' },
      { type: GROUP, arn: other, name: 'web' },
      { type: GROUP, name: 'web' },
    ]);

    expect(merged).toEqual([
      { type: GROUP, arn: GROUP_ARN, name: 'web' },
      { type: GROUP, arn: other, name: 'web' },
    ]);
  });

  it('merges a resource named by its ID with the one named by name beside that ID, and keeps the real name', () => {
    const environment = 'AWS::ElasticBeanstalk::Environment';

    const merged = mergeResources([
      { type: environment, name: 'e-rpqsewtp2j' },
      { type: environment, name: 'my-env', id: 'e-rpqsewtp2j' },
      { type: environment, name: 'my-env' },
    ]);

    expect(merged).toEqual([{ type: environment, name: 'my-env', id: 'e-rpqsewtp2j' }]);
  });

  it('merges as the rule says, comparing each resource with those before it, for short lists and long ones', () => {
    // prepare: 3,000 random lists of 2 to 24 resources over a small vocabulary, so that most lists hold merges; the
    // rule written out plainly as the reference (first merged resource that is the same, the two combined)
    const random = seededRandom(20261206);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const resource = (): Resource => {
      const arn = pick([undefined, 'arn:1', 'arn:2']);
      const name = pick([undefined, 'web', 'api', 'e-1']);
      const id = pick([undefined, undefined, 'e-1', 'e-2']);
      return {
        type: pick([GROUP, 'AWS::ElasticBeanstalk::Environment']),
        ...(arn === undefined ? {} : { arn }),
        ...(name === undefined && id === undefined ? { name: 'web' } : name === undefined ? {} : { name }),
        ...(id === undefined ? {} : { id }),
      };
    };
    const same = (a: Resource, b: Resource): boolean =>
      a.type === b.type &&
      (a.arn !== undefined && b.arn !== undefined
        ? a.arn === b.arn
        : (b.name !== undefined && (a.name === b.name || a.id === b.name)) || (b.id !== undefined && a.name === b.id));
    const reference = (resources: readonly Resource[]): Resource[] => {
      const merged: Resource[] = [];
      for (const next of resources) {
        const position = merged.findIndex((existing) => same(existing, next));
        const existing = merged[position];
        if (existing === undefined) {
          merged.push(next);
          continue;
        }
        const id = existing.id ?? next.id;
        const name = existing.name === undefined || existing.name === id ? (next.name ?? existing.name) : existing.name;
        const arn = existing.arn ?? next.arn;
        merged[position] = {
          type: existing.type,
          ...(arn === undefined ? {} : { arn }),
          ...(name === undefined ? {} : { name }),
          ...(id === undefined || id === name ? {} : { id }),
        };
      }
      return merged;
    };
    // And lists whose positions reach the index out of order: k resources named by their ID, m of one name with ARNs
    // of their own, the k renamed to that name, then one more of that name, which must merge into the first renamed.
    const renamed = [3, 10, 30, 100].flatMap((k) =>
      [3, 10, 30, 100].map((m) => [
        ...Array.from({ length: k }, (_, j): Resource => ({ type: GROUP, name: `e-${j}` })),
        ...Array.from({ length: m }, (_, i): Resource => ({ type: GROUP, arn: `arn:b:${i}`, name: 'web' })),
        ...Array.from({ length: k }, (_, j): Resource => ({ type: GROUP, arn: `arn:a:${j}`, name: 'web', id: `e-${j}` })),
        { type: GROUP, name: 'web', id: 'e-new' },
      ]),
    );
    const lists = [
      ...Array.from({ length: 3_000 }, () => Array.from({ length: 2 + Math.floor(random() * 23) }, resource)),
      ...renamed,
    ];

    // act
    const differing = lists.filter((list) => JSON.stringify(mergeResources(list)) !== JSON.stringify(reference(list)));

    // assess: also that the lists merged something, short ones and long ones
    expect({
      differing: differing.length,
      shortMerged: lists.filter((list) => list.length <= 8 && reference(list).length < list.length).length > 100,
      longMerged: lists.filter((list) => list.length > 8 && reference(list).length < list.length).length > 100,
    }).toEqual({ differing: 0, shortMerged: true, longMerged: true });
  });

  it('does not merge resources of different types that share a name', () => {
    const merged = mergeResources([
      { type: GROUP, name: 'web' },
      { type: 'AWS::ElasticLoadBalancing::LoadBalancer', name: 'web' },
    ]);

    expect(merged).toHaveLength(2);
  });
});

describe('fan-out', () => {
  /** A RegisterTargets naming its target group and `count` instances. */
  const registerTargets = (count: number): ReturnType<typeof cloudTrailRecord> =>
    cloudTrailRecord('elbv2', {
      eventName: 'RegisterTargets',
      requestParameters: {
        targetGroupArn: TG_ARN,
        targets: Array.from({ length: count }, (_, index) => ({ id: `i-${index.toString(16).padStart(17, '0')}` })),
      },
    });

  it('lists at most the cap of a record naming 50,000 resources, and counts the others', () => {
    const extracted = extractResources(registerTargets(50_000), 'elbv2');

    expect({ listed: extracted.resources.length, omitted: extracted.resourcesOmitted }).toEqual({
      listed: MAX_RESOURCES_PER_EVENT,
      omitted: 50_001 - MAX_RESOURCES_PER_EVENT,
    });
  });

  it('keeps the resources named first, in order', () => {
    const extracted = extractResources(registerTargets(50_000), 'elbv2');

    expect(extracted.resources.slice(0, 2).map((resource) => resource.name)).toEqual(['my-targets', 'i-00000000000000000']);
  });

  it('lists every resource of the largest real calls (1,000 targets and their group)', () => {
    const extracted = extractResources(registerTargets(1_000), 'elbv2');

    expect({ listed: extracted.resources.length, omitted: extracted.resourcesOmitted }).toEqual({ listed: 1_001, omitted: 0 });
  });

  it('names nothing for a string too long to be an identifier', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'DeleteLoadBalancer',
      requestParameters: { loadBalancerName: 'x'.repeat(MAX_IDENTIFIER_BYTES + 1) },
    });

    expect(extractResources(record, 'elb').resources).toEqual([]);
  });

  it('finds no ARN in a string too long to be one, where the generic search looks', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'SomeFutureOperation',
      // A classic load balancer ARN in form, with a name no load balancer can have.
      requestParameters: { target: `${ELB}loadbalancer/${'x'.repeat(MAX_IDENTIFIER_BYTES)}`, other: LB_ARN },
    });

    expect(extractResources(record, 'elbv2').resources.map((resource) => resource.arn)).toEqual([LB_ARN]);
  });
});

describe('Elastic Beanstalk links', () => {
  it('link a Beanstalk-created Auto Scaling group to its environment ID', () => {
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'SuspendProcesses',
      requestParameters: { autoScalingGroupName: 'awseb-e-rpqsewtp2j-stack-AWSEBAutoScalingGroup-1TS3CYXZTEM3R' },
    });

    expect(extractResources(record, 'autoscaling').resources).toContainEqual({
      type: 'AWS::ElasticBeanstalk::Environment',
      name: 'e-rpqsewtp2j',
    });
  });

  it('do not link a Beanstalk classic load balancer, whose name keeps only a fragment of the environment ID', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'ConfigureHealthCheck',
      requestParameters: { loadBalancerName: 'awseb-e-m-AWSEBLoa-1FTQ3T0K2QCHT', healthCheck: { target: 'HTTP:80/' } },
    });

    expect(extractResources(record, 'elb').resources.map((resource) => resource.type)).toEqual([
      'AWS::ElasticLoadBalancing::LoadBalancer',
    ]);
  });

  it('do not link a resource whose name only resembles a Beanstalk one', () => {
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'SetDesiredCapacity',
      requestParameters: { autoScalingGroupName: 'awseb-production', desiredCapacity: 2 },
    });

    expect(extractResources(record, 'autoscaling').resources.map((resource) => resource.type)).toEqual([
      'AWS::AutoScaling::AutoScalingGroup',
    ]);
  });
});

describe('scaling policy ARNs', () => {
  it('keep the partition and account of the ARN for the group they name', () => {
    const arn =
      'arn:aws-us-gov:autoscaling:us-gov-east-1:111122223333:scalingPolicy:2233f3d7-6290-403b-b632-93c553560106:' +
      'autoScalingGroupName/g1:policyName/p1';
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'DeletePolicy',
      awsRegion: 'us-gov-east-1',
      requestParameters: { policyName: arn },
    });

    expect(extractResources(record, 'autoscaling').resources).toEqual([
      { type: 'AWS::AutoScaling::ScalingPolicy', arn, name: 'p1' },
      {
        type: 'AWS::AutoScaling::AutoScalingGroup',
        arn: 'arn:aws-us-gov:autoscaling:us-gov-east-1:111122223333:autoScalingGroup:*:autoScalingGroupName/g1',
        name: 'g1',
      },
    ]);
  });
});

describe('operations the table does not know', () => {
  it('are reported as unknown', () => {
    const record = cloudTrailRecord('elbv2', { eventName: 'ModifyFutureThing', requestParameters: {} });

    expect(extractResources(record, 'elbv2').knownOperation).toBe(false);
  });

  it('name the ELBv2 resources whose ARNs appear anywhere in the request and response', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'CreateFutureThing',
      requestParameters: { loadBalancerArn: LB_ARN, settings: [{ targetGroupArns: [TG_ARN] }] },
      responseElements: { futureThing: { listenerArn: LISTENER_ARN } },
    });

    expect(sortedResources(extractResources(record, 'elbv2').resources)).toEqual(
      sortedResources([
        { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', arn: LB_ARN, name: 'my-load-balancer' },
        { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', arn: TG_ARN, name: 'my-targets' },
        {
          type: 'AWS::ElasticLoadBalancingV2::Listener',
          arn: LISTENER_ARN,
          name: 'app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2',
        },
      ]),
    );
  });

  it('name classic load balancers by their identifying member', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'SetFutureOption',
      requestParameters: { loadBalancerName: 'my-lb', option: 'on' },
    });

    expect(extractResources(record, 'elb').resources).toEqual([
      {
        type: 'AWS::ElasticLoadBalancing::LoadBalancer',
        arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/my-lb',
        name: 'my-lb',
      },
    ]);
  });

  it('name Auto Scaling groups nested in the request', () => {
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'PutFutureConfiguration',
      requestParameters: { configurations: [{ autoScalingGroupName: 'my-asg' }] },
    });

    expect(extractResources(record, 'autoscaling').resources.map((resource) => resource.name)).toEqual(['my-asg']);
  });

  it('name Beanstalk environments with their application', () => {
    const record = cloudTrailRecord('elasticbeanstalk', {
      eventName: 'PauseEnvironment',
      requestParameters: { applicationName: 'my-app', environmentName: 'my-env' },
    });

    expect(sortedResources(extractResources(record, 'elasticbeanstalk').resources)).toEqual(
      sortedResources([
        {
          type: 'AWS::ElasticBeanstalk::Application',
          arn: 'arn:aws:elasticbeanstalk:us-east-1:123456789012:application/my-app',
          name: 'my-app',
        },
        {
          type: 'AWS::ElasticBeanstalk::Environment',
          arn: 'arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/my-app/my-env',
          name: 'my-env',
        },
      ]),
    );
  });

  it('include eventNames that are members of every JavaScript object', () => {
    const record = cloudTrailRecord('elb', { eventName: 'constructor', requestParameters: {} });

    expect(extractResources(record, 'elb').knownOperation).toBe(false);
  });

  it('name nothing when nothing in them identifies a resource, and are kept all the same', () => {
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'DescribeFutureTypes',
      requestParameters: { maxRecords: 10 },
    });

    expect(extractResources(record, 'autoscaling')).toEqual({ resources: [], knownOperation: false, resourcesOmitted: 0 });
  });
});

describe('known operations with unusual input', () => {
  it('fall back to the identifiers the request holds when the usual members are absent', () => {
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'DeleteAutoScalingGroup',
      requestParameters: { autoScalingGroupNames: ['my-asg'] },
    });

    expect(extractResources(record, 'autoscaling')).toEqual({
      resources: [
        {
          type: 'AWS::AutoScaling::AutoScalingGroup',
          arn: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/my-asg',
          name: 'my-asg',
        },
      ],
      knownOperation: true,
      resourcesOmitted: 0,
    });
  });

  it('do not index the resources a describe response lists', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'DescribeLoadBalancers',
      requestParameters: {},
      responseElements: { loadBalancers: [{ loadBalancerArn: LB_ARN, loadBalancerName: 'my-load-balancer' }] },
    });

    expect(extractResources(record, 'elbv2').resources).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a number where a name belongs', { loadBalancerName: 42 }],
    ['an object where a name belongs', { loadBalancerName: { name: 'x' } }],
    ['an empty name', { loadBalancerName: '' }],
  ])('name nothing, without throwing, for %s', (_case, requestParameters) => {
    const record = cloudTrailRecord('elb', { eventName: 'DeleteLoadBalancer', requestParameters });

    expect(extractResources(record, 'elb').resources).toEqual([]);
  });

  it('name nothing for an ELBv2 member that does not hold an ELBv2 ARN', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'DeleteListener',
      requestParameters: { listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/truncated' },
    });

    expect(extractResources(record, 'elbv2').resources).toEqual([]);
  });

  it('name nothing when requestParameters is absent', () => {
    const record = cloudTrailRecord('elbv2', { eventName: 'DeleteTargetGroup', requestParameters: undefined });

    expect(extractResources(record, 'elbv2').resources).toEqual<Resource[]>([]);
  });
});

describe('valuesAt', () => {
  it('walks a list member whether or not the path marks it with []', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'AddTags',
      requestParameters: { loadBalancerNames: ['a', 'b'] },
    });

    expect(valuesAt(record, 'request.loadBalancerNames')).toEqual(['a', 'b']);
  });

  it('rejects a path that reads neither the request nor the response', () => {
    const record = cloudTrailRecord('elb', { eventName: 'AddTags' });

    expect(() => valuesAt(record, 'additionalEventData.x')).toThrow(/must start with "request" or "response"/);
  });
});

describe('resources Elastic Beanstalk creates, linked to their environment by its tags', () => {
  const fixtures = loadResourceFixtures(BEANSTALK_CREATED_FIXTURES_DIR);

  it('has a fixture for each call that creates a tagged load balancer, target group or group', () => {
    expect(fixtures.map((fixture) => `${fixture.service}:${fixture.operation}`).sort()).toEqual([
      'autoscaling:CreateAutoScalingGroup',
      'elb:CreateLoadBalancer',
      'elbv2:CreateLoadBalancer',
      'elbv2:CreateTargetGroup',
    ]);
  });

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s names its environment', (_file, fixture) => {
    const { resources } = extractResources(fixture.record, fixture.service);

    expect(sortedResources(resources)).toEqual(sortedResources(fixture.resources));
  });

  it('links each group of a tagging call to its own environment', () => {
    const tag = (group: string, key: string, value: string): Record<string, string> => ({
      resourceId: group,
      resourceType: 'auto-scaling-group',
      key,
      value,
    });
    const record = cloudTrailRecord('autoscaling', {
      eventName: 'CreateOrUpdateTags',
      requestParameters: {
        tags: [
          tag('g1', 'elasticbeanstalk:environment-id', 'e-aaaaa11111'),
          tag('g2', 'elasticbeanstalk:environment-id', 'e-bbbbb22222'),
          tag('g1', 'elasticbeanstalk:environment-name', 'shop-prod'),
        ],
      },
    });

    const environments = extractResources(record, 'autoscaling').resources.filter(
      (resource) => resource.type === 'AWS::ElasticBeanstalk::Environment',
    );

    expect(environments).toEqual([
      { type: 'AWS::ElasticBeanstalk::Environment', name: 'shop-prod', id: 'e-aaaaa11111' },
      { type: 'AWS::ElasticBeanstalk::Environment', name: 'e-bbbbb22222' },
    ]);
  });

  it('ignores an environment-id tag that is not a whole environment ID', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'CreateTargetGroup',
      requestParameters: { name: 'tg', tags: [{ key: 'elasticbeanstalk:environment-id', value: 'e-abc' }] },
    });

    const types = extractResources(record, 'elbv2').resources.map((resource) => resource.type);

    expect(types).toEqual(['AWS::ElasticLoadBalancingV2::TargetGroup']);
  });
});

describe('DescribeEnvironments filters', () => {
  it('never take its one ID and one name for the same environment', () => {
    const record = cloudTrailRecord('elasticbeanstalk', {
      eventName: 'DescribeEnvironments',
      requestParameters: { environmentIds: ['e-aaaaa11111'], environmentNames: ['shop-prod'] },
    });

    const { resources } = extractResources(record, 'elasticbeanstalk');

    expect(sortedResources(resources)).toEqual([
      { type: 'AWS::ElasticBeanstalk::Environment', name: 'e-aaaaa11111' },
      { type: 'AWS::ElasticBeanstalk::Environment', name: 'shop-prod' },
    ]);
  });
});
