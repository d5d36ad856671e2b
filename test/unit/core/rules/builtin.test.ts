import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from '../../../../lambda/core/rules/builtin';
import { RuleEngine } from '../../../../lambda/core/rules/engine';
import { validateRules } from '../../../../lambda/core/rules/validate';
import type { CloudTrailRecord } from '../../../../lambda/core/types';
import type { RulesConfig } from '../../../../lambda/core/rules/types';
import { loadRuleFixtures } from './rule-fixtures';

const fixtures = loadRuleFixtures();

/** The rule ids an engine with every built-in rule raises on the records (per-event and burst alike). */
function firedRules(records: readonly CloudTrailRecord[], config: RulesConfig = {}): string[] {
  const engine = new RuleEngine(BUILT_IN_RULES, config);
  const alerts = records.flatMap((r) => engine.onRecord(r));
  return [...alerts, ...engine.flush()].map((a) => a.rule);
}

describe('built-in rules', () => {
  it('pass the validation user rules go through', () => {
    const result = validateRules(BUILT_IN_RULES);

    expect(result).toEqual({ ok: true, rules: BUILT_IN_RULES });
  });

  it('each have a fixture with at least one firing case and one look-alike', () => {
    const covered = fixtures.filter((f) => f.fires.length > 0 && f.quiet.length > 0).map((f) => f.rule);

    expect(covered.sort()).toEqual([...BUILT_IN_RULE_IDS].sort());
  });

  it('each say why it matters, what to do, and for most which control they map to', () => {
    const withoutReferences = BUILT_IN_RULES.filter((r) => (r.references ?? []).length === 0).map((r) => r.id);

    expect(withoutReferences).toEqual([
      'elasticbeanstalk.environment-terminated',
      'elasticbeanstalk.application-deleted',
      'autoscaling.group-deleted',
      'autoscaling.scaled-to-zero',
      'autoscaling.processes-suspended',
    ]);
  });
});

describe.each(fixtures.map((f) => [f.rule, f] as const))('%s', (ruleId, fixture) => {
  it.each(fixture.fires.map((c) => [c.name, c] as const))('fires on: %s', (_name, fixtureCase) => {
    const fired = firedRules(fixtureCase.records, fixture.config);

    expect(fired).toContain(ruleId);
  });

  it.each(fixture.quiet.map((c) => [c.name, c] as const))('stays quiet on: %s', (_name, fixtureCase) => {
    const fired = firedRules(fixtureCase.records, fixture.config);

    expect(fired).not.toContain(ruleId);
  });
});
