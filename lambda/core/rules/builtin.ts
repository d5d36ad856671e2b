/**
 * The built-in rules: the risky Elastic Load Balancing, Elastic Beanstalk and EC2 Auto Scaling changes, and the
 * trail and account hygiene events that matter whatever the service. Each can be disabled or re-graded in the
 * rules configuration (see `RulesConfig`); the rules table in docs/alerts.md is this file, in prose.
 *
 * Field names are CloudTrail's: API member names with the first letter lower-cased (`sSLCertificateId`).
 */
import type { Condition, Rule } from './types';

const ELB = 'elasticloadbalancing.amazonaws.com';
const ELASTIC_BEANSTALK = 'elasticbeanstalk.amazonaws.com';
const AUTO_SCALING = 'autoscaling.amazonaws.com';
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const SIGNIN = 'signin.amazonaws.com';

const SECURITY_HUB = 'https://docs.aws.amazon.com/securityhub/latest/userguide';

/**
 * The ELBv2 predefined security policies that accept TLS 1.0 or 1.1 (the ALB and NLB "security policies" tables
 * of the Elastic Load Balancing user guides). The TLS 1.3 families with a 1.0 or 1.1 floor (`-TLS13-1-0-`,
 * `-TLS13-1-1-`, including their FIPS and PQ variants) are matched by {@link WEAK_TLS13_FAMILY} so that a new
 * dated variant is caught too.
 */
export const WEAK_ELBV2_SECURITY_POLICIES: readonly string[] = [
  'ELBSecurityPolicy-2016-08',
  'ELBSecurityPolicy-2015-05',
  'ELBSecurityPolicy-TLS-1-0-2015-04',
  'ELBSecurityPolicy-TLS-1-1-2017-01',
  'ELBSecurityPolicy-FS-2018-06',
  'ELBSecurityPolicy-FS-1-1-2019-08',
];

/** `ELBSecurityPolicy-TLS13-1-0-*` and `-TLS13-1-1-*`: TLS 1.3 policies whose floor is TLS 1.0 or 1.1. */
export const WEAK_TLS13_FAMILY = '^ELBSecurityPolicy-TLS13-1-[01]-';

/**
 * The one Classic Load Balancer predefined policy without TLS 1.0 and 1.1 (the "Predefined SSL security policies
 * for Classic Load Balancers" table); every other predefined policy (2016-08, TLS-1-1-2017-01, 2015-05, ..., the
 * ELBSample policies) accepts an older protocol.
 */
export const STRONG_CLASSIC_SECURITY_POLICY = 'ELBSecurityPolicy-TLS-1-2-2017-01';

/** The CloudTrail calls that stop or blind logging: the EventBridge fast path of the alerts construct uses this list. */
export const CLOUDTRAIL_TAMPERING_EVENT_NAMES: readonly string[] = [
  'StopLogging',
  'DeleteTrail',
  'UpdateTrail',
  'PutEventSelectors',
  'PutInsightSelectors',
];

const isWeakElbv2Policy: Condition = {
  any: [
    { path: 'sslPolicy', in: [...WEAK_ELBV2_SECURITY_POLICIES] },
    { path: 'sslPolicy', regex: WEAK_TLS13_FAMILY },
  ],
};

/** A default action that redirects to HTTPS (paths relative to the action). */
const redirectsToHttps: Condition = {
  all: [
    { path: 'type', equals: 'redirect', ignoreCase: true },
    { path: 'redirectConfig.protocol', equals: 'HTTPS', ignoreCase: true },
  ],
};

/** A listener on plain HTTP whose default actions do not redirect to HTTPS (paths relative to the listener). */
const plainHttpListener: Condition = {
  all: [
    { path: 'protocol', equals: 'HTTP', ignoreCase: true },
    { not: { path: 'defaultActions', some: redirectsToHttps } },
  ],
};

/** A failed call: the rules that look at attempts too add a note saying nothing changed. */
const failedCallNote = {
  when: { path: 'errorCode', exists: true },
  text: 'The call failed (see errorCode), so nothing changed, but someone tried: find out who and why.',
} as const;

