/**
 * `npm run bench`: throughput and peak memory of trail-audit's streaming path against two baselines.
 *
 * It generates a gzipped CloudTrail log of 100,000 records (about 120 MB of JSON, one record in ten from the
 * indexed services) and processes it, in the same invocation, with:
 * - naive: read the object whole, gunzip it whole, `JSON.parse` the whole text, filter `Records` by eventSource;
 * - gunzip only: stream the file through gunzip (the decoder's chunk size) and do nothing with the bytes: the
 *   physical limit of any streaming reader of the file, since every byte must be inflated;
 * - ours: the Lambda's path, `normaliseLogObject` (decode streaming → eventSource filter in the scan → parse the
 *   candidates → validate → select → normalise), reading the file as a stream as the Lambda reads the S3 body.
 * Ours does strictly more work than naive (validation, Application Auto Scaling exclusion, principal and
 * resources, deduplication), so the comparison is conservative. A fourth line, "decode only" (decode with the same
 * filter + parse of the candidates, no select/normalise), shows what the decoder alone costs.
 * Then it generates a file ten times larger (1,000,000 records, written as a stream, never held in memory) and
 * runs ours on it, to show that peak memory does not grow with the file: in one process, the 1x file ten times, then
 * the 10x file, and the peak after it over the peak before it. The same amount of data either way: the heap takes
 * about a gigabyte of input to settle (one run of the 1x file peaks about 90 MiB, ten about 125, and more add
 * nothing), and peaks of two processes differ by 15 MiB, more than the growth this is to find.
 *
 * Peak memory is a property of a process, not of a function call: V8 does not give back heap it grew into, and
 * `maxRSS` only ever rises. So each variant runs in its own child process (this file, bundled as the Lambda's code
 * is and re-run with `child ...`),
 * which reports `process.resourceUsage().maxRSS` (the peak resident set, heap and buffers included) when it is
 * done; times are taken inside the child, around each run (in-process: no start-up). Every figure is stated against
 * the baselines measured in the same invocation, on the same machine and file, because absolute numbers depend on
 * the machine and on whatever else it runs: the median of all runs (`--rounds` children x `--runs` runs per
 * variant, alternating) for wall-clock and CPU time, and the load average before and after.
 *
 * Usage: npx tsx bench/decode.bench.ts [--records 100000] [--runs 3] [--rounds 2] [--large-factor 10] [--keep]
 * (`npm run bench` runs it with these defaults, in the suite).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { decodeLogBatches, parseRecordText } from '../lambda/core/decode';
// The full pipeline (decode → select → normalise) is what the targets are measured on. To measure the decoder
// alone against naive, set OURS_VARIANT to 'decode-only'.
import { newCounts, normaliseLogObject } from '../lambda/core/pipeline';
import { writeLogFile, type GeneratedFile } from './cloudtrail-generator';
import { median, verdict } from './measure';
import { NAIVE_EVENT_SOURCES, naiveRecords } from './naive';

const OURS_VARIANT: Variant = 'pipeline';

type Variant = 'naive' | 'gunzip-only' | 'pipeline' | 'pipeline-hashed' | 'decode-only';

const VARIANTS: readonly Variant[] = ['naive', 'gunzip-only', 'pipeline', 'pipeline-hashed', 'decode-only'];

/** The decoder's output chunk size (`lambda/core/decode.ts`), so that gunzip-only inflates the way ours does. */
const DECOMPRESSED_CHUNK_BYTES = 1024 * 1024;

/** What a child process reports about its variant. */
interface ChildResult {
  readonly variant: Variant;
  /** Wall-clock time of each run. */
  readonly runMillis: readonly number[];
  /** CPU time (user + system, all threads: zlib's thread pool too) of each run. */
  readonly cpuMillis: readonly number[];
  readonly records: number;
  readonly kept: number;
  /** Resident set size once the modules are loaded, before any work: the runtime's own share. */
  readonly startRssBytes: number;
  /** Peak resident set size of the whole process. */
  readonly peakRssBytes: number;
  /** With a larger file after the runs: the peak resident set size before it was read. */
  readonly peakRssBeforeLargerBytes?: number;
}

// ---- child: one variant, measured in its own process --------------------------------------------------------------

async function runNaive(file: string): Promise<{ records: number; kept: number }> {
  const { records, kept } = naiveRecords(await readFile(file));
  return { records: records.length, kept: kept.length };
}

async function runGunzipOnly(file: string): Promise<{ records: number; kept: number }> {
  let bytes = 0;
  const gunzip = createReadStream(file).pipe(createGunzip({ chunkSize: DECOMPRESSED_CHUNK_BYTES }));
  for await (const chunk of gunzip as AsyncIterable<Buffer>) bytes += chunk.length;
  // No records are read: the byte count stands in for them, to show the whole file went through.
  return { records: 0, kept: bytes };
}

