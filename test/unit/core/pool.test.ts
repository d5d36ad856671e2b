import { forEachConcurrently } from '../../../lambda/core/pool';

/** A task that records how many tasks run at once while it runs. */
function tracker(): { running: number; peak: number; task: () => Promise<void> } {
  const state = {
    running: 0,
    peak: 0,
    task: async () => {
      state.running += 1;
      state.peak = Math.max(state.peak, state.running);
      await new Promise((resolve) => setImmediate(resolve));
      state.running -= 1;
    },
  };
  return state;
}

describe('forEachConcurrently', () => {
  it('runs at most the limit at once', async () => {
    const state = tracker();

    await forEachConcurrently(Array.from({ length: 10 }, (_, index) => index), 3, state.task);

    expect(state.peak).toBe(3);
  });

  it('runs every item once', async () => {
    const seen: number[] = [];

    await forEachConcurrently([1, 2, 3, 4, 5], 2, (item) => {
      seen.push(item);
      return Promise.resolve();
    });

    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('takes no new item once told to stop', async () => {
    const seen: number[] = [];

    await forEachConcurrently(
      [1, 2, 3, 4],
      1,
      (item) => {
        seen.push(item);
        return Promise.resolve();
      },
      () => seen.length >= 2,
    );

    expect(seen).toEqual([1, 2]);
  });

  it('rejects with the error of a failing item', async () => {
    await expect(forEachConcurrently([1], 1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
