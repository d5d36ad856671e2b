/**
 * The file ledger in memory, for tests of the application layer that need a ledger but not DynamoDB.
 */
import type { FileLedger, LedgerEntry } from '../../lambda/app/ports';

/** A {@link FileLedger} over a map; `entries` shows what was recorded. */
export class MemoryLedger implements FileLedger {
  readonly entries = new Map<string, LedgerEntry>();

  get(objectId: string): Promise<LedgerEntry | undefined> {
    return Promise.resolve(this.entries.get(objectId));
  }

  put(entry: LedgerEntry): Promise<void> {
    this.entries.set(entry.objectId, entry);
    return Promise.resolve();
  }
}
