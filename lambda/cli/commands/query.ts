/**
 * `trail-audit query`: one question to the table — by principal, resource, access key or action — newest first,
 * as a table or as NDJSON in the `process --json` shape. Results are read page by page and printed as they come.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import type { LookupItem, LookupKind } from '../../core/item-mapping';
import { RESOURCE_TABLES } from '../../core/resources';
import type { NormalisedEvent } from '../../core/types';
import { getEvents, queryLookup, type StoredEvent } from '../../store/event-queries';
import { ExitCode, UsageError, type ExitCodeValue } from '../errors';
import { throwIfInterrupted } from '../interrupt';
import { writeLine, type CliIO } from '../io';
import { eventLine } from '../ndjson';
import { EVENT_COLUMNS, TableWriter, tableWidth } from '../table';
import {
  addTargetOptions,
  NoLocalDataError,
  withTarget,
  type StartLocal,
  type Target,
  type TargetOptions,
} from '../target';
import { parseTimeRange, toEventTime, type TimeRange } from '../time';

/** Options of `query`, as commander hands them over. */
export interface QueryCommandOptions extends TargetOptions {
  readonly principal?: string;
  readonly resource?: string;
  readonly accessKey?: string;
  readonly action?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
  readonly eventRegion?: string;
  readonly account?: string;
  /** Leave out read-only calls (Describe*, List*, Get*): what changed, not what was looked at. */
  readonly writesOnly?: boolean;
  readonly json?: boolean;
}

/** The event sources whose actions a plain `--action EventName` stands for, as IAM prefixes. */
export const ACTION_PREFIXES = ['elasticloadbalancing', 'elasticbeanstalk', 'autoscaling'] as const;

/** One Query plan: the partition keys to read and the lookup kinds to keep. */
export interface LookupPlan {
  readonly values: readonly string[];
  readonly kinds: readonly LookupKind[];
  /** A second condition, applied to each hit: `--action` given beside another selector. */
  readonly actions?: readonly string[];
}

/** Every operation the resource tables know, by its name in lower case: the spelling CloudTrail records. */
const OPERATIONS_BY_LOWER_CASE: ReadonlyMap<string, string> = new Map(
  Object.values(RESOURCE_TABLES).flatMap((table) => Object.keys(table).map((name) => [name.toLowerCase(), name])),
);

/**
 * An event name as CloudTrail spells it: DynamoDB keys are case-sensitive, and people type `deleteloadbalancer`.
 * A name the resource tables do not know is kept as typed.
 */
export function canonicalEventName(name: string): string {
  return OPERATIONS_BY_LOWER_CASE.get(name.toLowerCase()) ?? name;
}

/**
 * The action keys of `--action`: `service:EventName`, or a plain event name under all three services; the service
 * in lower case and the event name spelled as CloudTrail does, whatever case was typed.
 */
export function actionKeys(action: string): string[] {
  const text = action.trim();
  const qualified = /^([A-Za-z0-9-]+):([A-Za-z0-9]+)$/.exec(text);
  if (qualified?.[1] !== undefined && qualified[2] !== undefined) {
    return [`${qualified[1].toLowerCase()}:${canonicalEventName(qualified[2])}`];
  }
  if (/^[A-Za-z0-9]+$/.test(text)) return ACTION_PREFIXES.map((prefix) => `${prefix}:${canonicalEventName(text)}`);
  throw new UsageError(
    `--action '${action}' is not an action: use an event name (DeleteLoadBalancer) or service:EventName ` +
      `(elasticloadbalancing:DeleteLoadBalancer)`,
  );
}

/**
 * Turns the selector options into a plan. Exactly one of `--principal`, `--resource`, `--access-key` is the
 * partition key, or `--action` alone; `--action` beside one of the others narrows its results.
 * @throws UsageError when no selector or more than one of the first three is given
 */
export function planLookup(options: QueryCommandOptions): LookupPlan {
  const selectors: { value: string; kinds: LookupKind[] }[] = [];
  if (options.principal !== undefined) {
    selectors.push({ value: options.principal, kinds: ['principal', 'principalName', 'session'] });
  }
  if (options.resource !== undefined) selectors.push({ value: options.resource, kinds: ['resource', 'resourceName'] });
  if (options.accessKey !== undefined) selectors.push({ value: options.accessKey, kinds: ['accessKey'] });
  for (const selector of selectors) {
    if (selector.value.trim() === '') throw new UsageError('a query value cannot be empty');
  }
  if (selectors.length > 1) {
    throw new UsageError('use one of --principal, --resource, --access-key per query (--action may narrow it)');
  }
  const actions = options.action === undefined ? undefined : actionKeys(options.action);
  const selector = selectors[0];
  if (selector !== undefined) {
    return { values: [selector.value], kinds: selector.kinds, ...(actions === undefined ? {} : { actions }) };
  }
  if (actions !== undefined) return { values: actions, kinds: ['action'] };
  throw new UsageError('say what to look for: --principal, --resource, --access-key or --action');
}

