import { App, Duration } from 'aws-cdk-lib';
import { stackPropsFromContext } from '../../../lib/config';
import { loadUserRulesFile } from '../../../lib/user-rules';
import { PROJECT_ROOT, fixturePath } from './synth';

/** The stack props an app with this context (as `-c key=value` gives it: strings) produces. */
function propsFrom(context: Record<string, unknown>): ReturnType<typeof stackPropsFromContext> {
  return stackPropsFromContext(new App({ context }).node, PROJECT_ROOT);
}

describe('configuration from CDK context', () => {
  test('is empty without context, so every construct default applies', () => {
    expect(propsFrom({})).toEqual({});
  });

  test('reads -c strings as booleans, numbers and enumerations', () => {
    const props = propsFrom({
      alertEmail: 'security@example.com',
      objectLock: 'true',
      dropReadOnly: 'false',
      logRetentionDays: '365',
      managementEvents: 'writeOnly',
      processorTimeoutMinutes: '10',
      logLevel: 'DEBUG',
    });

    expect(props).toEqual({
      alertEmail: 'security@example.com',
      objectLock: true,
      dropReadOnly: false,
      logRetentionDays: 365,
      managementEvents: 'writeOnly',
      processorTimeout: Duration.minutes(10),
      logLevel: 'DEBUG',
    });
  });

  test('reads JSON types from cdk.json as they are', () => {
    const props = propsFrom({ insights: true, noLogFileAlarmMinutes: 90 });

    expect(props).toEqual({ insights: true, noLogFileAlarmMinutes: 90 });
  });

  test('groups the existing-trail keys', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/k';
    const props = propsFrom({ existingBucketName: 'logs', existingKmsKeyArn: keyArn, existingKeyPrefix: 'p' });

    expect(props.existingTrail).toEqual({ bucketName: 'logs', kmsKeyArn: keyArn, keyPrefix: 'p' });
  });

  test('reads the management account of an organization trail as a string', () => {
    const props = propsFrom({
      isOrganizationTrail: 'true',
      organizationId: 'o-a1b2c3d4e5',
      managementAccountId: '011122223333',
    });

    expect(props).toEqual({
      isOrganizationTrail: true,
      organizationId: 'o-a1b2c3d4e5',
      managementAccountId: '011122223333',
    });
  });

  test('rejects an existing key or prefix without the bucket', () => {
    expect(() => propsFrom({ existingKeyPrefix: 'p' })).toThrow(/need existingBucketName/);
  });

  test('names the key of a value it cannot read', () => {
    expect(() => propsFrom({ objectLock: 'yes' })).toThrow(/context objectLock: expected true or false/);
    expect(() => propsFrom({ logRetentionDays: '7y' })).toThrow(/context logRetentionDays: expected a whole number/);
    expect(() => propsFrom({ managementEvents: 'everything' })).toThrow(
      /context managementEvents: expected one of all, writeOnly, readOnly/,
    );
    expect(() => propsFrom({ processorTimeoutMinutes: '20' })).toThrow(/at most 15/);
  });

  test('reads the backfill settings, grouping the inventory keys', () => {
    const props = propsFrom({
      backfillWriteBudget: '6000',
      backfillToleratedFailurePercentage: '0',
      backfillInventoryBucketName: 'inventory',
      backfillInventoryPrefix: 'logs-inventory/',
    });

    expect(props).toEqual({
      backfillWriteBudget: 6000,
      backfillToleratedFailurePercentage: 0,
      backfillInventory: { bucketName: 'inventory', prefix: 'logs-inventory/' },
    });
  });

  test('rejects a tolerated failure percentage outside 0-100, naming the key', () => {
    expect(() => propsFrom({ backfillToleratedFailurePercentage: '101' })).toThrow(
      /context backfillToleratedFailurePercentage: expected a whole number from 0 to 100, got "101"/,
    );
  });

  test('rejects an inventory prefix without the inventory bucket', () => {
    expect(() => propsFrom({ backfillInventoryPrefix: 'inv/' })).toThrow(/need backfillInventoryBucketName/);
  });

  test('validates and resolves the rules file', () => {
    expect(propsFrom({ rulesFile: fixturePath('user-rules.json') }).userRules).toEqual({
      path: fixturePath('user-rules.json'),
      ruleCount: 1,
    });
  });
});

describe('user rules file', () => {
  test('fails synth naming the bad rule and the problem', () => {
    expect(() => loadUserRulesFile(fixturePath('bad-user-rules.json'), PROJECT_ROOT)).toThrow(
      /bad-user-rules\.json: 1 problem\(s\):\n {2}- rule "custom\.bad-severity": unknown severity "urgent"/,
    );
  });

  test('fails synth on configuration naming a rule that does not exist', () => {
    expect(() => loadUserRulesFile(fixturePath('bad-rules-config.json'), PROJECT_ROOT)).toThrow(
      /unknown rule "elb\.no-such-rule"/,
    );
  });

  test('accepts the project\'s example rules file', () => {
    // config/rules.example.json defines one custom rule beside its settings of the built-in ones.
    expect(loadUserRulesFile('config/rules.example.json', PROJECT_ROOT).ruleCount).toBe(1);
  });

  test('fails synth on a file that is not JSON, naming the file', () => {
    expect(() => loadUserRulesFile(fixturePath('../synth.ts'), PROJECT_ROOT)).toThrow(/synth\.ts: not valid JSON/);
  });

  test('fails synth on a missing file, naming it', () => {
    expect(() => loadUserRulesFile('no-such-rules.json', PROJECT_ROOT)).toThrow(/no-such-rules\.json: cannot be read/);
  });
});
