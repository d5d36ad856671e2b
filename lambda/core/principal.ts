/**
 * Principal resolution: a CloudTrail `userIdentity` of any type → the stable identity an investigator searches by
 * (`principal.id`) and the details they ask for next (session, access key, MFA, source identity, ...).
 */
import { partitionOf } from './resources/arn';
import type { CloudTrailRecord, Principal, SessionContext, UserIdentity } from './types';

type SessionIssuer = NonNullable<SessionContext['sessionIssuer']>;

/** `principal.type` and `principal.id` of a record without any `userIdentity`. */
const UNKNOWN = 'Unknown';
const UNKNOWN_ID = 'unknown';

/**
 * Resolves who made a call, for every `userIdentity.type` CloudTrail writes.
 *
 * `id` is the identity that stays the same across sessions and keys (see the principal table in docs/processing.md):
 * - `IAMUser` → the user ARN;
 * - `Root` → the root ARN `arn:PARTITION:iam::ACCOUNT:root` (built from the account when absent);
 * - `AssumedRole` → the role ARN from `sessionContext.sessionIssuer.arn`; when the issuer is absent, derived from
 *   the session ARN as `arn:PARTITION:iam::ACCOUNT:role/NAME` — a session ARN drops the role's path, so a role
 *   with a path (`/service-role/`) gets a derived id without it; without any ARN, the role's unique id (the
 *   `AROA...` part of `principalId`);
 * - `Role` → `userIdentity.arn` (the role ARN);
 * - `FederatedUser` → the federated-user ARN (`arn:PARTITION:sts::ACCOUNT:federated-user/NAME`);
 * - `AWSAccount` → `arn:PARTITION:iam::ACCOUNT:root` of the calling account, the form IAM policies use for "that
 *   account" (CloudTrail does not say which identity in it called; `principalId` is kept beside);
 * - `AWSService` → the service principal in `invokedBy` (`elasticloadbalancing.amazonaws.com`);
 * - `IdentityCenterUser` → `IDENTITY_STORE_ARN/user/USER_ID` from `onBehalfOf` (user ids are unique per store);
 * - `SAMLUser`, `WebIdentityUser` → `IDENTITY_PROVIDER:USER_NAME`;
 * - `Directory`, `Unknown`, an unfamiliar type and a missing `userIdentity` → the first of `arn`, `principalId`,
 *   `userName`, `invokedBy`, else `unknown`.
 *
 * An ARN of the identity always wins over built ones for IAMUser, Role and FederatedUser. Empty strings (the AWS
 * documentation shows `"accessKeyId": ""`) count as absent. The partition comes from the identity's ARN, else
 * from the region (`cn-*` → `aws-cn`, `us-gov-*` → `aws-us-gov`, ...).
 */
export function resolvePrincipal(record: CloudTrailRecord): Principal {
  const identity = record.userIdentity;
  if (identity === undefined) {
    return { type: UNKNOWN, id: UNKNOWN_ID };
  }
  const type = present(identity.type) ?? UNKNOWN;
  const partition =
    partitionOfArn(identity.arn) ?? partitionOfArn(issuerOf(identity)?.arn) ?? partitionOf(record.awsRegion);
  const resolved = resolveByType(type, identity, partition);
  return compact({
    type,
    id: resolved.id,
    arn: present(identity.arn),
    name: resolved.name,
    accountId: present(identity.accountId),
    principalId: present(identity.principalId),
    accessKeyId: present(identity.accessKeyId),
    sessionArn: resolved.sessionArn,
    sessionName: resolved.sessionName,
    sourceIdentity: present(identity.sessionContext?.sourceIdentity),
    onBehalfOf: onBehalfOfId(identity),
    invokedBy: present(identity.invokedBy),
    mfaAuthenticated: parseMfa(identity.sessionContext?.attributes?.mfaAuthenticated),
    identityProvider:
      present(identity.identityProvider) ?? present(identity.sessionContext?.webIdFederationData?.federatedProvider),
  });
}

interface TypeSpecific {
  readonly id: string;
  readonly name?: string;
  readonly sessionArn?: string;
  readonly sessionName?: string;
}

