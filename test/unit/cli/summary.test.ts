import { newCounts, type PipelineCounts } from '../../../lambda/core/pipeline';
import { addCounts, newTotals, renderSummary } from '../../../lambda/cli/summary';

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
});
