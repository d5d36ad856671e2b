/**
 * A measuring tool of the item-mapping tests: what writing an event's items costs. Production never needs it (the
 * table is on-demand and DynamoDB reports consumed capacity itself), so it lives with the tests.
 */
import { itemSize } from '../../lambda/core/item-mapping';

/** Write request units one event costs: ceil(size / 1 KB) per item, summed over the event item and its lookups. */
export function writeUnitsOf(items: readonly object[]): number {
  return items.reduce<number>((sum, item) => sum + Math.max(1, Math.ceil(itemSize(item) / 1024)), 0);
}
