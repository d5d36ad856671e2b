/**
 * The effective rule set: built-in and user rules with the configuration applied (disabled rules removed,
 * severities changed, the burst threshold and the region allow-list set), and the raw-text prefilter that lets the
 * pipeline skip parsing records no rule can match.
 */
import { ACCESS_DENIED_BURST_RULE_ID, REGION_RULE_ID, regionRule } from './builtin';
import type { Condition, Rule, RulesConfig } from './types';

/**
 * Applies a configuration to a list of rules (usually `[...BUILT_IN_RULES, ...userRules]`).
 *
 * Disabled ids are dropped; `severity` overrides apply; `accessDeniedBurst` sets the threshold of
 * `account.access-denied-burst`; `allowedRegions` adds `account.region-not-allowed` (unless disabled). Unknown ids
 * in the configuration are ignored here: `validateRulesConfig` is where they are reported.
 */
export function effectiveRules(rules: readonly Rule[], config: RulesConfig = {}): Rule[] {
  const disabled = new Set(config.disabled ?? []);
  const all =
    config.allowedRegions !== undefined && config.allowedRegions.length > 0
      ? [...rules.filter((r) => r.id !== REGION_RULE_ID), regionRule(config.allowedRegions)]
      : rules;
  return all
    .filter((rule) => !disabled.has(rule.id))
    .map((rule) => {
      let effective: Rule = rule;
      const severity = config.severity?.[rule.id];
      if (severity !== undefined) effective = { ...effective, severity };
      if (rule.id === ACCESS_DENIED_BURST_RULE_ID && config.accessDeniedBurst !== undefined) {
        effective = {
          ...effective,
          threshold: {
            count: config.accessDeniedBurst.threshold,
            windowMinutes: config.accessDeniedBurst.windowMinutes,
            groupBy: 'principal',
          },
        };
      }
      return effective;
    });
}

/**
 * Needles are only used when they consist of characters JSON writes literally, so that a substring test on the
 * raw text is exact: letters, digits and `.`, `-`, `_`, `:`.
 */
const SAFE_NEEDLE = /^[A-Za-z0-9._:-]+$/;

/**
 * A `\u` escape of one of the needle characters above: such text could spell a needle without containing it, so
 * the prefilter lets it through. (CloudTrail escapes `<`, `>`, `&`, `=`, `'` this way, never letters.)
 */
const ESCAPED_NEEDLE_CHARACTER = /\\u00(?:2[dDeE]|3[0-9aA]|4[1-9a-fA-F]|5[0-9aAfF]|6[1-9a-fA-F]|7[0-9aA])/;

/**
 * Strings at least one of which the raw text of any record the condition holds on must contain; `undefined` when
 * no such set can be derived (then the condition cannot be prefiltered).
 */
function conditionNeedles(condition: Condition): string[] | undefined {
  if ('all' in condition) {
    // Every conjunct holds, so the needles of any one of them suffice: take the smallest set found.
    let best: string[] | undefined;
    for (const part of condition.all) {
      const needles = conditionNeedles(part);
      if (needles !== undefined && (best === undefined || needles.length < best.length)) best = needles;
    }
    return best;
  }
  if ('any' in condition) {
    const union: string[] = [];
    for (const part of condition.any) {
      const needles = conditionNeedles(part);
      if (needles === undefined) return undefined;
      union.push(...needles);
    }
    return union;
  }
  if ('not' in condition) return undefined;
  if ('ignoreCase' in condition && condition.ignoreCase === true) return undefined;
  // Only string operands: loose equality lets `equals: 0` match `"0"` but also `0.0`, and booleans are short.
  let candidates: readonly unknown[] | undefined;
  if ('equals' in condition) candidates = [condition.equals];
  else if ('in' in condition) candidates = condition.in;
  else if ('prefix' in condition) candidates = [condition.prefix];
  else if ('suffix' in condition) candidates = [condition.suffix];
  else if ('contains' in condition) candidates = [condition.contains];
  if (candidates === undefined) return undefined;
  const needles: string[] = [];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string' || !SAFE_NEEDLE.test(candidate)) return undefined;
    needles.push(candidate);
  }
  return needles;
}

/** The needles of one rule: its eventNames, else its eventSources, else those of its conditions. */
function ruleNeedles(rule: Rule): string[] | undefined {
  const { eventName, eventSource, where } = rule.match;
  for (const filter of [eventName, eventSource]) {
    if (filter === undefined) continue;
    const values = typeof filter === 'string' ? [filter] : [...filter];
    if (values.every((v) => SAFE_NEEDLE.test(v))) return values;
  }
  return where === undefined ? undefined : conditionNeedles(where);
}

/**
 * A conservative raw-text prefilter: `(text) => boolean`, true when the record whose JSON text this is might
 * match an enabled rule, false only when no enabled rule can match it.
 *
 * Each rule contributes strings its matching records must contain (its eventNames, its eventSources, or strings
 * its conditions require, such as `Root` or `AccessDenied`); a rule that yields none (the region allow-list, a
 * rule of only `not` and regex conditions) makes the prefilter pass everything. Text holding a `\u` escape of a
 * letter, digit or `.-_:` passes too, since it might spell a needle.
 */
export function rulesPrefilter(rules: readonly Rule[], config: RulesConfig = {}): (text: string) => boolean {
  const needles = new Set<string>();
  for (const rule of effectiveRules(rules, config)) {
    const ruleNeedleList = ruleNeedles(rule);
    if (ruleNeedleList === undefined || ruleNeedleList.length === 0) return () => true;
    for (const needle of ruleNeedleList) needles.add(needle);
  }
  if (needles.size === 0) return () => false;
  // One regular expression over all needles and the escape test: a single scan of the text, about twice as fast
  // as a substring search per needle on 2.5 KB records. Needles are SAFE_NEEDLE characters: only `.` is special.
  const pattern = new RegExp(
    [...[...needles].map((needle) => needle.replace(/\./g, '\\.')), ESCAPED_NEEDLE_CHARACTER.source].join('|'),
  );
  return (text) => pattern.test(text);
}