/** The built-in rules, in the order docs/alerts.md lists them. */
export const BUILT_IN_RULES: readonly Rule[] = [
  {
    id: 'elb.load-balancer-deleted',
    title: 'Load balancer deleted',
    severity: 'medium',
    match: { eventSource: ELB, eventName: 'DeleteLoadBalancer', outcome: 'success' },
    description:
      'A load balancer was deleted. Every application behind it stopped receiving traffic, and its DNS name is ' +
      'released: a deletion nobody planned is an outage, and possibly sabotage.',
    remediation:
      'Confirm the deletion was planned (change ticket, deployment). If not, recreate the load balancer from your ' +
      'infrastructure code, review who holds elasticloadbalancing:DeleteLoadBalancer, and turn on deletion protection.',
    references: [`Security Hub ELB.6 (${SECURITY_HUB}/elb-controls.html#elb-6)`],
    resource: ['requestParameters.loadBalancerArn', 'requestParameters.loadBalancerName'],
  },
  {
    id: 'elbv2.deletion-protection-disabled',
    title: 'Load balancer deletion protection turned off',
    severity: 'high',
    match: {
      eventSource: ELB,
      eventName: 'ModifyLoadBalancerAttributes',
      outcome: 'success',
      where: {
        path: 'requestParameters.attributes',
        some: {
          all: [
            { path: 'key', equals: 'deletion_protection.enabled' },
            { path: 'value', equals: false },
          ],
        },
      },
    },
    description:
      'Deletion protection was set to false on an Application, Network or Gateway Load Balancer: one API call can ' +
      'now delete it. Turning it off is usually the step before a deletion. (Tools that send every attribute, ' +
      'such as Terraform, also fire this rule when the value stays false.)',
    remediation:
      'If no deletion is planned, set deletion_protection.enabled back to true, and keep it on in your ' +
      'infrastructure code.',
    references: [`Security Hub ELB.6 (${SECURITY_HUB}/elb-controls.html#elb-6)`],
    resource: ['requestParameters.loadBalancerArn'],
  },
  {
    id: 'elb.access-logs-disabled',
    title: 'Load balancer access logs turned off',
    severity: 'medium',
    match: {
      eventSource: ELB,
      eventName: 'ModifyLoadBalancerAttributes',
      outcome: 'success',
      where: {
        any: [
          {
            path: 'requestParameters.attributes',
            some: {
              all: [
                { path: 'key', equals: 'access_logs.s3.enabled' },
                { path: 'value', equals: false },
              ],
            },
          },
          { path: 'requestParameters.loadBalancerAttributes.accessLog.enabled', equals: false },
        ],
      },
    },
    description:
      'Access logging was switched off on a load balancer: requests it serves from now on leave no record, which ' +
      'blinds incident investigation and breaks logging requirements (PCI DSS 10, SOC 2).',
    remediation:
      'Turn access logs back on (ELBv2 attribute access_logs.s3.enabled, Classic accessLog.enabled) to an S3 bucket ' +
      'with a bucket policy for the load balancer, and find out why they were turned off.',
    references: [`Security Hub ELB.5 (${SECURITY_HUB}/elb-controls.html#elb-5)`],
    resource: ['requestParameters.loadBalancerArn', 'requestParameters.loadBalancerName'],
  },
  {
    id: 'elb.plaintext-http-listener',
    title: 'Plain HTTP listener without redirect to HTTPS',
    severity: 'medium',
    match: {
      eventSource: ELB,
      eventName: ['CreateListener', 'ModifyListener', 'CreateLoadBalancer', 'CreateLoadBalancerListeners'],
      outcome: 'success',
      where: {
        any: [
          // ELBv2: the listener as it now is (the response), or the request when the response is absent.
          { path: 'responseElements.listeners', some: plainHttpListener },
          {
            all: [
              { path: 'responseElements.listeners', exists: false },
              { path: 'requestParameters.protocol', equals: 'HTTP', ignoreCase: true },
              { not: { path: 'requestParameters.defaultActions', some: redirectsToHttps } },
            ],
          },
          // Classic: a listener whose front-end protocol is HTTP (Classic Load Balancers cannot redirect).
          { path: 'requestParameters.listeners', some: { path: 'protocol', equals: 'HTTP', ignoreCase: true } },
        ],
      },
    },
    description:
      'A listener now accepts plain HTTP and serves it instead of redirecting to HTTPS: credentials, cookies and ' +
      'data cross the network unencrypted and can be read or altered in transit.',
    remediation:
      'Make the HTTP listener\'s default action a redirect to HTTPS (port 443, HTTP_301) and serve the application ' +
      'on an HTTPS listener. A Classic Load Balancer cannot redirect: use an HTTPS or SSL listener, or move to an ' +
      'Application Load Balancer.',
    references: [
      `Security Hub ELB.1 (${SECURITY_HUB}/elb-controls.html#elb-1)`,
      `Security Hub ELB.3 (${SECURITY_HUB}/elb-controls.html#elb-3)`,
    ],
    resource: ['requestParameters.loadBalancerArn', 'requestParameters.listenerArn', 'requestParameters.loadBalancerName'],
  },
  {
    id: 'elb.weak-tls-policy',
    title: 'Listener security policy allows TLS below 1.2',
    severity: 'medium',
    match: {
      eventSource: ELB,
      eventName: ['CreateListener', 'ModifyListener', 'CreateLoadBalancerPolicy', 'CreateLoadBalancer', 'CreateLoadBalancerListeners'],
      outcome: 'success',
      where: {
        any: [
          // ELBv2: the policy as it now is (the response also shows the default a request left out).
          { path: 'responseElements.listeners', some: isWeakElbv2Policy },
          {
            all: [
              { path: 'responseElements.listeners', exists: false },
              { path: 'requestParameters.sslPolicy', exists: true },
              { any: [
                { path: 'requestParameters.sslPolicy', in: [...WEAK_ELBV2_SECURITY_POLICIES] },
                { path: 'requestParameters.sslPolicy', regex: WEAK_TLS13_FAMILY },
              ] },
            ],
          },
          // Classic: an SSL negotiation policy referencing an old predefined policy, or enabling an old protocol.
          {
            all: [
              { path: 'requestParameters.policyTypeName', equals: 'SSLNegotiationPolicyType' },
              {
                path: 'requestParameters.policyAttributes',
                some: {
                  any: [
                    {
                      all: [
                        { path: 'attributeName', equals: 'Reference-Security-Policy' },
                        { not: { path: 'attributeValue', equals: STRONG_CLASSIC_SECURITY_POLICY, ignoreCase: true } },
                      ],
                    },
                    {
                      all: [
                        { path: 'attributeName', in: ['Protocol-SSLv3', 'Protocol-TLSv1', 'Protocol-TLSv1.1'] },
                        { path: 'attributeValue', equals: true },
                      ],
                    },
                  ],
                },
              },
            ],
          },
          // Classic: a new HTTPS/SSL listener starts on the default policy ELBSecurityPolicy-2016-08 (TLS 1.0+).
          { path: 'requestParameters.listeners', some: { path: 'protocol', in: ['HTTPS', 'SSL'], ignoreCase: true } },
        ],
      },
    },
    description:
      'An HTTPS/TLS listener uses a security policy that still negotiates TLS 1.0 or 1.1 (for example ' +
      'ELBSecurityPolicy-2016-08, the default of the API, CLI, CloudFormation and CDK): protocols with known ' +
      'weaknesses, deprecated by RFC 8996 and not allowed by PCI DSS.',
    remediation:
      'Move the listener to a TLS 1.2+ policy: ELBSecurityPolicy-TLS13-1-2-2021-06 (or its Res/PQ variants) on ' +
      'ALB/NLB, ELBSecurityPolicy-TLS-1-2-2017-01 on a Classic Load Balancer (SetLoadBalancerPoliciesOfListener). ' +
      'Set the policy explicitly in infrastructure code: the default is the weak one.',
    references: [
      `Security Hub ELB.17 (${SECURITY_HUB}/elb-controls.html#elb-17)`,
      `Security Hub ELB.8 (${SECURITY_HUB}/elb-controls.html#elb-8)`,
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html',
    ],
    resource: ['requestParameters.loadBalancerArn', 'requestParameters.listenerArn', 'requestParameters.loadBalancerName'],
    notes: [
      {
        when: { path: 'requestParameters.listeners', some: { path: 'protocol', in: ['HTTPS', 'SSL'], ignoreCase: true } },
        text:
          'A Classic Load Balancer HTTPS/SSL listener starts on ELBSecurityPolicy-2016-08 unless a policy is set ' +
          'afterwards with SetLoadBalancerPoliciesOfListener.',
      },
    ],
  },
  {
    id: 'elb.security-groups-changed',
    title: 'Load balancer security groups changed',
    severity: 'low',
    match: {
      eventSource: ELB,
      eventName: ['SetSecurityGroups', 'ApplySecurityGroupsToLoadBalancer'],
      outcome: 'success',
    },
    description:
      'The security groups of a load balancer were replaced: what may reach it (and what it may reach) changed. ' +
      'A group that opens the listener ports to 0.0.0.0/0 exposes an internal application.',
    remediation:
      'Check the new groups\' inbound rules against what the load balancer should accept, and that the change came ' +
      'from your deployment pipeline.',
    references: ['CIS AWS Foundations Benchmark v1.4.0 4.10 (security group changes)'],
    resource: ['requestParameters.loadBalancerArn', 'requestParameters.loadBalancerName'],
  },
  {
    id: 'elb.internet-facing-created',
    title: 'Internet-facing load balancer created',
    severity: 'info',
    match: {
      eventSource: ELB,
      eventName: 'CreateLoadBalancer',
      outcome: 'success',
      where: {
        any: [
          { path: 'requestParameters.scheme', equals: 'internet-facing' },
          {
            // Both APIs default to internet-facing; a Gateway Load Balancer has no scheme.
            all: [
              { path: 'requestParameters.scheme', exists: false },
              { not: { path: 'requestParameters.type', equals: 'gateway' } },
            ],
          },
        ],
      },
    },
    description:
      'A load balancer reachable from the internet was created (internet-facing is the default when no scheme is ' +
      'given). Worth knowing about: it is a new entry point into your network.',
    remediation:
      'Confirm it is meant to be public; otherwise recreate it with scheme "internal". Put an HTTPS listener and, ' +
      'for an ALB, AWS WAF in front of what it serves.',
    references: [`Security Hub ELB.16 (${SECURITY_HUB}/elb-controls.html#elb-16)`],
    resource: ['requestParameters.name', 'requestParameters.loadBalancerName'],
  },
  {
    id: 'elasticbeanstalk.environment-terminated',
    title: 'Elastic Beanstalk environment terminated',
    severity: 'medium',
    match: { eventSource: ELASTIC_BEANSTALK, eventName: 'TerminateEnvironment', outcome: 'success' },
    description:
      'An Elastic Beanstalk environment was terminated: its instances, load balancer and Auto Scaling group are ' +
      'deleted, and the application it ran is down.',
    remediation:
      'Confirm the termination was planned. If not, restore it (RebuildEnvironment works within six weeks of ' +
      'termination) and review who holds elasticbeanstalk:TerminateEnvironment.',
    resource: ['requestParameters.environmentName', 'requestParameters.environmentId'],
    notes: [
      {
        when: { path: 'requestParameters.terminateResources', equals: false },
        text: 'terminateResources was false: the environment\'s AWS resources were left running.',
      },
    ],
  },
  {
    id: 'elasticbeanstalk.application-deleted',
    title: 'Elastic Beanstalk application deleted',
    severity: 'medium',
    match: { eventSource: ELASTIC_BEANSTALK, eventName: 'DeleteApplication', outcome: 'success' },
    description:
      'An Elastic Beanstalk application was deleted, with its versions and saved configurations; with ' +
      'terminateEnvByForce its running environments were terminated too.',
    remediation:
      'Confirm the deletion was planned. Application versions are kept in the S3 bucket elasticbeanstalk-REGION-ACCOUNT ' +
      'unless deleted there too: recreate the application from them or from your pipeline.',
    resource: ['requestParameters.applicationName'],
    notes: [
      {
        when: { path: 'requestParameters.terminateEnvByForce', equals: true },
        text: 'terminateEnvByForce was true: running environments of the application were terminated as well.',
      },
    ],
  },
  {
    id: 'autoscaling.group-deleted',
    title: 'Auto Scaling group deleted',
    severity: 'medium',
    match: { eventSource: AUTO_SCALING, eventName: 'DeleteAutoScalingGroup', outcome: 'success' },
    description:
      'An EC2 Auto Scaling group was deleted: its capacity is gone and nothing replaces failed instances.',
    remediation:
      'Confirm the deletion was planned; otherwise recreate the group from your infrastructure code and review who ' +
      'holds autoscaling:DeleteAutoScalingGroup.',
    resource: ['requestParameters.autoScalingGroupName'],
    notes: [
      {
        when: { path: 'requestParameters.forceDelete', equals: true },
        text:
          'forceDelete was true: the group\'s instances were terminated at once, without waiting for scale-in or ' +
          'lifecycle hooks.',
      },
    ],
  },
  {
    id: 'autoscaling.scaled-to-zero',
    title: 'Auto Scaling group scaled to zero',
    severity: 'medium',
    match: {
      eventSource: AUTO_SCALING,
      eventName: ['CreateAutoScalingGroup', 'UpdateAutoScalingGroup', 'SetDesiredCapacity'],
      outcome: 'success',
      where: {
        any: [
          { path: 'requestParameters.maxSize', equals: 0 },
          { path: 'requestParameters.desiredCapacity', equals: 0 },
        ],
      },
    },
    description:
      'An Auto Scaling group\'s maximum size or desired capacity was set to 0: every instance is (or will be) ' +
      'terminated, an outage unless the group is meant to sleep.',
    remediation:
      'If the group should serve, restore minSize/maxSize/desiredCapacity from your infrastructure code. Groups ' +
      'that legitimately scale to zero (batch, dev schedules) can be suppressed by name.',
    resource: ['requestParameters.autoScalingGroupName'],
  },
  {
    id: 'autoscaling.launch-configuration-public-ip',
    title: 'Launch configuration assigns public IP addresses',
    severity: 'medium',
    match: {
      eventSource: AUTO_SCALING,
      eventName: 'CreateLaunchConfiguration',
      outcome: 'success',
      where: { path: 'requestParameters.associatePublicIpAddress', equals: true },
    },
    description:
      'A launch configuration gives its instances a public IPv4 address: they are reachable from the internet ' +
      'whenever a security group allows it, instead of only through the load balancer.',
    remediation:
      'Launch instances in private subnets without public addresses, behind the load balancer; replace the launch ' +
      'configuration with a launch template that sets AssociatePublicIpAddress false.',
    references: [`Security Hub AutoScaling.5 (${SECURITY_HUB}/autoscaling-controls.html#autoscaling-5)`],
    resource: ['requestParameters.launchConfigurationName'],
  },
  {
    id: 'autoscaling.launch-configuration-imdsv1',
    title: 'Launch configuration does not require IMDSv2',
    severity: 'medium',
    match: {
      eventSource: AUTO_SCALING,
      eventName: 'CreateLaunchConfiguration',
      outcome: 'success',
      where: { not: { path: 'requestParameters.metadataOptions.httpTokens', equals: 'required' } },
    },
    description:
      'A launch configuration allows IMDSv1 (metadataOptions.httpTokens is not "required", or absent, which means ' +
      'optional): a server-side request forgery in the application can read the instance role\'s credentials.',
    remediation:
      'Set metadataOptions.httpTokens to "required" (and a hop limit of 1 or 2) in a launch template, and move the ' +
      'group to it.',
    references: [`Security Hub AutoScaling.3 (${SECURITY_HUB}/autoscaling-controls.html#autoscaling-3)`],
    resource: ['requestParameters.launchConfigurationName'],
  },
  {
    id: 'autoscaling.processes-suspended',
    title: 'Auto Scaling processes suspended',
    severity: 'low',
    match: { eventSource: AUTO_SCALING, eventName: 'SuspendProcesses', outcome: 'success' },
    description:
      'Scaling processes of an Auto Scaling group were suspended: depending on which, the group no longer ' +
      'launches, terminates, replaces unhealthy instances or registers them with the load balancer. Often left on ' +
      'by mistake after maintenance.',
    remediation: 'Resume the processes (ResumeProcesses) once the maintenance that needed them suspended is over.',
    resource: ['requestParameters.autoScalingGroupName'],
    notes: [
      {
        when: { path: 'requestParameters.scalingProcesses', exists: false },
        text: 'No scalingProcesses were named: every process of the group is suspended.',
      },
    ],
  },
  {
    id: 'cloudtrail.logging-stopped',
    title: 'CloudTrail logging stopped or trail deleted',
    severity: 'critical',
    match: { eventSource: CLOUDTRAIL, eventName: ['StopLogging', 'DeleteTrail'], outcome: 'any' },
    description:
      'A trail stopped logging or was deleted: API activity from now on is not recorded. Attackers do this first ' +
      'to cover what they do next; trail-audit also stops receiving files to alert from.',
    remediation:
      'Start logging again (StartLogging) or recreate the trail from your infrastructure code at once, then review ' +
      'everything the same principal did. Deny cloudtrail:StopLogging and DeleteTrail with an SCP.',
    references: [
      'CIS AWS Foundations Benchmark v1.4.0 3.1 and 4.5',
      `Security Hub CloudWatch.5 (${SECURITY_HUB}/cloudwatch-controls.html#cloudwatch-5)`,
    ],
    resource: ['requestParameters.name'],
    notes: [failedCallNote],
  },
  {
    id: 'cloudtrail.configuration-changed',
    title: 'CloudTrail trail configuration changed',
    severity: 'high',
    match: {
      eventSource: CLOUDTRAIL,
      eventName: ['UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'],
      outcome: 'any',
    },
    description:
      'A trail\'s configuration or event selectors changed: a trail can be narrowed (one region, no management ' +
      'events, another bucket or key) so that it keeps running while recording less.',
    remediation:
      'Compare the new configuration with the intended one (multi-region, management events read and write, log ' +
      'file validation, the audit bucket and KMS key) and restore it from your infrastructure code.',
    references: [
      'CIS AWS Foundations Benchmark v1.4.0 4.5',
      `Security Hub CloudWatch.5 (${SECURITY_HUB}/cloudwatch-controls.html#cloudwatch-5)`,
    ],
    resource: ['requestParameters.name', 'requestParameters.trailName'],
    notes: [failedCallNote],
  },
  {
    id: 'account.root-user-activity',
    title: 'Root user activity',
    severity: 'critical',
    match: {
      where: {
        all: [
          { path: 'userIdentity.type', equals: 'Root' },
          // The CIS filter: root credentials used directly, not a service acting for the account.
          { path: 'userIdentity.invokedBy', exists: false },
          { not: { path: 'eventType', equals: 'AwsServiceEvent' } },
        ],
      },
    },
    description:
      'The account\'s root user made calls. Root cannot be restricted by IAM policies; it should be used only for ' +
      'the few tasks that need it, and any other use may mean stolen root credentials.',
    remediation:
      'Confirm who used root and why. If unexplained: change the root password, rotate or delete root access keys, ' +
      'check the root MFA device, and review the calls. Use IAM roles for daily work.',
    references: [
      'CIS AWS Foundations Benchmark v1.4.0 1.7 and 4.3',
      `Security Hub CloudWatch.1 (${SECURITY_HUB}/cloudwatch-controls.html#cloudwatch-1)`,
    ],
    // One alert per hour of root activity, with the count, rather than one per call of a console session.
    threshold: { count: 1, windowMinutes: 60, groupBy: 'principal' },
  },
  {
    id: 'account.console-login-without-mfa',
    title: 'Console sign-in without MFA',
    severity: 'high',
    match: {
      eventSource: SIGNIN,
      eventName: 'ConsoleLogin',
      where: {
        all: [
          { path: 'responseElements.ConsoleLogin', equals: 'Success' },
          { not: { path: 'additionalEventData.MFAUsed', equals: 'Yes' } },
          // Federated sign-ins (SAML, Identity Center) do MFA at the identity provider and always say "No".
          { path: 'userIdentity.type', in: ['IAMUser', 'Root'] },
        ],
      },
    },
    description:
      'An IAM user (or root) signed in to the console with a password alone: anyone who learns the password has ' +
      'console access.',
    remediation:
      'Assign an MFA device to the user (or root), and enforce MFA with an IAM policy that denies everything but ' +
      'MFA setup without aws:MultiFactorAuthPresent. Prefer IAM Identity Center over IAM users.',
    references: [
      'CIS AWS Foundations Benchmark v1.4.0 1.10 and 4.2',
      `Security Hub CloudWatch.3 (${SECURITY_HUB}/cloudwatch-controls.html#cloudwatch-3)`,
    ],
    resource: ['userIdentity.userName', 'userIdentity.arn'],
  },
  {
    id: 'account.access-denied-burst',
    title: 'Burst of denied API calls',
    severity: 'medium',
    match: {
      where: {
        any: [
          { path: 'errorCode', prefix: 'AccessDenied' },
          { path: 'errorCode', suffix: 'UnauthorizedOperation' },
        ],
      },
    },
    description:
      'One principal made many calls that were denied (AccessDenied, AccessDeniedException, ' +
      '*UnauthorizedOperation) in a short window: the signature of stolen credentials probing what they may do, ' +
      'or of a broken deployment.',
    remediation:
      'Look at the denied calls of this principal in the window. If they are not explained by a recent ' +
      'permission change, treat the credentials as compromised: deactivate the access key or revoke the role\'s ' +
      'sessions, then investigate.',
    references: [
      'CIS AWS Foundations Benchmark v1.4.0 4.1',
      `Security Hub CloudWatch.2 (${SECURITY_HUB}/cloudwatch-controls.html#cloudwatch-2)`,
    ],
    threshold: { count: 10, windowMinutes: 5, groupBy: 'principal' },
  },
];

