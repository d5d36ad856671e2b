/**
 * Selection: which CloudTrail records belong to the services trail-audit indexes (Elastic Load Balancing classic
 * and v2, Elastic Beanstalk, EC2 Auto Scaling), and why the others are not kept.
 */
import { isJsonObject } from './record';
import type { CloudTrailRecord, JsonObject, Service, SkipReason } from './types';

/** Options of {@link selectRecord}. */
export interface SelectOptions {
  /**
   * Drop read-only calls (Describe, List, Get) instead of keeping them.
   * @default false — read-only calls are kept: who looked at what is part of an audit.
   */
  readonly dropReadOnly?: boolean;
}

/** The outcome of {@link selectRecord}: the service to index the record under, or why it is skipped. */
export type Selection =
  | { readonly keep: true; readonly service: Service }
  | { readonly keep: false; readonly reason: SkipReason };

/** `eventSource` of Elastic Load Balancing, shared by the classic (2012-06-01 and older) and v2 (2015-12-01) APIs. */
export const ELB_EVENT_SOURCE = 'elasticloadbalancing.amazonaws.com';
/** `eventSource` of Elastic Beanstalk. */
export const ELASTIC_BEANSTALK_EVENT_SOURCE = 'elasticbeanstalk.amazonaws.com';
/** `eventSource` of EC2 Auto Scaling — and, for some calls, of Application Auto Scaling. */
export const AUTO_SCALING_EVENT_SOURCE = 'autoscaling.amazonaws.com';

/** The one API version Elastic Load Balancing v2 has ever had; every other version is the classic API's. */
const ELB_V2_API_VERSION = '2015-12-01';
/**
 * When Elastic Load Balancing v2 (Application Load Balancer) launched, as a prefix of CloudTrail's ISO 8601 UTC
 * `eventTime`: a record from before it can only be a classic call.
 */
const ELB_V2_LAUNCH_DATE = '2016-08-11';

/** The `eventType` of CloudTrail Insights events. */
const INSIGHT_EVENT_TYPE = 'AwsCloudTrailInsight';

/** The `eventSource` of every service trail-audit indexes. */
export const SELECTED_EVENT_SOURCES: readonly string[] = [
  ELB_EVENT_SOURCE,
  ELASTIC_BEANSTALK_EVENT_SOURCE,
  AUTO_SCALING_EVENT_SOURCE,
];

/**
 * Operations only the Elastic Load Balancing v2 API has (listeners, rules, target groups, trust stores, ...): they
 * decide the API when a record carries no `apiVersion`.
 */
const ELB_V2_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  'AddListenerCertificates',
  'AddTrustStoreRevocations',
  'CreateListener',
  'CreateRule',
  'CreateTargetGroup',
  'CreateTrustStore',
  'DeleteListener',
  'DeleteRule',
  'DeleteSharedTrustStoreAssociation',
  'DeleteTargetGroup',
  'DeleteTrustStore',
  'DeregisterTargets',
  'DescribeCapacityReservation',
  'DescribeListenerAttributes',
  'DescribeListenerCertificates',
  'DescribeListeners',
  'DescribeRules',
  'DescribeSSLPolicies',
  'DescribeTargetGroupAttributes',
  'DescribeTargetGroups',
  'DescribeTargetHealth',
  'DescribeTrustStoreAssociations',
  'DescribeTrustStoreRevocations',
  'DescribeTrustStores',
  'GetResourcePolicy',
  'GetTrustStoreCaCertificatesBundle',
  'GetTrustStoreRevocationContent',
  'ModifyCapacityReservation',
  'ModifyIpPools',
  'ModifyListener',
  'ModifyListenerAttributes',
  'ModifyRule',
  'ModifyTargetGroup',
  'ModifyTargetGroupAttributes',
  'ModifyTrustStore',
  'RegisterTargets',
  'RemoveListenerCertificates',
  'RemoveTrustStoreRevocations',
  'SetIpAddressType',
  'SetRulePriorities',
  'SetSecurityGroups',
  'SetSubnets',
]);

/** Operations only the classic Elastic Load Balancing API has. */
const ELB_CLASSIC_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  'ApplySecurityGroupsToLoadBalancer',
  'AttachLoadBalancerToSubnets',
  'ConfigureHealthCheck',
  'CreateAppCookieStickinessPolicy',
  'CreateLBCookieStickinessPolicy',
  'CreateLoadBalancerListeners',
  'CreateLoadBalancerPolicy',
  'DeleteLoadBalancerListeners',
  'DeleteLoadBalancerPolicy',
  'DeregisterInstancesFromLoadBalancer',
  'DescribeInstanceHealth',
  'DescribeLoadBalancerPolicies',
  'DescribeLoadBalancerPolicyTypes',
  'DetachLoadBalancerFromSubnets',
  'DisableAvailabilityZonesForLoadBalancer',
  'EnableAvailabilityZonesForLoadBalancer',
  'RegisterInstancesWithLoadBalancer',
  'SetLoadBalancerListenerSSLCertificate',
  'SetLoadBalancerPoliciesForBackendServer',
  'SetLoadBalancerPoliciesOfListener',
]);

