/**
 * The exactly-once alert ledger in the event table: one item per (rule, event) — or per (rule, principal,
 * window) for a burst — at `pk = <eventID or BURST#...>`, `sk = ALERT#<ruleId>`, claimed by a conditional write.
 *
 * Item: `status` (`pending` while a delivery holds the lease, `sent` once every channel accepted the alert),
 * `claimToken` and `claimedAt` (the lease), `deliveredTo` (string set of channels that accepted it), and the
 * alert's rule, severity, title, eventID and eventTime for a person reading the table. With `ttlDays`,
 * `expiresAt` lets DynamoDB remove the item; a file redelivered after that would alert again.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../core/alerts/alert';
import { TTL_ATTRIBUTE } from '../store/table-definition';
import type { AlertCoverage, AlertLedger, ClaimResult } from '../app/ports';
import { forEachConcurrently } from '../core/pool';

/** Properties of {@link DynamoDBAlertLedger}. */
export interface DynamoDBAlertLedgerProps {
  readonly client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
  /**
   * How long a claim holds before another attempt may take it over. Longer than a delivery takes (seconds),
   * shorter than the gap before a failed invocation is retried (a minute for S3 → Lambda), so that a crash
   * leaves an alert late, not lost.
   * @default 60
   */
  readonly leaseSeconds?: number;
  /**
   * Remove ledger items this many days after the alert (TTL attribute `expiresAt`).
   * @default kept forever
   */
  readonly ttlDays?: number;
  /** @default the system clock */
  readonly now?: () => Date;
}

const PENDING = 'pending';
const SENT = 'sent';

/** Raised when a ledger item does not have the shape trail-audit writes. */
export class AlertLedgerItemError extends Error {
  override readonly name = 'AlertLedgerItemError';
}

/** Sort key prefix of the "reported by" items of per-object alerts: `pk = eventID`, `sk = REPORTED#<ruleId>`. */
export const REPORTED_SORT_KEY_PREFIX = 'REPORTED#';

/**
 * The alert ledger on DynamoDB (the event table; DynamoDB Local in tests and local mode). It also records which
 * events each per-object alert reported ({@link AlertCoverage}): one item per (event, rule) at
 * `pk = eventID`, `sk = REPORTED#<ruleId>`, naming the alert (`alertKey`), with the ledger's TTL.
 */
export class DynamoDBAlertLedger implements AlertLedger, AlertCoverage {
  private readonly leaseMs: number;
  private readonly now: () => Date;

  constructor(private readonly props: DynamoDBAlertLedgerProps) {
    this.leaseMs = (props.leaseSeconds ?? 60) * 1000;
    this.now = props.now ?? (() => new Date());
  }

  /**
   * Claims an alert: creates its item, or takes over a pending one whose lease expired. When the condition fails,
   * a consistent read tells whether the alert was sent or is held by another attempt.
   */
  async claim(alert: Alert): Promise<ClaimResult> {
    const now = this.now().getTime();
    const token = randomUUID();
    const ttl =
      this.props.ttlDays === undefined ? {} : { ':expiresAt': Math.floor(now / 1000) + this.props.ttlDays * 86_400 };
    try {
      const output = await this.props.client.send(
        new UpdateCommand({
          TableName: this.props.tableName,
          Key: { pk: alert.key.pk, sk: alert.key.sk },
          UpdateExpression:
            'SET #status = :pending, claimToken = :token, claimedAt = :now, #rule = :rule, severity = :severity, ' +
            'title = :title, eventID = :eventID, eventTime = :eventTime' +
            (this.props.ttlDays === undefined ? '' : `, #ttl = :expiresAt`),
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :pending AND claimedAt < :staleBefore)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#rule': 'rule',
            ...(this.props.ttlDays === undefined ? {} : { '#ttl': TTL_ATTRIBUTE }),
          },
          ExpressionAttributeValues: {
            ':pending': PENDING,
            ':token': token,
            ':now': now,
            ':staleBefore': now - this.leaseMs,
            ':rule': alert.rule,
            ':severity': alert.severity,
            ':title': alert.title,
            ':eventID': alert.eventID,
            ':eventTime': alert.eventTime,
            ...ttl,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { status: 'claimed', token, deliveredTo: deliveredTo(output.Attributes, alert) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new Error(`claiming alert ${alert.key.pk} ${alert.key.sk} failed: ${String(error)}`, { cause: error });
      }
    }
    const current = await this.props.client.send(
      new GetCommand({ TableName: this.props.tableName, Key: { pk: alert.key.pk, sk: alert.key.sk }, ConsistentRead: true }),
    );
    const status: unknown = current.Item?.status;
    if (status === SENT) return { status: 'sent' };
    // Pending within its lease; or the item vanished (TTL) between the two calls: in-flight makes the file retry.
    return { status: 'in-flight' };
  }

  /** Adds the channel to `deliveredTo` (idempotent: a set). */
  async recordDelivery(alert: Alert, channel: string): Promise<void> {
    await this.props.client.send(
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: { pk: alert.key.pk, sk: alert.key.sk },
        UpdateExpression: 'ADD deliveredTo :channel',
        ExpressionAttributeValues: { ':channel': new Set([channel]) },
      }),
    );
  }

