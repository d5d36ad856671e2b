/**
 * Writes the project's example CloudTrail logs under `examples/AWSLogs/...`: gzipped log files in CloudTrail's own
 * key layout, telling one day in account 111122223333 (see `examples/README.md` for the story and what each
 * query returns), and the digest files of each trail and region, chained and signed as CloudTrail signs them,
 * with the test keys of `example-test-keys.ts`; `examples/public-keys.json` lists their public halves as
 * `aws cloudtrail list-public-keys` prints them. The records are written here by hand, so the examples are
 * reviewable as code.
 *
 * Deterministic: the same records always give the same JSON, RSA PKCS#1 v1.5 signatures are deterministic, and the
 * gzip header carries no time and a fixed OS byte, so re-running rewrites identical files (for a given zlib). With
 * `--check`, writes nothing and exits 1 when a committed file's content differs from what this script would write.
 *
 * Usage: `npx tsx scripts/make-examples.ts [--check]`
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudTrailPublicKey } from '../lambda/core/digest';
import { testSigningKey, writeHourlyChain, type TestSigningKey } from './digest-writer';
import { EXAMPLE_EU_WEST_1_TEST_KEY, EXAMPLE_US_EAST_1_TEST_KEY } from './example-test-keys';

/** One object of the examples: its key under `examples/`, its JSON text (before gzip), and its S3 metadata. */
export interface ExampleObject {
  readonly key: string;
  readonly text: string;
  /** The user metadata CloudTrail sets on the object in S3 (a digest's signature); absent on log files. */
  readonly metadata?: Readonly<Record<string, string>>;
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json | undefined };
type JsonRecord = { readonly [key: string]: Json | undefined };

const ACCOUNT = '111122223333';
const ORGANIZATION = 'o-exampleorg1';
const TRAIL = 'management-trail';
/** The organization trail that delivers the eu-west-1 file; created in us-east-1, its home region. */
const ORGANIZATION_TRAIL = 'org-trail';
/** The bucket both trails deliver to (what the digests name). */
export const EXAMPLE_BUCKET = `trail-audit-logs-${ACCOUNT}`;
const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');

// ---- Who acts in the story -------------------------------------------------------------------------------------

/** Alice, an IAM user working with the CLI and her long-term access key. */
const ALICE_CLI: JsonRecord = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEALICE0001',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice',
};

/** Alice signing in to the console (no access key on a ConsoleLogin record). */
const ALICE_SIGN_IN: JsonRecord = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEALICE0001',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  userName: 'alice',
};

/** Bob, working through the OpsAdmin role (session name `bob`), MFA-authenticated. */
function opsAdminBob(): JsonRecord {
  return {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEOPSADMIN1:bob',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OpsAdmin/bob`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAY34FZKBOKMUTVV7A',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEOPSADMIN1',
        arn: `arn:aws:iam::${ACCOUNT}:role/OpsAdmin`,
        accountId: ACCOUNT,
        userName: 'OpsAdmin',
      },
      webIdFederationData: {},
      attributes: { creationDate: '2026-11-20T09:58:44Z', mfaAuthenticated: 'true' },
      sourceIdentity: 'bob@example.com',
    },
  };
}

/** The CI pipeline's deploy role: a role with a path, so its ARN is not derivable from the session ARN. */
const CI_DEPLOYER: JsonRecord = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLECIDEPLOY1:github-actions-4711',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/github-actions-4711`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAQNZGKIQY5EXAMPLE',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLECIDEPLOY1',
      arn: `arn:aws:iam::${ACCOUNT}:role/service-role/ci-deployer`,
      accountId: ACCOUNT,
      userName: 'ci-deployer',
    },
    webIdFederationData: {},
    attributes: { creationDate: '2026-11-20T09:18:02Z', mfaAuthenticated: 'false' },
  },
};

/** EC2 Auto Scaling acting through its service-linked role. */
const AUTO_SCALING_SERVICE_ROLE: JsonRecord = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEASGSLR001:AutoScaling',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling`,
  accountId: ACCOUNT,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEASGSLR001',
      arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      accountId: ACCOUNT,
      userName: 'AWSServiceRoleForAutoScaling',
    },
    webIdFederationData: {},
    attributes: { creationDate: '2026-11-20T09:22:40Z', mfaAuthenticated: 'false' },
  },
  invokedBy: 'autoscaling.amazonaws.com',
};

