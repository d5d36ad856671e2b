import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILT_IN_RULE_IDS } from '../../../../lambda/core/rules/builtin';
import { validateRules, validateRulesConfig, validateRulesFile } from '../../../../lambda/core/rules/validate';

/** A valid user rule, with the given fields replaced. */
function userRule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'team.prod-alb-deleted',
    title: 'Production ALB deleted',
    severity: 'high',
    match: {
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventName: 'DeleteLoadBalancer',
      where: { path: 'requestParameters.loadBalancerArn', contains: '/prod-' },
    },
    description: 'A production load balancer was deleted.',
    remediation: 'Restore it from the pipeline.',
    ...overrides,
  };
}

function errorsOf(value: unknown): string[] {
  const result = validateRules(value);
  return result.ok ? [] : result.errors;
}

describe('validateRules', () => {
  it('accepts a valid rule and returns it typed', () => {
    const rule = userRule();

    const result = validateRules([rule]);

    expect(result).toEqual({ ok: true, rules: [rule] });
  });

  it('accepts an object holding the rules', () => {
    const result = validateRules({ rules: [userRule()] });

    expect(result.ok).toBe(true);
  });

  it('rejects a value that is neither a list nor an object with rules', () => {
    expect(errorsOf('rules')).toEqual([expect.stringContaining('must be an array of rules')]);
  });

  it('names the rule and the bad regular expression', () => {
    const rule = userRule({ match: { eventName: 'X', where: { path: 'eventName', regex: '([a-z' } } });

    expect(errorsOf([rule])).toEqual([
      expect.stringMatching(/^rule "team\.prod-alb-deleted": match\.where\.regex: invalid regular expression "\(\[a-z"/),
    ]);
  });

  it('names an unknown operator', () => {
    const rule = userRule({ match: { eventName: 'X', where: { path: 'eventName', startsWith: 'Delete' } } });

    expect(errorsOf([rule])).toEqual(['rule "team.prod-alb-deleted": match.where: unknown operator "startsWith"']);
  });

  it('names an unknown severity and lists the valid ones', () => {
    expect(errorsOf([userRule({ severity: 'urgent' })])).toEqual([
      'rule "team.prod-alb-deleted": unknown severity "urgent" (one of info, low, medium, high, critical)',
    ]);
  });

  it('names a duplicate id with the index of the second rule', () => {
    expect(errorsOf([userRule(), userRule()])).toEqual(['rule "team.prod-alb-deleted": duplicate id (rule #1)']);
  });

  it('names a rule without an id by its index', () => {
    expect(errorsOf([userRule({ id: 'first' }), userRule({ id: undefined })])).toEqual([
      expect.stringMatching(/^rule #1: "id" must match/),
    ]);
  });

  it('finds problems nested inside all, any, not and some', () => {
    const rule = userRule({
      match: {
        eventName: 'X',
        where: { all: [{ any: [{ not: { path: 'a', some: { path: 'b', gt: 'ten' } } }] }] },
      },
    });

    expect(errorsOf([rule])).toEqual([
      'rule "team.prod-alb-deleted": match.where.all[0].any[0].not.some.gt: must be a number',
    ]);
  });

  it('rejects a condition with two operators', () => {
    const rule = userRule({ match: { eventName: 'X', where: { path: 'a', equals: 'x', prefix: 'y' } } });

    expect(errorsOf([rule])).toEqual([
      'rule "team.prod-alb-deleted": match.where: exactly one operator is needed (found equals, prefix)',
    ]);
  });

  it('rejects a match that would match every record', () => {
    expect(errorsOf([userRule({ match: {} })])).toEqual([
      expect.stringContaining('"match" must name an eventSource, an eventName or conditions'),
    ]);
  });

  it('rejects a malformed threshold', () => {
    expect(errorsOf([userRule({ threshold: { count: 0, windowMinutes: 5, groupBy: 'principal' } })])).toEqual([
      expect.stringContaining('"threshold" must be'),
    ]);
  });

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    expect(errorsOf([userRule({ severty: 'low' })])).toEqual(['rule "team.prod-alb-deleted": unknown field "severty"']);
  });

  it('reports every problem of every rule, not just the first', () => {
    const errors = errorsOf([userRule({ severity: 'x', title: '' }), userRule({ id: 'b', remediation: 3 })]);

    expect(errors).toHaveLength(3);
  });
});

describe('validateRulesConfig', () => {
  it('accepts a full configuration', () => {
    const config = {
      disabled: ['elb.internet-facing-created'],
      severity: { 'elb.security-groups-changed': 'medium' },
      suppressions: [
        { rule: 'autoscaling.scaled-to-zero', resource: 'batch-*', expires: '2027-01-31', reason: 'nightly batch' },
      ],
      allowedRegions: ['eu-west-1', 'us-east-1'],
      accessDeniedBurst: { threshold: 20, windowMinutes: 10 },
    };

    expect(validateRulesConfig(config, BUILT_IN_RULE_IDS)).toEqual({ ok: true, config });
  });

  it('names an unknown rule id in disabled', () => {
    const result = validateRulesConfig({ disabled: ['elb.internet-facing'] }, BUILT_IN_RULE_IDS);

    expect(result).toEqual({ ok: false, errors: ['disabled[0]: unknown rule "elb.internet-facing"'] });
  });

  it('requires a reason and a valid expiry on a suppression', () => {
    const result = validateRulesConfig({ suppressions: [{ rule: 'elb.load-balancer-deleted', expires: 'soon' }] });

    expect(result).toEqual({
      ok: false,
      errors: [
        'suppressions[0]: "expires" must be an ISO-8601 date such as "2026-12-31"',
        'suppressions[0]: "reason" must say why the finding is accepted',
      ],
    });
  });

  it('rejects something that is not a region name', () => {
    expect(validateRulesConfig({ allowedRegions: ['Ireland'] }).ok).toBe(false);
  });
});

describe('validateRulesFile', () => {
  it('splits a file into user rules and configuration', () => {
    const rule = userRule();

    const result = validateRulesFile({ rules: [rule], disabled: ['team.prod-alb-deleted'] }, BUILT_IN_RULE_IDS);

    expect(result).toEqual({ ok: true, rules: [rule], config: { disabled: ['team.prod-alb-deleted'] } });
  });

  it('accepts a bare list of rules', () => {
    const result = validateRulesFile([userRule()], BUILT_IN_RULE_IDS);

    expect(result).toEqual({ ok: true, rules: [userRule()], config: {} });
  });

  it('rejects a user rule that reuses a built-in id', () => {
    const result = validateRulesFile([userRule({ id: 'elb.load-balancer-deleted' })], BUILT_IN_RULE_IDS);

    expect(result).toEqual({
      ok: false,
      errors: ['rule "elb.load-balancer-deleted": the id of a built-in rule (disable it and choose another id)'],
    });
  });
});

describe('config/rules.example.json', () => {
  it('is a valid rules file', () => {
    const file = path.resolve(__dirname, '..', '..', '..', '..', 'config', 'rules.example.json');

    const result = validateRulesFile(JSON.parse(readFileSync(file, 'utf8')), BUILT_IN_RULE_IDS);

    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
