/**
 * Hand-written fakes of the SNS and EventBridge clients (no local server exists for either) and of the alert
 * ledger: they record what they were sent and answer as scripted.
 */
import type { PublishBatchCommand, PublishBatchCommandOutput, PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import type { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Alert } from '../../../lambda/core/alerts/alert';
import type { AlertChannel, AlertLedger, ClaimResult } from '../../../lambda/app/ports';
import { AlertDeliveryError } from '../../../lambda/app/alert-delivery';

const METADATA = { $metadata: {} };

/** An SNS client that accepts everything except the entries `failIds` names (by Subject), `failTimes` times. */
export class FakeSns {
  readonly batches: PublishBatchRequestEntry[][] = [];
  readonly topics: (string | undefined)[] = [];
  private readonly failures = new Map<string, number>();

  constructor(failing: Record<string, number> = {}, private readonly senderFault = false) {
    for (const [subject, times] of Object.entries(failing)) this.failures.set(subject, times);
  }

  send(command: PublishBatchCommand): Promise<PublishBatchCommandOutput> {
    const entries = command.input.PublishBatchRequestEntries ?? [];
    this.batches.push(entries);
    this.topics.push(command.input.TopicArn);
    const failed = entries.flatMap((entry) => {
      const left = this.failures.get(entry.Subject ?? '') ?? 0;
      if (left <= 0) return [];
      this.failures.set(entry.Subject ?? '', left - 1);
      return [{ Id: entry.Id, Code: 'InternalError', Message: 'try again', SenderFault: this.senderFault }];
    });
    const successful = entries.filter((e) => !failed.some((f) => f.Id === e.Id)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` }));
    return Promise.resolve({ ...METADATA, Successful: successful, Failed: failed });
  }

  /** Every entry sent, retries included. */
  get entries(): PublishBatchRequestEntry[] {
    return this.batches.flat();
  }
}

/** An EventBridge client that fails the entries whose detail's eventID is in `failing`, that many times. */
export class FakeEventBridge {
  readonly batches: PutEventsRequestEntry[][] = [];
  private readonly failures = new Map<string, number>();

  constructor(failing: Record<string, number> = {}) {
    for (const [eventID, times] of Object.entries(failing)) this.failures.set(eventID, times);
  }

  send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    this.batches.push(entries);
    let failed = 0;
    const results = entries.map((entry) => {
      const eventID = (JSON.parse(entry.Detail ?? '{}') as { eventID?: string }).eventID ?? '';
      const left = this.failures.get(eventID) ?? 0;
      if (left <= 0) return { EventId: `ev-${eventID}` };
      this.failures.set(eventID, left - 1);
      failed += 1;
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
    });
    return Promise.resolve({ ...METADATA, FailedEntryCount: failed, Entries: results });
  }
}

/** A channel that records what it delivered and fails the alerts named in `failing` (by eventID). */
export class RecordingChannel implements AlertChannel {
  readonly delivered: Alert[] = [];

  constructor(
    readonly name: string,
    private readonly failing: ReadonlySet<string> = new Set(),
  ) {}

  deliver(alerts: readonly Alert[]): Promise<void> {
    const ok = alerts.filter((a) => !this.failing.has(a.eventID));
    this.delivered.push(...ok);
    const failed = alerts.filter((a) => this.failing.has(a.eventID));
    if (failed.length > 0) {
      return Promise.reject(
        new AlertDeliveryError(this.name, ok, failed.map((alert) => ({ alert, code: 'InternalError', message: 'down' }))),
      );
    }
    return Promise.resolve();
  }
}

interface LedgerItem {
  status: 'pending' | 'sent';
  token?: string;
  deliveredTo: Set<string>;
}

/** An in-memory ledger with the DynamoDB ledger's semantics (a lease that `expire()` ends at once). */
export class MemoryLedger implements AlertLedger {
  readonly items = new Map<string, LedgerItem>();
  private tokens = 0;

  claim(alert: Alert): Promise<ClaimResult> {
    const key = `${alert.key.pk}|${alert.key.sk}`;
    const item = this.items.get(key);
    if (item?.status === 'sent') return Promise.resolve({ status: 'sent' });
    if (item?.token !== undefined) return Promise.resolve({ status: 'in-flight' });
    this.tokens += 1;
    const token = `t${this.tokens}`;
    const next = { status: 'pending' as const, token, deliveredTo: item?.deliveredTo ?? new Set<string>() };
    this.items.set(key, next);
    return Promise.resolve({ status: 'claimed', token, deliveredTo: [...next.deliveredTo] });
  }

  recordDelivery(alert: Alert, channel: string): Promise<void> {
    this.items.get(`${alert.key.pk}|${alert.key.sk}`)?.deliveredTo.add(channel);
    return Promise.resolve();
  }

  complete(alert: Alert, token: string): Promise<boolean> {
    const item = this.items.get(`${alert.key.pk}|${alert.key.sk}`);
    if (item?.token !== token) return Promise.resolve(false);
    item.status = 'sent';
    delete item.token;
    return Promise.resolve(true);
  }

  release(alert: Alert, token: string): Promise<void> {
    const item = this.items.get(`${alert.key.pk}|${alert.key.sk}`);
    if (item?.token === token) delete item.token;
    return Promise.resolve();
  }

  /** Leaves an alert claimed by someone else (an attempt still in its lease). */
  holdByAnotherAttempt(alert: Alert): void {
    this.items.set(`${alert.key.pk}|${alert.key.sk}`, { status: 'pending', token: 'other', deliveredTo: new Set() });
  }
}
