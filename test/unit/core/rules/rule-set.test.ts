import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeLogObject, LogDecodeError, parseRecordText } from '../../../../lambda/core/decode';
import { validateRecord } from '../../../../lambda/core/record';
import { BUILT_IN_RULES, REGION_RULE_ID } from '../../../../lambda/core/rules/builtin';
import { compileMatch } from '../../../../lambda/core/rules/match';
import { effectiveRules, rulesPrefilter } from '../../../../lambda/core/rules/rule-set';
import type { Rule } from '../../../../lambda/core/rules/types';
import { chunked, CORPUS_DIR, record } from '../../../helpers/fixtures';
import { loadRuleFixtures } from './rule-fixtures';

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** The raw text of every record of the public corpus, as the decoder hands it to the prefilter. */
async function corpusRecordTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const file of filesUnder(CORPUS_DIR).filter((f) => /\.json(l)?$/.test(f))) {
    try {
      for await (const item of decodeLogObject(chunked(readFileSync(file), 4096), { objectKey: file })) {
        if (item.kind === 'record') texts.push(item.text);
      }
    } catch (error) {
      // The corpus holds one file that is invalid JSON as AWS published it: its records cannot be read at all.
      if (!(error instanceof LogDecodeError)) throw error;
    }
  }
  return texts;
}

const userRules: Rule[] = [
  {
    id: 'team.denied-secrets',
    title: 'Denied secret read',
    severity: 'low',
    match: { where: { all: [{ path: 'eventSource', equals: 'secretsmanager.amazonaws.com' }, { path: 'errorCode', exists: true }] } },
    description: 'd',
    remediation: 'r',
  },
];

describe('effectiveRules', () => {
  it('drops disabled rules', () => {
    const rules = effectiveRules(BUILT_IN_RULES, { disabled: ['elb.internet-facing-created'] });

    expect(rules.map((r) => r.id)).not.toContain('elb.internet-facing-created');
  });

  it('changes a severity', () => {
    const rules = effectiveRules(BUILT_IN_RULES, { severity: { 'elb.security-groups-changed': 'high' } });

    expect(rules.find((r) => r.id === 'elb.security-groups-changed')?.severity).toBe('high');
  });

  it('sets the access-denied burst threshold', () => {
    const rules = effectiveRules(BUILT_IN_RULES, { accessDeniedBurst: { threshold: 25, windowMinutes: 15 } });

    expect(rules.find((r) => r.id === 'account.access-denied-burst')?.threshold).toEqual({
      count: 25,
      windowMinutes: 15,
      groupBy: 'principal',
    });
  });

  it('adds the region rule only when regions are configured', () => {
    const without = effectiveRules(BUILT_IN_RULES).map((r) => r.id);
    const withRegions = effectiveRules(BUILT_IN_RULES, { allowedRegions: ['eu-west-1'] }).map((r) => r.id);

    expect([without.includes(REGION_RULE_ID), withRegions.includes(REGION_RULE_ID)]).toEqual([false, true]);
  });
});

describe('rulesPrefilter', () => {
  const rules = [...BUILT_IN_RULES, ...userRules];
  const mayMatch = rulesPrefilter(rules);
  const matchers = effectiveRules(rules).map((rule) => ({ id: rule.id, matches: compileMatch(rule) }));

  it('never rejects a fixture record that a rule matches', () => {
    const records = loadRuleFixtures().flatMap((f) => [...f.fires, ...f.quiet].flatMap((c) => c.records));
    const matched = records.filter((r) => matchers.some((m) => m.matches(r)));

    const rejected = matched.filter((r) => !mayMatch(JSON.stringify(r))).map((r) => r.eventID);

    expect({ checked: matched.length > 40, rejected }).toEqual({ checked: true, rejected: [] });
  });

  it('never rejects a corpus record that a rule matches, on the text as published', async () => {
    const texts = await corpusRecordTexts();
    const matched = texts.filter((text) => {
      const validation = validateRecord(parseRecordText({ index: 0, offset: 0, text }, 'corpus'));
      return validation.ok && matchers.some((m) => m.matches(validation.record));
    });

    const rejected = matched.filter((text) => !mayMatch(text));

    expect({ checked: matched.length > 20, rejected }).toEqual({ checked: true, rejected: [] });
  });

  it('rejects a record no rule can match', () => {
    const text = JSON.stringify(record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' }));

    expect(mayMatch(text)).toBe(false);
  });

  it('lets through a record whose text could spell a needle in \\u escapes', () => {
    const text = JSON.stringify(record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })).replace(
      'GetObject',
      '\\u0047etObject',
    );

    expect(mayMatch(text)).toBe(true);
  });

  it('passes everything when the region allow-list is on', () => {
    const withRegions = rulesPrefilter(BUILT_IN_RULES, { allowedRegions: ['eu-west-1'] });

    expect(withRegions('{"eventSource":"s3.amazonaws.com"}')).toBe(true);
  });

  it('rejects everything when every rule is disabled', () => {
    const none = rulesPrefilter(BUILT_IN_RULES, { disabled: BUILT_IN_RULES.map((r) => r.id) });

    expect(none('{"eventName":"StopLogging"}')).toBe(false);
  });
});