  /** Marks the alert sent, if this attempt still holds the lease. */
  async complete(alert: Alert, token: string): Promise<boolean> {
    try {
      await this.props.client.send(
        new UpdateCommand({
          TableName: this.props.tableName,
          Key: { pk: alert.key.pk, sk: alert.key.sk },
          UpdateExpression: 'SET #status = :sent, sentAt = :sentAt REMOVE claimToken',
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': SENT, ':sentAt': this.now().toISOString(), ':token': token },
        }),
      );
      return true;
    } catch (error) {
      // The lease expired and another attempt took the alert over: it will finish it (and skip our channels).
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Ends the lease now (claimedAt 0), keeping `deliveredTo`, if this attempt still holds it. */
  async release(alert: Alert, token: string): Promise<void> {
    try {
      await this.props.client.send(
        new UpdateCommand({
          TableName: this.props.tableName,
          Key: { pk: alert.key.pk, sk: alert.key.sk },
          UpdateExpression: 'SET claimedAt = :zero REMOVE claimToken',
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeValues: { ':zero': 0, ':token': token },
        }),
      );
    } catch (error) {
      // Someone else holds it now; nothing of ours to release.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  /**
   * Of the events, those an alert of the rule other than this one reported (consistent reads, one GetItem each: the
   * function's role has GetItem already, and single-call rules match few calls per object).
   */
  async reportedElsewhere(alert: Alert, eventIDs: readonly string[]): Promise<Set<string>> {
    const own = alertKeyOf(alert);
    const elsewhere = new Set<string>();
    await forEachConcurrently(eventIDs, 4, async (eventID) => {
      const output = await this.props.client.send(
        new GetCommand({
          TableName: this.props.tableName,
          Key: { pk: eventID, sk: `${REPORTED_SORT_KEY_PREFIX}${alert.rule}` },
          ConsistentRead: true,
        }),
      );
      const by: unknown = output.Item?.alertKey;
      if (typeof by === 'string' && by !== own) elsewhere.add(eventID);
    });
    return elsewhere;
  }

  /** Records the alert as the reporter of the events; an event another alert reported first keeps that one. */
  async recordReported(alert: Alert, eventIDs: readonly string[]): Promise<void> {
    const expiresAt =
      this.props.ttlDays === undefined ? {} : { [TTL_ATTRIBUTE]: Math.floor(this.now().getTime() / 1000) + this.props.ttlDays * 86_400 };
    await forEachConcurrently(eventIDs, 4, async (eventID) => {
      try {
        await this.props.client.send(
          new PutCommand({
            TableName: this.props.tableName,
            Item: { pk: eventID, sk: `${REPORTED_SORT_KEY_PREFIX}${alert.rule}`, alertKey: alertKeyOf(alert), ...expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }
}

/** An alert's ledger key as one string. */
function alertKeyOf(alert: Alert): string {
  return `${alert.key.pk}\u0000${alert.key.sk}`;
}

/** The `deliveredTo` set of an item, as channel names. */
function deliveredTo(item: Record<string, unknown> | undefined, alert: Alert): string[] {
  const value = item?.deliveredTo;
  if (value === undefined) return [];
  if (value instanceof Set && [...value].every((v) => typeof v === 'string')) return [...(value as Set<string>)];
  throw new AlertLedgerItemError(`ledger item ${alert.key.pk} ${alert.key.sk}: deliveredTo is not a string set`);
}
