/**
 * Elastic Load Balancing v2 (API 2015-12-01): every operation → where its identifiers sit.
 *
 * Requests name existing resources by ARN; a create names the new resource by name in the request and by ARN in
 * the response (the ARN holds an ID only the response carries), so both are read and the name-only resource is
 * merged into the one with the ARN. Actions link a listener or rule to the target groups it forwards to.
 */
import {
  ELBV2_LISTENER,
  ELBV2_LISTENER_RULE,
  ELBV2_LOAD_BALANCER,
  ELBV2_TARGET_GROUP,
  ELBV2_TRUST_STORE,
} from '../resource-types';
import { anyElbv2Arns, elbv2Arns, elbv2Targets, names, type ResourceSpec, type OperationTable } from '../specs';

const lb = elbv2Arns(ELBV2_LOAD_BALANCER, 'request.loadBalancerArn');
const listener = elbv2Arns(ELBV2_LISTENER, 'request.listenerArn');
const rule = elbv2Arns(ELBV2_LISTENER_RULE, 'request.ruleArn');
const targetGroup = elbv2Arns(ELBV2_TARGET_GROUP, 'request.targetGroupArn');
const trustStore = elbv2Arns(ELBV2_TRUST_STORE, 'request.trustStoreArn');
const targets = elbv2Targets('request.targets[].id');
const tagged = anyElbv2Arns('request.resourceArns[]');

/** Target groups an action list forwards to: the simple form and the weighted `forwardConfig` form. */
function actionTargetGroups(actions: string): ResourceSpec[] {
  return [
    elbv2Arns(ELBV2_TARGET_GROUP, `${actions}[].targetGroupArn`),
    elbv2Arns(ELBV2_TARGET_GROUP, `${actions}[].forwardConfig.targetGroups[].targetGroupArn`),
  ];
}

const mutualTlsTrustStore = elbv2Arns(ELBV2_TRUST_STORE, 'request.mutualAuthentication.trustStoreArn');

/** The ELBv2 resource table. */
export const ELBV2_TABLE: OperationTable = {
  AddListenerCertificates: [listener],
  AddTags: [tagged],
  AddTrustStoreRevocations: [trustStore],
  CreateListener: [
    lb,
    elbv2Arns(ELBV2_LISTENER, 'response.listeners[].listenerArn'),
    ...actionTargetGroups('request.defaultActions'),
    mutualTlsTrustStore,
  ],
  CreateLoadBalancer: [
    names(ELBV2_LOAD_BALANCER, 'request.name'),
    elbv2Arns(ELBV2_LOAD_BALANCER, 'response.loadBalancers[].loadBalancerArn'),
  ],
  CreateRule: [
    listener,
    elbv2Arns(ELBV2_LISTENER_RULE, 'response.rules[].ruleArn'),
    ...actionTargetGroups('request.actions'),
  ],
  CreateTargetGroup: [
    names(ELBV2_TARGET_GROUP, 'request.name'),
    elbv2Arns(ELBV2_TARGET_GROUP, 'response.targetGroups[].targetGroupArn'),
  ],
  CreateTrustStore: [
    names(ELBV2_TRUST_STORE, 'request.name'),
    elbv2Arns(ELBV2_TRUST_STORE, 'response.trustStores[].trustStoreArn'),
  ],
  DeleteListener: [listener],
  DeleteLoadBalancer: [lb],
  DeleteRule: [rule],
  DeleteSharedTrustStoreAssociation: [trustStore, elbv2Arns(ELBV2_LOAD_BALANCER, 'request.resourceArn')],
  DeleteTargetGroup: [targetGroup],
  DeleteTrustStore: [trustStore],
  DeregisterTargets: [targetGroup, targets],
  DescribeAccountLimits: [],
  DescribeCapacityReservation: [lb],
  DescribeListenerAttributes: [listener],
  DescribeListenerCertificates: [listener],
  DescribeListeners: [lb, elbv2Arns(ELBV2_LISTENER, 'request.listenerArns[]')],
  DescribeLoadBalancerAttributes: [lb],
  DescribeLoadBalancers: [
    elbv2Arns(ELBV2_LOAD_BALANCER, 'request.loadBalancerArns[]'),
    names(ELBV2_LOAD_BALANCER, 'request.names[]'),
  ],
  DescribeRules: [listener, elbv2Arns(ELBV2_LISTENER_RULE, 'request.ruleArns[]')],
  DescribeSSLPolicies: [],
  DescribeTags: [tagged],
  DescribeTargetGroupAttributes: [targetGroup],
  DescribeTargetGroups: [
    lb,
    elbv2Arns(ELBV2_TARGET_GROUP, 'request.targetGroupArns[]'),
    names(ELBV2_TARGET_GROUP, 'request.names[]'),
  ],
  DescribeTargetHealth: [targetGroup, targets],
  DescribeTrustStoreAssociations: [trustStore],
  DescribeTrustStoreRevocations: [trustStore],
  DescribeTrustStores: [
    elbv2Arns(ELBV2_TRUST_STORE, 'request.trustStoreArns[]'),
    names(ELBV2_TRUST_STORE, 'request.names[]'),
  ],
  GetResourcePolicy: [anyElbv2Arns('request.resourceArn')],
  GetTrustStoreCaCertificatesBundle: [trustStore],
  GetTrustStoreRevocationContent: [trustStore],
  ModifyCapacityReservation: [lb],
  ModifyIpPools: [lb],
  ModifyListener: [listener, ...actionTargetGroups('request.defaultActions'), mutualTlsTrustStore],
  ModifyListenerAttributes: [listener],
  ModifyLoadBalancerAttributes: [lb],
  ModifyRule: [rule, ...actionTargetGroups('request.actions')],
  ModifyTargetGroup: [targetGroup],
  ModifyTargetGroupAttributes: [targetGroup],
  ModifyTrustStore: [trustStore],
  RegisterTargets: [targetGroup, targets],
  RemoveListenerCertificates: [listener],
  RemoveTags: [tagged],
  RemoveTrustStoreRevocations: [trustStore],
  SetIpAddressType: [lb],
  SetRulePriorities: [elbv2Arns(ELBV2_LISTENER_RULE, 'request.rulePriorities[].ruleArn')],
  SetSecurityGroups: [lb],
  SetSubnets: [lb],
};
