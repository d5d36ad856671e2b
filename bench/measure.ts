/**
 * Helpers of the whole-process benchmarks: run a command as a process of its own, time it from spawn to exit, and
 * summarise rounds. Whole processes, because that is what a user waits for (start-up, module loading and output
 * included); every figure is read against a baseline run in the same invocation, alternated with it so that a burst
 * of load on the machine does not hit one side only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** One run of a process. */
export interface ProcessRun {
  /** From spawn to the process's exit with its output read. */
  readonly wallMs: number;
  readonly stdoutBytes: number;
  /** Newlines written to stdout. */
  readonly stdoutLines: number;
  /** The first KiB of stdout, for a process that prints a figure. */
  readonly stdoutHead: string;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs `command args` with stdout piped to this process (read and counted, not kept), and times it. */
export function timeProcess(command: string, args: readonly string[]): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let stdoutLines = 0;
    let stdoutHead = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutHead.length < 1024) stdoutHead += chunk.toString('utf8', 0, 1024 - stdoutHead.length);
      stdoutBytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stdoutLines++;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ wallMs: performance.now() - started, stdoutBytes, stdoutLines, stdoutHead, code, stderr });
    });
  });
}

/**
 * Runs each variant once per round, in the same order every round, and returns each variant's runs. A run that
 * exits non-zero stops the benchmark: its figure would not mean anything.
 */
export async function alternate<K extends string>(
  variants: Readonly<Record<K, () => Promise<ProcessRun>>>,
  rounds: number,
): Promise<Record<K, ProcessRun[]>> {
  const names = Object.keys(variants) as K[];
  const runs = Object.fromEntries(names.map((name) => [name, [] as ProcessRun[]])) as Record<K, ProcessRun[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const run = await variants[name]();
      if (run.code !== 0) throw new Error(`${name} exited with code ${String(run.code)}: ${run.stderr.trim()}`);
      runs[name].push(run);
    }
  }
  return runs;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) throw new Error('median of nothing');
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The median wall time of some runs, in milliseconds. */
export function medianWall(runs: readonly ProcessRun[]): number {
  return median(runs.map((run) => run.wallMs));
}

/** A target's verdict. */
export function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL';
}

/** The machine's load as `uptime` prints it (its load averages where `uptime` is missing), with the CPU count. */
export function machineLoad(): string {
  let uptime: string;
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    uptime = `load average: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')}`;
  }
  return `${uptime} (${os.cpus().length} CPUs)`;
}

/** Milliseconds, for a table. */
export function ms(value: number): string {
  return `${value.toFixed(0).padStart(5)} ms`;
}

/** CPU time of a process, whole and by thread, read from `/proc` (Linux). */
export interface ProcessCpu {
  /** User + system time of the whole process, its ended threads included. */
  readonly totalMs: number;
  /** User + system time of each live thread, by `<thread id> <thread name>`. */
  readonly threadsMs: ReadonlyMap<string, number>;
}

/** Clock ticks per second of the times in `/proc/.../stat`. */
let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * The fields of a `/proc/.../stat` line after the command name (which may hold spaces and parentheses), so that
 * `fields[0]` is field 3 (state) of proc(5): utime is `fields[11]`, stime `fields[12]`, cutime and cstime
 * `fields[13]` and `fields[14]`.
 */
function statFields(file: string): string[] | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function ticksToMs(...fields: (string | undefined)[]): number {
  return (fields.reduce((sum, field) => sum + Number(field ?? 0), 0) * 1000) / ticksPerSecond();
}

/** The CPU time of process `pid` and of each of its threads; undefined where `/proc` cannot tell (not Linux, gone). */
export function processCpu(pid: number): ProcessCpu | undefined {
  const fields = statFields(`/proc/${pid}/stat`);
  if (fields === undefined) return undefined;
  const threadsMs = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // Gone between the two reads: the whole-process figure stands alone.
  }
  for (const tid of tids) {
    const thread = statFields(`/proc/${pid}/task/${tid}/stat`);
    if (thread === undefined) continue;
    let name = '';
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      // A thread that ended: left out.
    }
    threadsMs.set(`${tid} ${name}`, ticksToMs(thread[11], thread[12]));
  }
  return { totalMs: ticksToMs(fields[11], fields[12]), threadsMs };
}

/** CPU time this process's ended (waited-for) child processes used, from `/proc/self/stat`; undefined off Linux. */
export function endedChildrenCpuMs(): number | undefined {
  const fields = statFields('/proc/self/stat');
  return fields === undefined ? undefined : ticksToMs(fields[13], fields[14]);
}

/** The CPU time the threads whose name starts with `prefix` used between two readings (threads new in `after` count whole). */
export function threadCpuMs(before: ProcessCpu, after: ProcessCpu, prefix: string): number {
  let total = 0;
  for (const [key, afterMs] of after.threadsMs) {
    if (!key.slice(key.indexOf(' ') + 1).startsWith(prefix)) continue;
    total += afterMs - (before.threadsMs.get(key) ?? 0);
  }
  return total;
}
