import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILT_IN_RULE_IDS } from '../lambda/core/rules/builtin';
import { validateRulesFile } from '../lambda/core/rules/validate';

/** A user rules file that passed validation at synth time. */
export interface ValidatedRulesFile {
  /** Absolute path of the file. */
  readonly path: string;
  /** How many rules it defines (besides disabling, re-grading or suppressing built-in ones). */
  readonly ruleCount: number;
}

/**
 * Reads and validates a user rules file (its rules and its configuration: `disabled`, `severity`, `suppressions`,
 * ...) at synth time, with the validator the function runs again at cold start, so that a bad rule fails
 * `cdk synth` naming the rule and the problem, instead of failing — or silently never firing — once deployed.
 *
 * @param file the path, absolute or relative to `baseDir`
 * @param baseDir where a relative path is resolved from (the project root, where `cdk synth` runs)
 * @throws Error naming the file and listing every problem found
 */
export function loadUserRulesFile(file: string, baseDir: string): ValidatedRulesFile {
  const absolute = path.resolve(baseDir, file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new Error(`rules file ${absolute}: cannot be read`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`rules file ${absolute}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const result = validateRulesFile(value, BUILT_IN_RULE_IDS);
  if (!result.ok) {
    throw new Error(`rules file ${absolute}: ${result.errors.length} problem(s):\n  - ${result.errors.join('\n  - ')}`);
  }
  return { path: absolute, ruleCount: result.rules.length };
}

/** Where a validated user rules file sits in a deployed function (`LAMBDA_TASK_ROOT` of a zip function). */
export const DEPLOYED_RULES_FILE = '/var/task/user-rules.json';

/**
 * The files a function that reads the user rules deploys beside its bundle (see `extraFiles` in
 * `lib/constructs/lambda-defaults.ts`): the validated rules file, so that its asset hash covers it and what synth
 * checked is what runs. The function reads it from {@link DEPLOYED_RULES_FILE} (`RULES_FILE`).
 */
export function userRulesFiles(userRules: ValidatedRulesFile): Readonly<Record<string, string>> {
  return { 'user-rules.json': userRules.path };
}
