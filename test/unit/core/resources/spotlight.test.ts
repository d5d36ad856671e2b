/**
 * Real CloudTrail records (aws-spotlight, MIT: see its MANIFEST.md) of ELB, EC2 Auto Scaling and Elastic
 * Beanstalk calls made by the console, CloudFormation, Terraform and service roles: each yields the resources
 * written here by hand from the record's parameters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { extractResources } from '../../../../lambda/core/resources';
import type { CloudTrailRecord, Resource, Service } from '../../../../lambda/core/types';
import { sortedResources } from './resource-fixtures';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'cloudtrail', 'aws_spotlight', 'files');

const ACCOUNT = '999999999999';
const REGION = 'ap-northeast-1';
const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:`;

const asg = (name: string): Resource => ({
  type: 'AWS::AutoScaling::AutoScalingGroup',
  arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/${name}`,
  name,
});
const lc = (name: string): Resource => ({
  type: 'AWS::AutoScaling::LaunchConfiguration',
  arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:launchConfiguration:*:launchConfigurationName/${name}`,
  name,
});
const ebEnvironment = (name: string): Resource => ({ type: 'AWS::ElasticBeanstalk::Environment', name });
const ebApplication = (name: string): Resource => ({
  type: 'AWS::ElasticBeanstalk::Application',
  arn: `arn:aws:elasticbeanstalk:${REGION}:${ACCOUNT}:application/${name}`,
  name,
});
const classic = (name: string): Resource => ({
  type: 'AWS::ElasticLoadBalancing::LoadBalancer',
  arn: `${ELB}loadbalancer/${name}`,
  name,
});
const lb = (kind: 'app' | 'net', name: string, id: string): Resource => ({
  type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  arn: `${ELB}loadbalancer/${kind}/${name}/${id}`,
  name,
});
const listener = (kind: 'app' | 'net', lbName: string, lbId: string, id: string): Resource[] => [
  {
    type: 'AWS::ElasticLoadBalancingV2::Listener',
    arn: `${ELB}listener/${kind}/${lbName}/${lbId}/${id}`,
    name: `${kind}/${lbName}/${lbId}/${id}`,
  },
  lb(kind, lbName, lbId),
];
const rule = (lbName: string, lbId: string, listenerId: string, id: string): Resource[] => [
  {
    type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    arn: `${ELB}listener-rule/app/${lbName}/${lbId}/${listenerId}/${id}`,
    name: `app/${lbName}/${lbId}/${listenerId}/${id}`,
  },
  ...listener('app', lbName, lbId, listenerId),
];
const tg = (name: string, id: string): Resource => ({
  type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
  arn: `${ELB}targetgroup/${name}/${id}`,
  name,
});

const EB_ASG = 'awseb-e-tsea7by9ub-stack-AWSEBAutoScalingGroup-1TS3CYXZTEM3R';
const EB_POLICY = 'awseb-e-tsea7by9ub-stack-AWSEBAutoScalingScaleDownPolicy-198NSLZ1P754M';
const ECS_LC = 'EC2ContainerService-ecs-on-ec2-EcsInstanceLc-M1GQHZ0VYK8Z';
const TESTFLONTBACK = lb('net', 'TESTflontback', '813270f8ee6fa76a');
const TESTFONTBACK_TG = tg('TESTfontback-tgt', '297bf72439f1364c');

/** What each file's event names, by the operation's prefix of the file name (duplicates share an expectation). */
const EXPECTED: Readonly<Record<string, readonly Resource[]>> = {
  AUTOSCALING_CreateAutoScalingGroup: [asg('ws-dev-autoscaling-1'), lc(ECS_LC)],
  AUTOSCALING_CreateLaunchConfiguration: [lc(ECS_LC)],
  AUTOSCALING_DeleteAutoScalingGroup: [asg('ws-dev-autoscaling-1')],
  AUTOSCALING_DeleteLaunchConfiguration: [
    lc('awseb-e-tsea7by9ub-stack-AWSEBAutoScalingLaunchConfiguration-1A50Z7YEX5XEE'),
    ebEnvironment('e-tsea7by9ub'),
  ],
  AUTOSCALING_DeletePolicy: [
    {
      type: 'AWS::AutoScaling::ScalingPolicy',
      arn:
        `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:98b464fe-9b65-4b44-b830-0f3e6aa125e3:` +
        `autoScalingGroupName/${EB_ASG}:policyName/${EB_POLICY}`,
      name: EB_POLICY,
    },
    asg(EB_ASG),
    ebEnvironment('e-tsea7by9ub'),
  ],
  AUTOSCALING_UpdateAutoScalingGroup: [asg(EB_ASG), ebEnvironment('e-tsea7by9ub')],
  ELASTICBEANSTALK_CreateApplication: [ebApplication('talend-join-table')],
  ELASTICBEANSTALK_DeleteApplication: [ebApplication('talend-join-table')],
  ELASTICBEANSTALK_TerminateEnvironment: [ebEnvironment('e-re3uyf8pgq')],
  ELASTICLOADBALANCING_CreateListener: [
    ...listener('net', 'TESTflontback', '813270f8ee6fa76a', '9b4aee0e88f81fa1'),
    TESTFONTBACK_TG,
  ],
  ELASTICLOADBALANCING_CreateLoadBalancerListeners: [classic('onecloud-fargate-alb')],
  ELASTICLOADBALANCING_CreateLoadBalancer: [TESTFLONTBACK],
  ELASTICLOADBALANCING_CreateRule: [
    ...rule('onecloud-fargate-public', '0c34ae9fd000e24d', '4917974198a69c54', '8833446985abaa96'),
    tg('onecloud-fargate-backend-api', '0174c2387c78d361'),
  ],
  ELASTICLOADBALANCING_CreateTargetGroup: [TESTFONTBACK_TG],
  ELASTICLOADBALANCING_DeleteListener: listener(
    'app',
    'onecloud-fargate-private',
    '052db314f5bdf92a',
    '4946f5e882f20b55',
  ),
  ELASTICLOADBALANCING_DeleteRule: rule(
    'onecloud-fargate-public',
    '0c34ae9fd000e24d',
    '4917974198a69c54',
    '6f2cfa9eee6b5246',
  ),
  ELASTICLOADBALANCING_DeregisterTargets: [tg('onecloud-fargate-frontend', 'b5f8b435dd74009f')],
  ELASTICLOADBALANCING_EnableAvailabilityZonesForLoadBalancer: [classic('onecloud-fargate-alb')],
  ELASTICLOADBALANCING_ModifyListener: [
    ...listener('app', 'onecloud-fargate-alb', 'b53c443ec67ffaec', 'a0b3dacc980704bd'),
    tg('onecloud-demo01-tg', '14e635f526fd1224'),
  ],
  ELASTICLOADBALANCING_ModifyLoadBalancerAttributes: [lb('app', 'onecloud-fargate-public', 'b200ae207f9372e0')],
  ELASTICLOADBALANCING_ModifyTargetGroupAttributes: [tg('onecloud-fargate-backend-auth', 'b5db257f50ee50ff')],
  ELASTICLOADBALANCING_ModifyTargetGroup: [tg('onecloud-lawson-ddc-tg', '73018fdafa07c4a2')],
  ELASTICLOADBALANCING_RegisterTargets: [TESTFONTBACK_TG],
  ELASTICLOADBALANCING_SetSecurityGroups: [lb('app', 'onecloud-fargate-public', 'b200ae207f9372e0')],
};