async function runPipeline(file: string): Promise<{ records: number; kept: number }> {
  const counts = newCounts();
  for await (const kept of normaliseLogObject(createReadStream(file), { objectKey: path.basename(file) }, counts)) {
    void kept; // The store would write it; the benchmark measures what comes before.
  }
  return { records: counts.recordsRead, kept: counts.kept };
}

/**
 * The pipeline as the log-object service runs it: the SHA-256 of the decompressed bytes computed as they stream (the
 * hash a digest file records), for the cost of proving completeness.
 */
async function runPipelineHashed(file: string): Promise<{ records: number; kept: number }> {
  const counts = newCounts();
  const hash = createHash('sha256');
  const options = { objectKey: path.basename(file), onDecodedBytes: (chunk: Uint8Array) => hash.update(chunk) };
  for await (const kept of normaliseLogObject(createReadStream(file), options, counts)) {
    void kept;
  }
  hash.digest('hex');
  return { records: counts.recordsRead, kept: counts.kept };
}

async function runDecodeOnly(file: string): Promise<{ records: number; kept: number }> {
  let records = 0;
  let kept = 0;
  const objectKey = path.basename(file);
  const recordFilter = { key: 'eventSource', values: [...NAIVE_EVENT_SOURCES] };
  for await (const batch of decodeLogBatches(createReadStream(file), { objectKey, recordFilter })) {
    records = batch.recordsRead;
    for (const item of batch.items) {
      if (item.kind !== 'record') continue;
      const record = parseRecordText(item, objectKey);
      if (typeof record === 'object' && record !== null) kept++;
    }
  }
  return { records, kept };
}

/**
 * Measures `runs` runs of `variant` on `file`; with `largerFile`, then one run on it, which the result's times and
 * counts are then of (the peak before it is kept apart).
 */
async function child(variant: Variant, file: string, runs: number, largerFile?: string): Promise<void> {
  const startRssBytes = process.memoryUsage.rss();
  const run = {
    naive: runNaive,
    'gunzip-only': runGunzipOnly,
    pipeline: runPipeline,
    'pipeline-hashed': runPipelineHashed,
    'decode-only': runDecodeOnly,
  }[variant];
  const runMillis: number[] = [];
  const cpuMillis: number[] = [];
  let outcome = { records: 0, kept: 0 };
  const measureRun = async (input: string): Promise<void> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    outcome = await run(input);
    runMillis.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuMillis.push((used.user + used.system) / 1000);
  };
  for (let i = 0; i < runs; i++) await measureRun(file);
  // resourceUsage reports kilobytes.
  const peakRss = (): number => process.resourceUsage().maxRSS * 1024;
  let peakRssBeforeLargerBytes: number | undefined;
  if (largerFile !== undefined) {
    peakRssBeforeLargerBytes = peakRss();
    runMillis.length = 0;
    cpuMillis.length = 0;
    await measureRun(largerFile);
  }
  const result: ChildResult = {
    variant,
    runMillis,
    cpuMillis,
    ...outcome,
    startRssBytes,
    peakRssBytes: peakRss(),
    ...(peakRssBeforeLargerBytes === undefined ? {} : { peakRssBeforeLargerBytes }),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

// ---- parent: generate, spawn, compare -----------------------------------------------------------------------------

/**
 * This file as the code ships: one bundle with the Lambda bundles' options (`scripts/build.ts`: minified CommonJS),
 * for the Node.js that runs it, run by plain Node.js. Through the TypeScript loader the same pipeline took about a
 * quarter longer (each module's exports behind getters, a naming wrapper around functions made at run time), which
 * no user runs.
 */
async function bundleChild(dir: string): Promise<string> {
  const outfile = path.join(dir, 'decode-bench-child.js');
  // Loaded here, and left out of the bundle: the child has no use for them.
  const [{ build: esbuild }, { COMMON }] = await Promise.all([import('esbuild'), import('../scripts/build.js')]);
  await esbuild({
    ...COMMON,
    entryPoints: [__filename],
    external: ['esbuild'],
    sourcemap: false,
    target: `node${process.versions.node.split('.')[0] ?? '20'}`,
    outfile,
  });
  return outfile;
}

/**
 * Runs one variant in a child process, from the bundle {@link bundleChild} wrote (with `largerFile`: then once on
 * it, see {@link child}).
 */
function measure(childScript: string, variant: Variant, file: string, runs: number, largerFile?: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const args = [childScript, 'child', variant, file, String(runs), ...(largerFile === undefined ? [] : [largerFile])];
    const proc = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (data: string) => {
      stdout += data;
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('RESULT '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`the ${variant} child exited with code ${String(code)} and no result`));
        return;
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as ChildResult);
    });
  });
}

