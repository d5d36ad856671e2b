/**
 * `npm run bench` (lambda): the processor's deployment bundle, rebuilt from the current source, as Lambda loads it.
 *
 * - size: the bundle and its source map, and the bundle gzipped (about what the deployment zip holds of it);
 * - import time: a process that requires the bundle against one that imports nothing (`node -e 0`), alternated, as
 *   a ratio; and the `require` itself timed inside the process. The cold start's share of loading the code.
 *
 * For information: no target. Measured with this machine's Node.js, not the Lambda runtime's.
 *
 * Usage: npx tsx bench/lambda.bench.ts [--rounds 15]
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { BUNDLE_MAIN, functionBundleDir } from '../lib/function-bundles';
import { build } from '../scripts/build';
import { alternate, machineLoad, median, medianWall, ms, timeProcess } from './measure';

const BUNDLE = path.join(functionBundleDir('processor'), `${BUNDLE_MAIN}.js`);
const KIB = 1024;

/** Prints how long `require(BUNDLE)` took inside the process, in ms. */
const TIMED_REQUIRE = `const t = performance.now(); require(${JSON.stringify(BUNDLE)}); process.stdout.write(String(performance.now() - t));`;

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { rounds: { type: 'string', default: '15' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got "${values.rounds}"`);

  console.log(`trail-audit Lambda bundle benchmark: Node.js ${process.version}; ${machineLoad()}`);
  await build(['processor']);
  const bundle = await readFile(BUNDLE);
  const { size: mapBytes } = await stat(`${BUNDLE}.map`);
  console.log(
    `bundle ${path.relative(process.cwd(), BUNDLE)}: ${(bundle.length / KIB).toFixed(0)} KiB ` +
      `(${(gzipSync(bundle).length / KIB).toFixed(0)} KiB gzipped), source map ${(mapBytes / KIB).toFixed(0)} KiB`,
  );

  const requireTimes: number[] = [];
  const runs = await alternate(
    {
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0']),
      'require(bundle)': async () => {
        const run = await timeProcess(process.execPath, ['-e', TIMED_REQUIRE]);
        requireTimes.push(Number(run.stdoutHead));
        return run;
      },
    },
    rounds,
  );
  const baseline = medianWall(runs['node -e 0']);
  const loaded = medianWall(runs['require(bundle)']);
  console.log(`import (${rounds} rounds, medians)`);
  console.log(`  node -e 0                ${ms(baseline)}`);
  console.log(`  node -e 'require(bundle)' ${ms(loaded).trimStart().padStart(8)}   ${(loaded / baseline).toFixed(2)}x importing nothing`);
  console.log(`  require(bundle) inside the process: ${median(requireTimes).toFixed(0)} ms`);
  console.log(`load at the end: ${machineLoad()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
