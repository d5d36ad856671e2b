import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_WRITE_BUDGET,
  estimateBackfill,
  maxConcurrencyFor,
  WRITE_UNITS_PER_WORKER,
} from '../../../lambda/app/backfill-sizing';

const BACKFILL_DOC = readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'backfill.md'), 'utf8');
/** docs/backfill.md's example: a million files of 20 KB, at the default concurrency. */
const MILLION = { objects: 1_000_000, bytes: 20e9, units: 0, maxConcurrency: maxConcurrencyFor(DEFAULT_WRITE_BUDGET) };

function dollars(value: number): string {
  return `$${value.toFixed(2)}`;
}

describe('maxConcurrencyFor', () => {
  it('is the write budget over what one worker writes, at least one', () => {
    expect([maxConcurrencyFor(DEFAULT_WRITE_BUDGET), maxConcurrencyFor(WRITE_UNITS_PER_WORKER - 1)]).toEqual([12, 1]);
  });
});

describe('estimateBackfill', () => {
  it('costs a file the ledger holds one read: about a third of a file read', () => {
    const fresh = estimateBackfill(MILLION);
    const covered = estimateBackfill({ ...MILLION, ledgered: MILLION.objects });

    expect(covered.total / fresh.total).toBeCloseTo(1 / 3, 1);
  });

  it('gives the figures docs/backfill.md shows per million files', () => {
    const fresh = estimateBackfill(MILLION);
    const covered = estimateBackfill({ ...MILLION, ledgered: MILLION.objects });
    const rows = [
      `| Step Functions | ${dollars(fresh.stepFunctions)} |`,
      `| Lambda | ${dollars(fresh.lambda)} |`,
      `| S3 | ${dollars(fresh.s3)} |`,
      `| DynamoDB ledger | ${dollars(fresh.dynamodbLedger)} |`,
      `**about ${dollars(fresh.total)}**`,
      `**${dollars(covered.total)} per million files**`,
      `about ${(fresh.seconds / 3600).toFixed(1)} hours at the default ${MILLION.maxConcurrency} workers`,
    ];

    expect(rows.filter((row) => !BACKFILL_DOC.includes(row))).toEqual([]);
  });
});
