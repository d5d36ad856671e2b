/**
 * Amazon EC2 Auto Scaling (API 2011-01-01): every operation → where its identifiers sit.
 *
 * Groups, launch configurations and policies are keyed by name (their ARNs hold a UUID no request carries); a
 * `policyName` that is a full ARN names its group too. A group's configuration links it to its launch
 * configuration or templates, classic load balancers, target groups and traffic sources. Instance-only calls name
 * the instance, and the group through the response where it has one. CreateAutoScalingGroup's `tags[].resourceId`
 * repeats the group's name and is not read: `autoScalingGroupName` is authoritative.
 */
import {
  ASG_LIFECYCLE_HOOK,
  ASG_SCHEDULED_ACTION,
  ELBV2_TARGET_GROUP,
} from '../resource-types';
import {
  elbNames,
  elbv2Arns,
  filteredGroups,
  groups,
  instances,
  launchConfigurations,
  launchTemplates,
  names,
  scalingPolicies,
  taggedGroups,
  trafficSources,
  type OperationTable,
} from '../specs';

const group = groups('request.autoScalingGroupName');
const instanceIds = instances('request.instanceIds[]');
const instanceId = instances('request.instanceId');
const hook = names(ASG_LIFECYCLE_HOOK, 'request.lifecycleHookName');
const scheduledAction = names(ASG_SCHEDULED_ACTION, 'request.scheduledActionName');
const scheduledActions = names(ASG_SCHEDULED_ACTION, 'request.scheduledActionNames[]');
const policy = scalingPolicies('request.policyName');
const targetGroups = elbv2Arns(ELBV2_TARGET_GROUP, 'request.targetGroupARNs[]');
const loadBalancers = elbNames('request.loadBalancerNames[]');
const sources = trafficSources('request.trafficSources[]');
const tagged = taggedGroups('request.tags[]');

/** The launch templates a group configuration (or an instance refresh's desired configuration) uses. */
function templatesOf(base: string): ReturnType<typeof launchTemplates>[] {
  return [
    launchTemplates(`${base}.launchTemplate`),
    launchTemplates(`${base}.mixedInstancesPolicy.launchTemplate.launchTemplateSpecification`),
    launchTemplates(`${base}.mixedInstancesPolicy.launchTemplate.overrides[].launchTemplateSpecification`),
  ];
}

const launchConfiguration = launchConfigurations('request.launchConfigurationName');

/** The EC2 Auto Scaling resource table. */
export const AUTOSCALING_TABLE: OperationTable = {
  AttachInstances: [group, instanceIds],
  AttachLoadBalancerTargetGroups: [group, targetGroups],
  AttachLoadBalancers: [group, loadBalancers],
  AttachTrafficSources: [group, sources],
  BatchDeleteScheduledAction: [group, scheduledActions],
  BatchPutScheduledUpdateGroupAction: [
    group,
    names(ASG_SCHEDULED_ACTION, 'request.scheduledUpdateGroupActions[].scheduledActionName'),
  ],
  CancelInstanceRefresh: [group],
  CompleteLifecycleAction: [group, hook, instanceId],
  CreateAutoScalingGroup: [
    group,
    launchConfiguration,
    ...templatesOf('request'),
    loadBalancers,
    targetGroups,
    sources,
    instanceId,
    names(ASG_LIFECYCLE_HOOK, 'request.lifecycleHookSpecificationList[].lifecycleHookName'),
  ],
  CreateLaunchConfiguration: [launchConfiguration, instanceId],
  CreateOrUpdateTags: [tagged],
  DeleteAutoScalingGroup: [group],
  DeleteLaunchConfiguration: [launchConfiguration],
  DeleteLifecycleHook: [group, hook],
  DeleteNotificationConfiguration: [group],
  DeletePolicy: [group, policy],
  DeleteScheduledAction: [group, scheduledAction],
  DeleteTags: [tagged],
  DeleteWarmPool: [group],
  DescribeAccountLimits: [],
  DescribeAccountSettings: [],
  DescribeAdjustmentTypes: [],
  DescribeAutoScalingGroups: [groups('request.autoScalingGroupNames[]')],
  DescribeAutoScalingInstances: [instanceIds],
  DescribeAutoScalingNotificationTypes: [],
  DescribeInstanceRefreshes: [group],
  DescribeLaunchConfigurations: [launchConfigurations('request.launchConfigurationNames[]')],
  DescribeLifecycleHookTypes: [],
  DescribeLifecycleHooks: [group, names(ASG_LIFECYCLE_HOOK, 'request.lifecycleHookNames[]')],
  DescribeLoadBalancerTargetGroups: [group],
  DescribeLoadBalancers: [group],
  DescribeMetricCollectionTypes: [],
  DescribeNotificationConfigurations: [groups('request.autoScalingGroupNames[]')],
  DescribePolicies: [group, scalingPolicies('request.policyNames[]')],
  DescribeScalingActivities: [group],
  DescribeScalingProcessTypes: [],
  DescribeScheduledActions: [group, scheduledActions],
  DescribeTags: [filteredGroups('request.filters[]')],
  DescribeTerminationPolicyTypes: [],
  DescribeTrafficSources: [group],
  DescribeWarmPool: [group],
  DetachInstances: [group, instanceIds],
  DetachLoadBalancerTargetGroups: [group, targetGroups],
  DetachLoadBalancers: [group, loadBalancers],
  DetachTrafficSources: [group, sources],
  DisableMetricsCollection: [group],
  EnableMetricsCollection: [group],
  EnterStandby: [group, instanceIds],
  ExecutePolicy: [group, policy],
  ExitStandby: [group, instanceIds],
  GetPredictiveScalingForecast: [group, policy],
  LaunchInstances: [group, instances('response.instances[].instanceIds[]')],
  PutAccountSetting: [],
  PutLifecycleHook: [group, hook],
  PutNotificationConfiguration: [group],
  PutScalingPolicy: [group, policy, scalingPolicies('response.policyARN')],
  PutScheduledUpdateGroupAction: [group, scheduledAction],
  PutWarmPool: [group],
  RecordLifecycleActionHeartbeat: [group, hook, instanceId],
  ResumeProcesses: [group],
  RollbackInstanceRefresh: [group],
  SetDesiredCapacity: [group],
  SetInstanceHealth: [instanceId],
  SetInstanceProtection: [group, instanceIds],
  StartInstanceRefresh: [group, ...templatesOf('request.desiredConfiguration')],
  SuspendProcesses: [group],
  TerminateInstanceInAutoScalingGroup: [
    instanceId,
    instanceIds,
    group,
    groups('response.activity.autoScalingGroupName'),
    groups('response.activities[].autoScalingGroupName'),
  ],
  UpdateAutoScalingGroup: [group, launchConfiguration, ...templatesOf('request')],
};
