import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration } from 'aws-cdk-lib';
import { closestContextKey, deploymentNotice, stackPropsFromContext, unknownContextKeys } from '../../../lib/config';
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

  test('reads the seeding keys: a switch, the alerts switch and a list of regions', () => {
    const props = propsFrom({ seedFromEventHistory: 'true', seedAlerts: 'false', seedRegions: 'eu-west-1, us-east-1' });

    expect(props).toEqual({ seedFromEventHistory: true, seedAlerts: false, seedRegions: ['eu-west-1', 'us-east-1'] });
  });

  test('rejects seedRegions that are not region names, naming the key', () => {
    expect(() => propsFrom({ seedRegions: 'eu-west-1,europe' })).toThrow(/^context seedRegions: 'eu-west-1,europe' is not a list of region names/);
  });

  test('groups the existing-trail keys', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
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

  test('reads the trigger, and the existing trail\'s topic with its bucket', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:cloudtrail-deliveries';
    const props = propsFrom({ existingBucketName: 'logs', existingTrailTopicArn: topicArn, trigger: 'sns' });

    expect([props.trigger, props.existingTrail]).toEqual(['sns', { bucketName: 'logs', topicArn }]);
  });

  test('rejects a trigger it does not know, naming the ones it does', () => {
    expect(() => propsFrom({ trigger: 'lambda' })).toThrow(
      /context trigger: expected one of s3-notification, eventbridge, sns, got "lambda"/,
    );
  });

  test('reads the existing trail\'s log file validation, and the hours before the no-digest alarm', () => {
    const props = propsFrom({ existingBucketName: 'logs', existingLogFileValidation: 'true', noDigestAlarmHours: '6' });

    expect([props.existingTrail, props.noDigestAlarmHours]).toEqual([{ bucketName: 'logs', logFileValidation: true }, 6]);
  });

  test('rejects the existing trail\'s log file validation without its bucket', () => {
    expect(() => propsFrom({ existingLogFileValidation: 'true' })).toThrow(/existingLogFileValidation: need existingBucketName/);
  });

  test('rejects a no-digest alarm period longer than a CloudWatch alarm looks back', () => {
    expect(() => propsFrom({ noDigestAlarmHours: '48' })).toThrow(/noDigestAlarmHours: .* at most 24 hours, got 48/);
  });

  test('rejects a topic without the existing trail\'s bucket', () => {
    expect(() => propsFrom({ existingTrailTopicArn: 'arn:aws:sns:eu-west-1:111122223333:t' })).toThrow(
      /existingTrailTopicArn: need existingBucketName/,
    );
  });

  test('names the key of a value it cannot read', () => {
    expect(() => propsFrom({ objectLock: 'yes' })).toThrow(/context objectLock: expected true or false/);
    expect(() => propsFrom({ logRetentionDays: '7y' })).toThrow(/context logRetentionDays: expected a whole number/);
    expect(() => propsFrom({ managementEvents: 'everything' })).toThrow(
      /context managementEvents: expected one of all, writeOnly, readOnly/,
    );
    expect(() => propsFrom({ processorTimeoutMinutes: '20' })).toThrow(/at most 15/);
  });

  test('reads the source accounts from a -c comma-separated list', () => {
    const props = propsFrom({ sourceAccountIds: '222233334444, 555566667777', sourceTrailName: 'feed' });

    expect(props).toEqual({ sourceAccountIds: ['222233334444', '555566667777'], sourceTrailName: 'feed' });
  });

  test('reads the source accounts from a cdk.json array', () => {
    const props = propsFrom({ sourceAccountIds: ['222233334444'] });

    expect(props).toEqual({ sourceAccountIds: ['222233334444'] });
  });

  test('rejects source accounts that are neither a list nor a string', () => {
    expect(() => propsFrom({ sourceAccountIds: [222233334444] })).toThrow(
      /context sourceAccountIds: expected a comma-separated list or an array of strings/,
    );
  });

  test('rejects an existing key ARN that is not a KMS key ARN, naming the context key', () => {
    expect(() => propsFrom({ existingBucketName: 'logs', existingKmsKeyArn: 'alias/aws/s3' })).toThrow(
      /context existingKmsKeyArn: "alias\/aws\/s3" is not a KMS key ARN/,
    );
  });

  test('rejects processor memory outside Lambda\'s limits, naming the context key', () => {
    expect(() => propsFrom({ processorMemorySize: '64' })).toThrow(
      /context processorMemorySize: Lambda allows 128 to 10240 MB, got 64/,
    );
    expect(() => propsFrom({ processorMemorySize: 20_000 })).toThrow(/got 20000/);
  });

  test('rejects a misspelt key, suggesting the key it resembles', () => {
    expect(() => propsFrom({ alertEmel: 'security@example.com' })).toThrow(
      /context: unknown key "alertEmel" \(did you mean "alertEmail"\?\)/,
    );
  });

  test('names every unknown key, with a suggestion where one is close', () => {
    expect(() => propsFrom({ tableRetentionDay: '30', colour: 'blue' })).toThrow(
      /unknown keys "tableRetentionDay" \(did you mean "tableRetentionDays"\?\), "colour"; the keys trail-audit/,
    );
  });

  test('ignores the CDK\'s own context: feature flags, CLI settings, lookups and acknowledged notices', () => {
    const props = propsFrom({
      ...cdkJsonContext(),
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:bundling-stacks': ['**'],
      'availability-zones:account=111122223333:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [32775],
      alertEmail: 'security@example.com',
    });

    expect(props).toEqual({ alertEmail: 'security@example.com' });
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

/** The context of the project's cdk.json (feature flags). */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

describe('unknown context keys', () => {
  test('are the plain keys the app does not read', () => {
    expect(unknownContextKeys({ alertEmail: 'a', alertEmel: 'b', '@aws-cdk/core:x': true, 'aws:cdk:y': 1 })).toEqual([
      'alertEmel',
    ]);
  });

  test.each([
    ['alertemail', 'alertEmail'],
    ['existingBucket', 'existingBucketName'],
    ['insight', 'insights'],
    ['procesorMemorySize', 'processorMemorySize'],
  ])('suggest for %s the key %s', (key, expected) => {
    expect(closestContextKey(key)).toBe(expected);
  });

  test('suggest nothing for a key like none of them', () => {
    expect(closestContextKey('colour')).toBeUndefined();
  });
});

describe('deployment notice at synth', () => {
  test('names the region and account the CDK CLI resolved, and where the region came from', () => {
    const notice = deploymentNotice({
      CDK_DEFAULT_REGION: 'eu-west-1',
      CDK_DEFAULT_ACCOUNT: '111122223333',
      AWS_REGION: 'eu-west-1',
    });

    expect(notice).toBe(
      'trail-audit: deploying to region eu-west-1 (from AWS_REGION / AWS_DEFAULT_REGION), account 111122223333. ' +
        'This is the trail\'s home region; set AWS_REGION or use --profile to choose another.',
    );
  });

  test('says the region may be the CDK\'s us-east-1 fallback when no region variable is set', () => {
    const notice = deploymentNotice({ CDK_DEFAULT_REGION: 'us-east-1' });

    expect(notice).toContain("region us-east-1 (from the profile's region, or us-east-1, the CDK's fallback");
  });

  test('says the stack is environment-agnostic when the app runs outside the CLI', () => {
    const notice = deploymentNotice({});

    expect(notice).toMatch(/no region configured .* deploys to the region of the credentials cdk deploy uses/);
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
