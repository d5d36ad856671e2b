/**
 * Writes the resource coverage table into docs/coverage.md between `<!-- coverage:start -->` and
 * `<!-- coverage:end -->`, rendered from the resource tables. With `--check`, writes nothing and exits 1 when the
 * page is stale (for CI and the unit test's twin).
 *
 * Usage: `npx tsx scripts/coverage-table.ts [--check]`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderCoverageTable, replaceCoverageSection } from '../lambda/core/resources/coverage';
import { RESOURCE_TABLES } from '../lambda/core/resources';

const COVERAGE_PAGE = path.resolve(__dirname, '..', 'docs', 'coverage.md');

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const current = readFileSync(COVERAGE_PAGE, 'utf8');
  const updated = replaceCoverageSection(current, renderCoverageTable(RESOURCE_TABLES));
  if (check) {
    if (updated === current) return 0;
    console.error(`${COVERAGE_PAGE}: the coverage table is stale; run: npx tsx scripts/coverage-table.ts`);
    return 1;
  }
  if (updated !== current) writeFileSync(COVERAGE_PAGE, updated);
  console.log(updated === current ? 'docs/coverage.md already up to date' : 'docs/coverage.md written');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