/** Request parameters only v2 calls carry: v2 names its resources by ARN. */
const ELB_V2_PARAMETERS: readonly string[] = [
  'loadBalancerArn',
  'loadBalancerArns',
  'targetGroupArn',
  'targetGroupArns',
  'listenerArn',
  'listenerArns',
  'ruleArn',
  'ruleArns',
  'resourceArns',
  'trustStoreArn',
  'trustStoreArns',
  // DescribeLoadBalancers: v2 filters by `names`, classic by `loadBalancerNames`.
  'names',
  // CreateLoadBalancer: v2 takes `name` and `type`, classic takes `loadBalancerName`.
  'name',
  'type',
];

/** Request parameters only classic calls carry: classic names its load balancers by name. */
const ELB_CLASSIC_PARAMETERS: readonly string[] = ['loadBalancerName', 'loadBalancerNames'];

/**
 * Operations only Application Auto Scaling has, although CloudTrail records some of its calls with
 * `eventSource: autoscaling.amazonaws.com`. Operations both APIs share (PutScalingPolicy,
 * DescribeScalingActivities, DeleteScheduledAction, DescribeScheduledActions, GetPredictiveScalingForecast) are
 * told apart by their parameters instead.
 */
const APPLICATION_AUTO_SCALING_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  'DeleteScalingPolicy',
  'DeregisterScalableTarget',
  'DescribeScalableTargets',
  'DescribeScalingPolicies',
  'ListTagsForResource',
  'PutScheduledAction',
  'RegisterScalableTarget',
  'TagResource',
  'UntagResource',
]);

/** Read-only operations by name, for records without a `readOnly` field (eventVersion before 1.05 or so). */
const READ_ONLY_OPERATION = /^(Describe|List|Get)[A-Z]/;

/**
 * Decides whether a record is kept, and under which service.
 *
 * In order: an Insight event is skipped (`insight-event`); a record of another `eventSource` is skipped
 * (`other-service`); an Application Auto Scaling call recorded as `autoscaling.amazonaws.com` is skipped
 * (`application-auto-scaling`); a read-only call is skipped (`read-only-dropped`) only when `dropReadOnly` is set.
 * Everything else is kept — failed calls (`errorCode`) included: a denied DeleteLoadBalancer is exactly what an
 * auditor looks for.
 */
export function selectRecord(record: CloudTrailRecord, options: SelectOptions = {}): Selection {
  if (isInsightRecord(record)) {
    return { keep: false, reason: 'insight-event' };
  }
  const service = serviceOf(record);
  if (service === undefined) {
    return { keep: false, reason: 'other-service' };
  }
  if (service === 'autoscaling' && isApplicationAutoScaling(record)) {
    return { keep: false, reason: 'application-auto-scaling' };
  }
  if (options.dropReadOnly === true && isReadOnly(record)) {
    return { keep: false, reason: 'read-only-dropped' };
  }
  return { keep: true, service };
}

/**
 * Tells, from the raw JSON text of a record, whether {@link selectRecord} could keep it: a cheap substring test
 * that lets the pipeline skip `JSON.parse` for the records of every other service.
 *
 * It never returns false for a record `selectRecord` would keep: a kept record's `eventSource` is one of three
 * strings, so its text holds that string literally — unless JSON escapes spell it, and only a `\u` escape can
 * produce a letter or a dot. Text holding such an escape is therefore reported as possibly selected too (escapes
 * CloudTrail does write, such as `\u003c` for `<`, do not count). False positives only cost a parse.
 */
export function mayBeSelected(text: string): boolean {
  return SELECTED_EVENT_SOURCES.some((source) => text.includes(source)) || mayHideLettersInEscapes(text);
}

/**
 * {@link mayBeSelected}, or the text may be a CloudTrail Insights event (it holds `AwsCloudTrailInsight`, or an
 * escape that may hide it), in one pass over the text: the pipeline's pre-filter, on the hot path of every record of
 * every file (one regular expression scans the text once where separate tests scan it up to six times; `npm run
 * bench` measured about 11% less CPU for the whole pipeline). Lets the pipeline count Insight events under their
 * own skip reason.
 */
export function mayBeSelectedOrInsight(text: string): boolean {
  return MAY_BE_SELECTED_OR_INSIGHT.test(text);
}

