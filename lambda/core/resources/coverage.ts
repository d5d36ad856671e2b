/**
 * The coverage table of `docs/coverage.md`, rendered from the resource tables themselves so the documentation
 * cannot drift from the code: one row per operation, with the resource types it names and where they are read.
 */
import type { Service } from '../types';
import type { OperationTable } from './specs';

/** The services in the order the coverage page lists them, with the API each table covers. */
const SERVICES: readonly { readonly service: Service; readonly title: string }[] = [
  { service: 'elb', title: 'Elastic Load Balancing, classic (`elb`, API 2012-06-01)' },
  { service: 'elbv2', title: 'Elastic Load Balancing v2 (`elbv2`, API 2015-12-01)' },
  { service: 'autoscaling', title: 'EC2 Auto Scaling (`autoscaling`, API 2011-01-01)' },
  { service: 'elasticbeanstalk', title: 'Elastic Beanstalk (`elasticbeanstalk`, API 2010-12-01)' },
];

/** A type without its `AWS::` prefix, which every type shares (keeps the table narrow). */
function shortType(type: string): string {
  return type.startsWith('AWS::') ? type.slice('AWS::'.length) : type;
}

/** One cell of the table: each place read, with the types it names (parents after a `+`). */
function describeEntry(entry: OperationTable[string]): string {
  if (entry.length === 0) return '— (names no resource)';
  return entry
    .map((spec) => {
      const types = spec.types.map(shortType).join(' / ');
      const parents = spec.parents.length === 0 ? '' : ` (+ ${spec.parents.map(shortType).join(', ')})`;
      return `${types}${parents} ← \`${spec.from}\``;
    })
    .join('<br>');
}

/**
 * Renders the coverage section as Markdown: a summary line of operation counts, then one table per service
 * (operation → resources ← where from), operations in alphabetical order.
 */
export function renderCoverageTable(tables: Readonly<Record<Service, OperationTable>>): string {
  const counts = SERVICES.map(({ service }) => `${service} ${Object.keys(tables[service]).length}`);
  const total = SERVICES.reduce((sum, { service }) => sum + Object.keys(tables[service]).length, 0);
  const lines: string[] = [
    'Generated from `lambda/core/resources/tables/` by `npx tsx scripts/coverage-table.ts` (do not edit by hand:',
    'a unit test fails when this section and the tables differ).',
    `Operations covered: ${counts.join(', ')}; ${total} in all, every operation the AWS SDK clients list.`,
    'Types omit their `AWS::` prefix; `A / B`: the place holds either; `(+ ...)`: the parents an identifier names',
    'too (a listener ARN names its load balancer).',
  ];
  for (const { service, title } of SERVICES) {
    lines.push('', `#### ${title}`, '', '| Operation | Resources ← where they are read |', '|---|---|');
    const table = tables[service];
    for (const operation of Object.keys(table).sort()) {
      lines.push(`| ${operation} | ${describeEntry(table[operation] ?? [])} |`);
    }
  }
  return lines.join('\n');
}

/** The marker that starts the coverage section of `docs/coverage.md`. */
export const COVERAGE_START = '<!-- coverage:start -->';
/** The marker that ends the coverage section. */
export const COVERAGE_END = '<!-- coverage:end -->';

/**
 * The page (`docs/coverage.md`) with the text between the coverage markers replaced by `section` (everything
 * outside the markers kept byte for byte). Throws when the markers are missing or out of order.
 */
export function replaceCoverageSection(page: string, section: string): string {
  const start = page.indexOf(COVERAGE_START);
  const end = page.indexOf(COVERAGE_END);
  if (start < 0 || end < 0 || end < start) {
    throw new Error(`the page has no "${COVERAGE_START}" ... "${COVERAGE_END}" section to write the coverage table in`);
  }
  return `${page.slice(0, start + COVERAGE_START.length)}\n${section}\n${page.slice(end)}`;
}
