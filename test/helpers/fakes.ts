/**
 * In-memory fakes of the application's ports (`lambda/app/ports.ts`), for unit tests of the application and its
 * doors. They behave like the adapters where it matters: the ledger returns what was put, the store records each
 * batch it is given.
 */
import type {
  CheckpointStore,
  EventStore,
  FileLedger,
  LedgerEntry,
  Metrics,
  ObjectCheckpoint,
  PutEventsResult,
} from '../../lambda/app/ports';
import type { KeptEvent } from '../../lambda/core/pipeline';

/** A store that records the event IDs of each batch and reports five items per event. */
export class FakeStore implements EventStore {
  readonly batches: string[][] = [];

  putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult> {
    this.batches.push(events.map((kept) => kept.event.eventID));
    return Promise.resolve({ itemsWritten: events.length * 5, retries: 0 });
  }

  /** Every event ID written, in order. */
  get eventIDs(): string[] {
    return this.batches.flat();
  }
}

/** A ledger in a map. */
export class FakeLedger implements FileLedger {
  readonly entries = new Map<string, LedgerEntry>();

  get(objectId: string): Promise<LedgerEntry | undefined> {
    return Promise.resolve(this.entries.get(objectId));
  }

  put(entry: LedgerEntry): Promise<void> {
    this.entries.set(entry.objectId, entry);
    return Promise.resolve();
  }
}

/** Metrics added up by name, as CloudWatch would sum them over an invocation. */
export class CountingMetrics implements Metrics {
  readonly values = new Map<string, number>();

  addMetric(name: string, _unit: 'Count', value: number): void {
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }

  publishStoredMetrics(): void {}
}

/** Checkpoints in a map. */
export class FakeCheckpoints implements CheckpointStore {
  readonly entries = new Map<string, ObjectCheckpoint>();

  get(objectId: string): Promise<ObjectCheckpoint | undefined> {
    return Promise.resolve(this.entries.get(objectId));
  }

  put(checkpoint: ObjectCheckpoint): Promise<void> {
    this.entries.set(checkpoint.objectId, checkpoint);
    return Promise.resolve();
  }

  delete(objectId: string): Promise<void> {
    this.entries.delete(objectId);
    return Promise.resolve();
  }
}
