/**
 * A binary min-heap of numbers kept in a plain array: `heap[0]` is the smallest. Used where positions must be read
 * smallest first although they are not added in order (the resource merge's index). Pure.
 */

/** Adds a number to a min-heap (one that is not smaller than its parent does not move). */
export function pushHeap(heap: number[], value: number): void {
  let at = heap.length;
  heap.push(value);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    const above = heap[parent] ?? -1;
    if (above <= value) break;
    heap[at] = above;
    heap[parent] = value;
    at = parent;
  }
}

/** Removes the smallest number of a min-heap (its first); an empty heap stays empty. */
export function popSmallest(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] ?? 0) < (heap[left] ?? 0) ? right : left;
    if ((heap[child] ?? 0) >= last) break;
    heap[at] = heap[child] ?? 0;
    at = child;
  }
  heap[at] = last;
}
