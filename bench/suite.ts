/**
 * `npm run bench`: the benchmark suite. Each bench runs as a process of its own, one after the other, with its default
 * options, and prints its figures against a baseline measured in the same run, with PASS/FAIL against its targets:
 *
 * - decode (`bench/decode.bench.ts`): the streaming pipeline against the naive path, in-process throughput and peak
 *   memory;
 * - cli (`bench/cli.bench.ts`): `trail-audit --help` start against `node -e 0`, and `process FILE --json` against the
 *   naive script, as whole processes;
 * - lambda (`bench/lambda.bench.ts`): the processor bundle's size and import time (for information);
 * - fanout (`bench/fanout.bench.ts`): records naming 5,000 to 240,000 resources (targets; environments, some
 *   renamed), CPU time per resource against the smallest (linear, not quadratic) and the items each writes (bounded
 *   by the per-event cap).
 * - local (`bench/local.bench.ts`): the embedded default's `ingest` (events/s) and `query` (first and warm) as whole
 *   commands, against the former per-command server and the process start, and its disk use per event.
 *
 * The suite fails (exit code 1) when a bench does. Benchmarks are never tests: their figures depend on the machine and
 * its load, which each bench prints (`uptime`) and which the suite prints before and after.
 *
 * Usage: npm run bench [-- decode cli lambda local fanout]. To give a bench options of its own (listed at the top of its file), run
 * its file: npx tsx bench/decode.bench.ts --records 10000.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { machineLoad } from './measure';

const BENCHES = ['decode', 'cli', 'lambda', 'local', 'fanout'] as const;
type Bench = (typeof BENCHES)[number];

function isBench(name: string): name is Bench {
  return (BENCHES as readonly string[]).includes(name);
}

/** Runs one bench file with the same Node.js flags (the TypeScript loader) as this process; resolves its exit code. */
function runBench(name: Bench): Promise<number> {
  return new Promise((resolve, reject) => {
    const file = path.join(__dirname, `${name}.bench.ts`);
    const child = spawn(process.execPath, [...process.execArgv, file], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !isBench(name));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')} (use ${BENCHES.join(', ')})`);
  const selected = names.length === 0 ? BENCHES : names.filter(isBench);
  console.log(`bench suite: ${selected.join(', ')}; ${machineLoad()}`);
  const outcomes: string[] = [];
  for (const name of selected) {
    console.log(`\n=== ${name} ===`);
    const code = await runBench(name);
    outcomes.push(`${name} ${code === 0 ? 'PASS' : 'FAIL'}`);
    if (code !== 0) process.exitCode = 1;
  }
  console.log(`\nbench suite: ${outcomes.join(', ')}; ${machineLoad()}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
