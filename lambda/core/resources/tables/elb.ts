/**
 * Elastic Load Balancing, classic (API 2012-06-01): every operation → where its identifiers sit.
 *
 * Every mutating call names its load balancer by `loadBalancerName`; policies, listeners (by port), health checks
 * and availability zones are parts of the load balancer, not resources of their own. Instances registered with a
 * load balancer are indexed too, so an instance's history shows the load balancers it joined and left.
 */
import { elbNames, instances, type OperationTable } from '../specs';

const lb = elbNames('request.loadBalancerName');
const lbs = elbNames('request.loadBalancerNames[]');

/** The classic Elastic Load Balancing resource table. */
export const ELB_TABLE: OperationTable = {
  AddTags: [lbs],
  ApplySecurityGroupsToLoadBalancer: [lb],
  AttachLoadBalancerToSubnets: [lb],
  ConfigureHealthCheck: [lb],
  CreateAppCookieStickinessPolicy: [lb],
  CreateLBCookieStickinessPolicy: [lb],
  CreateLoadBalancer: [lb],
  CreateLoadBalancerListeners: [lb],
  CreateLoadBalancerPolicy: [lb],
  DeleteLoadBalancer: [lb],
  DeleteLoadBalancerListeners: [lb],
  DeleteLoadBalancerPolicy: [lb],
  DeregisterInstancesFromLoadBalancer: [lb, instances('request.instances[].instanceId')],
  DescribeAccountLimits: [],
  DescribeInstanceHealth: [lb, instances('request.instances[].instanceId')],
  DescribeLoadBalancerAttributes: [lb],
  DescribeLoadBalancerPolicies: [lb],
  DescribeLoadBalancerPolicyTypes: [],
  DescribeLoadBalancers: [lbs],
  DescribeTags: [lbs],
  DetachLoadBalancerFromSubnets: [lb],
  DisableAvailabilityZonesForLoadBalancer: [lb],
  EnableAvailabilityZonesForLoadBalancer: [lb],
  ModifyLoadBalancerAttributes: [lb],
  RegisterInstancesWithLoadBalancer: [lb, instances('request.instances[].instanceId')],
  RemoveTags: [lbs],
  SetLoadBalancerListenerSSLCertificate: [lb],
  SetLoadBalancerPoliciesForBackendServer: [lb],
  SetLoadBalancerPoliciesOfListener: [lb],
};
