/**
 * The coverage table in docs/coverage.md is the rendering of the resource tables: it cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RESOURCE_TABLES } from '../../../../lambda/core/resources';
import {
  COVERAGE_END,
  COVERAGE_START,
  renderCoverageTable,
  replaceCoverageSection,
} from '../../../../lambda/core/resources/coverage';

const COVERAGE_PAGE = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'coverage.md');

describe('the coverage table in docs/coverage.md', () => {
  it('equals the table rendered from the code (run `npx tsx scripts/coverage-table.ts` when this fails)', () => {
    const page = readFileSync(COVERAGE_PAGE, 'utf8');

    expect(replaceCoverageSection(page, renderCoverageTable(RESOURCE_TABLES))).toBe(page);
  });

  it('has one row per operation of the four tables', () => {
    const operations = Object.values(RESOURCE_TABLES).reduce((sum, table) => sum + Object.keys(table).length, 0);

    const rows = renderCoverageTable(RESOURCE_TABLES)
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Operation'));

    expect(rows).toHaveLength(operations);
  });
});

describe('replaceCoverageSection', () => {
  it('replaces only the text between the markers', () => {
    const page = `# Title\n\n${COVERAGE_START}\nold\n${COVERAGE_END}\n\nAfter.\n`;

    const replaced = replaceCoverageSection(page, 'new');

    expect(replaced).toBe(`# Title\n\n${COVERAGE_START}\nnew\n${COVERAGE_END}\n\nAfter.\n`);
  });

  it('throws when the markers are missing', () => {
    expect(() => replaceCoverageSection('# Title\n', 'new')).toThrow(/coverage:start/);
  });
});
