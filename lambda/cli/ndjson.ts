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

/** A copy of `value` with `order`'s keys first, in that order, then any other keys sorted; undefined dropped. */
function ordered(value: object, order: readonly string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  const rest = Object.keys(source)
    .filter((key) => !order.includes(key))
    .sort();
  for (const key of [...order, ...rest]) {
    if (source[key] !== undefined) result[key] = source[key];
  }
  return result;
}

/** The event in the contract's key order. */
export function canonicalEvent(event: NormalisedEvent): Record<string, unknown> {
  return {
    ...ordered(event, EVENT_KEYS),
    principal: ordered(event.principal, PRINCIPAL_KEYS),
    resources: event.resources.map((resource) => ordered(resource, RESOURCE_KEYS as readonly string[])),
  };
}

/** One NDJSON line (newline included) for an event. */
export function eventLine(event: NormalisedEvent): string {
  return `${JSON.stringify(canonicalEvent(event))}\n`;
}
