/**
 * Normalisation: a selected CloudTrail record → the {@link NormalisedEvent} trail-audit stores, prints and alerts
 * on (the contract of `trail-audit process --json`).
 */
import { resolvePrincipal } from './principal';
import { extractResources } from './resources';
import { isReadOnly } from './select';
import type { CloudTrailRecord, NormalisedEvent, Service } from './types';

/** The outcome of {@link normaliseRecord}. */
export interface Normalisation {
  readonly event: NormalisedEvent;
  /**
   * Whether the resource table knows the record's operation. An unknown operation still yields an event (with
   * the resources found generically, possibly none): it is counted, so the table's gaps show up in metrics.
   */
  readonly knownOperation: boolean;
}

/**
 * Builds the normalised event of a record that `selectRecord` kept under `service`.
 *
 * - `accountId`: `recipientAccountId` (the account whose trail delivered it), else `userIdentity.accountId`,
 *   else the empty string — records from before eventVersion 1.02 carry neither.
 * - `readOnly`: the record's `readOnly`, else a Describe/List/Get eventName (see {@link isReadOnly}).
 * - `errorCode` and `sourceIPAddress` only when CloudTrail wrote them.
 * - `principal`: {@link resolvePrincipal}; `resources`: the resource table's extraction, at most
 *   `MAX_RESOURCES_PER_EVENT`, with `resourcesOmitted` saying how many more the record names when it names more.
 */
export function normaliseRecord(record: CloudTrailRecord, service: Service): Normalisation {
  const { resources, knownOperation, resourcesOmitted } = extractResources(record, service);
  const event: NormalisedEvent = {
    eventID: record.eventID,
    eventTime: record.eventTime,
    service,
    eventSource: record.eventSource,
    eventName: record.eventName,
    awsRegion: record.awsRegion,
    accountId: nonEmpty(record.recipientAccountId) ?? nonEmpty(record.userIdentity?.accountId) ?? '',
    readOnly: isReadOnly(record),
    ...(nonEmpty(record.errorCode) !== undefined ? { errorCode: record.errorCode } : {}),
    ...(nonEmpty(record.sourceIPAddress) !== undefined ? { sourceIPAddress: record.sourceIPAddress } : {}),
    principal: resolvePrincipal(record),
    resources,
    ...(resourcesOmitted > 0 ? { resourcesOmitted } : {}),
  };
  return { event, knownOperation };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}
