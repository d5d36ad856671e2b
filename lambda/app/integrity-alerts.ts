/**
 * Integrity alerts: the verification findings of the digest step (a log file missing, altered, never processed or
 * unlisted; a digest missing, invalid or out of chain) turned into {@link Alert}s by the built-in integrity rules and
 * delivered exactly once through the same ledger and channels as the compliance alerts (`alert-delivery.ts`).
 *
 * A delivery failure throws, which fails the digest (or log file) being processed before its ledger entry, so it is
 * retried; the alert ledger makes the retry send only what is missing.
 */
import type { Alert } from '../core/alerts/alert';
import { integrityAlert, integrityRuleFor, type IntegrityProblem } from '../core/alerts/integrity';
import { deliverAlerts, type DeliveryCounts, type DeliveryDeps } from './alert-delivery';
import { METRIC } from './metric-names';
import type { Logger } from './ports';

/** Properties of {@link IntegrityAlerts}. */
export interface IntegrityAlertsProps {
  readonly delivery: DeliveryDeps;
  readonly logger?: Pick<Logger, 'info'>;
  readonly metrics?: { addMetric(name: string, unit: 'Count', value: number): unknown };
}

/** Turns findings into alerts and delivers them. */
export class IntegrityAlerts {
  constructor(private readonly props: IntegrityAlertsProps) {}

  /**
   * Delivers the alerts of the findings that have a rule (a log file whose listing cannot be trusted is covered by
   * its digest's alert), each once per rule and object.
   * @throws AlertDeliveryError or AlertsInFlightError (see `deliverAlerts`)
   */
  async raise(problems: readonly IntegrityProblem[]): Promise<DeliveryCounts> {
    const alerts: Alert[] = [];
    for (const problem of problems) {
      const rule = integrityRuleFor(problem);
      if (rule !== undefined) alerts.push(integrityAlert(problem, rule));
    }
    if (alerts.length === 0) return { sent: 0, alreadySent: 0, inFlight: 0 };
    const counts = await deliverAlerts(alerts, this.props.delivery);
    this.props.metrics?.addMetric(METRIC.AlertsSent, 'Count', counts.sent);
    this.props.logger?.info('integrity alerts delivered', {
      ...counts,
      // Identifiers only, and not unboundedly many of them.
      alerts: alerts.slice(0, 20).map((alert) => `${alert.rule}:${alert.eventID}`),
    });
    return counts;
  }
}
