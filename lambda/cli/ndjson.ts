/**
 * The `--json` output: one normalised event per line, the contract of `process --json` and `query --json`.
 *
 * Keys are written in one fixed order (the order of {@link NormalisedEvent}'s fields), whatever order the event
 * was built or read back in — DynamoDB does not keep the order of a map's keys — so the same event prints the
 * same line from `process` and from `query`, and scripts can diff the two.
 */
import type { NormalisedEvent, Principal, Resource } from '../core/types';

const EVENT_KEYS: readonly (keyof NormalisedEvent)[] = [
  'eventID',
  'eventTime',
  'service',
  'eventSource',
  'eventName',
  'awsRegion',
  'accountId',
  'readOnly',
  'errorCode',
  'sourceIPAddress',
  'principal',
  'resources',
];

const PRINCIPAL_KEYS: readonly (keyof Principal)[] = [
  'type',
  'id',
  'arn',
  'name',
  'accountId',
  'principalId',
  'accessKeyId',
  'sessionArn',
  'sessionName',
  'sourceIdentity',
  'onBehalfOf',
  'invokedBy',
  'mfaAuthenticated',
  'identityProvider',
];

const RESOURCE_KEYS: readonly (keyof Resource)[] = ['type', 'arn', 'name', 'id'];

/** A key order, and the same keys as a set. */
interface KeyOrder {
  readonly keys: readonly string[];
  readonly known: ReadonlySet<string>;
}

function keyOrder(keys: readonly string[]): KeyOrder {
  return { keys, known: new Set(keys) };
}

const EVENT_ORDER = keyOrder(EVENT_KEYS);
const PRINCIPAL_ORDER = keyOrder(PRINCIPAL_KEYS);
const RESOURCE_ORDER = keyOrder(RESOURCE_KEYS);

/**
 * A copy of `value` with `order`'s keys first, in that order, then any other keys sorted; undefined dropped. One pass
 * over the order and one over the object's keys: `process --json` prints thousands of events per file.
 */
function ordered(value: object, order: KeyOrder): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of order.keys) {
    const item = source[key];
    if (item !== undefined) result[key] = item;
  }
  let others: string[] | undefined;
  for (const key of Object.keys(source)) {
    if (!order.known.has(key) && source[key] !== undefined) (others ??= []).push(key);
  }
  if (others !== undefined) for (const key of others.sort()) result[key] = source[key];
  return result;
}

/** The event in the contract's key order. */
function canonicalEvent(event: NormalisedEvent): Record<string, unknown> {
  const result = ordered(event, EVENT_ORDER);
  result.principal = ordered(event.principal, PRINCIPAL_ORDER);
  result.resources = event.resources.map((resource) => ordered(resource, RESOURCE_ORDER));
  return result;
}

/** One NDJSON line (newline included) for an event. */
export function eventLine(event: NormalisedEvent): string {
  return `${JSON.stringify(canonicalEvent(event))}\n`;
}
