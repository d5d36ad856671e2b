/**
 * The integrity rules: which finding alerts under which rule, and an integrity alert in the alerts' formats (SNS,
 * EventBridge), keyed once per rule and object.
 */
import { alertEventEntry, snsMessage, snsSubject } from '../../../../lambda/core/alerts/format';
import { integrityAlert, integrityRuleFor, INTEGRITY_RULES, type IntegrityProblem } from '../../../../lambda/core/alerts/integrity';

const KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0930Z_R8sW1nYq4ZtE6HjK.json.gz';
const DIGEST_KEY = 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261120T101240Z.json.gz';

const MISSING: IntegrityProblem = {
  subject: 'log-file',
  status: 'missing',
  objectId: `s3://logs/${KEY}`,
  bucket: 'logs',
  key: KEY,
  accountId: '111122223333',
  region: 'us-east-1',
  time: '2026-11-20T09:30:00Z',
  digestKey: DIGEST_KEY,
  reasons: ['a digest lists it, but it is not there'],
};

describe('integrityRuleFor', () => {
  it.each([
    ['log-file', 'missing', 'integrity.log-file-missing'],
    ['log-file', 'altered', 'integrity.log-file-altered'],
    ['log-file', 'not-processed', 'integrity.log-file-not-processed'],
    ['log-file', 'unlisted', 'integrity.log-file-unlisted'],
    ['log-file', 'chain-broken', undefined],
    ['log-file', 'invalid-signature', undefined],
    ['log-file', 'verified', undefined],
    ['digest', 'missing', 'integrity.digest-missing'],
    ['digest', 'altered', 'integrity.digest-invalid'],
    ['digest', 'invalid-signature', 'integrity.digest-invalid'],
    ['digest', 'chain-broken', 'integrity.digest-chain-broken'],
    ['digest', 'signature-not-checked', undefined],
  ] as const)('%s %s → %s', (subject, status, rule) => {
    expect(integrityRuleFor({ subject, status })?.id).toBe(rule);
  });
});

describe('integrityAlert', () => {
  const alert = integrityAlert(MISSING, INTEGRITY_RULES.logFileMissing);

  it('is claimed once per rule and object, under the object', () => {
    expect(alert.key).toEqual({ pk: `s3://logs/${KEY}`, sk: 'ALERT#integrity.log-file-missing' });
  });

  it('names the S3 object as its resource, on EventBridge too, and links to it in the S3 console', () => {
    expect({ resources: alertEventEntry(alert).Resources, link: alert.links }).toEqual({
      resources: [`arn:aws:s3:::logs/${KEY}`],
      link: { s3Object: `https://us-east-1.console.aws.amazon.com/s3/object/logs?region=us-east-1&prefix=${encodeURIComponent(KEY)}` },
    });
  });

  it('says in its SNS body which file, what was found, its digest, the hour, where, and what to do, and no "who"', () => {
    const body = snsMessage(alert);

    expect(body.split('\n\n').slice(0, 3)).toEqual([
      '[HIGH] CloudTrail log file deleted',
      [
        `What:   log file s3://logs/${KEY}: missing`,
        `        listed by the digest ${DIGEST_KEY}`,
        'When:   2026-11-20T09:30:00Z (the time in the file name)',
        'Where:  account 111122223333, region us-east-1',
      ].join('\n'),
      'Found:\n- a digest lists it, but it is not there',
    ]);
    expect(body).toContain(`What to do:\n${INTEGRITY_RULES.logFileMissing.remediation}`);
    expect(body).not.toContain('Who:');
  });

  it('has an SNS subject with the rule title and the file name, within SNS limits', () => {
    const subject = snsSubject(alert);

    expect({ start: subject.startsWith('[HIGH] CloudTrail log file deleted - ...'), end: subject.endsWith('R8sW1nYq4ZtE6HjK.json.gz'), length: subject.length <= 99 }).toEqual({
      start: true,
      end: true,
      length: true,
    });
  });
});
