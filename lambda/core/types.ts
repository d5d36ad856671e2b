/**
 * The shapes the pure core works with: CloudTrail's record as delivered, and the normalised event trail-audit
 * stores, prints and alerts on. Names follow CloudTrail's own words (`eventSource`, `userIdentity`, ...).
 *
 * Nothing in `lambda/core/` imports an AWS SDK, reads the environment or logs.
 */

/** A JSON object as parsed from a log file: values not yet validated. */
export type JsonObject = { readonly [key: string]: unknown };

/** `userIdentity.sessionContext` of a CloudTrail record. */
export interface SessionContext {
  readonly sessionIssuer?: {
    readonly type?: string;
    readonly principalId?: string;
    readonly arn?: string;
    readonly accountId?: string;
    readonly userName?: string;
  };
  readonly webIdFederationData?: {
    readonly federatedProvider?: string;
    readonly attributes?: JsonObject;
  };
  readonly attributes?: {
    readonly creationDate?: string;
    /** CloudTrail writes this as the string "true" or "false". */
    readonly mfaAuthenticated?: string;
  };
  readonly sourceIdentity?: string;
  readonly ec2RoleDelivery?: string;
  readonly assumedRoot?: string;
}

/** `userIdentity` of a CloudTrail record: who made the call. Every field is optional; `type` says which apply. */
export interface UserIdentity {
  readonly type?: string;
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly invokedBy?: string;
  readonly identityProvider?: string;
  readonly credentialId?: string;
  readonly sessionContext?: SessionContext;
  readonly onBehalfOf?: { readonly userId?: string; readonly identityStoreArn?: string };
  readonly inScopeOf?: JsonObject;
}

/**
 * One CloudTrail record, after the boundary check of {@link validateRecord}: the fields every later step relies
 * on are present strings; everything else is kept as delivered.
 */
export interface CloudTrailRecord {
  readonly eventVersion?: string;
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly eventType?: string;
  readonly eventCategory?: string;
  readonly apiVersion?: string;
  readonly recipientAccountId?: string;
  readonly userIdentity?: UserIdentity;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters?: JsonObject | null;
  readonly responseElements?: JsonObject | null;
  readonly additionalEventData?: JsonObject | null;
  readonly requestID?: string;
  readonly readOnly?: boolean;
  readonly managementEvent?: boolean;
  readonly sharedEventID?: string;
  readonly vpcEndpointId?: string;
  readonly [key: string]: unknown;
}

/** The services trail-audit indexes, as the normalised event names them. */
export type Service = 'elb' | 'elbv2' | 'elasticbeanstalk' | 'autoscaling';

/**
 * Who made a call. `id` is the stable identity an investigator searches by (a role's ARN for all of its
 * sessions, a user's ARN, a service principal); the rest is what they ask next.
 */
export interface Principal {
  /** `userIdentity.type` as CloudTrail wrote it (`Unknown` when absent). */
  readonly type: string;
  /** The stable identity: see the principal table in docs/processing.md for each type. */
  readonly id: string;
  /** `userIdentity.arn` as delivered (for an assumed role: the session ARN). */
  readonly arn?: string;
  /** A short name a person would type: user name, role name, service principal. */
  readonly name?: string;
  readonly accountId?: string;
  /** `userIdentity.principalId` (for a role session: `AROA...:session-name`). */
  readonly principalId?: string;
  readonly accessKeyId?: string;
  /** The session ARN of an assumed role (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`). */
  readonly sessionArn?: string;
  readonly sessionName?: string;
  readonly sourceIdentity?: string;
  /** Identity Center / on-behalf-of user id, when CloudTrail names one. */
  readonly onBehalfOf?: string;
  readonly invokedBy?: string;
  /** Whether the session was MFA-authenticated, when CloudTrail says. */
  readonly mfaAuthenticated?: boolean;
  readonly identityProvider?: string;
}

/**
 * A resource an event names. `type` uses CloudFormation's type names (as CloudTrail's own `resources` field does),
 * e.g. `AWS::ElasticLoadBalancingV2::LoadBalancer`. At least one of `arn` and `name` is set.
 */