/** The id of the rule generated from `allowedRegions`. */
export const REGION_RULE_ID = 'account.region-not-allowed';

/** The id of the rule `accessDeniedBurst` configures. */
export const ACCESS_DENIED_BURST_RULE_ID = 'account.access-denied-burst';

/**
 * Event sources of global services, whose calls CloudTrail records in one fixed region (mostly us-east-1)
 * whatever region the caller works in: excluded from the region allow-list so it does not fire on every IAM call.
 */
export const GLOBAL_EVENT_SOURCES: readonly string[] = [
  'iam.amazonaws.com',
  'organizations.amazonaws.com',
  'cloudfront.amazonaws.com',
  'route53.amazonaws.com',
  'route53domains.amazonaws.com',
  'globalaccelerator.amazonaws.com',
  'waf.amazonaws.com',
  'support.amazonaws.com',
  'health.amazonaws.com',
  'signin.amazonaws.com',
  'sso.amazonaws.com',
  'account.amazonaws.com',
  'billingconsole.amazonaws.com',
  'ce.amazonaws.com',
  'shield.amazonaws.com',
];

/**
 * The region allow-list rule for the given regions: calls outside them, except global services and AWS's own
 * service events; one alert per principal per hour, with the count.
 */
export function regionRule(allowedRegions: readonly string[]): Rule {
  return {
    id: REGION_RULE_ID,
    title: 'API calls in a region outside the allow-list',
    severity: 'medium',
    match: {
      where: {
        all: [
          { not: { path: 'awsRegion', in: [...allowedRegions] } },
          { not: { path: 'eventSource', in: [...GLOBAL_EVENT_SOURCES] } },
          { not: { path: 'eventType', equals: 'AwsServiceEvent' } },
          { not: { path: 'userIdentity.type', equals: 'AWSService' } },
        ],
      },
    },
    description:
      `Calls were made in a region outside the configured allow-list (${allowedRegions.join(', ')}). Attackers use ` +
      'unwatched regions to run resources (crypto-mining) or hide them; legitimate work there means the allow-list ' +
      'is out of date.',
    remediation:
      'Find out what the principal did in that region and remove what should not be there. Restrict regions with ' +
      'an SCP on aws:RequestedRegion; update allowedRegions if the region is now in use.',
    references: ['https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html'],
    resource: ['awsRegion'],
    threshold: { count: 1, windowMinutes: 60, groupBy: 'principal' },
  };
}

/** Every built-in rule id, the configured region rule included: what a configuration may name. */
export const BUILT_IN_RULE_IDS: readonly string[] = [...BUILT_IN_RULES.map((rule) => rule.id), REGION_RULE_ID];
