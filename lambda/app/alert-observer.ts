/**
 * The compliance alerts inside the processor: an observer of the handler that evaluates the rules on every record
 * of each log object and, once the object's events are stored, delivers its alerts exactly once. A delivery
 * failure throws from `onObjectEnd`, which fails the object (before its file-ledger entry), so it is retried.
 */
import type { Alert } from '../core/alerts/alert';
import { RuleEngine, type PerObjectBurst } from '../core/rules/engine';
import { rulesPrefilter } from '../core/rules/rule-set';
import type { Rule, RulesConfig } from '../core/rules/types';
import type { CloudTrailRecord } from '../core/types';
import { deliverAlerts, type DeliveryDeps } from './alert-delivery';
import { METRIC } from './metric-names';
import type { AlertCoverage, BurstCounter, EventObserver, Logger, LogObjectRef } from './ports';

/** Properties of {@link AlertObserver}. */
export interface AlertObserverProps {
  /** Built-in and user rules, validated. */
  readonly rules: readonly Rule[];
  readonly config: RulesConfig;
  readonly delivery: DeliveryDeps;
  /**
   * Counts burst windows across log files, so that a burst split over two files still alerts.
   * @default bursts counted per file only
   */
  readonly burstCounter?: BurstCounter;
  /**
   * Which events per-object alerts (root activity, a region not allowed) already reported, so the same calls read
   * from Event history and then from their log file alert once.
   * @default every object's alert is sent (the ledger still sends each once per object and window)
   */
  readonly coverage?: AlertCoverage;
  /** The event table, for the alerts' "table item" link. @default no link */
  readonly table?: { readonly name: string; readonly region: string };
  readonly logger?: Pick<Logger, 'info'>;
  readonly metrics?: { addMetric(name: string, unit: 'Count', value: number): unknown };
  /** @default the system clock (suppression expiry) */
  readonly now?: () => Date;
}

/**
 * Objects whose processing failed before `onObjectEnd` leave their state behind; at most this many are kept, the
 * oldest dropped first. (A retry of such an object in the same environment re-evaluates it from the start, and the
 * engine's per-event de-duplication makes the leftover state harmless.)
 */
const MAX_OPEN_OBJECTS = 32;

interface ObjectState {
  readonly engine: RuleEngine;
  readonly alerts: Alert[];
}

/** Evaluates the rules per log object and delivers the object's alerts when it ends. */
export class AlertObserver implements EventObserver {
  /**
   * The rules' raw-text prefilter: a record whose text fails both this and the selection prefilter need not be
   * parsed (see docs/processing.md, "Decoding log objects").
   */
  readonly mayMatch: (text: string) => boolean;
  private readonly objects = new Map<string, ObjectState>();

  constructor(private readonly props: AlertObserverProps) {
    this.mayMatch = rulesPrefilter(props.rules, props.config);
  }

  /** Its ledger and channels: the integrity alerts are delivered through the same ones. */
  get delivery(): DeliveryDeps {
    return this.props.delivery;
  }

  onRecord(record: CloudTrailRecord, object: LogObjectRef): void {
    const state = this.stateOf(object);
    state.alerts.push(...state.engine.onRecord(record));
  }

  async onObjectEnd(object: LogObjectRef): Promise<void> {
    const key = object.objectId;
    const state = this.objects.get(key);
    this.objects.delete(key);
    if (state === undefined) return;
    const bursts = state.engine.flushBursts();
    const reported = await this.reportedElsewhere(bursts.perObject);
    const alerts = [...state.alerts, ...bursts.alerts.filter((alert) => !reported.has(alert))];
    if (this.props.burstCounter !== undefined) {
      for (const partial of bursts.partials) {
        const total = await this.props.burstCounter.add(partial);
        if (total >= partial.threshold) alerts.push({ ...partial.alert, count: total });
      }
    }
    const { suppressed } = state.engine.counts;
    if (alerts.length === 0 && suppressed === 0 && reported.size === 0) return;
    const counts = alerts.length === 0 ? { sent: 0, alreadySent: 0, inFlight: 0 } : await deliverAlerts(alerts, this.props.delivery);
    // Recorded once delivered: a delivery that failed is retried with the object, and checks again.
    for (const { alert, eventIds } of bursts.perObject) {
      if (!reported.has(alert)) await this.props.coverage?.recordReported(alert, eventIds);
    }
    this.props.metrics?.addMetric(METRIC.AlertsSent, 'Count', counts.sent);
    this.props.metrics?.addMetric(METRIC.AlertsSuppressed, 'Count', suppressed);
    this.props.logger?.info('alerts delivered', {
      objectId: object.objectId,
      ...counts,
      suppressed,
      ...(reported.size === 0 ? {} : { reportedElsewhere: reported.size }),
      // Identifiers only, and not unboundedly many of them.
      alerts: alerts.slice(0, 20).map((a) => `${a.rule}:${a.eventID}`),
    });
  }

  /** The per-object alerts all of whose events another alert of the rule already reported: not sent again. */
  private async reportedElsewhere(perObject: readonly PerObjectBurst[]): Promise<Set<Alert>> {
    const reported = new Set<Alert>();
    const coverage = this.props.coverage;
    if (coverage === undefined) return reported;
    for (const { alert, eventIds } of perObject) {
      const elsewhere = await coverage.reportedElsewhere(alert, eventIds);
      if (eventIds.every((eventId) => elsewhere.has(eventId))) reported.add(alert);
    }
    return reported;
  }

  private stateOf(object: LogObjectRef): ObjectState {
    const key = object.objectId;
    let state = this.objects.get(key);
    if (state === undefined) {
      if (this.objects.size >= MAX_OPEN_OBJECTS) {
        const oldest = this.objects.keys().next().value;
        if (oldest !== undefined) this.objects.delete(oldest);
      }
      state = {
        engine: new RuleEngine(this.props.rules, this.props.config, {
          ...(this.props.now !== undefined ? { now: this.props.now } : {}),
          ...(this.props.table !== undefined ? { table: this.props.table } : {}),
          // Single-call rules (root activity) alert per file: a later file's calls in the same window must not
          // fall on a ledger entry already sent.
          logObject: object.objectId,
        }),
        alerts: [],
      };
      this.objects.set(key, state);
    }
    return state;
  }
}
