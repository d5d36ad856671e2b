/**
 * Starting several local servers at once without leaking any: each start assigns its server as soon as it is up
 * (the caller's `.then`), and this waits for every start to settle before reporting the first failure, so the
 * test file's afterAll finds and stops every server that did start.
 */

/** Waits for every start to settle, then throws the first failure (`Promise.all` would return before the rest). */
export async function startServers(starts: readonly Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
