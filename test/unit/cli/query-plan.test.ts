import { actionKeys, parseLimit, planLookup, principalHint } from '../../../lambda/cli/commands/query';
import { UsageError } from '../../../lambda/cli/errors';

describe('planLookup', () => {
  it('reads --principal under the principal, name and session keys', () => {
    const plan = planLookup({ principal: 'arn:aws:iam::111122223333:role/Deployer' });

    expect(plan).toEqual({
      values: ['arn:aws:iam::111122223333:role/Deployer'],
      kinds: ['principal', 'principalName', 'session'],
    });
  });

  it('reads --resource under the resource ARN and name keys', () => {
    expect(planLookup({ resource: 'web' }).kinds).toEqual(['resource', 'resourceName']);
  });

  it('reads --access-key under the access key', () => {
    expect(planLookup({ accessKey: 'AKIAIOSFODNN7EXAMPLE' }).kinds).toEqual(['accessKey']);
  });

  it('reads a plain --action under the action keys of all three services', () => {
    expect(planLookup({ action: 'DeleteLoadBalancer' })).toEqual({
      values: [
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticbeanstalk:DeleteLoadBalancer',
        'autoscaling:DeleteLoadBalancer',
      ],
      kinds: ['action'],
    });
  });

  it('uses --action beside another selector as a second condition', () => {
    const plan = planLookup({ principal: 'Deployer', action: 'elasticloadbalancing:DeleteLoadBalancer' });

    expect(plan.actions).toEqual(['elasticloadbalancing:DeleteLoadBalancer']);
  });

  it('asks for a selector when none is given', () => {
    expect(() => planLookup({})).toThrow(UsageError);
  });

  it('refuses two partition-key selectors at once', () => {
    expect(() => planLookup({ principal: 'Deployer', resource: 'web' })).toThrow(/one of/);
  });

  it('refuses an empty value', () => {
    expect(() => planLookup({ resource: ' ' })).toThrow(UsageError);
  });
});

describe('actionKeys', () => {
  it('keeps a full service:EventName as given', () => {
    expect(actionKeys('autoscaling:DeleteAutoScalingGroup')).toEqual(['autoscaling:DeleteAutoScalingGroup']);
  });

  it('spells a plain event name typed in any case as CloudTrail does', () => {
    expect(actionKeys('deleteloadbalancer')).toEqual([
      'elasticloadbalancing:DeleteLoadBalancer',
      'elasticbeanstalk:DeleteLoadBalancer',
      'autoscaling:DeleteLoadBalancer',
    ]);
  });

  it('spells service:EventName typed in any case as CloudTrail does', () => {
    expect(actionKeys('ElasticLoadBalancing:deleteLOADbalancer')).toEqual(['elasticloadbalancing:DeleteLoadBalancer']);
  });

  it('keeps an event name the resource tables do not know as typed', () => {
    expect(actionKeys('consoleLogin')).toContain('autoscaling:consoleLogin');
  });

  it('refuses something that is not an action', () => {
    expect(() => actionKeys('Delete LoadBalancer')).toThrow(UsageError);
  });
});

describe('parseLimit', () => {
  it('defaults to 50', () => {
    expect(parseLimit(undefined)).toBe(50);
  });

  it('reads 0 as no limit', () => {
    expect(parseLimit('0')).toBeUndefined();
  });

  it('refuses a negative or fractional limit', () => {
    expect(() => parseLimit('-1')).toThrow(UsageError);
  });
});

describe('principalHint', () => {
  it('explains that a name is a user or role name and a session needs its ARN', () => {
    expect(principalHint('bob')).toBe(
      "trail-audit: no user or role is named 'bob': --principal NAME is a user name or role name; a role session " +
        'is found by its session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), not its name',
    );
  });

  it('says nothing for an ARN', () => {
    expect(principalHint('arn:aws:sts::111122223333:assumed-role/OpsAdmin/bob')).toBeUndefined();
  });
});
