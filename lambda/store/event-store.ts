/**
 * The event store port: where kept events go. The handler and the CLI depend on this interface, so they are
 * tested with a fake; {@link DynamoDBEventStore} is the production adapter.
 */
import type { KeptEvent } from '../core/pipeline';

/** What one {@link EventStore.putEvents} call did. */
export interface PutEventsResult {
  /** Items written (event items plus lookup items, after removing duplicate keys). */
  readonly itemsWritten: number;
  /** Write requests retried (unprocessed items re-sent and throttled batches retried). */
  readonly retries: number;
}

/** Stores kept events idempotently: writing the same event twice leaves the same items. */
export interface EventStore {
  /**
   * Writes the events' items. Resolves once every item is stored.
   * @throws an error carrying the counts when items still fail after the store's retries.
   */
  putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult>;
}
