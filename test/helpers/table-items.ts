/**
 * The whole content of an event table as comparable text, and the files of a folder: what the tests that compare
 * two ways of taking the same log objects in (two doors, several notification shapes) need.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Every file under a folder, depth first. */
export async function* filesUnder(folder: string): AsyncGenerator<string> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/** JSON with the keys of every object sorted, so equal items give equal text whatever their attribute order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner) && !(inner instanceof Set)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner instanceof Set
        ? [...(inner as Set<unknown>)].map(String).sort()
        : inner,
  );
}

/**
 * Every item of a table, as comparable text, sorted; the event items of `withoutSource` events without their
 * `source` (which object's copy of a repeated event is kept may depend on the order objects are taken in).
 */
export async function tableItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  withoutSource: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const items: string[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const { source, ...rest } = item as Record<string, unknown>;
      items.push(canonical(item.sk === 'EVENT' && withoutSource.has(String(item.pk)) ? rest : { source, ...rest }));
    }
  }
  return items.sort();
}
