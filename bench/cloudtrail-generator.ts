/**
 * Synthetic CloudTrail log files for the benchmark: realistic record shapes, deterministic, streamed to disk.
 *
 * The record mix follows what a busy account's management-event trail looks like: mostly EC2 / STS / KMS / IAM /
 * S3 / SSM / CloudWatch Logs calls by assumed roles and AWS services, and about one record in ten from the services
 * trail-audit indexes (Elastic Load Balancing classic and v2, EC2 Auto Scaling, Elastic Beanstalk), plus a few
 * Application Auto Scaling calls that share `autoscaling.amazonaws.com` and must be dropped by the select step.
 * Records carry the fields that make real files heavy (session tokens, escaped policy documents, user agents,
 * `tlsDetails`) and a little non-ASCII text, so the decoder's string and UTF-8 paths are exercised.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';

/** A small deterministic PRNG (mulberry32): the same seed always generates the same file. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const ACCOUNT = '111122223333';
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const ROLES = ['DeployRole', 'AdminRole', 'ReadOnlyAuditor', 'eks-node-group-role', 'GitHubActionsRole'];
const USERS = ['alice', 'bob', 'carlos', 'dana', 'Zoë'];
const USER_AGENTS = [
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.12.0 api/elastic-load-balancing-v2#3.540.0',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'console.amazonaws.com',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 aws-sdk-go-v2/1.25.3',
];

function pick<T>(random: Random, values: readonly T[]): T {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) {
    throw new Error('pick from an empty list');
  }
  return value;
}

function hex(random: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  }
  return out.slice(0, length);
}

function uuid(random: Random): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function upperId(random: Random, prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = prefix;
  while (out.length < length) {
    out += alphabet[Math.floor(random() * alphabet.length)];
  }
  return out;
}

function assumedRoleIdentity(random: Random): Record<string, unknown> {
  const role = pick(random, ROLES);
  const session = `${pick(random, USERS)}-${hex(random, 8)}`;
  const roleId = upperId(random, 'AROA', 21);
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: upperId(random, 'ASIA', 20),
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      webIdFederationData: {},
      attributes: { creationDate: '2024-03-28T09:12:45Z', mfaAuthenticated: random() < 0.3 ? 'true' : 'false' },
    },
  };
}

function iamUserIdentity(random: Random): Record<string, unknown> {
  const user = pick(random, USERS);
  return {
    type: 'IAMUser',
    principalId: upperId(random, 'AIDA', 21),
    arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    accountId: ACCOUNT,
    accessKeyId: upperId(random, 'AKIA', 20),
    userName: user,
  };
}

function serviceIdentity(service: string): Record<string, unknown> {
  return { type: 'AWSService', invokedBy: service };
}

function callerIdentity(random: Random): Record<string, unknown> {
  const roll = random();
  return roll < 0.5 ? assumedRoleIdentity(random) : iamUserIdentity(random);
}

interface Call {
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly requestParameters: unknown;
  readonly responseElements: unknown;
  readonly userIdentity?: Record<string, unknown>;
  readonly apiVersion?: string;
  readonly additionalEventData?: unknown;
  readonly resources?: unknown;
}

function ec2Describe(random: Random): Call {
  return {
    eventSource: 'ec2.amazonaws.com',
    eventName: pick(random, ['DescribeInstances', 'DescribeSecurityGroups', 'DescribeSubnets', 'DescribeVolumes']),
    readOnly: true,
    requestParameters: {
      maxResults: 1000,
      filterSet: { items: [{ name: 'tag:Environment', valueSet: { items: [{ value: pick(random, ['prod', 'staging']) }] } }] },
      instancesSet: {},
    },
    responseElements: null,
  };
}

function stsAssumeRole(random: Random): Call {
  const role = pick(random, ROLES);
  const session = `${pick(random, USERS)}-${hex(random, 8)}`;
  return {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    readOnly: true,
    userIdentity: serviceIdentity('ec2.amazonaws.com'),
    requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, roleSessionName: session, durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: upperId(random, 'ASIA', 20),
        sessionToken: `IQoJb3JpZ2luX2VjE${hex(random, 200)}`,
        expiration: 'Mar 28, 2024, 10:12:45 AM',
      },
      assumedRoleUser: {
        assumedRoleId: `${upperId(random, 'AROA', 21)}:${session}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
      },
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/${role}` }],
  };
}

function kmsDecrypt(random: Random): Call {
  return {
    eventSource: 'kms.amazonaws.com',
    eventName: pick(random, ['Decrypt', 'GenerateDataKey']),
    readOnly: true,
    userIdentity: serviceIdentity('s3.amazonaws.com'),
    requestParameters: {
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::audit-bucket-${hex(random, 6)}/reports/2024/03/28/report.json` },
      keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${uuid(random)}`,
    },
    responseElements: null,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${uuid(random)}` }],
  };
}

function iamCreatePolicy(random: Random): Call {
  const policyDocument = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::data-${hex(random, 6)}/*`] },
    ],
  });
  return {
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreatePolicy',
    readOnly: false,
    requestParameters: { policyName: `reader-${hex(random, 6)}`, policyDocument, description: 'Lecture seule — données' },
    responseElements: {
      policy: {
        policyName: `reader-${hex(random, 6)}`,
        policyId: upperId(random, 'ANPA', 21),
        arn: `arn:aws:iam::${ACCOUNT}:policy/reader`,
        path: '/',
        defaultVersionId: 'v1',
        attachmentCount: 0,
        isAttachable: true,
        createDate: 'Mar 28, 2024 9:12:45 AM',
      },
    },
  };
}

function s3BucketCall(random: Random): Call {
  return {
    eventSource: 's3.amazonaws.com',
    eventName: pick(random, ['GetBucketAcl', 'GetBucketPolicy', 'ListBuckets', 'GetBucketLocation']),
    readOnly: true,
    requestParameters: { bucketName: `logs-${hex(random, 8)}`, Host: 's3.amazonaws.com', acl: '' },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': `${hex(random, 60)}=`,
      bytesTransferredOut: 437,
    },
  };
}

function ssmOrLogs(random: Random): Call {
  return random() < 0.5
    ? {
        eventSource: 'ssm.amazonaws.com',
        eventName: 'GetParameter',
        readOnly: true,
        requestParameters: { name: `/app/${pick(random, ['prod', 'staging'])}/database/url`, withDecryption: true },
        responseElements: null,
      }
    : {
        eventSource: 'logs.amazonaws.com',
        eventName: 'CreateLogStream',
        readOnly: false,
        requestParameters: { logGroupName: '/aws/lambda/orders-api', logStreamName: `2024/03/28/[$LATEST]${hex(random, 32)}` },
        responseElements: null,
      };
}

function elbv2Call(random: Random): Call {
  const name = `web-${hex(random, 6)}`;
  const lbArn = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/${name}/${hex(random, 16)}`;
  const roll = random();
  if (roll < 0.4) {
    return {
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventName: 'DescribeTargetHealth',
      readOnly: true,
      apiVersion: '2015-12-01',
      requestParameters: { targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/${name}/${hex(random, 16)}` },
      responseElements: null,
    };
  }
  if (roll < 0.7) {
    return {
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventName: 'CreateLoadBalancer',
      readOnly: false,
      apiVersion: '2015-12-01',
      requestParameters: {
        name,
        subnets: [`subnet-${hex(random, 17)}`, `subnet-${hex(random, 17)}`],
        securityGroups: [`sg-${hex(random, 17)}`],
        scheme: 'internet-facing',
        type: 'application',
        ipAddressType: 'ipv4',
        tags: [{ key: 'Owner', value: 'équipe-web' }],
      },
      responseElements: {
        loadBalancers: [
          {
            loadBalancerArn: lbArn,
            dNSName: `${name}-${hex(random, 10)}.us-east-1.elb.amazonaws.com`,
            canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
            createdTime: 'Mar 28, 2024 9:12:45 AM',
            loadBalancerName: name,
            scheme: 'internet-facing',
            vpcId: `vpc-${hex(random, 17)}`,
            state: { code: 'provisioning' },
            type: 'application',
            availabilityZones: [
              { zoneName: 'us-east-1a', subnetId: `subnet-${hex(random, 17)}`, loadBalancerAddresses: [] },
              { zoneName: 'us-east-1b', subnetId: `subnet-${hex(random, 17)}`, loadBalancerAddresses: [] },
            ],
            securityGroups: [`sg-${hex(random, 17)}`],
            ipAddressType: 'ipv4',
          },
        ],
      },
    };
  }
  return {
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: 'DeleteLoadBalancer',
    readOnly: false,
    apiVersion: '2015-12-01',
    requestParameters: { loadBalancerArn: lbArn },
    responseElements: null,
  };
}

function elbClassicCall(random: Random): Call {
  return {
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: pick(random, ['DeleteLoadBalancer', 'CreateLoadBalancer', 'DescribeLoadBalancers']),
    readOnly: false,
    apiVersion: '2012-06-01',
    requestParameters: { loadBalancerName: `classic-${hex(random, 6)}` },
    responseElements: null,
  };
}

function autoScalingCall(random: Random): Call {
  const group = `asg-${hex(random, 8)}`;
  if (random() < 0.2) {
    // Application Auto Scaling: same eventSource, not EC2 Auto Scaling.
    return {
      eventSource: 'autoscaling.amazonaws.com',
      eventName: 'RegisterScalableTarget',
      readOnly: false,
      requestParameters: {
        serviceNamespace: 'ecs',
        resourceId: `service/default/${group}`,
        scalableDimension: 'ecs:service:DesiredCount',
        minCapacity: 1,
        maxCapacity: 10,
      },
      responseElements: null,
    };
  }
  return {
    eventSource: 'autoscaling.amazonaws.com',
    eventName: pick(random, ['UpdateAutoScalingGroup', 'SetDesiredCapacity', 'CreateLaunchConfiguration']),
    readOnly: false,
    requestParameters: {
      autoScalingGroupName: group,
      minSize: 1,
      maxSize: 6,
      desiredCapacity: 3,
      vPCZoneIdentifier: `subnet-${hex(random, 17)},subnet-${hex(random, 17)}`,
      launchTemplate: { launchTemplateName: `lt-${hex(random, 6)}`, version: '$Latest' },
    },
    responseElements: null,
  };
}

function beanstalkCall(random: Random): Call {
  return {
    eventSource: 'elasticbeanstalk.amazonaws.com',
    eventName: 'UpdateEnvironment',
    readOnly: false,
    requestParameters: {
      applicationName: 'orders',
      environmentName: `orders-${pick(random, ['prod', 'staging'])}`,
      versionLabel: `v${Math.floor(random() * 1000)}`,
      optionSettings: [{ namespace: 'aws:autoscaling:asg', optionName: 'MaxSize', value: '8' }],
    },
    responseElements: {
      environmentId: `e-${hex(random, 10)}`,
      environmentArn: `arn:aws:elasticbeanstalk:us-east-1:${ACCOUNT}:environment/orders/orders-prod`,
      status: 'Updating',
      health: 'Grey',
      dateUpdated: 'Mar 28, 2024 9:12:45 AM',
    },
  };
}

function chooseCall(random: Random): { call: Call; target: boolean } {
  const roll = random();
  // About 10% of the records come from the indexed services (a few of those are Application Auto Scaling).
  if (roll < 0.05) return { call: elbv2Call(random), target: true };
  if (roll < 0.06) return { call: elbClassicCall(random), target: true };
  if (roll < 0.09) return { call: autoScalingCall(random), target: true };
  if (roll < 0.1) return { call: beanstalkCall(random), target: true };
  if (roll < 0.4) return { call: ec2Describe(random), target: false };
  if (roll < 0.55) return { call: stsAssumeRole(random), target: false };
  if (roll < 0.7) return { call: kmsDecrypt(random), target: false };
  if (roll < 0.75) return { call: iamCreatePolicy(random), target: false };
  if (roll < 0.88) return { call: s3BucketCall(random), target: false };
  return { call: ssmOrLogs(random), target: false };
}

/** One synthetic record as compact JSON (as CloudTrail writes it), and whether it belongs to an indexed service. */
export function generateRecordJson(index: number, random: Random): { json: string; target: boolean } {
  const { call, target } = chooseCall(random);
  const time = new Date(Date.UTC(2024, 2, 28, 9, 0, 0) + index * 37).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const region = pick(random, REGIONS);
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: call.userIdentity ?? callerIdentity(random),
    eventTime: time,
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: region,
    sourceIPAddress: call.userIdentity ? 'ec2.amazonaws.com' : `198.51.100.${Math.floor(random() * 255)}`,
    userAgent: call.userIdentity ? 'ec2.amazonaws.com' : pick(random, USER_AGENTS),
    requestParameters: call.requestParameters,
    responseElements: call.responseElements,
    ...(call.additionalEventData === undefined ? {} : { additionalEventData: call.additionalEventData }),
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: call.readOnly,
    ...(call.resources === undefined ? {} : { resources: call.resources }),
    eventType: 'AwsApiCall',
    ...(call.apiVersion === undefined ? {} : { apiVersion: call.apiVersion }),
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    // Calls made by AWS services on a caller's behalf carry no TLS details.
    ...(call.userIdentity
      ? {}
      : {
          tlsDetails: {
            tlsVersion: 'TLSv1.3',
            cipherSuite: 'TLS_AES_128_GCM_SHA256',
            clientProvidedHostHeader: `${call.eventSource.split('.')[0] ?? 'ec2'}.${region}.amazonaws.com`,
          },
        }),
  };
  return { json: JSON.stringify(record), target };
}

