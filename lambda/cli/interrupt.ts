/**
 * Interruption: SIGINT aborts the run's signal; commands check it between units of work (a file, a page) and
 * throw {@link Interrupted}, so `finally` blocks still close the target and the exit code says what happened.
 */

/** Thrown when the run was interrupted (SIGINT): exit code 130. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}

/** Throws {@link Interrupted} if the signal was aborted. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupted();
}
