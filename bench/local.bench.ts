/**
 * `npm run bench` (local): the embedded default as a person uses it — `trail-audit ingest` of a folder of logs and
 * `trail-audit query` after it — whole processes of the installed command (`node bin/trail-audit-cli.js`), against
 * baselines measured in the same invocation.
 *
 * - ingest: events stored per second of wall time (the command's whole run) on generated logs in CloudTrail's
 *   layout, first into a new data folder (the server is started by that command) and again with `--force` on the
 *   running server. Baseline: the same files written the way the embedded default wrote before this local mode (a
 *   DynamoDB Local per command, SQLite's default rollback journal, `--table --endpoint` into it, the server start not
 *   counted), on a sample of the files. Target: ≥ 1,000 events/s on the running server.
 * - where the `--force` ingest's CPU went, per item written (DynamoDB Local's SQLite thread, the whole server, the
 *   CLI; read from `/proc`, Linux only), and the rates those allow, for information.
 * - query: `query --action DeleteLoadBalancer --limit 20` wall time, first (no server running: the command starts it)
 *   and warm (median of the runs that follow); baseline: `trail-audit --version`, the process start alone. Target:
 *   warm ≤ 500 ms.
 * - disk: bytes of the data folder's database per event stored, for information (and the baseline's).
 *
 * Usage: npx tsx bench/local.bench.ts [--files 20] [--records 5000] [--baseline-files 2] [--query-rounds 7] [--keep]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from '../scripts/build';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../lambda/cli/target';
import { startDynamoDBLocal } from '../lambda/local/dynamodb-local';
import { IDLE_VARIABLE, localServerStatus, stopLocalServer } from '../lambda/local/local-server';
import { DEFAULT_TABLE_NAME } from '../lambda/store/table-definition';
import { writeLogFile } from './cloudtrail-generator';
import {
  endedChildrenCpuMs,
  machineLoad,
  median,
  ms,
  processCpu,
  threadCpuMs,
  timeProcess,
  verdict,
  type ProcessRun,
} from './measure';

const LAUNCHER = path.resolve(__dirname, '..', 'bin', 'trail-audit-cli.js');
const INGEST_TARGET_EVENTS_PER_SECOND = 1_000;
const QUERY_TARGET_MS = 500;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be an integer >= 1, got "${text}"`);
  return value;
}

/** Runs the CLI in `cwd` with the bench's environment, timed; a non-zero exit stops the bench. */
async function cli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ProcessRun> {
  const run = await new Promise<ProcessRun>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd,
      env: { ...process.env, [IDLE_VARIABLE]: '120s', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        wallMs: performance.now() - started,
        stdoutBytes: stdout.length,
        stdoutLines: stdout.split('\n').length - 1,
        stdoutHead: stdout.slice(0, 1024),
        code,
        stderr,
      }),
    );
  });
  if (run.code !== 0) throw new Error(`trail-audit ${args.join(' ')} exited ${String(run.code)}: ${run.stderr.trim()}`);
  return run;
}

/** A count read from an ingest summary (`…, 1,234 stored, 10,987 items written…`). */
function summaryCount(run: ProcessRun, what: 'stored' | 'items written'): number {
  const match = new RegExp(` ([\\d,]+) ${what}(?=[,; ]|$)`, 'm').exec(run.stderr);
  if (match?.[1] === undefined) throw new Error(`no "${what}" count in: ${run.stderr}`);
  return Number(match[1].replace(/,/g, ''));
}

/** Events stored, read from an ingest summary. */
function storedOf(run: ProcessRun): number {
  return summaryCount(run, 'stored');
}

/**
 * Where the CPU of an ingest on the running server went, per item written, and the throughput each share allows:
 * DynamoDB Local runs every write on one SQLite thread, so that thread alone bounds the rate however fast the rest
 * is; and the whole work (server and CLI) shares the machine's CPUs. Read from `/proc` (Linux); undefined elsewhere.
 */
