/**
 * Counts over one invocation of a door, emitted as metrics once at its end: one embedded-metric-format line per
 * invocation however many objects it took in, and nothing for an invocation that counted nothing.
 */
import type { IntegrityTally } from './digest-step';
import type { StoreTally } from './log-object-service';
import { METRIC, metricPerReason } from './metric-names';
import type { Metrics } from './ports';

/** Counts over one invocation, emitted as metrics at its end. */
export class InvocationMetrics {
  private readonly values = new Map<string, number>();

  /** Adds to a count; zero adds nothing, so a metric never counted is never emitted. */
  add(name: string, value: number): void {
    if (value === 0) return;
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }

  /** `EventsStored` and `EventsStored.<service>` (events whose write succeeded), items written and retries. */
  addStored(stored: StoreTally): void {
    this.add(METRIC.EventsStored, stored.events);
    for (const [service, value] of Object.entries(stored.byService)) this.add(metricPerReason.eventsStored(service), value ?? 0);
    this.add(METRIC.ItemsWritten, stored.itemsWritten);
    this.add(METRIC.WriteRetries, stored.retries);
  }

  /** What the proof of completeness did for one object: digests and log files verified, problems found. */
  addIntegrity(tally: IntegrityTally): void {
    this.add(METRIC.DigestsVerified, tally.digestsVerified);
    this.add(METRIC.LogFilesVerified, tally.logFilesVerified);
    this.add(METRIC.IntegrityProblems, tally.problems);
  }

  /** Adds every non-zero count and publishes; an invocation that counted nothing (an s3:TestEvent) emits nothing. */
  emit(metrics: Metrics): void {
    if (this.values.size === 0) return;
    for (const [name, value] of this.values) metrics.addMetric(name, 'Count', value);
    metrics.publishStoredMetrics();
  }
}