const MB = 1e6;
const MIB = 1024 * 1024;

/** Several measurements of one variant (one per round), merged: all run times, highest peak. */
function merge(results: readonly ChildResult[]): ChildResult {
  const [first] = results;
  if (first === undefined) throw new Error('no measurement to merge');
  return {
    ...first,
    runMillis: results.flatMap((result) => result.runMillis),
    cpuMillis: results.flatMap((result) => result.cpuMillis),
    startRssBytes: Math.min(...results.map((result) => result.startRssBytes)),
    peakRssBytes: Math.max(...results.map((result) => result.peakRssBytes)),
  };
}

function line(label: string, result: ChildResult, file: GeneratedFile): string {
  const seconds = median(result.runMillis) / 1000;
  return [
    label.padEnd(26),
    `${(file.jsonBytes / MB / seconds).toFixed(1).padStart(6)} MB/s`,
    `wall ${median(result.runMillis).toFixed(0).padStart(6)} ms (best ${Math.min(...result.runMillis).toFixed(0).padStart(5)})`,
    `cpu ${median(result.cpuMillis).toFixed(0).padStart(6)} ms`,
    `peak RSS ${(result.peakRssBytes / MIB).toFixed(0).padStart(5)} MiB (${((result.peakRssBytes - result.startRssBytes) / MIB).toFixed(0).padStart(4)} above start)`,
    result.variant === 'gunzip-only' ? `${result.kept} bytes inflated` : `records ${result.records}, kept ${result.kept}`,
  ].join('  ');
}

/** The load averages over 1, 5 and 15 minutes, as `uptime` prints them. */
function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');
}

function positiveInteger(name: string, text: string, minimum = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`--${name} must be an integer >= ${minimum}, got "${text}"`);
  }
  return value;
}

