/**
 * Helpers of the whole-process benchmarks: run a command as a process of its own, time it from spawn to exit, and
 * summarise rounds. Whole processes, because that is what a user waits for (start-up, module loading and output
 * included); every figure is read against a baseline run in the same invocation, alternated with it so that a burst
 * of load on the machine does not hit one side only.
 */
import { execFileSync, spawn } from 'node:child_process';
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
