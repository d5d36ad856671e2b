/**
 * Typed access to the project's CloudTrail fixtures (`test/fixtures/cloudtrail/*.json`), a factory for variations,
 * and helpers that turn records into log-object bytes as CloudTrail delivers them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { validateRecord } from '../../lambda/core/record';
import type { CloudTrailRecord, JsonObject, UserIdentity } from '../../lambda/core/types';

/** The fixture files of `test/fixtures/cloudtrail/`, by name without `.json`. */
export type FixtureName =
  | 'autoscaling-create-launch-configuration'
  | 'elasticbeanstalk-update-environment'
  | 'elb-classic-create-load-balancer'
  | 'elb-classic-delete-load-balancer'
  | 'elb-classic-describe-load-balancers-api-2011-11-15'
  | 'elb-classic-describe-load-balancers-no-api-version-2015'
  | 'elbv2-create-load-balancer'
  | 'elbv2-create-network-load-balancer'
  | 'elbv2-delete-load-balancer'
  | 'elbv2-describe-load-balancers-no-api-version-2019'
  | 'identity-assumed-role'
  | 'identity-aws-account'
  | 'identity-aws-service'
  | 'identity-directory'
  | 'identity-federated-user'
  | 'identity-iam-user'
  | 'identity-identity-center-user'
  | 'identity-missing'
  | 'identity-role'
  | 'identity-root'
  | 'identity-saml-user'
  | 'identity-unknown'
  | 'identity-web-identity-user';

/** The folder of the project's own CloudTrail fixtures. */
export const FIXTURE_DIR = path.resolve(__dirname, '..', 'fixtures', 'cloudtrail');

/** The folder of the shared public CloudTrail corpus (outside the repository, next to it). */
export const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cloudtrail');

/** Loads a fixture record, checked by the same boundary validation as production (a broken fixture fails loudly). */
export function loadFixture(name: FixtureName): CloudTrailRecord {
  const file = path.join(FIXTURE_DIR, `${name}.json`);
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const validation = validateRecord(parsed);
  if (!validation.ok) {
    throw new Error(`fixture ${file} is not a valid CloudTrail record: ${validation.reason}`);
  }
  return validation.record;
}

/** A plain IAM user, the identity of {@link record} unless overridden. */
export const ALICE: UserIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAJ45Q7YFFAREXAMPLE',
  arn: 'arn:aws:iam::123456789012:user/Alice',
  accountId: '123456789012',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'Alice',
};

let factorySequence = 0;

/**
 * A valid CloudTrail record with the given fields replaced: by default an ELBv2 DescribeLoadBalancers call by
 * {@link ALICE} in us-west-2, with a fresh eventID on each call. Fields set to `undefined` are removed.
 */
export function record(overrides: JsonObject = {}): CloudTrailRecord {
  factorySequence += 1;
  const base: JsonObject = {
    eventVersion: '1.09',
    userIdentity: ALICE,
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: 'DescribeLoadBalancers',
    awsRegion: 'us-west-2',
    sourceIPAddress: '198.51.100.1',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: null,
    responseElements: null,
    requestID: `00000000-0000-4000-8000-${String(factorySequence).padStart(12, '0')}`,
    eventID: `f0000000-0000-4000-8000-${String(factorySequence).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    apiVersion: '2015-12-01',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
  };
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const key of Object.keys(merged)) {
    if (merged[key] === undefined) delete merged[key];
  }
  const validation = validateRecord(merged);
  if (!validation.ok) {
    throw new Error(`record() built an invalid record: ${validation.reason}`);
  }
  return validation.record;
}

/** The text of a CloudTrail log file (`{"Records":[...]}`) holding the given records or raw values. */
export function logFileText(records: readonly unknown[]): string {
  return JSON.stringify({ Records: records });
}

/** A gzipped CloudTrail log file, as CloudTrail writes them to S3. */
export function gzippedLogFile(records: readonly unknown[]): Buffer {
  return gzipSync(logFileText(records));
}

/**
 * The bytes of a log object as an async stream of chunks, like an S3 GetObject body: small chunks by default so
 * tests cross chunk boundaries inside records.
 */
export async function* chunked(bytes: Uint8Array | string, chunkSize = 64): AsyncGenerator<Uint8Array> {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  for (let start = 0; start < buffer.length; start += chunkSize) {
    yield buffer.subarray(start, Math.min(start + chunkSize, buffer.length));
    await Promise.resolve();
  }
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) {
    result.push(item);
  }
  return result;
}
