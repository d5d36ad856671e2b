/**
 * The rules engine: every record of a file (or a CLI run) in, alerts out — per-event alerts as records arrive,
 * burst alerts when the caller flushes. Pure: no I/O, no clock unless given one (suppression expiry).
 */
import { burstAlertKey, eventAlertKey, eventHistoryUrl, tableItemUrl } from '../alerts/alert';
import type { Alert } from '../alerts/alert';
import { resolvePrincipal } from '../principal';
import { extractResources } from '../resources';
import { selectRecord } from '../select';
import type { CloudTrailRecord, Principal, Resource } from '../types';
import { compileCondition, compileMatch, getPath } from './match';
import type { Predicate } from './match';
import { effectiveRules } from './rule-set';
import type { Rule, RulesConfig, Suppression } from './types';

/** Options of {@link RuleEngine}. */
export interface RuleEngineOptions {
  /**
   * The clock suppressions expire by.
   * @default the system clock
   */
  readonly now?: () => Date;
  /**
   * The event table, for the "table item" link of alerts on events trail-audit stores.
   * @default no table link
   */
  readonly table?: { readonly name: string; readonly region: string };
  /**
   * The one log object this engine evaluates (the processor creates an engine per object), e.g. `s3://bucket/key`.
   * Set, a burst rule whose threshold is a single call (root user activity, a call in a region not allowed) alerts
   * once per (principal, window) *per object*, with that object's count: the exactly-once ledger then holds one
   * alert per file, so calls in a later file of the same window are reported too, while one file's many calls
   * (a console session) still give one alert. Rules with a higher threshold keep one alert per window (their
   * count spans files through the burst counter).
   * @default one alert per (rule, principal, window), whatever the object (the CLI evaluates a whole run at once)
   */
  readonly logObject?: string;
}

/**
 * A burst window that stayed below its threshold in one file: its distinct eventIDs, and the alert to send (with
 * the total count) should the window reach the threshold once other files' events are added.
 */
export interface PartialBurst {
  readonly alert: Alert;
  readonly threshold: number;
  readonly eventIds: readonly string[];
}

/**
 * A burst alert of a single-call rule sent per log object (see {@link RuleEngineOptions.logObject}), with the
 * events it reports: the caller can tell whether another object's alert already reported all of them (the same calls
 * read from Event history and, later, from their log file).
 */
export interface PerObjectBurst {
  readonly alert: Alert;
  readonly eventIds: readonly string[];
}

/** What the engine did, for logs and metrics. */
export interface RuleEngineCounts {
  /** Records evaluated. */
  records: number;
  /** Alerts produced (after suppression). */
  alerts: number;
  /** Findings silenced by a suppression. */
  suppressed: number;
}

interface CompiledRule {
  readonly rule: Rule;
  readonly matches: (record: CloudTrailRecord) => boolean;
  readonly notes: readonly { readonly when: Predicate; readonly text: string }[];
  readonly resourcePaths: readonly string[];
}

interface BurstState {
  readonly compiled: CompiledRule;
  readonly windowStart: number;
  readonly eventIds: Set<string>;
  readonly eventNames: Set<string>;
  first: CloudTrailRecord;
  firstPrincipal: Principal;
}

const MAX_EVENT_NAMES = 10;

/** A glob (`*`, `?`) as an anchored regular expression. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The instant a suppression stops applying. A date without a time (`2026-12-31`) covers that whole day (UTC):
 * "expires 2026-12-31" is read by people as "through the 31st".
 */
function expiryOf(suppression: Suppression): number {
  const parsed = Date.parse(suppression.expires);
  return /^\d{4}-\d{2}-\d{2}$/.test(suppression.expires) ? parsed + 24 * 60 * 60 * 1000 : parsed;
}

/**
 * Evaluates rules on records. Create one per log file in the Lambda (state is per file; the exactly-once ledger
 * de-duplicates across files and retries) and one per run in the CLI.
 *
 * - {@link onRecord} returns the per-event alerts of a record at once; each (rule, eventID) fires once per engine,
 *   however often the file repeats the event.
 * - Burst rules (`threshold`) count distinct matching eventIDs per principal in epoch-aligned windows;
 *   {@link flush} returns one alert per (rule, principal, window) that reached the threshold, with the count.
 *   A burst spread over two files is counted per file (see the limits in docs/alerts.md); with
 *   {@link RuleEngineOptions.logObject}, a single-call rule alerts once per (rule, principal, window, object).
 * - Suppressions are applied before an alert is returned; expired ones are ignored.
 */
export class RuleEngine {
  /** Counters since the engine was created. */
  readonly counts: RuleEngineCounts = { records: 0, alerts: 0, suppressed: 0 };