const MAY_BE_SELECTED_OR_INSIGHT =
  /(?:elasticloadbalancing|elasticbeanstalk|autoscaling)\.amazonaws\.com|AwsCloudTrailInsight|\\u00(?:2[eE]|[67][0-9a-fA-F])/;

/**
 * Whether a parsed value is a CloudTrail Insights event (`eventType: AwsCloudTrailInsight`).
 *
 * Takes an unvalidated value because Insight events lack `eventSource` and `eventName` at the top level (they sit
 * in `insightDetails`): they must be recognised before {@link validateRecord} would call them invalid.
 */
export function isInsightRecord(value: unknown): boolean {
  return isJsonObject(value) && value['eventType'] === INSIGHT_EVENT_TYPE;
}

/**
 * Whether a record is a read-only call: its `readOnly` field when CloudTrail wrote one, otherwise an eventName
 * starting with Describe, List or Get (CloudTrail's own convention for the read-only calls of these services).
 */
export function isReadOnly(record: CloudTrailRecord): boolean {
  return record.readOnly ?? READ_ONLY_OPERATION.test(record.eventName);
}

/**
 * Which API an Elastic Load Balancing record belongs to: classic (`elb`) or v2 (`elbv2`).
 *
 * By `apiVersion` first: v2 has exactly one, 2015-12-01, so any other (2012-06-01, and the 2011-11-15 that the
 * console's classic DescribeLoadBalancers still sent in 2017-2018) is classic. Without one, a record from before v2
 * launched (2016-08-11) is classic. After that, an operation only one API has decides; then the request parameters
 * (v2 names resources by ARN and creates with `name`/`type`, classic names load balancers by
 * `loadBalancerName(s)`). A later record that none of these decide (a parameterless DescribeLoadBalancers, say) is
 * counted as v2, the API every current load balancer type uses.
 */
export function elbApiOf(record: CloudTrailRecord): 'elb' | 'elbv2' {
  if (record.apiVersion !== undefined) return record.apiVersion === ELB_V2_API_VERSION ? 'elbv2' : 'elb';
  // ISO 8601 UTC times order as strings: '2016-08-10T23:59:59Z' < '2016-08-11' <= '2016-08-11T00:00:00Z'.
  if (record.eventTime < ELB_V2_LAUNCH_DATE) return 'elb';
  if (ELB_V2_ONLY_OPERATIONS.has(record.eventName)) return 'elbv2';
  if (ELB_CLASSIC_ONLY_OPERATIONS.has(record.eventName)) return 'elb';
  const parameters = record.requestParameters;
  if (isJsonObject(parameters)) {
    if (ELB_V2_PARAMETERS.some((name) => parameters[name] !== undefined)) return 'elbv2';
    if (ELB_CLASSIC_PARAMETERS.some((name) => parameters[name] !== undefined)) return 'elb';
  }
  return 'elbv2';
}

/**
 * Whether an `autoscaling.amazonaws.com` record is an Application Auto Scaling call rather than EC2 Auto Scaling:
 * it carries `requestParameters.serviceNamespace` (an Application Auto Scaling parameter EC2 Auto Scaling does
 * not have), `additionalEventData.service` naming application-autoscaling, or an operation only Application Auto
 * Scaling has.
 */
export function isApplicationAutoScaling(record: CloudTrailRecord): boolean {
  return (
    hasField(record.requestParameters, 'serviceNamespace') ||
    namesApplicationAutoScaling(record.additionalEventData) ||
    APPLICATION_AUTO_SCALING_ONLY_OPERATIONS.has(record.eventName)
  );
}

function serviceOf(record: CloudTrailRecord): Service | undefined {
  switch (record.eventSource) {
    case ELB_EVENT_SOURCE:
      return elbApiOf(record);
    case ELASTIC_BEANSTALK_EVENT_SOURCE:
      return 'elasticbeanstalk';
    case AUTO_SCALING_EVENT_SOURCE:
      return 'autoscaling';
    default:
      return undefined;
  }
}

function hasField(object: JsonObject | null | undefined, field: string): boolean {
  return isJsonObject(object) && object[field] !== undefined && object[field] !== null;
}

function namesApplicationAutoScaling(additionalEventData: JsonObject | null | undefined): boolean {
  const service = isJsonObject(additionalEventData) ? additionalEventData['service'] : undefined;
  return typeof service === 'string' && service.toLowerCase().includes('application-autoscaling');
}

/**
 * Whether JSON text holds a `\u` escape that could spell a lower-case letter or a dot (`\u002e`, `\u0060`-`\u007f`),
 * i.e. could hide an event source from a substring test. A preceding backslash (an escaped backslash) only makes
 * this over-report, which is the safe direction.
 */
function mayHideLettersInEscapes(text: string): boolean {
  return text.includes('\\u') && /\\u00(2[eE]|[67][0-9a-fA-F])/.test(text);
}
