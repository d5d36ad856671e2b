/**
 * Interruption: SIGINT (Ctrl-C), SIGTERM and SIGHUP abort the run's signal, with the signal's name as its reason;
 * commands stop taking new work, let the work in flight end or stop it between two chunks, report what was done, and
 * throw {@link Interrupted}, so `finally` blocks still close the target and the exit code says what happened. A second
 * signal exits at once, with a one-line summary (see `runCli`).
 */

/** The signals the CLI stops on, and the exit code of each: 128 + the signal's number, as shells report it. */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** One of {@link STOP_SIGNALS}' names. */
export type StopSignal = keyof typeof STOP_SIGNALS;

function isStopSignal(value: unknown): value is StopSignal {
  return typeof value === 'string' && Object.hasOwn(STOP_SIGNALS, value);
}

/** The signal that aborted `signal` (its reason); SIGINT when it was aborted without one (a test, a caller). */
export function stopSignalOf(signal: AbortSignal): StopSignal {
  const reason: unknown = signal.reason;
  return isStopSignal(reason) ? reason : 'SIGINT';
}

/** Thrown when the run was interrupted: exit code 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP). */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(readonly signalName: StopSignal = 'SIGINT') {
    super(`interrupted (${signalName})`);
  }

  /** The exit code of the signal that interrupted the run. */
  get exitCode(): (typeof STOP_SIGNALS)[StopSignal] {
    return STOP_SIGNALS[this.signalName];
  }
}

/** Throws {@link Interrupted} if the signal was aborted. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupted(stopSignalOf(signal));
}
