/**
 * The rule model: compliance rules as data (JSON-serialisable), so that built-in rules, user rules files and the
 * CLI's `--rules` all speak the same language and a rules file can be validated before it is deployed.
 *
 * A rule matches one CloudTrail record by `eventSource`, `eventName`, the call's outcome and a tree of
 * conditions on dotted paths into the record; a rule with a `threshold` fires once per principal per window when
 * enough records match (a burst).
 */

/** How urgent a finding is, lowest first; Security Hub's own labels. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/** A JSON scalar a condition compares with. */
export type Scalar = string | number | boolean | null;

/**
 * A condition on the record. Leaf conditions name a dotted `path` into the record (`requestParameters.protocol`,
 * `userIdentity.type`, `requestParameters.listeners.0.protocol`) and one operator; `all`, `any` and `not` combine
 * conditions; `some` and `every` apply a condition (whose paths are relative to the element) to the elements of an
 * array.
 *
 * Comparison is deliberately forgiving about CloudTrail's types, which vary between services and API versions
 * (`"false"` in ELBv2 attributes, `false` in Classic ELB attributes): `equals` and `in` match a string against a
 * boolean or number by its canonical text, and the numeric operators accept numeric strings.
 */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | { readonly path: string; readonly equals: Scalar; readonly ignoreCase?: boolean }
  | { readonly path: string; readonly in: readonly Scalar[]; readonly ignoreCase?: boolean }
  | { readonly path: string; readonly prefix: string; readonly ignoreCase?: boolean }
  | { readonly path: string; readonly suffix: string; readonly ignoreCase?: boolean }
  | { readonly path: string; readonly contains: string; readonly ignoreCase?: boolean }
  | { readonly path: string; readonly regex: string; readonly ignoreCase?: boolean }
  | { readonly path: string; readonly exists: boolean }
  | { readonly path: string; readonly gt: number }
  | { readonly path: string; readonly gte: number }
  | { readonly path: string; readonly lt: number }
  | { readonly path: string; readonly lte: number }
  | { readonly path: string; readonly some: Condition }
  | { readonly path: string; readonly every: Condition };

/** The names of the leaf operators, as a rules file spells them. */
export const LEAF_OPERATORS = [
  'equals',
  'in',
  'prefix',
  'suffix',
  'contains',
  'regex',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'some',
  'every',
] as const;

/** Which calls a rule looks at: successful ones (no `errorCode`), failed ones, or both. */
export type Outcome = 'success' | 'failure' | 'any';

/** The declarative match of a rule: every given part must hold. */
export interface RuleMatch {
  /** `eventSource`, exactly (e.g. `elasticloadbalancing.amazonaws.com`); one or a list. @default any */
  readonly eventSource?: string | readonly string[];
  /** `eventName`, exactly; one or a list. @default any */
  readonly eventName?: string | readonly string[];
  /**
   * Whether the call must have succeeded (no `errorCode`) or failed. Most "something changed" rules want
   * `success`: a denied DeleteLoadBalancer changed nothing.
   * @default 'any'
   */
  readonly outcome?: Outcome;
  /** Further conditions on the record. @default none */
  readonly where?: Condition;
}

/**
 * A burst: the rule fires once per principal per window of `windowMinutes` when at least `count` matching
 * records fall in it. Windows are aligned to the epoch (a 5-minute window starts at :00, :05, ...), so every
 * evaluation of the same records agrees on the window, which is what makes the alert exactly-once.
 */
export interface Threshold {
  readonly count: number;
  readonly windowMinutes: number;
  readonly groupBy: 'principal';
}

/** A sentence added to an alert when its condition holds on the record (e.g. "forceDelete was set"). */
export interface RuleNote {
  readonly when: Condition;
  readonly text: string;
}

/** A compliance rule. */
export interface Rule {
  /** Stable identifier, `service.what-happened` (e.g. `elbv2.deletion-protection-disabled`). */
  readonly id: string;
  /** One line, used in the alert subject. */
  readonly title: string;
  readonly severity: Severity;
  readonly match: RuleMatch;
  /** Why it matters. */
  readonly description: string;
  /** What to do. */
  readonly remediation: string;
  /** CIS AWS Foundations Benchmark and Security Hub control ids, documentation URLs. */
  readonly references?: readonly string[];
  /**
   * Dotted path(s) of the value named in the alert subject when the resource extractor names none (the first
   * present wins), e.g. `requestParameters.name` for a trail.
   */
  readonly resource?: string | readonly string[];
  /** Burst rule: fire once per principal per window. @default fire on every matching record */
  readonly threshold?: Threshold;
  /** Sentences added to the alert when they apply. */
  readonly notes?: readonly RuleNote[];
}

/** A suppression: a known, accepted finding, silenced until it expires. */
export interface Suppression {
  /** The rule id it silences. */
  readonly rule: string;
  /** Glob (`*` any run of characters, `?` one) over the principal id (an ARN). @default any principal */
  readonly principal?: string;
  /** Glob over the alert's resources (ARN or name; one match suffices). @default any resource */
  readonly resource?: string;
  /** ISO-8601 date or date-time after which the suppression no longer applies. */
  readonly expires: string;
  /** Why the finding is accepted: kept for the reviewer. */
  readonly reason: string;
}

/** The configuration of the rule set: what to switch off, re-grade or silence, and the rules' parameters. */
export interface RulesConfig {
  /** Rule ids (built-in or user) not evaluated at all. */
  readonly disabled?: readonly string[];
  /** A new severity per rule id. */
  readonly severity?: Readonly<Record<string, Severity>>;
  readonly suppressions?: readonly Suppression[];
  /** Regions where calls are expected; when set, `account.region-not-allowed` fires outside them. */
  readonly allowedRegions?: readonly string[];
  /** Parameters of `account.access-denied-burst`. @default 10 in 5 minutes */
  readonly accessDeniedBurst?: { readonly threshold: number; readonly windowMinutes: number };
}