async function ingestCpu(
  dataDir: string,
  run: () => Promise<ProcessRun>,
): Promise<{ run: ProcessRun; lines?: string[] }> {
  const server = await localServerStatus(dataDir);
  const serverBefore = server === undefined ? undefined : processCpu(server.pid);
  const cliBefore = endedChildrenCpuMs();
  const result = await run();
  const serverAfter = server === undefined ? undefined : processCpu(server.pid);
  const cliAfter = endedChildrenCpuMs();
  if (serverBefore === undefined || serverAfter === undefined || cliBefore === undefined || cliAfter === undefined) {
    return { run: result };
  }
  const items = summaryCount(result, 'items written');
  const itemsPerEvent = items / storedOf(result);
  const perItem = (cpuMs: number): number => (cpuMs * 1000) / items;
  const sqlite = perItem(threadCpuMs(serverBefore, serverAfter, 'SQLiteQueue'));
  const wholeServer = perItem(serverAfter.totalMs - serverBefore.totalMs);
  const cliOwn = perItem(cliAfter - cliBefore);
  const cpus = os.cpus().length;
  const µs = (value: number): string => `${value.toFixed(0)} µs`;
  return {
    run: result,
    lines: [
      `  CPU per item written (the --force run): DynamoDB Local's SQLite thread ${µs(sqlite)}, the whole server ` +
        `${µs(wholeServer)}, the CLI ${µs(cliOwn)}`,
      `  ceilings at ${itemsPerEvent.toFixed(2)} items per event: the SQLite thread alone ` +
        `<= ${(1e6 / (sqlite * itemsPerEvent)).toFixed(0)} events/s; ${cpus} CPUs fully busy with server and CLI ` +
        `<= ${((cpus * 1e6) / ((wholeServer + cliOwn) * itemsPerEvent)).toFixed(0)} events/s`,
    ],
  };
}

async function folderBytes(folder: string, names: readonly string[]): Promise<number> {
  let total = 0;
  for (const name of names) total += await stat(path.join(folder, name)).then((info) => info.size, () => 0);
  return total;
}

/** Generated logs: `files` files of `records` records each, in CloudTrail's layout, one day. */
async function generateLogs(dir: string, files: number, records: number): Promise<string[]> {
  const day = path.join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '03', '28');
  await mkdir(day, { recursive: true });
  const written: string[] = [];
  for (let file = 0; file < files; file++) {
    const name = `111122223333_CloudTrail_us-east-1_20240328T${String(file % 24).padStart(2, '0')}00Z_b${file}.json.gz`;
    await writeLogFile(path.join(day, name), records, { seed: 5_000 + file });
    written.push(path.join(day, name));
  }
  return written;
}