  private readonly compiled: readonly CompiledRule[];
  private readonly suppressions: readonly {
    readonly rule: string;
    readonly principal?: RegExp;
    readonly resource?: RegExp;
    readonly expiresAt: number;
  }[];
  private readonly now: () => Date;
  private readonly table: RuleEngineOptions['table'];
  private readonly logObject: string | undefined;
  private readonly fired = new Set<string>();
  private readonly bursts = new Map<string, BurstState>();

  /**
   * @param rules the rules before configuration (usually `[...BUILT_IN_RULES, ...userRules]`), already validated
   * @param config the configuration to apply (disabled, severity, suppressions, allowedRegions, accessDeniedBurst)
   */
  constructor(rules: readonly Rule[], config: RulesConfig = {}, options: RuleEngineOptions = {}) {
    this.compiled = effectiveRules(rules, config).map((rule) => ({
      rule,
      matches: compileMatch(rule),
      notes: (rule.notes ?? []).map((note) => ({ when: compileCondition(note.when), text: note.text })),
      resourcePaths: rule.resource === undefined ? [] : typeof rule.resource === 'string' ? [rule.resource] : rule.resource,
    }));
    this.suppressions = (config.suppressions ?? []).map((s) => ({
      rule: s.rule,
      ...(s.principal !== undefined ? { principal: globToRegExp(s.principal) } : {}),
      ...(s.resource !== undefined ? { resource: globToRegExp(s.resource) } : {}),
      expiresAt: expiryOf(s),
    }));
    this.now = options.now ?? (() => new Date());
    this.table = options.table;
    this.logObject = options.logObject;
  }

  /** The rules in effect, after configuration. */
  get rules(): readonly Rule[] {
    return this.compiled.map((c) => c.rule);
  }

  /** Evaluates one record: returns its per-event alerts, and counts it towards the burst rules it matches. */
  onRecord(record: CloudTrailRecord): Alert[] {
    this.counts.records += 1;
    const alerts: Alert[] = [];
    let principal: Principal | undefined;
    for (const compiled of this.compiled) {
      if (!compiled.matches(record)) continue;
      principal ??= resolvePrincipal(record);
      const threshold = compiled.rule.threshold;
      if (threshold !== undefined) {
        this.countBurst(compiled, record, principal, threshold.windowMinutes);
        continue;
      }
      const firedKey = `${compiled.rule.id}\u0000${record.eventID}`;
      if (this.fired.has(firedKey)) continue;
      this.fired.add(firedKey);
      const alert = this.buildAlert(compiled, record, principal);
      if (this.isSuppressed(alert)) {
        this.counts.suppressed += 1;
        continue;
      }
      this.counts.alerts += 1;
      alerts.push(alert);
    }
    return alerts;
  }

  /**
   * Returns the burst alerts of every window that reached its rule's threshold, oldest window first, and forgets
   * the windows. Call at the end of a file (Lambda) or a run (CLI).
   */
  flush(): Alert[] {
    return this.flushBursts().alerts;
  }

  /**
   * Like {@link flush}, and also returns the windows that stayed below their threshold in this file, so that the
   * caller can add their events to a count kept across files (a burst often spans two log files: CloudTrail
   * delivers one per region about every five minutes), and, of the alerts, those sent per object with their events
   * ({@link PerObjectBurst}).
   */
  flushBursts(): { alerts: Alert[]; partials: PartialBurst[]; perObject: PerObjectBurst[] } {
    const states = [...this.bursts.values()].sort(
      (a, b) => a.windowStart - b.windowStart || a.compiled.rule.id.localeCompare(b.compiled.rule.id),
    );
    this.bursts.clear();
    const alerts: Alert[] = [];
    const partials: PartialBurst[] = [];
    const perObjectAlerts: PerObjectBurst[] = [];
    for (const state of states) {
      const threshold = state.compiled.rule.threshold;
      if (threshold === undefined) continue;
      const windowMs = threshold.windowMinutes * 60_000;
      const start = new Date(state.windowStart).toISOString();
      const end = new Date(state.windowStart + windowMs).toISOString();
      const base = this.buildAlert(state.compiled, state.first, state.firstPrincipal, true);
      const perObject = threshold.count === 1 ? this.logObject : undefined;
      const alert: Alert = {
        ...base,
        count: state.eventIds.size,
        window: { start, end },
        eventNames: [...state.eventNames],
        ...(perObject === undefined ? {} : { logObject: perObject }),
        key: burstAlertKey(state.compiled.rule.id, state.firstPrincipal.id, start, perObject),
      };
      if (this.isSuppressed(alert)) {
        if (state.eventIds.size >= threshold.count) this.counts.suppressed += 1;
        continue;
      }
      if (state.eventIds.size < threshold.count) {
        partials.push({ alert, threshold: threshold.count, eventIds: [...state.eventIds] });
        continue;
      }
      this.counts.alerts += 1;
      alerts.push(alert);
      if (alert.logObject !== undefined) perObjectAlerts.push({ alert, eventIds: [...state.eventIds] });
    }
    return { alerts, partials, perObject: perObjectAlerts };
  }

