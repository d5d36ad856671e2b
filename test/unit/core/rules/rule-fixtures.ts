/**
 * Typed access to `test/fixtures/rules/<rule-id>.json`: per built-in rule, records that must fire it and
 * look-alikes that must not. Each case's records are overrides of the shared `record()` factory (an ELBv2 call by
 * Alice in us-west-2), so a fixture says only what makes it fire or not; `repeat` builds bursts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RulesConfig } from '../../../../lambda/core/rules/types';
import type { CloudTrailRecord } from '../../../../lambda/core/types';
import { record } from '../../../helpers/fixtures';

/** The folder of the rule fixtures. */
export const RULE_FIXTURE_DIR = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'rules');

/** One case: a name for the test title and the records (several for a burst). */
export interface RuleFixtureCase {
  readonly name: string;
  readonly records: readonly CloudTrailRecord[];
}

/** The fixture of one rule. */
export interface RuleFixture {
  readonly rule: string;
  /** Configuration the rule needs (the region allow-list). */
  readonly config?: RulesConfig;
  readonly fires: readonly RuleFixtureCase[];
  readonly quiet: readonly RuleFixtureCase[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadCase(value: unknown, where: string): RuleFixtureCase {
  if (!isObject(value) || typeof value.name !== 'string') throw new Error(`${where}: a case needs a name`);
  const templates: unknown[] = value.record !== undefined ? [value.record] : Array.isArray(value.records) ? value.records : [];
  if (templates.length === 0 || !templates.every(isObject)) throw new Error(`${where} "${value.name}": record or records`);
  const repeat = typeof value.repeat === 'number' ? value.repeat : 1;
  const records: CloudTrailRecord[] = [];
  for (let i = 0; i < repeat; i += 1) {
    for (const template of templates) records.push(record(template));
  }
  return { name: value.name, records };
}

/** Loads one rule's fixture; throws naming the file when it is malformed. */
export function loadRuleFixture(file: string): RuleFixture {
  const where = path.join(RULE_FIXTURE_DIR, file);
  const parsed: unknown = JSON.parse(readFileSync(where, 'utf8'));
  if (!isObject(parsed) || typeof parsed.rule !== 'string' || !Array.isArray(parsed.fires) || !Array.isArray(parsed.quiet)) {
    throw new Error(`${where}: expected { rule, fires: [...], quiet: [...] }`);
  }
  return {
    rule: parsed.rule,
    ...(isObject(parsed.config) ? { config: parsed.config } : {}),
    fires: parsed.fires.map((c, i) => loadCase(c, `${where} fires[${i}]`)),
    quiet: parsed.quiet.map((c, i) => loadCase(c, `${where} quiet[${i}]`)),
  };
}

/** Every rule fixture, by file name order. */
export function loadRuleFixtures(): RuleFixture[] {
  return readdirSync(RULE_FIXTURE_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map(loadRuleFixture);
}
