/**
 * Validation of rules files and rules configuration: untrusted JSON in, typed rules or a list of problems out.
 *
 * The CDK construct calls {@link validateRules} at synth time on the user's rules file, so a bad rule fails
 * `cdk synth` naming the rule and the problem instead of failing (or silently never firing) in the Lambda.
 */
import { LEAF_OPERATORS, SEVERITIES } from './types';
import type { Rule, RulesConfig, Severity } from './types';

const RULE_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const RULE_KEYS = new Set([
  'id',
  'title',
  'severity',
  'match',
  'description',
  'remediation',
  'references',
  'resource',
  'threshold',
  'notes',
]);
const MATCH_KEYS = new Set(['eventSource', 'eventName', 'outcome', 'where']);
const COMBINATORS = ['all', 'any', 'not'] as const;
const STRING_OPERATORS = new Set(['prefix', 'suffix', 'contains', 'regex']);
const NUMERIC_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte']);
const MAX_CONDITION_DEPTH = 16;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isScalar(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** Whether a value is one of {@link SEVERITIES}. */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

function isPath(value: unknown): value is string {
  return typeof value === 'string' && /^[^.\s]+(\.[^.\s]+)*$/.test(value);
}

/** Collects the problems of one condition; `where` says where it sits, for the message. */
function checkCondition(value: unknown, where: string, errors: string[], depth = 0): void {
  if (depth > MAX_CONDITION_DEPTH) {
    errors.push(`${where}: conditions nested deeper than ${MAX_CONDITION_DEPTH}`);
    return;
  }
  if (!isObject(value)) {
    errors.push(`${where}: a condition must be an object`);
    return;
  }
  const keys = Object.keys(value);
  const combinator = COMBINATORS.find((c) => c in value);
  if (combinator !== undefined) {
    if (keys.length !== 1) {
      errors.push(`${where}: "${combinator}" must be the only key of its condition (found ${keys.join(', ')})`);
      return;
    }
    const inner = value[combinator];
    if (combinator === 'not') {
      checkCondition(inner, `${where}.not`, errors, depth + 1);
    } else if (!Array.isArray(inner) || inner.length === 0) {
      errors.push(`${where}.${combinator}: must be a non-empty array of conditions`);
    } else {
      inner.forEach((c, i) => checkCondition(c, `${where}.${combinator}[${i}]`, errors, depth + 1));
    }
    return;
  }
  if (!isPath(value.path)) {
    errors.push(`${where}: "path" must be a dotted path such as "requestParameters.protocol"`);
  }
  const operators = keys.filter((k) => k !== 'path' && k !== 'ignoreCase');
  const unknown = operators.filter((k) => !(LEAF_OPERATORS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    errors.push(`${where}: unknown operator ${unknown.map((k) => `"${k}"`).join(', ')}`);
    return;
  }
  if (operators.length !== 1) {
    errors.push(`${where}: exactly one operator is needed (found ${operators.length === 0 ? 'none' : operators.join(', ')})`);
    return;
  }
  const operator = operators[0] as string;
  const operand = value[operator];
  if ('ignoreCase' in value) {
    if (typeof value.ignoreCase !== 'boolean') errors.push(`${where}.ignoreCase: must be true or false`);
    if (!STRING_OPERATORS.has(operator) && operator !== 'equals' && operator !== 'in') {
      errors.push(`${where}.ignoreCase: only applies to equals, in, prefix, suffix, contains and regex`);
    }
  }
  if (operator === 'equals') {
    if (!isScalar(operand)) errors.push(`${where}.equals: must be a string, number, boolean or null`);
  } else if (operator === 'in') {
    if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) {
      errors.push(`${where}.in: must be a non-empty array of strings, numbers, booleans or null`);
    }
  } else if (STRING_OPERATORS.has(operator)) {
    if (typeof operand !== 'string' || operand === '') {
      errors.push(`${where}.${operator}: must be a non-empty string`);
    } else if (operator === 'regex') {
      try {
        new RegExp(operand);
      } catch (error) {
        errors.push(`${where}.regex: invalid regular expression ${JSON.stringify(operand)} (${(error as Error).message})`);
      }
    }
  } else if (operator === 'exists') {
    if (typeof operand !== 'boolean') errors.push(`${where}.exists: must be true or false`);
  } else if (NUMERIC_OPERATORS.has(operator)) {
    if (typeof operand !== 'number' || !Number.isFinite(operand)) errors.push(`${where}.${operator}: must be a number`);
  } else {
    checkCondition(operand, `${where}.${operator}`, errors, depth + 1);
  }
}

function checkStringOrList(value: unknown, where: string, errors: string[]): void {
  if (value === undefined) return;
  if (isNonEmptyString(value)) return;
  if (Array.isArray(value) && value.length > 0 && value.every(isNonEmptyString)) return;
  errors.push(`${where}: must be a non-empty string or a non-empty array of them`);
}

function checkRule(value: unknown, index: number, errors: string[]): void {
  const name = isObject(value) && isNonEmptyString(value.id) ? `rule "${value.id}"` : `rule #${index}`;
  if (!isObject(value)) {
    errors.push(`${name}: must be an object`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (!RULE_KEYS.has(key)) errors.push(`${name}: unknown field "${key}"`);
  }
  if (typeof value.id !== 'string' || !RULE_ID.test(value.id)) {
    errors.push(`${name}: "id" must match ${RULE_ID.source} (lower case, digits, ".", "_", "-")`);
  }
  for (const field of ['title', 'description', 'remediation'] as const) {
    if (!isNonEmptyString(value[field])) errors.push(`${name}: "${field}" must be a non-empty string`);
  }
  if (!isSeverity(value.severity)) {
    errors.push(`${name}: unknown severity ${JSON.stringify(value.severity)} (one of ${SEVERITIES.join(', ')})`);
  }
  if (value.references !== undefined && (!Array.isArray(value.references) || !value.references.every(isNonEmptyString))) {
    errors.push(`${name}: "references" must be an array of strings`);
  }
  if (
    value.resource !== undefined &&
    !isPath(value.resource) &&
    !(Array.isArray(value.resource) && value.resource.length > 0 && value.resource.every(isPath))
  ) {
    errors.push(`${name}: "resource" must be a dotted path or a non-empty array of them`);
  }
  const match = value.match;
  if (!isObject(match)) {
    errors.push(`${name}: "match" must be an object`);
  } else {
    for (const key of Object.keys(match)) {
      if (!MATCH_KEYS.has(key)) errors.push(`${name}: unknown field "match.${key}"`);
    }
    checkStringOrList(match.eventSource, `${name}: match.eventSource`, errors);
    checkStringOrList(match.eventName, `${name}: match.eventName`, errors);
    if (match.outcome !== undefined && !['success', 'failure', 'any'].includes(match.outcome as string)) {
      errors.push(`${name}: match.outcome must be "success", "failure" or "any"`);
    }
    if (match.where !== undefined) checkCondition(match.where, `${name}: match.where`, errors);
    if (match.eventSource === undefined && match.eventName === undefined && match.where === undefined) {
      errors.push(`${name}: "match" must name an eventSource, an eventName or conditions (it would match every record)`);
    }
  }
  if (value.threshold !== undefined) {
    const t = value.threshold;
    if (
      !isObject(t) ||
      !Number.isInteger(t.count) ||
      (t.count as number) < 1 ||
      !Number.isInteger(t.windowMinutes) ||
      (t.windowMinutes as number) < 1 ||
      (t.windowMinutes as number) > 1440 ||
      t.groupBy !== 'principal'
    ) {
      errors.push(
        `${name}: "threshold" must be { "count": integer >= 1, "windowMinutes": integer 1..1440, "groupBy": "principal" }`,
      );
    }
  }
  if (value.notes !== undefined) {
    if (!Array.isArray(value.notes)) {
      errors.push(`${name}: "notes" must be an array`);
    } else {
      value.notes.forEach((note, i) => {
        if (!isObject(note) || !isNonEmptyString(note.text)) {
          errors.push(`${name}: notes[${i}] must be { "when": condition, "text": string }`);
        } else {
          checkCondition(note.when, `${name}: notes[${i}].when`, errors);
        }
      });
    }
  }
}

/**
 * Validates a rules file's content: an array of rules, or `{ "rules": [...] }`.
 *
 * Reports every problem, each naming the rule (by id, or by index when the id is unusable) and what is wrong:
 * unknown fields and operators, bad regular expressions, unknown severities, duplicate ids, malformed thresholds.
 */
export function validateRules(value: unknown): { ok: true; rules: Rule[] } | { ok: false; errors: string[] } {
  const list = isObject(value) && 'rules' in value ? value.rules : value;
  if (!Array.isArray(list)) {
    return { ok: false, errors: ['rules file: must be an array of rules or an object { "rules": [...] }'] };
  }
  const errors: string[] = [];
  const seen = new Set<string>();
  list.forEach((rule, index) => {
    checkRule(rule, index, errors);
    if (isObject(rule) && typeof rule.id === 'string') {
      if (seen.has(rule.id)) errors.push(`rule "${rule.id}": duplicate id (rule #${index})`);
      seen.add(rule.id);
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  // Every field was checked above: the structure is that of Rule.
  return { ok: true, rules: list as Rule[] };
}

const CONFIG_KEYS = new Set(['disabled', 'severity', 'suppressions', 'allowedRegions', 'accessDeniedBurst']);
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function checkSuppression(value: unknown, index: number, errors: string[]): void {
  const where = `suppressions[${index}]`;
  if (!isObject(value)) {
    errors.push(`${where}: must be an object`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (!['rule', 'principal', 'resource', 'expires', 'reason'].includes(key)) errors.push(`${where}: unknown field "${key}"`);
  }
  if (!isNonEmptyString(value.rule)) errors.push(`${where}: "rule" must be a rule id`);
  if (value.principal !== undefined && !isNonEmptyString(value.principal)) errors.push(`${where}: "principal" must be a glob`);
  if (value.resource !== undefined && !isNonEmptyString(value.resource)) errors.push(`${where}: "resource" must be a glob`);
  if (!isNonEmptyString(value.expires) || !/^\d{4}-\d{2}-\d{2}/.test(value.expires) || Number.isNaN(Date.parse(value.expires))) {
    errors.push(`${where}: "expires" must be an ISO-8601 date such as "2026-12-31"`);
  }
  if (!isNonEmptyString(value.reason)) errors.push(`${where}: "reason" must say why the finding is accepted`);
}

/**
 * Validates the rules configuration (`disabled`, `severity`, `suppressions`, `allowedRegions`,
 * `accessDeniedBurst`). Rule ids are checked against `knownRuleIds` when given, so a typo in `disabled` does not
 * silently leave a rule on.
 */
export function validateRulesConfig(
  value: unknown,
  knownRuleIds?: readonly string[],
): { ok: true; config: RulesConfig } | { ok: false; errors: string[] } {
  if (value === undefined) return { ok: true, config: {} };
  if (!isObject(value)) return { ok: false, errors: ['rules config: must be an object'] };
  const errors: string[] = [];
  const known = knownRuleIds === undefined ? undefined : new Set(knownRuleIds);
  const checkId = (id: string, where: string): void => {
    if (known !== undefined && !known.has(id)) errors.push(`${where}: unknown rule "${id}"`);
  };
  for (const key of Object.keys(value)) {
    if (!CONFIG_KEYS.has(key)) errors.push(`rules config: unknown field "${key}"`);
  }
  if (value.disabled !== undefined) {
    if (!Array.isArray(value.disabled) || !value.disabled.every(isNonEmptyString)) {
      errors.push('disabled: must be an array of rule ids');
    } else {
      value.disabled.forEach((id, i) => checkId(id, `disabled[${i}]`));
    }
  }
  if (value.severity !== undefined) {
    if (!isObject(value.severity)) {
      errors.push('severity: must be an object { "<rule id>": "<severity>" }');
    } else {
      for (const [id, severity] of Object.entries(value.severity)) {
        checkId(id, `severity.${id}`);
        if (!isSeverity(severity)) errors.push(`severity.${id}: unknown severity ${JSON.stringify(severity)}`);
      }
    }
  }
  if (value.suppressions !== undefined) {
    if (!Array.isArray(value.suppressions)) {
      errors.push('suppressions: must be an array');
    } else {
      value.suppressions.forEach((s, i) => {
        checkSuppression(s, i, errors);
        if (isObject(s) && isNonEmptyString(s.rule)) checkId(s.rule, `suppressions[${i}].rule`);
      });
    }
  }
  if (value.allowedRegions !== undefined) {
    if (
      !Array.isArray(value.allowedRegions) ||
      value.allowedRegions.length === 0 ||
      !value.allowedRegions.every((r) => typeof r === 'string' && REGION.test(r))
    ) {
      errors.push('allowedRegions: must be a non-empty array of region names such as "eu-west-1"');
    }
  }
  if (value.accessDeniedBurst !== undefined) {
    const b = value.accessDeniedBurst;
    if (
      !isObject(b) ||
      !Number.isInteger(b.threshold) ||
      (b.threshold as number) < 1 ||
      !Number.isInteger(b.windowMinutes) ||
      (b.windowMinutes as number) < 1 ||
      (b.windowMinutes as number) > 1440
    ) {
      errors.push('accessDeniedBurst: must be { "threshold": integer >= 1, "windowMinutes": integer 1..1440 }');
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: value };
}

/**
 * Validates a rules file: either an array of rules, or an object holding `rules` (optional) beside the
 * configuration fields (`disabled`, `severity`, `suppressions`, `allowedRegions`, `accessDeniedBurst`). Ids in the
 * configuration are checked against `builtInRuleIds` plus the file's own rules.
 */
export function validateRulesFile(
  value: unknown,
  builtInRuleIds: readonly string[],
): { ok: true; rules: Rule[]; config: RulesConfig } | { ok: false; errors: string[] } {
  if (Array.isArray(value)) return validateRulesFile({ rules: value }, builtInRuleIds);
  if (!isObject(value)) {
    return { ok: false, errors: ['rules file: must be an array of rules or an object { "rules": [...], "disabled": [...], ... }'] };
  }
  const { rules: ruleList, ...configPart } = value;
  const rules: ReturnType<typeof validateRules> = ruleList === undefined ? { ok: true, rules: [] } : validateRules(ruleList);
  const errors = rules.ok ? [] : [...rules.errors];
  const userIds = rules.ok ? rules.rules.map((r) => r.id) : [];
  for (const id of userIds) {
    if (builtInRuleIds.includes(id)) errors.push(`rule "${id}": the id of a built-in rule (disable it and choose another id)`);
  }
  const config = validateRulesConfig(configPart, [...builtInRuleIds, ...userIds]);
  if (!config.ok) errors.push(...config.errors);
  if (errors.length > 0 || !rules.ok || !config.ok) return { ok: false, errors };
  return { ok: true, rules: rules.rules, config: config.config };
}
