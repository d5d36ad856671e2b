/**
 * Typed loading of the per-operation resource fixtures (`test/fixtures/resources/<service>/<Operation>.json`) and
 * a factory for CloudTrail records around their parameters.
 *
 * Each fixture is written by hand from the operation's API reference page: the request (and, where the API
 * returns one, the response) with CloudTrail's member names (first letter lower-cased), and the resources the
 * call names. The factory adds what every record has, so a fixture holds only what matters to its operation.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudTrailRecord, JsonObject, Resource, Service } from '../../../../lambda/core/types';

/** The folder of the per-operation fixtures. */
export const RESOURCE_FIXTURES_DIR = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'resources');

/**
 * The folder of the fixtures of resources Elastic Beanstalk creates (tagged with their environment), laid out
 * like {@link RESOURCE_FIXTURES_DIR}: `<service>/<Operation>.json`.
 */
export const BEANSTALK_CREATED_FIXTURES_DIR = path.join(RESOURCE_FIXTURES_DIR, 'beanstalk-created');

/** One operation's fixture. */
export interface ResourceFixture {
  readonly service: Service;
  readonly operation: string;
  readonly file: string;
  /** The API reference page the record and the expectation were written from. */
  readonly reference: string;
  readonly record: CloudTrailRecord;
  readonly resources: readonly Resource[];
}

const SERVICES: readonly Service[] = ['elb', 'elbv2', 'elasticbeanstalk', 'autoscaling'];

const EVENT_SOURCES: Readonly<Record<Service, string>> = {
  elb: 'elasticloadbalancing.amazonaws.com',
  elbv2: 'elasticloadbalancing.amazonaws.com',
  elasticbeanstalk: 'elasticbeanstalk.amazonaws.com',
  autoscaling: 'autoscaling.amazonaws.com',
};

const API_VERSIONS: Readonly<Record<Service, string>> = {
  elb: '2012-06-01',
  elbv2: '2015-12-01',
  elasticbeanstalk: '2010-12-01',
  autoscaling: '2011-01-01',
};

/**
 * A CloudTrail record of `service` as an IAM user in account 123456789012, us-east-1, would produce it, with the
 * given fields on top.
 */
export function cloudTrailRecord(
  service: Service,
  fields: Partial<CloudTrailRecord> & { eventName: string },
): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventID: `00000000-0000-4000-8000-${fields.eventName.length.toString().padStart(12, '0')}`,
    eventTime: '2026-11-21T12:00:00Z',
    eventSource: EVENT_SOURCES[service],
    awsRegion: 'us-east-1',
    apiVersion: API_VERSIONS[service],
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: '123456789012',
      userName: 'Alice',
    },
    sourceIPAddress: '198.51.100.1',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: null,
    responseElements: null,
    ...fields,
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseResource(value: unknown, where: string): Resource {
  if (!isObject(value) || typeof value.type !== 'string') throw new Error(`${where}: a resource needs a string "type"`);
  for (const key of Object.keys(value)) {
    if (!['type', 'arn', 'name', 'id'].includes(key)) throw new Error(`${where}: unexpected resource member "${key}"`);
    if (typeof value[key] !== 'string') throw new Error(`${where}: resource member "${key}" must be a string`);
  }
  return value as unknown as Resource;
}

/** Reads and checks one fixture file (of `dir`, by default the per-operation fixtures). */
export function loadResourceFixture(service: Service, file: string, dir = RESOURCE_FIXTURES_DIR): ResourceFixture {
  const where = path.join(path.relative(RESOURCE_FIXTURES_DIR, dir), service, file);
  const parsed: unknown = JSON.parse(readFileSync(path.join(dir, service, file), 'utf8'));
  if (!isObject(parsed) || !isObject(parsed.record) || !Array.isArray(parsed.resources)) {
    throw new Error(`${where}: a fixture needs "record" (object) and "resources" (array)`);
  }
  const { eventName } = parsed.record;
  if (typeof eventName !== 'string' || `${eventName}.json` !== file) {
    throw new Error(`${where}: record.eventName must name the file`);
  }
  if (typeof parsed.reference !== 'string' || !parsed.reference.startsWith('https://docs.aws.amazon.com/')) {
    throw new Error(`${where}: "reference" must be the AWS API reference page the fixture was written from`);
  }
  const record = cloudTrailRecord(service, { ...(parsed.record as Partial<CloudTrailRecord>), eventName });
  const resources = (parsed.resources as unknown[]).map((resource, index) =>
    parseResource(resource, `${where} resources[${index}]`),
  );
  return { service, operation: eventName, file: where, reference: parsed.reference, record, resources };
}

/** Every fixture of every service (of `dir`, by default the per-operation fixtures; a missing folder has none). */
export function loadResourceFixtures(dir = RESOURCE_FIXTURES_DIR): ResourceFixture[] {
  return SERVICES.flatMap((service) =>
    (existsSync(path.join(dir, service)) ? readdirSync(path.join(dir, service)) : [])
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => loadResourceFixture(service, file, dir)),
  );
}

/** Resources in a stable order, so expectations do not depend on the order places are read in. */
export function sortedResources(resources: readonly Resource[]): Resource[] {
  const key = (resource: Resource): string => `${resource.type}|${resource.arn ?? ''}|${resource.name ?? ''}`;
  return [...resources].sort((a, b) => key(a).localeCompare(key(b)));
}
