/**
 * The rule set the processor runs: the built-in rules plus the user rules file bundled with the function
 * (validated at synth time, and again here so a hand-edited bundle fails at cold start, not silently).
 */
import { readFileSync } from 'node:fs';
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from '../core/rules/builtin';
import type { Rule, RulesConfig } from '../core/rules/types';
import { validateRulesFile } from '../core/rules/validate';

/** Raised when the bundled rules file cannot be read or is invalid. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError';
}

/**
 * Loads the rule set: built-in rules, plus the rules and configuration of `file` when given.
 * @throws RulesFileError naming the file and every problem
 */
export function loadRuleSet(file: string | undefined): { rules: Rule[]; config: RulesConfig } {
  if (file === undefined || file === '') return { rules: [...BUILT_IN_RULES], config: {} };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new RulesFileError(`rules file ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const result = validateRulesFile(value, BUILT_IN_RULE_IDS);
  if (!result.ok) throw new RulesFileError(`rules file ${file}:\n  ${result.errors.join('\n  ')}`);
  return { rules: [...BUILT_IN_RULES, ...result.rules], config: result.config };
}