/** The root user, signed in to the console with MFA. */
const ROOT: JsonRecord = {
  type: 'Root',
  principalId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIA2ROOTEXAMPLE0001',
  sessionContext: { attributes: { creationDate: '2026-11-20T10:48:31Z', mfaAuthenticated: 'true' } },
};

/** Carol, an IAM user in the console (MFA), who runs the shop's Beanstalk environments in eu-west-1. */
const CAROL_CONSOLE: JsonRecord = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLECAROL0001',
  arn: `arn:aws:iam::${ACCOUNT}:user/carol`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIACAROLCONSOLE0001',
  userName: 'carol',
  sessionContext: { attributes: { creationDate: '2026-11-20T11:31:09Z', mfaAuthenticated: 'true' } },
};

/** EC2 assuming an instance role: CloudTrail names the service as an AWSService identity. */
const EC2_SERVICE: JsonRecord = { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' };

// ---- The resources they touch -----------------------------------------------------------------------------------

const US_EAST_1 = 'us-east-1';
const EU_WEST_1 = 'eu-west-1';
const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'] as const;
const SECURITY_GROUP = 'sg-0123456789abcdef0';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const ELB_ARN_PREFIX = `arn:aws:elasticloadbalancing:${US_EAST_1}:${ACCOUNT}`;
const ALB_ARN = `${ELB_ARN_PREFIX}:loadbalancer/app/web-prod/50dc6c495c0c9188`;
const TARGET_GROUP_ARN = `${ELB_ARN_PREFIX}:targetgroup/web-prod-tg/73e2d6bc24d8a067`;
const HTTP_LISTENER_ARN = `${ELB_ARN_PREFIX}:listener/app/web-prod/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const HTTPS_LISTENER_ARN = `${ELB_ARN_PREFIX}:listener/app/web-prod/50dc6c495c0c9188/0467ef3c8400ae65`;
const CERTIFICATE_ARN = `arn:aws:acm:${US_EAST_1}:${ACCOUNT}:certificate/3f9a1c2e-8b4d-4e6f-a1b2-c3d4e5f6a7b8`;
const TRAIL_ARN = `arn:aws:cloudtrail:${US_EAST_1}:${ACCOUNT}:trail/${TRAIL}`;
const TLS13_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
const AMI = 'ami-0abcdef1234567890';
const INSTANCE_1 = 'i-0a1b2c3d4e5f67890';
const INSTANCE_2 = 'i-0b2c3d4e5f6789012';
const ASSETS_BUCKET = `web-prod-assets-${ACCOUNT}`;

// ---- Record builder ---------------------------------------------------------------------------------------------

interface Call {
  /** Event number in the story (E01...): the last digits of its eventID and requestID. */
  readonly n: number;
  readonly time: string;
  readonly region: string;
  readonly source: string;
  readonly name: string;
  readonly identity: JsonRecord;
  readonly readOnly: boolean;
  readonly request?: JsonRecord | null;
  readonly response?: JsonRecord | null;
  readonly apiVersion?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly extra?: JsonRecord;
}

const CLI_USER_AGENT = 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9';
const CONSOLE_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';

/** The eventID of event number `n` of the story. */
export function exampleEventId(n: number): string {
  return `7d3e4a10-2026-4b20-9c11-${String(n).padStart(12, '0')}`;
}

function call(c: Call): JsonRecord {
  return {
    eventVersion: '1.11',
    userIdentity: c.identity,
    eventTime: `2026-11-20T${c.time}Z`,
    eventSource: c.source,
    eventName: c.name,
    awsRegion: c.region,
    sourceIPAddress: c.sourceIPAddress ?? '203.0.113.24',
    userAgent: c.userAgent ?? CLI_USER_AGENT,
    ...(c.error !== undefined ? { errorCode: c.error.code, errorMessage: c.error.message } : {}),
    requestParameters: c.request ?? null,
    responseElements: c.response ?? null,
    ...(c.extra ?? {}),
    requestID: `5c0ffee0-2026-4c20-8d11-${String(c.n).padStart(12, '0')}`,
    eventID: exampleEventId(c.n),
    readOnly: c.readOnly,
    eventType: 'AwsApiCall',
    ...(c.apiVersion !== undefined ? { apiVersion: c.apiVersion } : {}),
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${c.source.replace('.amazonaws.com', '')}.${c.region}.amazonaws.com`,
    },
  };
}