  private countBurst(compiled: CompiledRule, record: CloudTrailRecord, principal: Principal, windowMinutes: number): void {
    const time = Date.parse(record.eventTime);
    if (Number.isNaN(time)) return;
    const windowMs = windowMinutes * 60_000;
    const windowStart = Math.floor(time / windowMs) * windowMs;
    const key = `${compiled.rule.id}\u0000${principal.id}\u0000${windowStart}`;
    let state = this.bursts.get(key);
    if (state === undefined) {
      state = {
        compiled,
        windowStart,
        eventIds: new Set(),
        eventNames: new Set(),
        first: record,
        firstPrincipal: principal,
      };
      this.bursts.set(key, state);
    } else if (record.eventTime < state.first.eventTime) {
      state.first = record;
      state.firstPrincipal = principal;
    }
    state.eventIds.add(record.eventID);
    if (state.eventNames.size < MAX_EVENT_NAMES) state.eventNames.add(record.eventName);
  }

  /**
   * Builds the alert of a rule on a record. For a burst (`burst`), the record is the window's first and its
   * resources are left out: the alert is about the principal's calls, not that one call's resources.
   */
  private buildAlert(compiled: CompiledRule, record: CloudTrailRecord, principal: Principal, burst = false): Alert {
    const { rule } = compiled;
    const selection = selectRecord(record);
    const resources: Resource[] =
      selection.keep && !burst ? extractResources(record, selection.service).resources : [];
    const target = targetOf(resources, compiled.resourcePaths, record, rule, principal);
    const notes = compiled.notes.filter((n) => n.when(record)).map((n) => n.text);
    const stored = selection.keep && this.table !== undefined;
    return {
      rule: rule.id,
      severity: rule.severity,
      title: rule.title,
      eventID: record.eventID,
      eventName: record.eventName,
      eventSource: record.eventSource,
      eventTime: record.eventTime,
      principal: principal.id,
      principalType: principal.type,
      ...optional('principalArn', principal.arn),
      ...optional('sessionName', principal.sessionName),
      ...optional('accessKeyId', principal.accessKeyId),
      ...optional('sourceIPAddress', record.sourceIPAddress),
      ...optional('userAgent', record.userAgent),
      ...optional('errorCode', record.errorCode),
      accountId: record.recipientAccountId ?? record.userIdentity?.accountId ?? principal.accountId ?? 'unknown',
      awsRegion: record.awsRegion,
      resources,
      ...optional('target', target),
      description: rule.description,
      remediation: rule.remediation,
      references: rule.references ?? [],
      notes,
      links: {
        eventHistory: eventHistoryUrl(record.awsRegion, record.eventID),
        ...(stored && this.table !== undefined
          ? { tableItem: tableItemUrl(this.table.region, this.table.name, record.eventID) }
          : {}),
      },
      key: eventAlertKey(rule.id, record.eventID),
    };
  }

  private isSuppressed(alert: Alert): boolean {
    const now = this.now().getTime();
    return this.suppressions.some(
      (s) =>
        s.rule === alert.rule &&
        now < s.expiresAt &&
        (s.principal === undefined || s.principal.test(alert.principal) || (alert.principalArn !== undefined && s.principal.test(alert.principalArn))) &&
        (s.resource === undefined || resourceIdentifiers(alert).some((id) => s.resource?.test(id) === true)),
    );
  }
}

/** Every identifier a resource suppression may match: resources' ARNs, names and ids, and the alert's target. */
function resourceIdentifiers(alert: Alert): string[] {
  const ids = alert.resources.flatMap((r) => [r.arn, r.name, r.id].filter((v): v is string => v !== undefined));
  if (alert.target !== undefined) ids.push(alert.target);
  return ids;
}

/**
 * The short name the subject line names: the first extracted resource's name (or ARN); else the first present
 * value of the rule's `resource` paths; else, for a principal-grouped burst, the principal.
 */
function targetOf(
  resources: readonly Resource[],
  paths: readonly string[],
  record: CloudTrailRecord,
  rule: Rule,
  principal: Principal,
): string | undefined {
  const first = resources[0];
  if (first !== undefined) return first.name ?? first.arn;
  for (const path of paths) {
    const value = getPath(record, path);
    if (typeof value === 'string' && value !== '') return value;
  }
  if (rule.threshold !== undefined) return principal.name ?? principal.id;
  return undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}
