/**
 * The built-in integrity rules (docs/integrity.md, "Alerts"): a verification finding — a log file missing, altered,
 * never processed or listed by no digest; a digest file missing, invalid or out of chain — as an {@link Alert} of
 * the same format as the record rules', so it takes the same exactly-once delivery. Keyed by rule and object
 * (`pk = <object id>`, `sk = ALERT#<rule>`): each object alerts once per rule, however often it is verified.
 * Pure: no AWS SDK, no environment, no logging.
 */
import type { IntegrityStatus } from '../digest';
import type { Severity } from '../rules/types';
import { ALERT_SORT_KEY_PREFIX, s3ObjectUrl, type Alert } from './alert';

/** One built-in integrity rule. */
export interface IntegrityRule {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly description: string;
  readonly remediation: string;
  readonly references: readonly string[];
}

const VALIDATION_GUIDE = 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html';
const DIGEST_GUIDE = 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html';

/** The built-in integrity rules, by id. */
export const INTEGRITY_RULES = {
  logFileMissing: {
    id: 'integrity.log-file-missing',
    severity: 'high',
    title: 'CloudTrail log file deleted',
    description:
      'A signed digest file lists this log file, but it is no longer in the bucket: the API activity it recorded is ' +
      'gone from the audit trail (its events already in the table stay).',
    remediation:
      'Find who deleted it (S3 server access logs, CloudTrail data events on the bucket, the bucket\'s versions); ' +
      'restore it from a previous version or a replica; check the bucket policy and Object Lock.',
    references: [VALIDATION_GUIDE],
  },
  logFileAltered: {
    id: 'integrity.log-file-altered',
    severity: 'critical',
    title: 'CloudTrail log file altered',
    description:
      'The log file no longer hashes to the value CloudTrail recorded in its signed digest, or it cannot be ' +
      'decompressed: its records may have been edited, added or removed after delivery.',
    remediation:
      'Treat it as tampering: keep the object and its versions, compare it with a replica or a previous version, and ' +
      'find who wrote it (S3 server access logs, CloudTrail data events). Events read from the altered file are in ' +
      'the table as they were read.',
    references: [VALIDATION_GUIDE],
  },
  logFileNotProcessed: {
    id: 'integrity.log-file-not-processed',
    severity: 'medium',
    title: 'CloudTrail log file never processed',
    description:
      'A digest lists this log file and it is in the bucket, but the processor has no completed record of it: its ' +
      'events may be missing from the table (a lost notification, or a file that keeps failing).',
    remediation:
      'Look for the key in the processor\'s log and in the dead-letter queue; take it in with ' +
      '`trail-audit ingest s3://BUCKET/KEY --table TABLE`.',
    references: [VALIDATION_GUIDE],
  },
  logFileUnlisted: {
    id: 'integrity.log-file-unlisted',
    severity: 'medium',
    title: 'Log file no CloudTrail digest lists',
    description:
      'The processor took in this file from the log folder, but no digest of its trail lists it an hour after it ' +
      'was written: CloudTrail did not deliver it (it was planted), or it was delivered while log file validation ' +
      'was off.',
    remediation:
      'Check who wrote the object (S3 server access logs, CloudTrail data events). If it was planted, its events in ' +
      'the table are not CloudTrail\'s: find them by the log file (each event item\'s source.uri).',
    references: [VALIDATION_GUIDE],
  },
  digestMissing: {
    id: 'integrity.digest-missing',
    severity: 'high',
    title: 'CloudTrail digest file deleted',
    description:
      'The next digest of the chain names this digest file, but it is not in the bucket: the hour it covered can no ' +
      'longer be proved, and deleting a digest is how an intruder hides deleted log files.',
    remediation:
      'Find who deleted it (S3 server access logs, CloudTrail data events, the bucket\'s versions) and restore it; ' +
      'check the log files of that hour with `trail-audit verify s3://BUCKET/PREFIX --since ... --until ...`.',
    references: [DIGEST_GUIDE],
  },
  digestInvalid: {
    id: 'integrity.digest-invalid',
    severity: 'critical',
    title: 'CloudTrail digest file altered or badly signed',
    description:
      'The digest file was changed after CloudTrail signed it, cannot be read, is not where it was delivered, or ' +
      'its signature does not verify with CloudTrail\'s public key: nothing it lists can be trusted.',
    remediation:
      'Treat it as tampering with the audit trail: keep the object and its versions, compare it with a replica, ' +
      'and find who wrote it. Then verify the hour\'s log files from a trusted copy.',
    references: [DIGEST_GUIDE],
  },
  digestChainBroken: {
    id: 'integrity.digest-chain-broken',
    severity: 'high',
    title: 'CloudTrail digest chain broken',
    description:
      'The digest\'s link to the previous digest of its trail and region does not hold (another digest names the ' +
      'same previous one, it links to another trail or to a newer digest, or lacks the hash or signature): the ' +
      'chain that proves the hours before it is broken here.',
    remediation:
      'Investigate the digests of that trail and hour (`trail-audit verify s3://BUCKET/PREFIX --since ...`): a ' +
      'digest was replaced or forged.',
    references: [DIGEST_GUIDE],
  },
} as const satisfies Record<string, IntegrityRule>;

