/**
 * `npm run bench` (fanout): what one record naming very many resources costs, through the pipeline (decode → validate
 * → select → normalise, resources merged and capped) and the item mapping. Two records:
 * - a RegisterTargets with N targets;
 * - a ComposeEnvironments whose response names N environments, a third of which give an environment named by its ID
 *   its real name (the resource merge's index then lists positions out of order).
 *
 * A forged record may name 50,000 resources or more; the work must grow linearly with N (it grew with N², 34 s for
 * 50,000 targets) and the items written must not grow at all (the per-event cap). Each size is run in the same
 * process, alternated over rounds; figures are CPU time per resource against the smallest size's, so the machine's
 * speed and load cancel out. Target, for each record: the largest size costs at most 2× per resource what the
 * smallest does (N² would be N_max / N_min = 40×), and writes as many items.
 *
 * Usage: npx tsx bench/fanout.bench.ts [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { toItems } from '../lambda/core/item-mapping';
import { newCounts, normaliseLogObject } from '../lambda/core/pipeline';
import { HOSTILE_RECORDS, logFileOfTexts } from '../test/helpers/hostile-records';
import { machineLoad, median, verdict } from './measure';

/** The records, each at three sizes. */
const SERIES = [
  { name: 'RegisterTargets naming N targets', unit: 'target', sizes: [5_000, 50_000, 200_000], record: HOSTILE_RECORDS.fanOut },
  {
    name: 'ComposeEnvironments naming N environments, a third of them renamed',
    unit: 'environment',
    sizes: [6_000, 60_000, 240_000],
    record: HOSTILE_RECORDS.renamedFanOut,
  },
] as const;

/** CPU time (ms) and items of one record of `targets` targets, read from its file's bytes. */
async function run(bytes: Buffer): Promise<{ cpuMs: number; items: number }> {
  const started = process.cpuUsage();
  let items = 0;
  const chunks = (async function* () {
    for (let start = 0; start < bytes.length; start += 256 * 1024) yield await Promise.resolve(bytes.subarray(start, start + 256 * 1024));
  })();
  for await (const kept of normaliseLogObject(chunks, { objectKey: 'fanout.json' }, newCounts())) items += toItems(kept).length;
  const used = process.cpuUsage(started);
  return { cpuMs: (used.user + used.system) / 1000, items };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { rounds: { type: 'string', default: '5' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got "${values.rounds}"`);
  console.log(`trail-audit fan-out benchmark: Node.js ${process.version}; ${machineLoad()}`);

  let failed = false;
  for (const series of SERIES) {
    const files = series.sizes.map((size) => Buffer.from(logFileOfTexts([series.record('fan-out', size)])));
    await run(files[0] as Buffer); // warm-up: compiled code, not the first size's figure
    const cpu = series.sizes.map(() => [] as number[]);
    const items = series.sizes.map(() => 0);
    for (let round = 0; round < rounds; round++) {
      for (const [index, bytes] of files.entries()) {
        const result = await run(bytes);
        cpu[index]?.push(result.cpuMs);
        items[index] = result.items;
      }
    }

    const smallest = series.sizes[0];
    const largest = series.sizes[series.sizes.length - 1];
    const perResource = series.sizes.map((size, index) => median(cpu[index] ?? []) / size);
    const baseline = perResource[0] ?? 1;
    console.log(`${series.name}, ${rounds} rounds, medians of CPU time`);
    for (const [index, size] of series.sizes.entries()) {
      const ms = median(cpu[index] ?? []);
      console.log(
        `  N = ${String(size).padStart(7)}: ${ms.toFixed(0).padStart(6)} ms, ${((perResource[index] ?? 0) * 1000).toFixed(1).padStart(5)} µs per ${series.unit} ` +
          `(${((perResource[index] ?? 0) / baseline).toFixed(2)}x N = ${smallest}), ${items[index]} items`,
      );
    }
    const linear = (perResource[series.sizes.length - 1] ?? Infinity) / baseline <= 2;
    const bounded = items.every((count) => count === items[0]);
    console.log(`${verdict(linear)} linear: per-${series.unit} cost at N = ${largest} at most 2x that at N = ${smallest}`);
    console.log(`${verdict(bounded)} bounded: every size writes the same number of items (the per-event cap)`);
    failed ||= !linear || !bounded;
  }
  console.log(`load at the end: ${machineLoad()}`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