export interface Resource {
  readonly type: string;
  readonly arn?: string;
  readonly name?: string;
  /**
   * A second identifier a person may type, set when the event gives one beside the name: an Elastic Beanstalk
   * environment's ID (`e-...`) when its name is also known.
   */
  readonly id?: string;
}

/** The event trail-audit stores and prints: the contract of `trail-audit process --json`. */
export interface NormalisedEvent {
  readonly eventID: string;
  readonly eventTime: string;
  readonly service: Service;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly accountId: string;
  readonly readOnly: boolean;
  readonly errorCode?: string;
  readonly sourceIPAddress?: string;
  readonly principal: Principal;
  /** The resources the call names, at most `MAX_RESOURCES_PER_EVENT` (`./limits`): each is indexed. */
  readonly resources: readonly Resource[];
  /**
   * Only when the record names more distinct resources than `MAX_RESOURCES_PER_EVENT`: how many were left out of
   * `resources` (and so of the index). No real call comes near the cap; a forged record naming 50,000 does.
   */
  readonly resourcesOmitted?: number;
  /**
   * Set when the record's bytes were not valid UTF-8. Its strings then hold each invalid byte as the lone
   * surrogate U+DC00 + byte (so `eventID`s that differ only in such bytes stay apart); the stored event keeps the
   * record's raw bytes.
   */
  readonly invalidUtf8?: true;
}

/** Why a log object or a record was not processed. Each reason is a metric dimension and a log field. */
export type SkipReason =
  | 'digest-file'
  | 'insight-file'
  | 'empty-file'
  | 'not-a-log-file'
  | 'insight-event'
  | 'invalid-record'
  | 'other-service'
  | 'application-auto-scaling'
  | 'read-only-dropped'
  | 'duplicate-event';

/**
 * Where a record was read: the log object and the record's position in it (as the decoder counts them), enough
 * to read the original record again when the stored copy had to be trimmed.
 */
export interface RecordSource {
  /** The log object: the pipeline's `objectUri`, else its key. */
  readonly uri: string;
  /** The record's 0-based position among the object's records. */
  readonly index: number;
  /** The byte offset of the record's first byte in the decoded (uncompressed) text. */
  readonly offset: number;
}

/**
 * The record as the event item stores it, decided once by the pipeline (`storedRecordOf` in `./item-mapping`), so
 * every door reports the same verdict on it and the store writes exactly that.
 */
export interface StoredRecord {
  /** The record as JSON, trimmed when it had to be. */
  readonly json: string;
  /** The size of the whole record as JSON, in bytes (before any trimming). */
  readonly bytes: number;
  /**
   * Only when trimmed: the names of the fields replaced by a marker with their size and source, or `['*']` when
   * every field but the identifying ones was (a record of very many fields).
   */
  readonly trimmed?: readonly string[];
  /** Only with `invalidUtf8` events: the record's bytes in base64, when they fit beside the record. */
  readonly rawBase64?: string;
  /**
   * Only when a string of the record holds a lone surrogate (not valid UTF-16: an escaped byte that was not UTF-8,
   * or a `\\udc80` escape): the event's strings must then be escaped to be stored.
   */
  readonly loneSurrogates?: true;
}

/** A kept record with its normalised event: the store writes both (the record, so no audit detail is lost). */
export interface KeptEvent {
  readonly event: NormalisedEvent;
  readonly record: CloudTrailRecord;
  /** Where the record was read; the pipeline always sets it (optional for events built by hand, as in tests). */
  readonly source?: RecordSource;
  /**
   * Only when the record's bytes were not valid UTF-8 (the event is then marked `invalidUtf8`): the record's bytes
   * exactly as read. `record` holds each invalid byte as a lone surrogate U+DC00 + byte, so two such records stay
   * apart; these bytes are what the store keeps so that nothing is lost.
   */
  readonly rawBytes?: Uint8Array;
  /**
   * How the event item stores the record, when the pipeline had to work it out: set for every record that may
   * not be stored whole. When absent (a record far from the size limit, or an event built by hand), the item
   * mapping works it out the same way.
   */
  readonly storedRecord?: StoredRecord;
}