/** The baseline: the same files written the old way (own server, default journal), on `sample` files. */
async function baselineIngest(dir: string, files: readonly string[]): Promise<{ rate: number; bytesPerEvent: number }> {
  const dataDir = path.join(dir, 'baseline-data');
  const server = await startDynamoDBLocal({ dataDir });
  try {
    const client = new DynamoDBClient({ endpoint: server.endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } });
    await ensureTable(client, DEFAULT_TABLE_NAME);
    client.destroy();
    const run = await cli(['ingest', ...files, '--table', DEFAULT_TABLE_NAME, '--endpoint', server.endpoint], dir, {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
    });
    const stored = storedOf(run);
    await server.stop();
    const bytes = await folderBytes(dataDir, await readdir(dataDir));
    return { rate: (stored * 1000) / run.wallMs, bytesPerEvent: bytes / stored };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      files: { type: 'string', default: '20' },
      records: { type: 'string', default: '5000' },
      'baseline-files': { type: 'string', default: '2' },
      'query-rounds': { type: 'string', default: '7' },
      keep: { type: 'boolean', default: false },
    },
  });
  const files = positiveInteger('files', values.files);
  const records = positiveInteger('records', values.records);
  const baselineFiles = Math.min(files, positiveInteger('baseline-files', values['baseline-files']));
  const queryRounds = positiveInteger('query-rounds', values['query-rounds']);

  console.log(`trail-audit local-mode benchmark: Node.js ${process.version}; ${machineLoad()}`);
  await build(['cli']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trail-audit-local-bench-'));
  const work = path.join(dir, 'work');
  const dataDir = path.join(work, '.trail-audit');
  await mkdir(work);
  try {
    const started = performance.now();
    const logs = await generateLogs(path.join(dir, 'logs'), files, records);
    console.log(
      `logs: ${files} files of ${records.toLocaleString('en-US')} records (about 10% kept) generated in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // ingest
    const first = await cli(['ingest', path.join(dir, 'logs')], work);
    await stopLocalServer(dataDir);
    const firstBytes = await folderBytes(dataDir, ['shared-local-instance.db', 'shared-local-instance.db-wal']);
    // The re-ingest starts the server again (stopped above to measure the disk): it is started before timing.
    await cli(['local', 'status'], work);
    await cli(['query', '--action', 'DeleteLoadBalancer', '--limit', '1'], work);
    const { run: again, lines: cpuLines } = await ingestCpu(dataDir, () => cli(['ingest', '--force', path.join(dir, 'logs')], work));
    const stored = storedOf(first);
    const firstRate = (stored * 1000) / first.wallMs;
    const warmRate = (storedOf(again) * 1000) / again.wallMs;
    const baseline = await baselineIngest(dir, logs.slice(0, baselineFiles));
    console.log(`ingest (${stored.toLocaleString('en-US')} events, whole command)`);
    console.log(`  new data folder (starts the server)  ${ms(first.wallMs)}   ${firstRate.toFixed(0)} events/s   ${(firstRate / baseline.rate).toFixed(1)}x baseline`);
    console.log(`  again, --force (server running)      ${ms(again.wallMs)}   ${warmRate.toFixed(0)} events/s   ${(warmRate / baseline.rate).toFixed(1)}x baseline`);
    console.log(`  baseline: own server per command, rollback journal (${baselineFiles} files): ${baseline.rate.toFixed(0)} events/s`);
    for (const cpuLine of cpuLines ?? ['  (CPU per item: not measured; it needs /proc (Linux) and the running server)']) console.log(cpuLine);
    const ingestPass = warmRate >= INGEST_TARGET_EVENTS_PER_SECOND;
    console.log(`ingest on the running server: ${warmRate.toFixed(0)} events/s (target >= ${INGEST_TARGET_EVENTS_PER_SECOND})   ${verdict(ingestPass)}`);

    // query
    await stopLocalServer(dataDir);
    const query = ['query', '--action', 'DeleteLoadBalancer', '--limit', '20'];
    const cold = await cli(query, work);
    const warm: number[] = [];
    const start: number[] = [];
    for (let round = 0; round < queryRounds; round++) {
      start.push((await timeProcess(process.execPath, [LAUNCHER, '--version'])).wallMs);
      warm.push((await cli(query, work)).wallMs);
    }
    const warmMedian = median(warm);
    const startMedian = median(start);
    console.log(`query --action DeleteLoadBalancer --limit 20 (${queryRounds} warm rounds, medians)`);
    console.log(`  first (starts the server)   ${ms(cold.wallMs)}   ${(cold.wallMs / startMedian).toFixed(1)}x trail-audit --version`);
    console.log(`  warm                        ${ms(warmMedian)}   ${(warmMedian / startMedian).toFixed(1)}x trail-audit --version (${ms(startMedian).trim()})`);
    const queryPass = warmMedian <= QUERY_TARGET_MS;
    console.log(`warm query: ${warmMedian.toFixed(0)} ms (target <= ${QUERY_TARGET_MS} ms)   ${verdict(queryPass)}`);

    // disk
    await stopLocalServer(dataDir);
    const bytes = await folderBytes(dataDir, ['shared-local-instance.db', 'shared-local-instance.db-wal']);
    console.log(
      `disk: ${(firstBytes / stored / 1024).toFixed(1)} KiB per event stored after the first ingest ` +
        `(${(firstBytes / 1e6).toFixed(1)} MB for ${stored.toLocaleString('en-US')} events), ` +
        `${(bytes / stored / 1024).toFixed(1)} KiB after the --force re-ingest and the queries; baseline ` +
        `${(baseline.bytesPerEvent / 1024).toFixed(1)} KiB per event`,
    );
    console.log(`load at the end: ${machineLoad()}`);
    if (!ingestPass || !queryPass) process.exitCode = 1;
  } finally {
    await stopLocalServer(dataDir);
    if (values.keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