function resolveByType(type: string, identity: UserIdentity, partition: string): TypeSpecific {
  const arn = present(identity.arn);
  const accountId = present(identity.accountId);
  switch (type) {
    case 'Root':
      return {
        id: arn ?? (accountId !== undefined ? rootArn(partition, accountId) : fallbackId(identity)),
        name: 'root',
      };
    case 'IAMUser': {
      const userName = present(identity.userName) ?? lastSegment(arn);
      const built =
        accountId !== undefined && userName !== undefined
          ? `arn:${partition}:iam::${accountId}:user/${userName}`
          : undefined;
      return { id: arn ?? built ?? fallbackId(identity), name: userName };
    }
    case 'AssumedRole':
      return resolveAssumedRole(identity, partition);
    case 'Role':
      return { id: arn ?? fallbackId(identity), name: present(identity.userName) ?? lastSegment(arn) };
    case 'FederatedUser': {
      const federatedName = arn?.split(':federated-user/')[1] ?? afterColon(identity.principalId);
      return { id: arn ?? fallbackId(identity), name: federatedName };
    }
    case 'AWSAccount':
      return { id: accountId !== undefined ? rootArn(partition, accountId) : fallbackId(identity), name: accountId };
    case 'AWSService': {
      const invokedBy = present(identity.invokedBy);
      return { id: invokedBy ?? fallbackId(identity), name: invokedBy };
    }
    case 'IdentityCenterUser':
      return { id: onBehalfOfId(identity) ?? fallbackId(identity), name: present(identity.onBehalfOf?.userId) };
    case 'SAMLUser':
    case 'WebIdentityUser': {
      const provider = present(identity.identityProvider);
      const userName = present(identity.userName);
      const id = provider !== undefined && userName !== undefined ? `${provider}:${userName}` : fallbackId(identity);
      return { id, name: userName };
    }
    default:
      return { id: fallbackId(identity), name: present(identity.userName) };
  }
}

function resolveAssumedRole(identity: UserIdentity, partition: string): TypeSpecific {
  const sessionArn = present(identity.arn);
  const issuer = issuerOf(identity);
  // arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE_NAME/SESSION_NAME (neither name can hold a slash).
  const sessionMatch =
    sessionArn === undefined ? null : /^arn:[^:]+:sts::(\d*):assumed-role\/([^/]+)\/(.+)$/.exec(sessionArn);
  const sessionName = sessionMatch?.[3] ?? afterColon(identity.principalId);
  const roleName = present(issuer?.userName) ?? sessionMatch?.[2];
  const accountId = present(identity.accountId) ?? present(sessionMatch?.[1]);
  const derivedRoleArn =
    sessionMatch !== null && accountId !== undefined && roleName !== undefined
      ? `arn:${partition}:iam::${accountId}:role/${roleName}`
      : undefined;
  const roleUniqueId = present(issuer?.principalId) ?? beforeColon(identity.principalId);
  const id = present(issuer?.arn) ?? derivedRoleArn ?? roleUniqueId ?? fallbackId(identity);
  return { id, name: roleName, sessionArn, sessionName };
}

/** The session issuer; IAM users' console sessions carry an empty `{}`, whose fields all read as absent. */
function issuerOf(identity: UserIdentity): SessionIssuer | undefined {
  return identity.sessionContext?.sessionIssuer;
}

function onBehalfOfId(identity: UserIdentity): string | undefined {
  const userId = present(identity.onBehalfOf?.userId);
  if (userId === undefined) return undefined;
  const store = present(identity.onBehalfOf?.identityStoreArn);
  return store === undefined ? userId : `${store}/user/${userId}`;
}

function fallbackId(identity: UserIdentity): string {
  return (
    present(identity.arn) ??
    present(identity.principalId) ??
    present(identity.userName) ??
    present(identity.invokedBy) ??
    UNKNOWN_ID
  );
}

function rootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

function partitionOfArn(arn: string | undefined): string | undefined {
  const match = arn === undefined ? null : /^arn:(aws[a-z-]*):/.exec(arn);
  return match?.[1];
}

/** CloudTrail writes MFA as the strings "true" / "false"; anything else is "not said". */
function parseMfa(value: string | undefined): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function present(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

function lastSegment(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  return present(arn.slice(arn.lastIndexOf('/') + 1));
}

function afterColon(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const index = value.indexOf(':');
  return index < 0 ? undefined : present(value.slice(index + 1));
}

function beforeColon(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const index = value.indexOf(':');
  return present(index < 0 ? value : value.slice(0, index));
}

/** Drops absent fields so printed and stored principals carry no `undefined` keys. */
function compact(principal: Principal): Principal {
  // Copy the defined members into a fresh object rather than `delete` the others: deleting turns an object into a
  // slow dictionary, which every later read and the JSON output pay for.
  const copy: Record<string, unknown> = {};
  for (const key in principal) {
    const value = (principal as unknown as Record<string, unknown>)[key];
    if (value !== undefined) copy[key] = value;
  }
  // Only keys whose value was undefined were left out: every required field of Principal is still there.
  return copy as unknown as Principal;
}
