import { validateRecord } from '../../../lambda/core/record';
import { loadFixture, record } from '../../helpers/fixtures';

describe('validateRecord', () => {
  it('accepts an AWS documentation example record unchanged', () => {
    // Prepare
    const value: unknown = JSON.parse(JSON.stringify(loadFixture('elb-classic-create-load-balancer')));

    // Act
    const result = validateRecord(value);

    // Assess
    expect(result).toEqual({ ok: true, record: value });
  });

  it.each([
    ['null', null],
    ['an array', [{ eventID: 'x' }]],
    ['a string', '{"eventID":"x"}'],
    ['a number', 42],
  ])('rejects %s as not an object', (_label, value) => {
    // Act
    const result = validateRecord(value);

    // Assess
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('not an object') as unknown });
  });

  it.each(['eventID', 'eventSource', 'eventName', 'awsRegion'])('rejects a record without %s', (field) => {
    // Prepare
    const value = { ...record(), [field]: undefined };

    // Act
    const result = validateRecord(JSON.parse(JSON.stringify(value)));

    // Assess
    expect(result).toEqual({ ok: false, reason: `${field} is missing, not a non-empty string` });
  });

  it('rejects an empty eventID', () => {
    // Act
    const result = validateRecord({ ...record(), eventID: '' });

    // Assess
    expect(result).toEqual({ ok: false, reason: 'eventID is an empty string, not a non-empty string' });
  });

  it('rejects an eventTime that is not ISO 8601 UTC', () => {
    // Act
    const result = validateRecord({ ...record(), eventTime: 'Apr 11, 2016 5:23:50 PM' });

    // Assess
    expect(result).toEqual({ ok: false, reason: 'eventTime is a string, not an ISO 8601 UTC time' });
  });

  it('rejects a record with neither eventTime nor @timestamp', () => {
    // Prepare
    const value: Record<string, unknown> = { ...record() };
    delete value['eventTime'];

    // Act
    const result = validateRecord(value);

    // Assess
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('eventTime is missing') as unknown });
  });

  it('takes eventTime from the @timestamp of a Logstash export, in CloudTrail format', () => {
    // Prepare
    const value: Record<string, unknown> = { ...record(), '@timestamp': '2020-09-14T00:44:23.000Z' };
    delete value['eventTime'];

    // Act
    const result = validateRecord(value);

    // Assess
    expect(result.ok && result.record.eventTime).toBe('2020-09-14T00:44:23Z');
  });

  it('rejects a declared string field of another type, naming it', () => {
    // Act
    const result = validateRecord({ ...record(), errorCode: 403 });

    // Assess
    expect(result).toEqual({ ok: false, reason: 'errorCode is a number, not a string' });
  });

  it('rejects a readOnly that is not a boolean', () => {
    // Act
    const result = validateRecord({ ...record(), readOnly: 'true' });

    // Assess
    expect(result).toEqual({ ok: false, reason: 'readOnly is a string, not a boolean' });
  });

  it('rejects requestParameters that are not an object', () => {
    // Act
    const result = validateRecord({ ...record(), requestParameters: ['a'] });

    // Assess
    expect(result).toEqual({ ok: false, reason: 'requestParameters is an array, not an object or null' });
  });

  it('rejects a malformed nested userIdentity field with its path', () => {
    // Prepare
    const value = {
      ...record(),
      userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { arn: 7 } } },
    };

    // Act
    const result = validateRecord(value);

    // Assess
    expect(result).toEqual({
      ok: false,
      reason: 'userIdentity.sessionContext.sessionIssuer.arn is a number, not a string',
    });
  });

  it('never puts field content in a reason', () => {
    // Prepare
    const secret = 'AKIA-SECRET-LOOKING-VALUE';

    // Act
    const result = validateRecord({ ...record(), eventTime: secret });

    // Assess
    expect(JSON.stringify(result)).not.toContain(secret);
  });
});
