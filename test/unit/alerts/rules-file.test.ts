import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRuleSet, RulesFileError } from '../../../lambda/alerts/rules-file';
import { BUILT_IN_RULES } from '../../../lambda/core/rules/builtin';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'trail-audit-rules-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('loadRuleSet', () => {
  it('runs the built-in rules alone when no file is configured', () => {
    expect(loadRuleSet(undefined)).toEqual({ rules: BUILT_IN_RULES, config: {} });
  });

  it('adds the rules and configuration of the project\'s example file', () => {
    const example = path.resolve(__dirname, '..', '..', '..', 'config', 'rules.example.json');

    const { rules, config } = loadRuleSet(example);

    expect([rules.length - BUILT_IN_RULES.length, config.allowedRegions]).toEqual([1, ['us-east-1']]);
  });

  it('fails at cold start on an invalid file, naming the problem', async () => {
    const file = path.join(folder, 'rules.json');
    await writeFile(file, JSON.stringify({ disabled: ['no.such-rule'] }));

    expect(() => loadRuleSet(file)).toThrow(new RulesFileError(`rules file ${file}:\n  disabled[0]: unknown rule "no.such-rule"`));
  });
});
