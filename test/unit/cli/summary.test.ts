import { newCounts, type PipelineCounts } from '../../../lambda/core/pipeline';
import { addCounts, newTotals, renderSummary } from '../../../lambda/cli/summary';

/** One object's pipeline counts with the given fields replaced. */
function counts(overrides: Partial<PipelineCounts> = {}): PipelineCounts {
  return { ...newCounts(), ...overrides };
}

describe('renderSummary', () => {
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
