/**
 * `npm run bench` (cli): the `trail-audit` command as a user waits for it, whole processes, against baselines run
 * alternately in the same invocation. The CLI is rebuilt from the current source first and run as installed
 * (`node bin/trail-audit-cli.js`, what `node_modules/.bin/trail-audit` is).
 *
 * - start: `trail-audit --help` against `node -e 0`. Target: median under 150 ms, and under 2.5x `node -e 0`
 *   (150 ms was 2.5x this machine's `node -e 0` when the target was set; the ratio holds on a loaded machine too).
 * - process: `trail-audit process FILE --json` against the naive script (`bench/naive-process.ts`: whole file read,
 *   gunzipped and parsed at once, kept records printed in one write) on the decode benchmark's file of 100,000
 *   records, stdout piped to this process. Target: median wall time at most 0.5x the naive script's.
 *
 * Usage: npx tsx bench/cli.bench.ts [--start-rounds 21] [--process-rounds 7] [--records 100000] [--keep]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build as esbuild } from 'esbuild';
import { build } from '../scripts/build';
import { writeLogFile } from './cloudtrail-generator';
import { alternate, machineLoad, medianWall, ms, timeProcess, verdict } from './measure';

const LAUNCHER = path.resolve(__dirname, '..', 'bin', 'trail-audit-cli.js');
const START_TARGET_MS = 150;
const START_TARGET_RATIO = 2.5;
const PROCESS_TARGET_RATIO = 0.5;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be an integer >= 1, got "${text}"`);
  return value;
}

/** `trail-audit --help` against `node -e 0`. */
async function benchStart(rounds: number): Promise<boolean> {
  const runs = await alternate(
    {
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0']),
      'trail-audit --help': () => timeProcess(process.execPath, [LAUNCHER, '--help']),
      'trail-audit --version': () => timeProcess(process.execPath, [LAUNCHER, '--version']),
    },
    rounds,
  );
  const baseline = medianWall(runs['node -e 0']);
  const help = medianWall(runs['trail-audit --help']);
  console.log(`start (${rounds} rounds, medians)`);
  for (const [name, variantRuns] of Object.entries(runs)) {
    const wall = medianWall(variantRuns);
    console.log(`  ${name.padEnd(22)} ${ms(wall)}   ${(wall / baseline).toFixed(2)}x node -e 0`);
  }
  const pass = help < START_TARGET_MS && help / baseline < START_TARGET_RATIO;
  console.log(
    `--help start: ${help.toFixed(0)} ms (target < ${START_TARGET_MS} ms), ${(help / baseline).toFixed(2)}x node -e 0 ` +
      `(target < ${START_TARGET_RATIO}x)   ${verdict(pass)}`,
  );
  return pass;
}

/** `trail-audit process FILE --json` against the naive script. */
async function benchProcess(rounds: number, records: number, dir: string): Promise<boolean> {
  const started = performance.now();
  const file = await writeLogFile(path.join(dir, `records-${records}.json.gz`), records);
  console.log(
    `process: ${records.toLocaleString('en-US')} records (${(file.jsonBytes / 1e6).toFixed(1)} MB of JSON) generated in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // The naive script runs as plain JavaScript, like the CLI: no TypeScript loader in either measurement.
  const naiveScript = path.join(dir, 'naive-process.js');
  await esbuild({
    entryPoints: [path.join(__dirname, 'naive-process.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: naiveScript,
    logLevel: 'warning',
  });
  const runs = await alternate(
    {
      naive: () => timeProcess(process.execPath, [naiveScript, file.path]),
      'trail-audit': () => timeProcess(process.execPath, [LAUNCHER, 'process', file.path, '--json']),
    },
    rounds,
  );
  const naive = medianWall(runs.naive);
  const ours = medianWall(runs['trail-audit']);
  const [naiveRun] = runs.naive;
  const [ourRun] = runs['trail-audit'];
  console.log(`process (${rounds} rounds, medians; stdout piped to the bench)`);
  console.log(`  naive script              ${ms(naive)}   ${naiveRun?.stdoutLines ?? 0} records printed (raw)`);
  console.log(`  trail-audit process --json ${ms(ours).trimStart().padStart(8)}   ${ourRun?.stdoutLines ?? 0} events printed (normalised, Application Auto Scaling left out)`);
  const ratio = ours / naive;
  const pass = ratio <= PROCESS_TARGET_RATIO;
  console.log(`process --json / naive: ${ratio.toFixed(2)}x   (target <= ${PROCESS_TARGET_RATIO}x)   ${verdict(pass)}`);
  return pass;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'start-rounds': { type: 'string', default: '21' },
      'process-rounds': { type: 'string', default: '7' },
      records: { type: 'string', default: '100000' },
      keep: { type: 'boolean', default: false },
    },
  });
  const startRounds = positiveInteger('start-rounds', values['start-rounds']);
  const processRounds = positiveInteger('process-rounds', values['process-rounds']);
  const records = positiveInteger('records', values.records);

  console.log(`trail-audit CLI benchmark: Node.js ${process.version}; ${machineLoad()}`);
  await build(['cli']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trail-audit-cli-bench-'));
  try {
    const startPass = await benchStart(startRounds);
    console.log('');
    const processPass = await benchProcess(processRounds, records, dir);
    console.log(`load at the end: ${machineLoad()}`);
    if (!startPass || !processPass) process.exitCode = 1;
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
