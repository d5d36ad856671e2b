import { newCounts, type PipelineCounts } from '../../../lambda/core/pipeline';
import { newStoreTally, type StoreTally } from '../../../lambda/app/log-object-service';
import { addCounts, addOutcome, newTotals, renderSummary } from '../../../lambda/cli/summary';

/** What the service stored of one object, with the given fields replaced. */
function tally(overrides: Partial<StoreTally> = {}): StoreTally {
  return { ...newStoreTally(), ...overrides };
}

/** One object's pipeline counts with the given fields replaced. */
function counts(overrides: Partial<PipelineCounts> = {}): PipelineCounts {
  return { ...newCounts(), ...overrides };
}

describe('renderSummary', () => {
  it('shows the events stored, not those kept, when asked to (a file that failed half-way kept more)', () => {
    const totals = newTotals();
    totals.files = 1;
    addCounts(totals, counts({ recordsRead: 300, kept: 200 }));
    totals.stored = 100;

    expect(renderSummary(totals, [], { events: 'stored' })).toBe('1 file, 300 records, 100 stored');
  });

  it('names the files a stopped run interrupted and those it never started', () => {
    const totals = newTotals();
    totals.files = 10;
    totals.filesInterrupted = 2;
    totals.filesNotStarted = 5;

    expect(renderSummary(totals)).toBe('10 files (2 interrupted; 5 not started), 0 records, 0 kept');
  });

  it('names the unknown operations of the objects added up', () => {
    const totals = newTotals();
    totals.files = 2;
    addCounts(totals, counts({ recordsRead: 4, kept: 3, unknownOperations: 2 }));
    addCounts(totals, counts({ recordsRead: 2, kept: 2, unknownOperations: 1 }));

    expect(renderSummary(totals)).toBe('2 files, 6 records, 5 kept, 3 unknown operations');
  });

  it('writes one record and one unknown operation in the singular', () => {
    const totals = newTotals();
    totals.files = 1;
    addCounts(totals, counts({ recordsRead: 1, kept: 1, unknownOperations: 1 }));

    expect(renderSummary(totals)).toBe('1 file, 1 record, 1 kept, 1 unknown operation');
  });

  it('leaves unknown operations out when there are none', () => {
    const totals = newTotals();
    totals.files = 1;
    addCounts(totals, counts({ recordsRead: 3, kept: 1, skipped: { 'other-service': 2 } }));

    expect(renderSummary(totals)).toBe('1 file, 3 records, 1 kept; skipped: other-service 2');
  });

  it('names the records stored trimmed and the resources left out by the cap, added up', () => {
    const totals = newTotals();
    totals.files = 2;
    addCounts(totals, counts({ recordsRead: 2, kept: 2, recordsTrimmed: 1, resourcesOmitted: 48_001 }));
    addCounts(totals, counts({ recordsRead: 1, kept: 1, recordsTrimmed: 1 }));

    expect(renderSummary(totals)).toBe('2 files, 3 records, 3 kept, 2 trimmed to fit, 48,001 resources beyond the cap');
  });
});

describe('addOutcome', () => {
  it('shows as stored only what a failed file stored, beside one that succeeded', () => {
    const totals = newTotals();
    totals.files = 2;
    addOutcome(totals, { status: 'processed', counts: counts({ recordsRead: 2, kept: 2 }), stored: tally({ events: 2 }) });
    const failedCounts = counts({ recordsRead: 5, kept: 5 });
    addOutcome(totals, { status: 'failed', error: new Error('write failed'), counts: failedCounts, stored: tally({ events: 3 }) });

    expect(renderSummary(totals, [], { events: 'stored' })).toBe('2 files (1 failed), 7 records, 5 stored');
  });

  it('counts the items a failed write did write', () => {
    const totals = newTotals();
    addOutcome(totals, {
      status: 'failed',
      error: new Error('write failed'),
      counts: counts({ recordsRead: 30, kept: 30 }),
      stored: tally({ events: 0, itemsWritten: 17 }),
    });

    expect(totals.itemsWritten).toBe(17);
  });
});