const ELB = 'elasticloadbalancing.amazonaws.com';
const CLASSIC = '2012-06-01';
const V2 = '2015-12-01';
const ASG = 'autoscaling.amazonaws.com';
const EB = 'elasticbeanstalk.amazonaws.com';

function consoleLogin(n: number, time: string, identity: JsonRecord, mfaUsed: boolean): JsonRecord {
  return {
    eventVersion: '1.11',
    userIdentity: identity,
    eventTime: `2026-11-20T${time}Z`,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: US_EAST_1,
    sourceIPAddress: '203.0.113.24',
    userAgent: CONSOLE_USER_AGENT,
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAIdentifier: mfaUsed ? `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device` : undefined,
      MFAUsed: mfaUsed ? 'Yes' : 'No',
    },
    eventID: exampleEventId(n),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

// ---- The story, file by file ------------------------------------------------------------------------------------

/** 09:00–09:05 us-east-1: Alice signs in without MFA and builds `web-prod`, classic and ALB. */
function file0905(): JsonRecord[] {
  const forwardToTargetGroup = [{ type: 'forward', targetGroupArn: TARGET_GROUP_ARN }];
  return [
    consoleLogin(1, '09:00:12', ALICE_SIGN_IN, false),
    call({
      n: 2,
      time: '09:01:40',
      region: US_EAST_1,
      source: 'ec2.amazonaws.com',
      name: 'DescribeInstances',
      identity: ALICE_CLI,
      readOnly: true,
      request: { instancesSet: {}, filterSet: {} },
    }),
    call({
      n: 3,
      time: '09:02:05',
      region: US_EAST_1,
      source: ELB,
      name: 'CreateLoadBalancer',
      identity: ALICE_CLI,
      readOnly: false,
      apiVersion: CLASSIC,
      request: {
        loadBalancerName: 'web-prod',
        listeners: [{ protocol: 'HTTP', loadBalancerPort: 80, instanceProtocol: 'HTTP', instancePort: 80 }],
        subnets: SUBNETS,
        securityGroups: [SECURITY_GROUP],
      },
      response: { dNSName: 'web-prod-1234567890.us-east-1.elb.amazonaws.com' },
    }),
    call({
      n: 4,
      time: '09:03:30',
      region: US_EAST_1,
      source: 's3.amazonaws.com',
      name: 'CreateBucket',
      identity: ALICE_CLI,
      readOnly: false,
      request: { bucketName: ASSETS_BUCKET, Host: `${ASSETS_BUCKET}.s3.amazonaws.com` },
    }),
    call({
      n: 5,
      time: '09:04:10',
      region: US_EAST_1,
      source: ELB,
      name: 'CreateLoadBalancer',
      identity: ALICE_CLI,
      readOnly: false,
      apiVersion: V2,
      request: {
        name: 'web-prod',
        subnets: SUBNETS,
        securityGroups: [SECURITY_GROUP],
        scheme: 'internet-facing',
        type: 'application',
        ipAddressType: 'ipv4',
      },
      response: {
        loadBalancers: [
          {
            loadBalancerArn: ALB_ARN,
            dNSName: 'web-prod-2019283746.us-east-1.elb.amazonaws.com',
            canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
            createdTime: 'Nov 20, 2026, 9:04:10 AM',
            loadBalancerName: 'web-prod',
            scheme: 'internet-facing',
            vpcId: VPC,
            state: { code: 'provisioning' },
            type: 'application',
            availabilityZones: [
              { zoneName: 'us-east-1a', subnetId: SUBNETS[0] },
              { zoneName: 'us-east-1b', subnetId: SUBNETS[1] },
            ],
            securityGroups: [SECURITY_GROUP],
            ipAddressType: 'ipv4',
          },
        ],
      },
    }),
    call({
      n: 6,
      time: '09:04:40',
      region: US_EAST_1,
      source: ELB,
      name: 'CreateTargetGroup',
      identity: ALICE_CLI,
      readOnly: false,
      apiVersion: V2,
      request: {
        name: 'web-prod-tg',
        protocol: 'HTTP',
        port: 80,
        vpcId: VPC,
        targetType: 'instance',
        healthCheckPath: '/health',
      },
      response: {
        targetGroups: [
          {
            targetGroupArn: TARGET_GROUP_ARN,
            targetGroupName: 'web-prod-tg',
            protocol: 'HTTP',
            port: 80,
            vpcId: VPC,
            targetType: 'instance',
            healthCheckPath: '/health',
            loadBalancerArns: [],
          },
        ],
      },
    }),
    // A plain HTTP listener that forwards instead of redirecting to HTTPS.
    call({
      n: 7,
      time: '09:04:55',
      region: US_EAST_1,
      source: ELB,
      name: 'CreateListener',
      identity: ALICE_CLI,
      readOnly: false,
      apiVersion: V2,
      request: { loadBalancerArn: ALB_ARN, protocol: 'HTTP', port: 80, defaultActions: forwardToTargetGroup },
      response: {
        listeners: [
          {
            listenerArn: HTTP_LISTENER_ARN,
            loadBalancerArn: ALB_ARN,
            port: 80,
            protocol: 'HTTP',
            defaultActions: forwardToTargetGroup,
          },
        ],
      },
    }),
    // An HTTPS listener with a TLS 1.3/1.2 policy: the look-alike that must not alert.
    call({
      n: 8,
      time: '09:05:20',
      region: US_EAST_1,
      source: ELB,
      name: 'CreateListener',
      identity: ALICE_CLI,
      readOnly: false,
      apiVersion: V2,
      request: {
        loadBalancerArn: ALB_ARN,
        protocol: 'HTTPS',
        port: 443,
        sslPolicy: TLS13_POLICY,
        certificates: [{ certificateArn: CERTIFICATE_ARN }],
        defaultActions: forwardToTargetGroup,
      },
      response: {
        listeners: [
          {
            listenerArn: HTTPS_LISTENER_ARN,
            loadBalancerArn: ALB_ARN,
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: TLS13_POLICY,
            certificates: [{ certificateArn: CERTIFICATE_ARN }],
            defaultActions: forwardToTargetGroup,
          },
        ],
      },
    }),
  ];
}

/** 09:20–09:26 us-east-1: the CI pipeline creates launch configurations and the Auto Scaling group. */
function file0930(): JsonRecord[] {
  const autoScalingCaller = { sourceIPAddress: 'autoscaling.amazonaws.com', userAgent: 'autoscaling.amazonaws.com' };
  return [
    // Public IP addresses and no IMDSv2 (no metadataOptions): the risky launch configuration.
    call({
      n: 9,
      time: '09:20:03',
      region: US_EAST_1,
      source: ASG,
      name: 'CreateLaunchConfiguration',
      identity: CI_DEPLOYER,
      readOnly: false,
      request: {
        launchConfigurationName: 'web-lc-v1',
        imageId: AMI,
        instanceType: 't3.micro',
        securityGroups: [SECURITY_GROUP],
        associatePublicIpAddress: true,
      },
    }),
    // No public IP, IMDSv2 required: the look-alike that must not alert.
    call({
      n: 10,
      time: '09:21:14',
      region: US_EAST_1,
      source: ASG,
      name: 'CreateLaunchConfiguration',
      identity: CI_DEPLOYER,
      readOnly: false,
      request: {
        launchConfigurationName: 'web-lc-v2',
        imageId: AMI,
        instanceType: 't3.micro',
        securityGroups: [SECURITY_GROUP],
        associatePublicIpAddress: false,
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled' },
      },
    }),
    call({
      n: 11,
      time: '09:22:31',
      region: US_EAST_1,
      source: ASG,
      name: 'CreateAutoScalingGroup',
      identity: CI_DEPLOYER,
      readOnly: false,
      request: {
        autoScalingGroupName: 'web-asg',
        launchConfigurationName: 'web-lc-v1',
        minSize: 2,
        maxSize: 4,
        desiredCapacity: 2,
        vPCZoneIdentifier: SUBNETS.join(','),
        targetGroupARNs: [TARGET_GROUP_ARN],
        healthCheckType: 'ELB',
        healthCheckGracePeriod: 300,
      },
    }),
    call({
      n: 12,
      time: '09:23:05',
      region: US_EAST_1,
      source: 'ec2.amazonaws.com',
      name: 'RunInstances',
      identity: AUTO_SCALING_SERVICE_ROLE,
      readOnly: false,
      ...autoScalingCaller,
      request: {
        instancesSet: { items: [{ imageId: AMI, minCount: 1, maxCount: 1 }] },
        instanceType: 't3.micro',
      },
      response: { instancesSet: { items: [{ instanceId: INSTANCE_1 }] } },
    }),
    call({
      n: 13,
      time: '09:24:40',
      region: US_EAST_1,
      source: ELB,
      name: 'RegisterTargets',
      identity: AUTO_SCALING_SERVICE_ROLE,
      readOnly: false,
      apiVersion: V2,
      ...autoScalingCaller,
      request: { targetGroupArn: TARGET_GROUP_ARN, targets: [{ id: INSTANCE_1 }, { id: INSTANCE_2 }] },
    }),
    // Application Auto Scaling, recorded with EC2 Auto Scaling's event source: not kept.
    call({
      n: 14,
      time: '09:25:12',
      region: US_EAST_1,
      source: ASG,
      name: 'RegisterScalableTarget',
      identity: CI_DEPLOYER,
      readOnly: false,
      request: {
        serviceNamespace: 'ecs',
        resourceId: 'service/shop-cluster/cart',
        scalableDimension: 'ecs:service:DesiredCount',
        minCapacity: 1,
        maxCapacity: 4,
      },
      extra: { additionalEventData: { service: 'application-autoscaling' } },
    }),
    call({
      n: 15,
      time: '09:25:58',
      region: US_EAST_1,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: EC2_SERVICE,
      readOnly: true,
      sourceIPAddress: 'ec2.amazonaws.com',
      userAgent: 'ec2.amazonaws.com',
      request: { roleArn: `arn:aws:iam::${ACCOUNT}:role/web-instance`, roleSessionName: INSTANCE_1 },
    }),
    call({
      n: 16,
      time: '09:26:30',
      region: US_EAST_1,
      source: 'ec2.amazonaws.com',
      name: 'CreateSecurityGroup',
      identity: CI_DEPLOYER,
      readOnly: false,
      request: { groupName: 'web-db', groupDescription: 'database', vpcId: VPC },
    }),
  ];
}

/** 10:00–10:08 us-east-1: Alice may not delete the ALB; Bob turns off protection, deletes it, scales to zero. */
function file1010(): JsonRecord[] {
  const bob = opsAdminBob();
  return [
    call({
      n: 17,
      time: '10:00:05',
      region: US_EAST_1,
      source: ELB,
      name: 'DescribeLoadBalancers',
      identity: bob,
      readOnly: true,
      apiVersion: V2,
      request: { names: ['web-prod'] },
    }),
    call({
      n: 18,
      time: '10:01:10',
      region: US_EAST_1,
      source: ELB,
      name: 'DeleteLoadBalancer',
      identity: ALICE_CLI,
      readOnly: false,
      apiVersion: V2,
      request: { loadBalancerArn: ALB_ARN },
      error: {
        code: 'AccessDenied',
        message:
          `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: ` +
          `elasticloadbalancing:DeleteLoadBalancer on resource: ${ALB_ARN} because no identity-based policy ` +
          'allows the elasticloadbalancing:DeleteLoadBalancer action',
      },
    }),
    call({
      n: 19,
      time: '10:02:30',
      region: US_EAST_1,
      source: ELB,
      name: 'ModifyLoadBalancerAttributes',
      identity: bob,
      readOnly: false,
      apiVersion: V2,
      request: { loadBalancerArn: ALB_ARN, attributes: [{ key: 'deletion_protection.enabled', value: 'false' }] },
      response: { attributes: [{ key: 'deletion_protection.enabled', value: 'false' }] },
    }),
    call({
      n: 20,
      time: '10:04:02',
      region: US_EAST_1,
      source: ELB,
      name: 'DeleteLoadBalancer',
      identity: bob,
      readOnly: false,
      apiVersion: V2,
      request: { loadBalancerArn: ALB_ARN },
    }),
    call({
      n: 21,
      time: '10:05:15',
      region: US_EAST_1,
      source: ELB,
      name: 'DeleteTargetGroup',
      identity: bob,
      readOnly: false,
      apiVersion: V2,
      request: { targetGroupArn: TARGET_GROUP_ARN },
    }),
    call({
      n: 22,
      time: '10:06:40',
      region: US_EAST_1,
      source: 'ec2.amazonaws.com',
      name: 'TerminateInstances',
      identity: bob,
      readOnly: false,
      request: { instancesSet: { items: [{ instanceId: INSTANCE_2 }] } },
    }),
    call({
      n: 23,
      time: '10:08:00',
      region: US_EAST_1,
      source: ASG,
      name: 'UpdateAutoScalingGroup',
      identity: bob,
      readOnly: false,
      request: { autoScalingGroupName: 'web-asg', minSize: 0, maxSize: 0, desiredCapacity: 0 },
    }),
  ];
}

/** 10:48–10:58 us-east-1: the root user turns off the classic LB's access logs; Bob stops and restarts the trail. */
function file1100(): JsonRecord[] {
  const bob = opsAdminBob();
  const rootSignIn = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
  return [
    consoleLogin(24, '10:48:31', rootSignIn, true),
    call({
      n: 25,
      time: '10:50:12',
      region: US_EAST_1,
      source: ELB,
      name: 'ModifyLoadBalancerAttributes',
      identity: ROOT,
      readOnly: false,
      apiVersion: CLASSIC,
      userAgent: CONSOLE_USER_AGENT,
      request: { loadBalancerName: 'web-prod', loadBalancerAttributes: { accessLog: { enabled: false } } },
      response: { loadBalancerName: 'web-prod', loadBalancerAttributes: { accessLog: { enabled: false } } },
    }),
    call({
      n: 26,
      time: '10:55:03',
      region: US_EAST_1,
      source: 'cloudtrail.amazonaws.com',
      name: 'StopLogging',
      identity: bob,
      readOnly: false,
      request: { name: TRAIL_ARN },
    }),
    call({
      n: 27,
      time: '10:57:45',
      region: US_EAST_1,
      source: 'iam.amazonaws.com',
      name: 'CreateAccessKey',
      identity: ALICE_CLI,
      readOnly: false,
      request: { userName: 'alice' },
      response: {
        accessKey: {
          accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
          status: 'Active',
          userName: 'alice',
          createDate: 'Nov 20, 2026, 10:57:45 AM',
        },
      },
    }),
    call({
      n: 28,
      time: '10:58:20',
      region: US_EAST_1,
      source: 'cloudtrail.amazonaws.com',
      name: 'StartLogging',
      identity: bob,
      readOnly: false,
      request: { name: TRAIL_ARN },
    }),
  ];
}

/** A later us-east-1 file that repeats Bob's DeleteLoadBalancer (E20): CloudTrail may deliver an event twice. */
function file1105(deleteByBob: JsonRecord): JsonRecord[] {
  return [
    call({
      n: 29,
      time: '11:01:30',
      region: US_EAST_1,
      source: 'ec2.amazonaws.com',
      name: 'DescribeRegions',
      identity: ALICE_CLI,
      readOnly: true,
      request: { regionSet: {} },
    }),
    deleteByBob,
    call({
      n: 30,
      time: '11:03:10',
      region: US_EAST_1,
      source: 'iam.amazonaws.com',
      name: 'AttachUserPolicy',
      identity: ALICE_CLI,
      readOnly: false,
      request: { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    }),
  ];
}

/** 11:40–11:46 eu-west-1, delivered by the organization trail: Carol updates, then terminates `shop-prod`. */
function file1150OrgTrail(): JsonRecord[] {
  const environment = {
    environmentName: 'shop-prod',
    environmentId: 'e-a1b2c3d4e5',
    applicationName: 'shop',
    environmentArn: `arn:aws:elasticbeanstalk:${EU_WEST_1}:${ACCOUNT}:environment/shop/shop-prod`,
  };
  return [
    call({
      n: 31,
      time: '11:40:22',
      region: EU_WEST_1,
      source: EB,
      name: 'UpdateEnvironment',
      identity: CAROL_CONSOLE,
      readOnly: false,
      userAgent: CONSOLE_USER_AGENT,
      request: {
        applicationName: 'shop',
        environmentName: 'shop-prod',
        versionLabel: 'shop-2026-11-20.1',
        optionSettings: [],
      },
      response: { ...environment, versionLabel: 'shop-2026-11-20.1', status: 'Updating' },
    }),
    call({
      n: 32,
      time: '11:41:05',
      region: EU_WEST_1,
      source: 'kms.amazonaws.com',
      name: 'Decrypt',
      identity: CAROL_CONSOLE,
      readOnly: true,
      request: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    }),
    call({
      n: 33,
      time: '11:42:48',
      region: EU_WEST_1,
      source: ASG,
      name: 'DescribeAutoScalingGroups',
      identity: CAROL_CONSOLE,
      readOnly: true,
      userAgent: CONSOLE_USER_AGENT,
      request: { autoScalingGroupNames: ['shop-prod-asg'] },
    }),
    call({
      n: 34,
      time: '11:45:30',
      region: EU_WEST_1,
      source: EB,
      name: 'TerminateEnvironment',
      identity: CAROL_CONSOLE,
      readOnly: false,
      userAgent: CONSOLE_USER_AGENT,
      request: { environmentName: 'shop-prod', terminateResources: true },
      response: { ...environment, status: 'Terminating' },
    }),
    call({
      n: 35,
      time: '11:46:10',
      region: EU_WEST_1,
      source: 'ec2.amazonaws.com',
      name: 'DescribeVolumes',
      identity: CAROL_CONSOLE,
      readOnly: true,
      userAgent: CONSOLE_USER_AGENT,
      request: { volumeSet: {}, filterSet: {} },
    }),
  ];
}

// ---- Objects and keys --------------------------------------------------------------------------------------------

function logKey(prefix: string, region: string, stamp: string, unique: string): string {
  return `AWSLogs/${prefix}CloudTrail/${region}/2026/11/20/${ACCOUNT}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

function logText(records: readonly JsonRecord[]): string {
  return JSON.stringify({ Records: records });
}

/** Every example object, in key order: five account-trail files, one organization-trail file, their digest files. */
export function exampleObjects(): ExampleObject[] {
  const early = file0905();
  const ci = file0930();
  const deletion = file1010();
  const deleteByBob = deletion.find((record) => record['eventID'] === exampleEventId(20));
  if (deleteByBob === undefined) throw new Error('the story lost event E20');
  const at0905 = { key: logKey(`${ACCOUNT}/`, US_EAST_1, '20261120T0905Z', 'Xm3p9QvT2kLa7BcD'), text: logText(early) };
  const at0930 = { key: logKey(`${ACCOUNT}/`, US_EAST_1, '20261120T0930Z', 'R8sW1nYq4ZtE6HjK'), text: logText(ci) };
  const at1010 = { key: logKey(`${ACCOUNT}/`, US_EAST_1, '20261120T1010Z', 'a9F2kDq7LmX3vB5n'), text: logText(deletion) };
  const at1100 = { key: logKey(`${ACCOUNT}/`, US_EAST_1, '20261120T1100Z', 'P4tGh8Jw2Qe6Ry1U'), text: logText(file1100()) };
  const at1105 = { key: logKey(`${ACCOUNT}/`, US_EAST_1, '20261120T1105Z', 'c3Vb7Nm1Kz9Lx5Ws'), text: logText(file1105(deleteByBob)) };
  const at1150 = {
    key: logKey(`${ORGANIZATION}/${ACCOUNT}/`, EU_WEST_1, '20261120T1150Z', 'Hy6Tg2Fr8De4Sw0Q'),
    text: logText(file1150OrgTrail()),
  };
  const keys = exampleSigningKeys();
  // The account trail's us-east-1 chain: the first digest, two more, then an hour without log files.
  const accountTrail = digestChain({ trailName: TRAIL, region: US_EAST_1 }, keys.usEast1, '2026-11-20T09:12:40Z', [
    [at0905],
    [at0930, at1010],
    [at1100, at1105],
    [],
  ]);
  // The organization trail's eu-west-1 chain: the first digest lists Carol's file, the next hour is empty.
  const organizationTrail = digestChain(
    { trailName: ORGANIZATION_TRAIL, region: EU_WEST_1, organizationId: ORGANIZATION },
    keys.euWest1,
    '2026-11-20T11:58:31Z',
    [[at1150], []],
  );
  return [at0905, at0930, at1010, at1100, at1105, at1150, ...accountTrail, ...organizationTrail].sort((a, b) =>
    a.key.localeCompare(b.key),
  );
}

/** The examples' signing keys: the test keys, listed as valid for November 2026. */
export function exampleSigningKeys(): { readonly usEast1: TestSigningKey; readonly euWest1: TestSigningKey } {
  const validity = [new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z')] as const;
  return {
    usEast1: testSigningKey(createPrivateKey(EXAMPLE_US_EAST_1_TEST_KEY), ...validity),
    euWest1: testSigningKey(createPrivateKey(EXAMPLE_EU_WEST_1_TEST_KEY), ...validity),
  };
}

/**
 * `examples/public-keys.json`: the public halves of the test keys as `aws cloudtrail list-public-keys` (AWS CLI v2)
 * prints a key list — the two regions' lists in one, as `verify --public-keys` takes them.
 */
export function examplePublicKeysJson(): string {
  const keys = exampleSigningKeys();
  const entry = (key: CloudTrailPublicKey) => ({
    Value: Buffer.from(key.value).toString('base64'),
    ValidityStartTime: key.validityStartTime.toISOString().replace('.000Z', '+00:00'),
    ValidityEndTime: key.validityEndTime.toISOString().replace('.000Z', '+00:00'),
    Fingerprint: key.fingerprint,
  });
  return `${JSON.stringify({ PublicKeyList: [entry(keys.usEast1.publicKey), entry(keys.euWest1.publicKey)] }, null, 4)}\n`;
}

/** Hourly digests of one trail in one region, the first ending at `firstEnd`, each listing its hour's files. */
function digestChain(
  trail: { readonly trailName: string; readonly region: string; readonly organizationId?: string },
  key: TestSigningKey,
  firstEnd: string,
  hours: readonly (readonly ExampleObject[])[],
): ExampleObject[] {
  const layout = { ...trail, bucket: EXAMPLE_BUCKET, accountId: ACCOUNT, homeRegion: US_EAST_1 };
  const logFiles = hours.map((files) => files.map((file) => ({ bucket: EXAMPLE_BUCKET, key: file.key, text: file.text })));
  return writeHourlyChain(layout, key, firstEnd, logFiles).map((digest) => ({ key: digest.key, text: digest.text, metadata: digest.metadata }));
}

/** Gzip without a timestamp and with the OS byte set to "unknown", so output does not depend on the machine. */
function deterministicGzip(text: string): Buffer {
  const gzipped = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  gzipped.writeUInt32LE(0, 4);
  gzipped[9] = 0xff;
  return gzipped;
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  const publicKeys = path.join(EXAMPLES_DIR, 'public-keys.json');
  const files = [
    ...exampleObjects().map((object) => ({ file: path.join(EXAMPLES_DIR, object.key), text: object.text, gzip: true })),
    { file: publicKeys, text: examplePublicKeysJson(), gzip: false },
  ];
  for (const object of files) {
    const file = object.file;
    const bytes = existsSync(file) ? readFileSync(file) : undefined;
    const current = bytes === undefined ? undefined : (object.gzip ? gunzipSync(bytes) : bytes).toString('utf8');
    if (current === object.text) continue;
    if (check) {
      console.error(`${path.relative(process.cwd(), file)} is ${current === undefined ? 'missing' : 'stale'}`);
      stale += 1;
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, object.gzip ? deterministicGzip(object.text) : object.text);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
  if (check && stale > 0) {
    console.error('run: npx tsx scripts/make-examples.ts');
    return 1;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
