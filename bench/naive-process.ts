/**
 * The naive script of the whole-process benchmark (`bench/cli.bench.ts` bundles it to plain JavaScript and runs it
 * with `node`): the naive path on one file, then the kept records printed as NDJSON in a single write, the cheapest
 * way to print them, so the comparison with `trail-audit process --json` stays conservative.
 *
 * Usage: node naive-process.js FILE
 */
import { readFileSync } from 'node:fs';
import { naiveRecords } from './naive';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: naive-process FILE');
const { kept } = naiveRecords(readFileSync(file));
process.stdout.write(kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
