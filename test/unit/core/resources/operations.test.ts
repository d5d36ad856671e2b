/**
 * Completeness of the resource tables: every operation of the four APIs, as the AWS SDK for JavaScript v3 lists
 * them, has a table entry and a fixture of its own, and each fixture's record yields the resources written by
 * hand from the API reference.
 */
import * as autoScaling from '@aws-sdk/client-auto-scaling';
import * as elasticBeanstalk from '@aws-sdk/client-elastic-beanstalk';
import * as elb from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { extractResources, RESOURCE_TABLES } from '../../../../lambda/core/resources';
import type { Service } from '../../../../lambda/core/types';
import { loadResourceFixtures, sortedResources } from './resource-fixtures';

/** The operations a client package exports a command for: `XxxCommand` → `Xxx`. */
function sdkOperations(client: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(client)
    .filter((name) => /^[A-Z]\w*Command$/.test(name) && typeof client[name] === 'function')
    .map((name) => name.slice(0, -'Command'.length))
    .sort();
}

const SDK_OPERATIONS: readonly (readonly [Service, string[]])[] = [
  ['elb', sdkOperations(elb)],
  ['elbv2', sdkOperations(elbv2)],
  ['elasticbeanstalk', sdkOperations(elasticBeanstalk)],
  ['autoscaling', sdkOperations(autoScaling)],
];

const fixtures = loadResourceFixtures();

describe('resource tables against the AWS SDK', () => {
  it.each(SDK_OPERATIONS)('%s: the SDK client exports its operations', (_service, operations) => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it.each(SDK_OPERATIONS)('%s: every SDK operation has a table entry', (service, operations) => {
    const missing = operations.filter((operation) => !Object.hasOwn(RESOURCE_TABLES[service], operation));

    expect(missing).toEqual([]);
  });

  it.each(SDK_OPERATIONS)('%s: every table entry is an SDK operation (no typo)', (service, operations) => {
    const unknown = Object.keys(RESOURCE_TABLES[service]).filter((operation) => !operations.includes(operation));

    expect(unknown).toEqual([]);
  });

  it.each(SDK_OPERATIONS)('%s: every operation has a fixture of its own', (service, operations) => {
    const withFixture = new Set(fixtures.filter((fixture) => fixture.service === service).map((f) => f.operation));

    expect(operations.filter((operation) => !withFixture.has(operation))).toEqual([]);
  });
});

describe('resources of each operation (fixtures written from the API references)', () => {
  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s', (_file, fixture) => {
    const { resources, knownOperation } = extractResources(fixture.record, fixture.service);

    expect({ knownOperation, resources: sortedResources(resources) }).toEqual({
      knownOperation: true,
      resources: sortedResources(fixture.resources),
    });
  });

  it('every mutating operation of the fixtures names at least one resource, except account-level settings', () => {
    const readOnlyPrefixes = ['Describe', 'List', 'Get', 'Check'];
    const accountLevel = new Set(['autoscaling PutAccountSetting']);
    const silent = fixtures.filter(
      (fixture) =>
        !readOnlyPrefixes.some((prefix) => fixture.operation.startsWith(prefix)) &&
        !accountLevel.has(`${fixture.service} ${fixture.operation}`) &&
        fixture.resources.length === 0,
    );

    expect(silent.map((fixture) => fixture.file)).toEqual([]);
  });
});
