/**
 * The example records of the AWS user guides (ELB classic and v2, EC2 Auto Scaling, Elastic Beanstalk; see the
 * folder's MANIFEST.md): each yields the resources written here by hand from the record.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { extractResources } from '../../../../lambda/core/resources';
import type { CloudTrailRecord, Resource, Service } from '../../../../lambda/core/types';
import { sortedResources } from './resource-fixtures';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'cloudtrail', 'awsdocs_examples');

const ELB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:';

const EXAMPLES: readonly (readonly [string, Service, readonly Resource[]])[] = [
  [
    'amazon-ec2-auto-scaling-user-guide__logging-using-cloudtrail__01.json',
    'autoscaling',
    [
      {
        type: 'AWS::AutoScaling::LaunchConfiguration',
        arn:
          'arn:aws:autoscaling:us-west-2:123456789012:launchConfiguration:*:' +
          'launchConfigurationName/launch_configuration_1',
        name: 'launch_configuration_1',
      },
    ],
  ],
  [
    'aws-elastic-beanstalk-developer-guide__AWSHowTo.cloudtrail__01.json',
    'elasticbeanstalk',
    [
      {
        type: 'AWS::ElasticBeanstalk::Environment',
        arn: 'arn:aws:elasticbeanstalk:us-west-2:123456789012:environment/sample-app/sample-env',
        name: 'sample-env',
      },
      {
        type: 'AWS::ElasticBeanstalk::Application',
        arn: 'arn:aws:elasticbeanstalk:us-west-2:123456789012:application/sample-app',
        name: 'sample-app',
      },
    ],
  ],
  [
    'elb-application-load-balancers-user-guide__load-balancer-cloudtrail-logs__01.json',
    'elbv2',
    [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        arn: `${ELB}loadbalancer/app/my-load-balancer/ffcddace1759e1d0`,
        name: 'my-load-balancer',
      },
    ],
  ],
  [
    'elb-application-load-balancers-user-guide__load-balancer-cloudtrail-logs__02.json',
    'elbv2',
    [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        arn: `${ELB}loadbalancer/app/my-load-balancer/ffcddace1759e1d0`,
        name: 'my-load-balancer',
      },
    ],
  ],
  [
    'elb-network-load-balancers-user-guide__load-balancer-cloudtrail-logs__01.json',
    'elbv2',
    [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        arn: `${ELB}loadbalancer/net/my-load-balancer/ffcddace1759e1d0`,
        name: 'my-load-balancer',
      },
    ],
  ],
  [
    'elb-network-load-balancers-user-guide__load-balancer-cloudtrail-logs__02.json',
    'elbv2',
    [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        arn: `${ELB}loadbalancer/net/my-load-balancer/ffcddace1759e1d0`,
        name: 'my-load-balancer',
      },
    ],
  ],
  [
    'elb-classic-load-balancers-user-guide__ELB-API-Logs__01.json',
    'elb',
    [
      {
        type: 'AWS::ElasticLoadBalancing::LoadBalancer',
        arn: `${ELB}loadbalancer/my-load-balancer`,
        name: 'my-load-balancer',
      },
    ],
  ],
];

/** The one record of an example file (a bare record or a `{"Records": [...]}` file). */
function recordOf(file: string): CloudTrailRecord {
  const parsed = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { Records?: CloudTrailRecord[] };
  const record = parsed.Records === undefined ? (parsed as CloudTrailRecord) : parsed.Records[0];
  if (record === undefined) throw new Error(`${file} holds no record`);
  return record;
}

describe('resources of the AWS documentation example records', () => {
  it.each(EXAMPLES)('%s', (file, service, expected) => {
    const { resources, knownOperation } = extractResources(recordOf(file), service);

    expect({ knownOperation, resources: sortedResources(resources) }).toEqual({
      knownOperation: true,
      resources: sortedResources(expected),
    });
  });
});