/** A verification finding worth an alert. */
export interface IntegrityProblem {
  readonly subject: 'digest' | 'log-file';
  readonly status: IntegrityStatus;
  /** The object's file-ledger id (`s3://bucket/key`): the alert's id. */
  readonly objectId: string;
  readonly bucket?: string;
  readonly key: string;
  readonly accountId: string;
  readonly region: string;
  /** The hour: a digest's end time, the time in a log file's name. */
  readonly time: string;
  /** A log file's listing digest (its key). */
  readonly digestKey?: string;
  readonly trailName?: string;
  /** What was found, in words that quote no content. */
  readonly reasons: readonly string[];
}

/**
 * The rule a finding falls under, or undefined when it alerts on its own: a log file whose listing cannot be
 * trusted (`chain-broken`, `invalid-signature`) is covered by its digest's alert.
 */
export function integrityRuleFor(problem: Pick<IntegrityProblem, 'subject' | 'status'>): IntegrityRule | undefined {
  if (problem.subject === 'digest') {
    switch (problem.status) {
      case 'missing':
        return INTEGRITY_RULES.digestMissing;
      case 'altered':
      case 'invalid-signature':
        return INTEGRITY_RULES.digestInvalid;
      case 'chain-broken':
        return INTEGRITY_RULES.digestChainBroken;
      default:
        return undefined;
    }
  }
  switch (problem.status) {
    case 'missing':
      return INTEGRITY_RULES.logFileMissing;
    case 'altered':
      return INTEGRITY_RULES.logFileAltered;
    case 'not-processed':
      return INTEGRITY_RULES.logFileNotProcessed;
    case 'unlisted':
      return INTEGRITY_RULES.logFileUnlisted;
    default:
      return undefined;
  }
}

/** The partition of the ARN of an object in a region. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The alert of a finding under its rule. Its `eventID` is the object's id (there is no event), its principal
 * `unknown` (a verification finding says what happened to a file, not who did it), its resource the S3 object.
 */
export function integrityAlert(problem: IntegrityProblem, rule: IntegrityRule): Alert {
  const fileName = problem.key.slice(problem.key.lastIndexOf('/') + 1);
  return {
    rule: rule.id,
    severity: rule.severity,
    title: rule.title,
    eventID: problem.objectId,
    eventName: problem.subject === 'digest' ? 'DigestFile' : 'LogFile',
    eventSource: 'cloudtrail.amazonaws.com',
    eventTime: problem.time,
    principal: 'unknown',
    principalType: 'Unknown',
    accountId: problem.accountId,
    awsRegion: problem.region,
    resources:
      problem.bucket === undefined
        ? [{ type: 'AWS::S3::Object', name: problem.key }]
        : [{ type: 'AWS::S3::Object', arn: `arn:${partitionOf(problem.region)}:s3:::${problem.bucket}/${problem.key}`, name: problem.key }],
    target: fileName,
    integrity: {
      subject: problem.subject,
      status: problem.status,
      ...(problem.bucket === undefined ? {} : { bucket: problem.bucket }),
      key: problem.key,
      ...(problem.digestKey === undefined ? {} : { digest: problem.digestKey }),
      ...(problem.trailName === undefined ? {} : { trail: problem.trailName }),
    },
    description: rule.description,
    remediation: rule.remediation,
    references: rule.references,
    notes: problem.reasons,
    links: problem.bucket === undefined ? {} : { s3Object: s3ObjectUrl(problem.region, problem.bucket, problem.key) },
    key: { pk: problem.objectId, sk: `${ALERT_SORT_KEY_PREFIX}${rule.id}` },
  };
}