/** Parses `--limit`: a whole number; 0 means no limit. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return 50;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--limit '${value}' must be a whole number (0: no limit)`);
  const limit = Number(value);
  return limit === 0 ? undefined : limit;
}

/**
 * Hits fetched together (one BatchGetItem): a page of the table a person reads. Few enough that an answer cut by
 * --limit reads little past it, many enough that a page of results is one round trip, not one per event.
 */
const FETCH_WINDOW = 25;

/** The hits of a plan, as stored events, in order, fetched a window at a time. */
async function* storedEvents(
  target: Target,
  hits: AsyncIterable<LookupItem>,
  io: CliIO,
  limit: number | undefined,
): AsyncGenerator<StoredEvent> {
  let window: LookupItem[] = [];
  const drain = async function* (): AsyncGenerator<StoredEvent> {
    const events = await getEvents(
      target.client,
      target.tableName,
      window.map((item) => item.eventID),
    );
    for (const item of window) {
      const stored = events.get(item.eventID);
      if (stored === undefined) {
        // A lookup item without its event item: the event expired (TTL) between the two, or a write was cut short.
        await writeLine(io.stderr, `trail-audit: event ${item.eventID} is indexed but not stored; skipped`);
        continue;
      }
      yield stored;
    }
    window = [];
  };
  let taken = 0;
  for await (const item of hits) {
    throwIfInterrupted(io.signal);
    window.push(item);
    taken += 1;
    // The window is fetched when full, or at once when it holds what --limit asks for.
    if (window.length >= FETCH_WINDOW || (limit !== undefined && taken >= limit)) yield* drain();
  }
  if (window.length > 0) yield* drain();
}

/**
 * Runs `query`.
 * @returns 0 (also when nothing matched: an empty answer is an answer)
 */
export async function runQuery(
  options: QueryCommandOptions,
  io: CliIO,
  startLocal?: StartLocal,
): Promise<ExitCodeValue> {
  const plan = planLookup(options);
  const range = parseTimeRange(options.since, options.until, io.now());
  const limit = parseLimit(options.limit);
  try {
    return await withTarget(
    options,
    io.cwd,
    'read',
    async (target) => {
      const actions = plan.actions === undefined ? undefined : new Set(plan.actions);
      const writesOnly = options.writesOnly === true;
      const filtered = actions !== undefined || writesOnly;
      const hits = queryLookup(target.client, target.tableName, plan.values, plan.kinds, {
        ...(range.since === undefined ? {} : { since: toEventTime(range.since) }),
        ...(range.until === undefined ? {} : { until: toEventTime(range.until) }),
        // With a second condition the store cannot count for us: it would stop before enough hits pass it.
        ...(limit === undefined || filtered ? {} : { limit }),
        ...(options.eventRegion === undefined ? {} : { awsRegion: options.eventRegion }),
        ...(options.account === undefined ? {} : { accountId: options.account }),
      });
      // Both conditions are read off the lookup item, before the event itself is fetched.
      const selected = !filtered
        ? hits
        : filterHits(
            hits,
            (item) => (actions === undefined || actions.has(actionOfItem(item))) && !(writesOnly && item.readOnly),
          );
      const table = new TableWriter<NormalisedEvent>(EVENT_COLUMNS, (line) => writeLine(io.stdout, line), {
        maxWidth: tableWidth(io.stdout),
      });
      let printed = 0;
      for await (const stored of storedEvents(target, selected, io, limit)) {
        if (options.json === true) await io.stdout.write(eventLine(stored.event));
        else await table.add(stored.event);
        printed += 1;
        if (limit !== undefined && printed >= limit) break;
      }
      if (options.json !== true) await table.end();
      const more = limit !== undefined && printed >= limit ? ` (the --limit of ${limit}: there may be more)` : '';
      await writeLine(io.stderr, `query: ${printed} event${printed === 1 ? '' : 's'}${more}`);
      if (printed === 0) {
        for (const line of await whyEmpty(target, plan, range, options)) await writeLine(io.stderr, line);
      }
      return ExitCode.Ok;
    },
    startLocal,
  );
  } catch (error) {
    if (!(error instanceof NoLocalDataError)) throw error;
    if (options.json !== true) await new TableWriter<NormalisedEvent>(EVENT_COLUMNS, (line) => writeLine(io.stdout, line)).end();
    await writeLine(io.stderr, 'query: 0 events');
    await writeLine(io.stderr, `trail-audit: ${error.message}`);
    return ExitCode.Ok;
  }
}