/** Load balancers deleted in the set, by file: two different load balancers appear. */
const DELETED_LOAD_BALANCERS: Readonly<Record<string, Resource>> = {
  'ELASTICLOADBALANCING_DeleteLoadBalancer__a4ecb9f6.json': lb('app', 'pocket', 'b0caa740d5791781'),
};
const DELETED_TARGET_GROUPS: Readonly<Record<string, Resource>> = {
  'ELASTICLOADBALANCING_DeleteTargetGroup__50217fdc.json': tg('onecloud-lawson-ddc-tg', '73018fdafa07c4a2'),
  'ELASTICLOADBALANCING_DeleteTargetGroup__f60210f4.json': tg('onecloud-lawson-ddc-tg', '73018fdafa07c4a2'),
};

function expectedFor(file: string): readonly Resource[] {
  const operation = file.slice(0, file.indexOf('__'));
  if (operation === 'ELASTICLOADBALANCING_DeleteLoadBalancer') return [DELETED_LOAD_BALANCERS[file] ?? TESTFLONTBACK];
  if (operation === 'ELASTICLOADBALANCING_DeleteTargetGroup') return [DELETED_TARGET_GROUPS[file] ?? TESTFONTBACK_TG];
  const expected = EXPECTED[operation];
  if (expected === undefined) throw new Error(`no expectation written for ${file}`);
  return expected;
}

/** The service as the select step decides it (re-stated here: the test must not depend on it). */
function serviceOf(record: CloudTrailRecord): Service | undefined {
  if (record.eventSource === 'elasticloadbalancing.amazonaws.com') {
    return record.apiVersion === '2012-06-01' ? 'elb' : 'elbv2';
  }
  if (record.eventSource === 'elasticbeanstalk.amazonaws.com') return 'elasticbeanstalk';
  const applicationAutoScaling =
    record.requestParameters?.serviceNamespace !== undefined || record.additionalEventData?.service !== undefined;
  return record.eventSource === 'autoscaling.amazonaws.com' && !applicationAutoScaling ? 'autoscaling' : undefined;
}

const records = readdirSync(DIR)
  .sort()
  .map((file) => ({ file, text: readFileSync(path.join(DIR, file), 'utf8') }))
  .filter(({ text }) => text.trim() !== '')
  .map(({ file, text }) => ({ file, record: JSON.parse(text) as CloudTrailRecord }))
  .flatMap(({ file, record }) => {
    const service = serviceOf(record);
    return service === undefined ? [] : [[file, record, service] as const];
  });

describe('resources of real ELB, Auto Scaling and Beanstalk records (aws-spotlight)', () => {
  it('reads the set (52 EC2 Auto Scaling, ELB and Beanstalk records)', () => {
    expect(records).toHaveLength(52);
  });

  it.each(records)('%s', (file, record, service) => {
    const { resources, knownOperation } = extractResources(record, service);

    expect({ knownOperation, resources: sortedResources(resources) }).toEqual({
      knownOperation: true,
      resources: sortedResources(expectedFor(file)),
    });
  });
});
