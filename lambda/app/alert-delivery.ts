/**
 * Alert delivery, exactly once per (rule, event): claim each alert in the ledger, deliver it on every channel
 * (SNS, EventBridge) it has not yet been delivered on, record each channel's success, then mark it sent.
 *
 * Why claim first: a conditional write before publishing is what stops a retried or redelivered file — or two
 * invocations racing on the same file — from alerting twice. The claim is a lease, not a lock held forever:
 * - publish fails → the claim is released (its lease ended at once, channels already delivered kept) and
 *   delivery throws, so the file is retried and the retry sends what is missing;
 * - the process dies between claim and "sent" (timeout, crash) → the lease expires (`leaseSeconds`), and the
 *   next attempt re-claims it; channels recorded as delivered are not sent again;
 * - an alert claimed by another attempt whose lease has not expired → delivery throws {@link AlertsInFlightError}
 *   after sending everything else, so the file is retried until that alert is sent or its lease expires.
 * The one duplicate left: a process that dies after a channel accepted the alert but before the ledger recorded
 * it re-sends on that channel after the lease. For security alerts a rare duplicate beats a lost alert.
 */
import type { Alert } from '../core/alerts/alert';
import type { AlertChannel, AlertLedger } from './ports';

/** Raised by a channel when some alerts could not be delivered after retries. */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  constructor(
    readonly channel: string,
    /** Ledger keys (`pk` + `sk`) of the alerts the channel accepted. */
    readonly delivered: readonly Alert[],
    /** The alerts it did not accept, with the service's error code and message. */
    readonly failed: readonly { readonly alert: Alert; readonly code: string; readonly message: string }[],
  ) {
    const first = failed[0];
    super(
      `${channel}: ${failed.length} alert(s) not delivered` +
        (first === undefined ? '' : ` (first: rule ${first.alert.rule}, eventID ${first.alert.eventID}: ${first.code} ${first.message})`),
    );
  }
}

/** Raised when alerts are claimed by another attempt that has not finished: retry the file later. */
export class AlertsInFlightError extends Error {
  override readonly name = 'AlertsInFlightError';
  constructor(readonly alerts: readonly Alert[]) {
    super(
      `${alerts.length} alert(s) are being delivered by another attempt (first: rule ${alerts[0]?.rule ?? '?'}, ` +
        `key ${alerts[0]?.key.pk ?? '?'}); retry after its lease expires`,
    );
  }
}

/** What {@link deliverAlerts} did. */
export interface DeliveryCounts {
  /** Alerts claimed and delivered on every channel by this call. */
  sent: number;
  /** Alerts already sent by an earlier attempt (a retried or redelivered file). */
  alreadySent: number;
  /** Alerts claimed by another attempt that is still in its lease. */
  inFlight: number;
}

/** Dependencies of {@link deliverAlerts}. */
export interface DeliveryDeps {
  readonly ledger: AlertLedger;
  readonly channels: readonly AlertChannel[];
}

/** An alert's identity in the ledger, as a map key. */
function keyOf(alert: Alert): string {
  return `${alert.key.pk}\u0000${alert.key.sk}`;
}

/**
 * Delivers alerts exactly once (see the module comment for the failure cases).
 * @throws AlertDeliveryError when a channel failed (claims of undelivered alerts released first)
 * @throws AlertsInFlightError when some alerts are held by another attempt
 */
export async function deliverAlerts(alerts: readonly Alert[], deps: DeliveryDeps): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { sent: 0, alreadySent: 0, inFlight: 0 };
  // The same alert twice in one call (the caller merged two engines' output) is claimed once.
  const unique = new Map<string, Alert>();
  for (const alert of alerts) if (!unique.has(keyOf(alert))) unique.set(keyOf(alert), alert);

  const claimed: { alert: Alert; token: string; pending: Set<string> }[] = [];
  const inFlight: Alert[] = [];
  for (const alert of unique.values()) {
    const claim = await deps.ledger.claim(alert);
    if (claim.status === 'sent') counts.alreadySent += 1;
    else if (claim.status === 'in-flight') inFlight.push(alert);
    else {
      const done = new Set(claim.deliveredTo);
      claimed.push({
        alert,
        token: claim.token,
        pending: new Set(deps.channels.map((c) => c.name).filter((name) => !done.has(name))),
      });
    }
  }
  counts.inFlight = inFlight.length;

  const failures: AlertDeliveryError[] = [];
  for (const channel of deps.channels) {
    const batch = claimed.filter((c) => c.pending.has(channel.name)).map((c) => c.alert);
    if (batch.length === 0) continue;
    let delivered: readonly Alert[] = batch;
    try {
      await channel.deliver(batch);
    } catch (error) {
      if (!(error instanceof AlertDeliveryError)) {
        // Nothing is known to have been delivered: release every claim so the retry starts clean.
        await releaseAll(claimed, deps.ledger);
        throw error;
      }
      failures.push(error);
      delivered = error.delivered;
    }
    const deliveredKeys = new Set(delivered.map(keyOf));
    for (const entry of claimed) {
      if (!entry.pending.has(channel.name) || !deliveredKeys.has(keyOf(entry.alert))) continue;
      await deps.ledger.recordDelivery(entry.alert, channel.name);
      entry.pending.delete(channel.name);
    }
  }

  for (const entry of claimed) {
    if (entry.pending.size === 0) {
      await deps.ledger.complete(entry.alert, entry.token);
      counts.sent += 1;
    } else {
      await deps.ledger.release(entry.alert, entry.token);
    }
  }
  const firstFailure = failures[0];
  if (firstFailure !== undefined) throw firstFailure;
  if (inFlight.length > 0) throw new AlertsInFlightError(inFlight);
  return counts;
}

async function releaseAll(
  claimed: readonly { alert: Alert; token: string }[],
  ledger: AlertLedger,
): Promise<void> {
  for (const entry of claimed) await ledger.release(entry.alert, entry.token);
}