/**
 * Why a question found nothing, as lines for stderr: the table is empty (nothing was ingested), or the same
 * question finds events outside the time range asked for (and when the newest is), or nothing is indexed under the
 * value (with the principal hint where it applies).
 */
async function whyEmpty(
  target: Target,
  plan: LookupPlan,
  range: TimeRange,
  options: QueryCommandOptions,
): Promise<string[]> {
  const any = await target.client.send(new ScanCommand({ TableName: target.tableName, Limit: 1, Select: 'COUNT' }));
  if ((any.Count ?? 0) === 0 && any.LastEvaluatedKey === undefined) {
    return [`trail-audit: ${target.description} is empty: nothing was ingested into it yet`];
  }
  const lines: string[] = [];
  if (range.since !== undefined || range.until !== undefined) {
    const outside = queryLookup(target.client, target.tableName, plan.values, plan.kinds, { limit: 1 });
    const first = await outside.next();
    const newest: LookupItem | undefined = first.done === true ? undefined : first.value;
    await outside.return(undefined);
    const bounds = `${range.since === undefined ? 'the start' : toEventTime(range.since)} to ${range.until === undefined ? 'now' : toEventTime(range.until)}`;
    if (newest !== undefined) {
      return [
        `trail-audit: nothing from ${bounds}; without --since/--until this finds events, the newest at ` +
          `${newest.eventTime}: widen the range (a date such as 2026-11-20 means that day)`,
      ];
    }
    lines.push(`trail-audit: nothing from ${bounds}, nor at any other time`);
  }
  const value = plan.values.length === 1 ? plan.values[0] : undefined;
  if (options.action !== undefined && plan.actions === undefined) {
    lines.push(
      `trail-audit: no event of action ${plan.values.join(' or ')} is stored: check the event name ` +
        '(as CloudTrail writes it, e.g. DeleteLoadBalancer)',
    );
  } else if (value !== undefined) {
    lines.push(`trail-audit: nothing is indexed under '${value}' in ${target.description}`);
  }
  if (options.principal !== undefined) {
    const hint = principalHint(options.principal);
    if (hint !== undefined) lines.push(hint);
  }
  return lines;
}

/**
 * What to say when `--principal` found nothing and was not an ARN: the value is looked up as a user or role name
 * (`principal.name`), and a session name is not indexed — people type the session name they saw
 * (`Deployer/alice` in the table), which finds nothing.
 * @returns undefined for an ARN (an ARN that finds nothing needs no explanation)
 */
export function principalHint(principal: string): string | undefined {
  if (principal.trim().startsWith('arn:')) return undefined;
  return (
    `trail-audit: no user or role is named '${principal.trim()}': --principal NAME is a user name or role name; ` +
    'a role session is found by its session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), not its name'
  );
}

function actionOfItem(item: LookupItem): string {
  return `${item.eventSource.replace(/\.amazonaws\.com$/, '')}:${item.eventName}`;
}

async function* filterHits(
  hits: AsyncIterable<LookupItem>,
  keep: (item: LookupItem) => boolean,
): AsyncGenerator<LookupItem> {
  for await (const item of hits) if (keep(item)) yield item;
}

/** Registers `query` on the program. */
export function registerQueryCommand(
  program: Command,
  io: CliIO,
  setExitCode: (code: ExitCodeValue) => void,
  startLocal: StartLocal | undefined,
): void {
  const command = program
    .command('query')
    .summary('who did what to which resource: events by principal, resource, access key or action, newest first')
    .description(
      'Answers one question with one DynamoDB Query per key, newest first, reading page by page. Give one of ' +
        '--principal, --resource, --access-key, or --action alone; --action beside another narrows it.',
    )
    .option(
      '--principal <arn|name>',
      'a role ARN (all its sessions), a session ARN (that session), a user ARN, or a user or role name ' +
        '(session names are not indexed: use the session ARN)',
    )
    .option('--resource <arn|name>', 'a load balancer, target group, Auto Scaling group, environment...: ARN or name')
    .option('--access-key <id>', 'an access key ID (AKIA... or ASIA...)')
    .option('--action <name>', 'an event name (all three services) or service:EventName')
    .option('--since <time>', 'from this time: ISO 8601, a date, or an age (30m, 24h, 7d)')
    .option('--until <time>', 'up to this time (a date means the end of that day)')
    .option('--limit <n>', 'at most this many events (0: all)', '50')
    .option('--writes-only', 'leave out read-only calls (Describe*, List*, Get*): only what changed something')
    .option('--event-region <region>', 'only events in this AWS region')
    .option('--account <id>', 'only events of this account (when names repeat across accounts)')
    .option('--json', 'print NDJSON: one normalised event per line, as process --json does');
  addTargetOptions(command).action(async (options: QueryCommandOptions) => {
    setExitCode(await runQuery(options, io, startLocal));
  });
}
