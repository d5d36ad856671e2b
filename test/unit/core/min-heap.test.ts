/**
 * The min-heap the resource merge's index keeps its positions in: the smallest first, whatever the order of pushes and
 * pops.
 */
import { popSmallest, pushHeap } from '../../../lambda/core/min-heap';
import { seededRandom } from '../../helpers/chunkings';

describe('min-heap', () => {
  it('gives the smallest first after any mix of pushes and pops, against a sorted list', () => {
    // Prepare: 2,000 sequences of up to 200 steps, pushes of values 0 to 49 (repeats too) and pops, in any order
    const random = seededRandom(61206);
    const sequences = Array.from({ length: 2_000 }, () =>
      Array.from({ length: Math.floor(random() * 200) }, () => (random() < 0.6 ? Math.floor(random() * 50) : 'pop' as const)),
    );

    // Act: after each step, the heap's first against the smallest of what a sorted list holds
    const wrong = sequences.filter((steps) => {
      const heap: number[] = [];
      const sorted: number[] = [];
      return steps.some((step) => {
        if (step === 'pop') {
          popSmallest(heap);
          sorted.shift();
        } else {
          pushHeap(heap, step);
          sorted.push(step);
          sorted.sort((a, b) => a - b);
        }
        return heap[0] !== sorted[0] || heap.length !== sorted.length;
      });
    });

    // Assess
    expect(wrong.length).toBe(0);
  });
});
