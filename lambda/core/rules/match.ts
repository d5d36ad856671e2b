/**
 * Rule matching: turns a rule's declarative match into a predicate over a CloudTrail record, once per rule set,
 * so that regular expressions are compiled once and evaluation per record is a few property reads.
 */
import type { CloudTrailRecord } from '../types';
import type { Condition, Rule, Scalar } from './types';

/** A compiled condition: true when it holds on `root` (the record, or an array element for `some`/`every`). */
export type Predicate = (root: unknown) => boolean;

/**
 * Reads a dotted path (`requestParameters.listeners.0.protocol`) from a value.
 *
 * A numeric segment indexes an array; any other segment reads an own property of an object. A missing step gives
 * `undefined` rather than an error: records vary, and "absent" is something rules test for.
 */
export function getPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null) {
      current = Object.prototype.hasOwnProperty.call(current, segment)
        ? (current as Record<string, unknown>)[segment]
        : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/** The text a scalar compares by: strings as they are, booleans and finite numbers by their canonical text. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Loose scalar equality: same JSON value, or a string equal to the other's canonical text. */
function scalarEquals(actual: unknown, expected: Scalar, ignoreCase: boolean): boolean {
  if (expected === null) return actual === null;
  const a = scalarText(actual);
  const e = scalarText(expected);
  if (a === undefined || e === undefined) return false;
  return ignoreCase ? a.toLowerCase() === e.toLowerCase() : a === e;
}

/** A number from a number or a numeric string; `undefined` otherwise. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** A string operator (`prefix`, `suffix`, `contains`) applied to a string value, optionally ignoring case. */
function stringTest(test: (value: string, needle: string) => boolean, needle: string, ignoreCase: boolean) {
  const n = ignoreCase ? needle.toLowerCase() : needle;
  return (value: unknown): boolean =>
    typeof value === 'string' && test(ignoreCase ? value.toLowerCase() : value, n);
}

/** Raised when a condition cannot be compiled (an unknown operator, a bad regular expression). */
export class RuleCompileError extends Error {
  override readonly name = 'RuleCompileError';
}

/**
 * Compiles a condition into a predicate.
 * @throws RuleCompileError on a malformed condition; {@link validateRules} reports the same problems as messages,
 *   so a validated rule set never throws here.
 */
export function compileCondition(condition: Condition): Predicate {
  if ('all' in condition) {
    const parts = condition.all.map(compileCondition);
    return (root) => parts.every((p) => p(root));
  }
  if ('any' in condition) {
    const parts = condition.any.map(compileCondition);
    return (root) => parts.some((p) => p(root));
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    return (root) => !inner(root);
  }
  const { path } = condition;
  const at = (test: (value: unknown) => boolean): Predicate => (root) => test(getPath(root, path));
  const ignoreCase = 'ignoreCase' in condition && condition.ignoreCase === true;
  if ('equals' in condition) return at((v) => scalarEquals(v, condition.equals, ignoreCase));
  if ('in' in condition) {
    const options = condition.in;
    return at((v) => options.some((o) => scalarEquals(v, o, ignoreCase)));
  }
  if ('prefix' in condition) return at(stringTest((v, n) => v.startsWith(n), condition.prefix, ignoreCase));
  if ('suffix' in condition) return at(stringTest((v, n) => v.endsWith(n), condition.suffix, ignoreCase));
  if ('contains' in condition) return at(stringTest((v, n) => v.includes(n), condition.contains, ignoreCase));
  if ('regex' in condition) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(condition.regex, ignoreCase ? 'i' : '');
    } catch (error) {
      throw new RuleCompileError(`invalid regex ${JSON.stringify(condition.regex)} at ${path}: ${String(error)}`);
    }
    return at((v) => typeof v === 'string' && pattern.test(v));
  }
  if ('exists' in condition) {
    const wanted = condition.exists;
    return at((v) => (v !== undefined && v !== null) === wanted);
  }
  if ('gt' in condition) return numericAt(path, (n) => n > condition.gt);
  if ('gte' in condition) return numericAt(path, (n) => n >= condition.gte);
  if ('lt' in condition) return numericAt(path, (n) => n < condition.lt);
  if ('lte' in condition) return numericAt(path, (n) => n <= condition.lte);
  if ('some' in condition) {
    const inner = compileCondition(condition.some);
    return at((v) => Array.isArray(v) && v.some((element) => inner(element)));
  }
  if ('every' in condition) {
    const inner = compileCondition(condition.every);
    // An absent or empty array has no element that breaks the condition, but "every listener is HTTPS" on a call
    // that names no listener says nothing: require at least one element.
    return at((v) => Array.isArray(v) && v.length > 0 && v.every((element) => inner(element)));
  }
  throw new RuleCompileError(`unknown operator in condition at ${String(path)}: ${JSON.stringify(condition)}`);
}

function numericAt(path: string, test: (n: number) => boolean): Predicate {
  return (root) => {
    const n = numeric(getPath(root, path));
    return n !== undefined && test(n);
  };
}

/** Whether a value equals one of a string-or-list filter; an absent filter admits everything. */
function admits(filter: string | readonly string[] | undefined, value: string): boolean {
  if (filter === undefined) return true;
  return typeof filter === 'string' ? filter === value : filter.includes(value);
}

/**
 * Compiles a rule's match into a predicate over a record: `eventSource`, `eventName` and `outcome` first (cheap
 * string compares that reject almost every record), then the conditions.
 */
export function compileMatch(rule: Rule): (record: CloudTrailRecord) => boolean {
  const { eventSource, eventName, outcome = 'any', where } = rule.match;
  const conditions = where === undefined ? undefined : compileCondition(where);
  return (record) => {
    if (!admits(eventSource, record.eventSource) || !admits(eventName, record.eventName)) return false;
    const failed = typeof record.errorCode === 'string' && record.errorCode !== '';
    if (outcome === 'success' && failed) return false;
    if (outcome === 'failure' && !failed) return false;
    return conditions === undefined || conditions(record);
  };
}