async function parent(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      records: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
      'large-factor': { type: 'string', default: '10' },
      keep: { type: 'boolean', default: false },
    },
  });
  const records = positiveInteger('records', values.records);
  const runs = positiveInteger('runs', values.runs);
  const rounds = positiveInteger('rounds', values.rounds);
  const largeFactor = positiveInteger('large-factor', values['large-factor'], 0);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'trail-audit-bench-'));
  try {
    const cpus = os.cpus().length;
    const load = os.loadavg()[0] ?? 0;
    console.log(
      `trail-audit decode benchmark: Node.js ${process.version}, ${cpus} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${loadAverage()}`,
    );
    if (load > cpus / 2) {
      console.log('note: the machine is busy; wall-clock times will be noisy (the cpu column is steadier)');
    }
    let started = performance.now();
    const file = await writeLogFile(path.join(dir, `records-${records}.json.gz`), records);
    const { size: gzipBytes } = await stat(file.path);
    console.log(
      `generated ${records.toLocaleString('en-US')} records: ${(file.jsonBytes / MB).toFixed(1)} MB of JSON, ` +
        `${(gzipBytes / MB).toFixed(1)} MB gzipped, ${file.targetRecords} from the indexed services ` +
        `(${((100 * file.targetRecords) / records).toFixed(1)}%), in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(
      `each variant: ${rounds} child processes (alternating with the others) x ${runs} runs; median times, highest peak`,
    );

    const childScript = await bundleChild(dir);
    // Alternate the variants so that a burst of load on the machine does not hit one of them only.
    const measured: Record<Variant, ChildResult[]> = { naive: [], 'gunzip-only': [], pipeline: [], 'pipeline-hashed': [], 'decode-only': [] };
    const variants = VARIANTS.filter(
      (variant) => (variant !== 'pipeline' && variant !== 'pipeline-hashed') || OURS_VARIANT === 'pipeline',
    );
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) measured[variant].push(await measure(childScript, variant, file.path, runs));
    }
    const naive = merge(measured.naive);
    const gunzipOnly = merge(measured['gunzip-only']);
    const ours = merge(measured[OURS_VARIANT]);
    console.log('');
    console.log(line('naive', naive, file));
    console.log(line('gunzip only', gunzipOnly, file));
    console.log(line(`ours (${OURS_VARIANT})`, ours, file));
    if (OURS_VARIANT !== 'decode-only') console.log(line('ours (decode only)', merge(measured['decode-only']), file));
    const hashed = OURS_VARIANT === 'pipeline' ? merge(measured['pipeline-hashed']) : undefined;
    if (hashed !== undefined) console.log(line('ours (hashed)', hashed, file));

    // Throughput is bytes over median wall time: a ratio of throughputs is the inverse ratio of times.
    const speedup = median(naive.runMillis) / median(ours.runMillis);
    const ofGunzip = median(gunzipOnly.runMillis) / median(ours.runMillis);
    const memoryRatio = ours.peakRssBytes / naive.peakRssBytes;
    console.log('');
    console.log(`throughput ours/naive: ${speedup.toFixed(2)}x   (target >= 3x)   ${verdict(speedup >= 3)}`);
    console.log(`  (cpu time naive/ours: ${(median(naive.cpuMillis) / median(ours.cpuMillis)).toFixed(2)}x, for information)`);
    console.log(`throughput ours/gunzip only: ${(100 * ofGunzip).toFixed(0)}%   (target >= 50%)   ${verdict(ofGunzip >= 0.5)}`);
    console.log(
      `  (cpu time gunzip only/ours: ${((100 * median(gunzipOnly.cpuMillis)) / median(ours.cpuMillis)).toFixed(0)}%, for information)`,
    );
    if (runs > 1) {
      // For information: the first object a process reads also pays V8's compilation of the code that reads it
      // (the Lambda's first invocation in a new execution environment, the CLI's first file).
      const first = (result: ChildResult): number[] => result.runMillis.filter((_, index) => index % runs === 0);
      const later = (result: ChildResult): number[] => result.runMillis.filter((_, index) => index % runs !== 0);
      console.log(
        `  (first run of each process: ours ${median(first(ours)).toFixed(0)} ms, gunzip only ` +
          `${median(first(gunzipOnly)).toFixed(0)} ms; later runs: ours ${median(later(ours)).toFixed(0)} ms, gunzip ` +
          `only ${median(later(gunzipOnly)).toFixed(0)} ms, ${((100 * median(later(gunzipOnly))) / median(later(ours))).toFixed(0)}%; ` +
          `medians, for information)`,
      );
    }
    console.log(`peak memory ours/naive: ${memoryRatio.toFixed(3)}   (target <= 0.333)   ${verdict(memoryRatio <= 1 / 3)}`);
    if (hashed !== undefined) {
      // For information: what hashing the decompressed bytes (proof of completeness) costs the pipeline.
      console.log(
        `throughput hashed/ours: ${(median(ours.runMillis) / median(hashed.runMillis)).toFixed(2)}x, ` +
          `cpu time ours/hashed: ${(median(ours.cpuMillis) / median(hashed.cpuMillis)).toFixed(2)}x, ` +
          `peak memory hashed/ours: ${(hashed.peakRssBytes / ours.peakRssBytes).toFixed(2)} (for information)`,
      );
    }
    let largePass = true;
    if (largeFactor > 0) {
      started = performance.now();
      // Cycles through the records of the 1x file (with fresh eventIDs): writing is then bound by gzip alone.
      const large = await writeLogFile(path.join(dir, `records-${records * largeFactor}.json.gz`), records * largeFactor, {
        distinct: records,
      });
      console.log('');
      console.log(
        `generated ${(records * largeFactor).toLocaleString('en-US')} records (${(large.jsonBytes / MB).toFixed(0)} MB of JSON, written as a stream) ` +
          `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      // Each after as many runs on the 1x file in the same process: the growth is the peak after over the peak before.
      const growthOf = (result: ChildResult): number => result.peakRssBytes / (result.peakRssBeforeLargerBytes ?? NaN);
      const oursLarge = await measure(childScript, OURS_VARIANT, file.path, largeFactor, large.path);
      console.log(line(`ours, ${largeFactor}x file`, oursLarge, large));
      if (OURS_VARIANT !== 'decode-only') {
        const decodeLarge = await measure(childScript, 'decode-only', file.path, largeFactor, large.path);
        console.log(line(`decode only, ${largeFactor}x file`, decodeLarge, large));
        console.log(`  (decode only: peak memory ${largeFactor}x file / 1x file ${growthOf(decodeLarge).toFixed(3)}, for information)`);
      }
      const growth = growthOf(oursLarge);
      largePass = growth <= 1.2;
      console.log(`peak memory ${largeFactor}x file / 1x file (ours): ${growth.toFixed(3)}   (target <= 1.20)   ${verdict(largePass)}`);
    }
    console.log('');
    console.log(`load average at the end: ${loadAverage()}`);
    if (speedup < 3 || ofGunzip < 0.5 || memoryRatio > 1 / 3 || !largePass) process.exitCode = 1;
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, variant, file, runs, largerFile] = process.argv.slice(2);
  if (mode === 'child') {
    const known = VARIANTS.find((candidate) => candidate === variant);
    if (known === undefined || file === undefined) {
      throw new Error(`usage: decode.bench.ts child ${VARIANTS.join('|')} FILE RUNS [LARGER_FILE] (got ${String(variant)})`);
    }
    await child(known, file, Number(runs ?? '1'), largerFile);
  } else {
    await parent();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
