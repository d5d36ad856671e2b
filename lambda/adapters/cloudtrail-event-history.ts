/**
 * CloudTrail Event history through the SDK: LookupEvents per region, paced to the API's limit and retried when
 * throttled, and the account's enabled regions from Account Management's ListRegions.
 *
 * The clients take their credentials, profile and endpoint the way every AWS SDK tool does (environment, shared
 * config, `AWS_ENDPOINT_URL_CLOUDTRAIL` / `AWS_ENDPOINT_URL_ACCOUNT` / `AWS_ENDPOINT_URL`, container and instance
 * roles): nothing here overrides them. The one setting made here is each CloudTrail client's region, since Event
 * history is read region by region.
 *
 * Why Account `ListRegions` rather than EC2 `DescribeRegions`: it answers exactly "which regions are enabled for
 * this account" (`RegionOptStatusContains: ENABLED, ENABLED_BY_DEFAULT`), `account:ListRegions` can be granted on
 * the account's own ARN where `ec2:DescribeRegions` needs `*`, and its client is a fraction of the EC2 client's size
 * in a Lambda bundle.
 */
import { AccountClient, paginateListRegions } from '@aws-sdk/client-account';
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import {
  EventHistoryRegionUnavailable,
  type EventHistoryLookup,
  type EventHistoryPage,
  type EventHistorySource,
} from '../app/ports';

/** LookupEvents' documented limit: two requests per second, per account, per region. */
export const LOOKUP_EVENTS_PER_SECOND = 2;

/** LookupEvents' largest page. */
const PAGE_SIZE = 50;

/** Error names of a throttled or briefly failing call: worth another attempt after a pause. */
const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable']);

/**
 * Error names of a region that refuses the call for good: access denied (an IAM policy or an SCP that denies the
 * region), a region that is not enabled for the account (its endpoint does not know the credentials).
 */
const UNAVAILABLE = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'OptInRequired',
]);

/** The slice of a client the adapter uses: tests may pass any object with `send`. */
export interface CommandSender {
  send(command: LookupEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<LookupEventsCommandOutput>;
}

/** Properties of {@link CloudTrailEventHistory}. */
export interface CloudTrailEventHistoryProps {
  /**
   * Makes the CloudTrail client of a region.
   * @default `new CloudTrailClient({ region })`: everything else from the SDK's standard configuration
   */
  readonly cloudTrailClient?: (region: string) => CommandSender;
  /**
   * The Account Management client for {@link CloudTrailEventHistory.listRegions}.
   * @default `new AccountClient({})`, from the SDK's standard configuration
   */
  readonly accountClient?: AccountClient;
  /** Requests per second per region. @default {@link LOOKUP_EVENTS_PER_SECOND} */
  readonly requestsPerSecond?: number;
  /**
   * Attempts of a throttled call, beyond the SDK's own retries inside each (its standard mode already retries a
   * throttled call a few times): a busy account shares the limit with every other tool reading Event history.
   * @default 8
   */
  readonly maxAttempts?: number;
  /** Base of the full-jitter exponential backoff, ms. @default 1000 */
  readonly baseDelayMs?: number;
  /** Cap of the backoff, ms. @default 30_000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout, cut short by the call's signal */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Event history read with the AWS SDK; see the module comment. */
export class CloudTrailEventHistory implements EventHistorySource {
  private readonly clients = new Map<string, CommandSender>();
  /** The next instant a call may start, per region: calls take turns at 1 / requestsPerSecond apart. */
  private readonly nextSlot = new Map<string, number>();
  private readonly intervalMs: number;
  private account: AccountClient | undefined;

  constructor(private readonly props: CloudTrailEventHistoryProps = {}) {
    const rate = props.requestsPerSecond ?? LOOKUP_EVENTS_PER_SECOND;
    if (!(rate > 0)) throw new RangeError(`requestsPerSecond must be positive, got ${String(rate)}`);
    // A tenth below the limit: the service counts arrivals, and network jitter can bring two calls closer.
    this.intervalMs = Math.ceil(1100 / rate);
  }

  /** The account's enabled regions (opted in, or enabled by default), sorted. */
  async listRegions(): Promise<string[]> {
    this.account ??= this.props.accountClient ?? new AccountClient({});
    const regions: string[] = [];
    for await (const page of paginateListRegions(
      { client: this.account },
      { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] },
    )) {
      for (const region of page.Regions ?? []) if (region.RegionName !== undefined) regions.push(region.RegionName);
    }
    return regions.sort();
  }

  /** One page, paced and retried; see {@link EventHistorySource.lookupEvents}. */
  async lookupEvents(lookup: EventHistoryLookup, signal?: AbortSignal): Promise<EventHistoryPage> {
    const client = this.clientOf(lookup.region);
    const command = new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: lookup.eventSource }],
      StartTime: lookup.startTime,
      EndTime: lookup.endTime,
      MaxResults: PAGE_SIZE,
      ...(lookup.nextToken === undefined ? {} : { NextToken: lookup.nextToken }),
    });
    const maxAttempts = this.props.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      await this.pace(lookup.region, signal);
      try {
        const output = await client.send(command, signal === undefined ? {} : { abortSignal: signal });
        return {
          events: (output.Events ?? []).map((event) => ({
            eventId: event.EventId ?? '',
            eventTime: event.EventTime?.getTime(),
            cloudTrailEvent: event.CloudTrailEvent,
          })),
          ...(output.NextToken === undefined || output.NextToken === '' ? {} : { nextToken: output.NextToken }),
        };
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (UNAVAILABLE.has(name)) {
          throw new EventHistoryRegionUnavailable(
            lookup.region,
            `LookupEvents in ${lookup.region} was refused (${name}: ${(error as Error).message})`,
            { cause: error },
          );
        }
        if (!RETRYABLE.has(name) || attempt >= maxAttempts || signal?.aborted === true) throw error;
      }
      await this.sleep(this.backoff(attempt), signal);
    }
  }

  /** Closes the clients this adapter made. */
  destroy(): void {
    if (this.props.cloudTrailClient === undefined) {
      for (const client of this.clients.values()) (client as CloudTrailClient).destroy();
    }
    if (this.props.accountClient === undefined) this.account?.destroy();
    this.clients.clear();
  }

  private clientOf(region: string): CommandSender {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = this.props.cloudTrailClient?.(region) ?? new CloudTrailClient({ region });
      this.clients.set(region, client);
    }
    return client;
  }

  /** Waits for the region's next turn and books the one after it, so concurrent callers never share a slot. */
  private async pace(region: string, signal: AbortSignal | undefined): Promise<void> {
    const now = (this.props.clock ?? Date.now)();
    const slot = Math.max(now, this.nextSlot.get(region) ?? 0);
    this.nextSlot.set(region, slot + this.intervalMs);
    if (slot > now) await this.sleep(slot - now, signal);
  }

  private backoff(attempt: number): number {
    const base = this.props.baseDelayMs ?? 1000;
    const cap = this.props.maxDelayMs ?? 30_000;
    return Math.floor((this.props.random ?? Math.random)() * Math.min(cap, base * 2 ** attempt));
  }

  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return (this.props.sleep ?? abortableSleep)(ms, signal);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