/** What {@link writeLogFile} wrote. */
export interface GeneratedFile {
  readonly path: string;
  readonly records: number;
  /** Records from the indexed services (including the Application Auto Scaling ones the select step drops). */
  readonly targetRecords: number;
  /** Size of the JSON before compression. */
  readonly jsonBytes: number;
}

/** Options of {@link writeLogFile}. */
export interface WriteLogFileOptions {
  /** Seed of the generator: the same seed writes the same file. @default 20240328 */
  readonly seed?: number;
  /**
   * How many distinct records to generate; beyond that, the file cycles through them with a fresh eventID each
   * time (so every event stays unique). Building a record costs far more than writing it, so a pool makes a
   * million-record file quick to write; it is still as hard to compress and decode as a fully generated one,
   * since a repeat is megabytes away from its original, far beyond gzip's 32 KB window.
   * @default every record is generated
   */
  readonly distinct?: number;
}

const EVENT_ID_KEY = '"eventID":"';
const UUID_LENGTH = 36;

/**
 * Writes a gzipped `{"Records":[...]}` file of `records` synthetic records, streaming: the JSON is never held in
 * memory whole, so a file of a million records costs no more memory than one of a thousand.
 */
export async function writeLogFile(path: string, records: number, options: WriteLogFileOptions = {}): Promise<GeneratedFile> {
  const random = createRandom(options.seed ?? 20240328);
  const distinct = Math.min(options.distinct ?? records, records);
  const pool: { json: string; target: boolean }[] = [];
  const gzip = createGzip();
  const out = createWriteStream(path);
  const piped = new Promise<void>((resolve, reject) => {
    gzip.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
  });
  gzip.pipe(out);
  let jsonBytes = 0;
  let targetRecords = 0;
  let batch: string[] = ['{"Records":['];
  const flush = async (): Promise<void> => {
    const text = batch.join('');
    batch = [];
    jsonBytes += Buffer.byteLength(text);
    if (!gzip.write(text)) {
      await once(gzip, 'drain');
    }
  };
  for (let index = 0; index < records; index++) {
    let generated = pool[index % distinct];
    if (generated === undefined) {
      generated = generateRecordJson(index, random);
      if (distinct < records) pool.push(generated);
    } else {
      const at = generated.json.indexOf(EVENT_ID_KEY) + EVENT_ID_KEY.length;
      generated = {
        json: `${generated.json.slice(0, at)}${uuid(random)}${generated.json.slice(at + UUID_LENGTH)}`,
        target: generated.target,
      };
    }
    const { json, target } = generated;
    if (target) targetRecords++;
    batch.push(index === 0 ? json : `,${json}`);
    if (batch.length >= 500) await flush();
  }
  batch.push(']}');
  await flush();
  gzip.end();
  await piped;
  return { path, records, targetRecords, jsonBytes };
}
