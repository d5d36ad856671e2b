/**
 * The Event-history door with fakes behind its ports (an in-memory Event history that pages like LookupEvents, a
 * store that can fail a write): where a stream goes on from after a failure inside a page, an interrupt or a pause.
 * The real SDK clients and DynamoDB Local are in test/integration/cli/ingest-event-history.test.ts.
 */
import { EventHistoryDoor } from '../../../lambda/app/event-history';
import { LogObjectService } from '../../../lambda/app/log-object-service';
import {
  EventStoreWriteError,
  type EventHistoryLookup,
  type EventHistoryPage,
  type EventHistorySource,
  type EventStore,
  type PutEventsResult,
} from '../../../lambda/app/ports';
import type { KeptEvent } from '../../../lambda/core/pipeline';
import type { CloudTrailRecord } from '../../../lambda/core/types';
import { record } from '../../helpers/fixtures';
import { FakeLedger } from '../../helpers/fakes';

const NOW = new Date('2026-11-21T12:00:00Z');
const ELB = 'elasticloadbalancing.amazonaws.com';

/** Event history in memory: newest first, pages of `pageSize`, a token that is the offset. */
class MemoryEventHistory implements EventHistorySource {
  readonly lookups: EventHistoryLookup[] = [];
  constructor(
    private readonly records: readonly CloudTrailRecord[],
    private readonly pageSize: number,
  ) {}

  listRegions(): Promise<string[]> {
    return Promise.resolve(['us-east-1']);
  }

  lookupEvents(lookup: EventHistoryLookup): Promise<EventHistoryPage> {
    this.lookups.push(lookup);
    const matching = this.records
      .filter((r) => r.eventSource === lookup.eventSource)
      .filter((r) => Date.parse(r.eventTime) >= lookup.startTime.getTime() && Date.parse(r.eventTime) <= lookup.endTime.getTime())
      .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
    const offset = lookup.nextToken === undefined ? 0 : Number(lookup.nextToken);
    const page = matching.slice(offset, offset + this.pageSize);
    return Promise.resolve({
      events: page.map((r) => ({ eventId: r.eventID, eventTime: Date.parse(r.eventTime), cloudTrailEvent: JSON.stringify(r) })),
      ...(offset + this.pageSize < matching.length ? { nextToken: String(offset + this.pageSize) } : {}),
    });
  }
}

/** A store that remembers what it wrote and fails the writes `failOn` names (1-based call numbers). */
class MemoryStore implements EventStore {
  readonly written: string[] = [];
  private calls = 0;
  constructor(private readonly failOn: ReadonlySet<number> = new Set()) {}

  putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult> {
    this.calls += 1;
    if (this.failOn.has(this.calls)) {
      return Promise.reject(
        new EventStoreWriteError('refused', { tableName: 't', itemsWritten: 0, retries: 0, itemsFailed: 1, attempts: 1, eventIDs: [] }),
      );
    }
    this.written.push(...events.map((kept) => kept.event.eventID));
    return Promise.resolve({ itemsWritten: events.length, retries: 0 });
  }
}

/** Deletions an hour apart, the newest two hours before NOW. */
function deletions(count: number): CloudTrailRecord[] {
  return Array.from({ length: count }, (_, index) =>
    record({
      eventName: 'DeleteLoadBalancer',
      readOnly: false,
      eventTime: new Date(NOW.getTime() - (2 + index) * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }),
  );
}

function door(source: EventHistorySource, store: EventStore, ledger: FakeLedger): EventHistoryDoor {
  const service = new LogObjectService({ store, ledger, dropReadOnly: false, now: () => NOW, flushEvents: 1 });
  return new EventHistoryDoor({ service, ledger, source, now: () => NOW });
}

/** A day up to an hour ago: settled, so a run records all it reads as covered. */
const REQUEST = {
  regions: ['us-east-1'],
  eventSources: [ELB],
  range: { since: new Date(NOW.getTime() - 86_400_000), until: new Date(NOW.getTime() - 3_600_000) },
};

describe('the Event-history door', () => {
  it('reads a page again whose writes failed half-way, and none before it', async () => {
    // Prepare: pages of two; the fourth write (the second event of the second page) fails
    const records = deletions(5);
    const source = new MemoryEventHistory(records, 2);
    const ledger = new FakeLedger();
    const first = await door(source, new MemoryStore(new Set([4])), ledger).read(REQUEST);
    const lookupsBefore = source.lookups.length;
    const store = new MemoryStore();

    // Act
    const second = await door(source, store, ledger).read(REQUEST);

    // Assess: the second run starts at the oldest event of the first page, which it reads again
    const resumed = source.lookups.slice(lookupsBefore);
    expect({
      statuses: [first[0]?.status, second[0]?.status],
      resumedEnd: resumed[0]?.endTime.toISOString(),
      written: store.written,
    }).toEqual({
      statuses: ['failed', 'complete'],
      resumedEnd: new Date(Date.parse(records[1]?.eventTime ?? '')).toISOString(),
      written: records.slice(1).map((r) => r.eventID),
    });
  });

  it('stops between pages when asked to pause, and the next run goes on from there', async () => {
    // Prepare
    const records = deletions(4);
    const source = new MemoryEventHistory(records, 1);
    const ledger = new FakeLedger();
    let pages = 0;
    const paused = await door(source, new MemoryStore(), ledger).read({
      ...REQUEST,
      shouldPause: () => pages >= 2,
      onPage: () => {
        pages += 1;
      },
    });
    const store = new MemoryStore();

    // Act
    const resumed = await door(source, store, ledger).read(REQUEST);

    // Assess
    expect({ statuses: [paused[0]?.status, resumed[0]?.status], pages: [paused[0]?.pages, resumed[0]?.pages], written: store.written }).toEqual({
      statuses: ['paused', 'complete'],
      pages: [2, 3],
      written: records.slice(1).map((r) => r.eventID),
    });
  });

  it('stops when interrupted, leaving the checkpoint at the last page stored', async () => {
    // Prepare
    const records = deletions(3);
    const source = new MemoryEventHistory(records, 1);
    const ledger = new FakeLedger();
    const controller = new AbortController();

    // Act
    const results = await door(source, new MemoryStore(), ledger).read({
      ...REQUEST,
      signal: controller.signal,
      onPage: () => controller.abort(),
    });

    // Assess
    expect({ status: results[0]?.status, pages: results[0]?.pages, checkpoint: ledger.entries.get(`event-history://us-east-1/${ELB}`)?.fingerprint }).toEqual({
      status: 'interrupted',
      pages: 1,
      checkpoint: expect.stringMatching(/^covered:v1 \S+\/\S+$/) as unknown,
    });
  });

  it('with force, reads a covered range again and keeps what was covered', async () => {
    // Prepare
    const records = deletions(2);
    const source = new MemoryEventHistory(records, 50);
    const ledger = new FakeLedger();
    await door(source, new MemoryStore(), ledger).read(REQUEST);
    const checkpoint = ledger.entries.get(`event-history://us-east-1/${ELB}`)?.fingerprint;
    const store = new MemoryStore();

    // Act
    await door(source, store, ledger).read({ ...REQUEST, force: true });

    // Assess
    expect({ written: store.written, checkpoint: ledger.entries.get(`event-history://us-east-1/${ELB}`)?.fingerprint }).toEqual({
      written: records.map((r) => r.eventID),
      checkpoint,
    });
  });
});
