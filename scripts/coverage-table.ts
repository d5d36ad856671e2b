/**
 * Writes the resource coverage table into README.md between `<!-- coverage:start -->` and
 * `<!-- coverage:end -->`, rendered from the resource tables. With `--check`, writes nothing and exits 1 when the
 * README is stale (for CI and the unit test's twin).
 *
 * Usage: `npx tsx scripts/coverage-table.ts [--check]`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderCoverageTable, replaceCoverageSection } from '../lambda/core/resources/coverage';
import { RESOURCE_TABLES } from '../lambda/core/resources';

const README = path.resolve(__dirname, '..', 'README.md');

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const current = readFileSync(README, 'utf8');
  const updated = replaceCoverageSection(current, renderCoverageTable(RESOURCE_TABLES));
  if (check) {
    if (updated === current) return 0;
    console.error(`${README}: the coverage table is stale; run: npx tsx scripts/coverage-table.ts`);
    return 1;
  }
  if (updated !== current) writeFileSync(README, updated);
  console.log(updated === current ? 'README coverage table already up to date' : `README coverage table written`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
