/**
 * Bounded concurrency without a dependency: `limit` workers take the next item until none is left.
 */

/**
 * Runs `work` on every item, at most `limit` at a time; resolves when all are done. `work` should not throw
 * (report and count instead); if it does, the first error rejects the whole run once the workers in flight end.
 * @param shouldStop checked before each item is taken: true stops taking new items (items in flight finish)
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
