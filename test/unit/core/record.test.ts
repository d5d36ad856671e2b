import { MAX_EVENT_ID_BYTES, MAX_IDENTIFIER_BYTES, MAX_RECORD_DEPTH } from '../../../lambda/core/limits';
import { validateRecord } from '../../../lambda/core/record';
import { loadFixture, record } from '../../helpers/fixtures';
import { nestedText } from '../../helpers/hostile-records';

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

/** A value nested `depth` levels deep (1: `{}`), built by the parser (which does not recurse) from its text. */
function nested(depth: number): unknown {
  return JSON.parse(nestedText(depth));
}

describe('validateRecord: what one record may cost', () => {
  it.each([
    ['30 February', '2024-02-30T10:00:00Z', 'month 2 of 2024 has no day 30'],
    ['29 February of a common year', '2023-02-29T10:00:00Z', 'month 2 of 2023 has no day 29'],
    ['29 February of a century not divisible by 400', '1900-02-29T10:00:00Z', 'month 2 of 1900 has no day 29'],
    ['31 April', '2024-04-31T10:00:00Z', 'month 4 of 2024 has no day 31'],
    ['day 0', '2024-01-00T10:00:00Z', 'month 1 of 2024 has no day 0'],
    ['month 13', '2024-13-01T10:00:00Z', 'there is no month 13'],
    ['month 0', '2024-00-01T10:00:00Z', 'there is no month 0'],
    ['hour 25', '2024-02-28T25:00:00Z', 'there is no hour 25'],
    ['hour 24', '2024-02-28T24:00:00Z', 'there is no hour 24'],
    ['minute 61', '2024-02-28T10:61:00Z', 'there is no minute 61'],
    ['second 61', '2024-02-28T10:00:61Z', 'there is no second 61'],
    ['a leap second', '2016-12-31T23:59:60Z', 'there is no second 60'],
    ['all at once', '2024-02-30T25:61:61Z', 'month 2 of 2024 has no day 30'],
  ])('rejects an eventTime on %s', (_label, eventTime, problem) => {
    // Act
    const result = validateRecord({ ...record(), eventTime });

    // Assess
    expect(result).toEqual({ ok: false, reason: `eventTime is not a real date and time: ${problem}` });
  });

  it('rejects every one-character change of a CloudTrail time that leaves the form: replaced, added or removed', () => {
    // Prepare: just below '0' and just above '9' in place of a digit, a digit or another separator in place of a
    // separator; a character added at each position (a digit too) and at the end; each character removed
    const time = '2024-02-29T23:59:59Z';
    const characters = [...time];
    const replaced = characters.flatMap((character, index) =>
      (/\d/.test(character) ? ['/', ':', ' '] : ['0', character === '-' ? ':' : '-']).map(
        (other) => time.slice(0, index) + other + time.slice(index + 1),
      ),
    );
    const added = [...characters.keys(), time.length].flatMap((index) =>
      ['0', 'Z', ' '].map((other) => time.slice(0, index) + other + time.slice(index)),
    );
    const removed = characters.map((_, index) => time.slice(0, index) + time.slice(index + 1));
    const changed = [...replaced, ...added, ...removed];

    // Act
    const accepted = changed.filter((eventTime) => validateRecord({ ...record(), eventTime }).ok);

    // Assess
    expect({ tried: changed.length, accepted }).toEqual({ tried: 54 + 63 + 20, accepted: [] });
  });

  it.each([
    ['whole seconds, as CloudTrail writes it', '2024-02-29T23:59:59Z'],
    ['fractional seconds, as re-exports write it', '2000-02-29T00:00:00.123Z'],
    ['the first second of a year', '2025-01-01T00:00:00Z'],
  ])('accepts an eventTime with %s', (_label, eventTime) => {
    // Act
    const result = validateRecord({ ...record(), eventTime });

    // Assess
    expect(result.ok && result.record.eventTime).toBe(eventTime);
  });

  it('does not take an impossible @timestamp for the eventTime', () => {
    // Prepare
    const value: Record<string, unknown> = { ...record(), '@timestamp': '2020-02-30T00:44:23.000Z' };
    delete value['eventTime'];

    // Act
    const result = validateRecord(value);

    // Assess
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('eventTime is missing') as unknown });
  });

  it.each([5_000, 1_000_000])('rejects a record nested %i levels deep, without overflowing the stack', (depth) => {
    // Act
    const result = validateRecord({ ...record(), requestParameters: { deep: nested(depth) } });

    // Assess
    expect(result).toEqual({ ok: false, reason: `the record nests deeper than ${MAX_RECORD_DEPTH} levels` });
  });

  it('accepts a record nested exactly as deep as the bound, and rejects one level more', () => {
    // Prepare: the record is level 1, requestParameters level 2, its member level 3
    const atBound = { ...record(), requestParameters: { deep: nested(MAX_RECORD_DEPTH - 2) } };
    const beyond = { ...record(), requestParameters: { deep: nested(MAX_RECORD_DEPTH - 1) } };

    // Act
    const results = [validateRecord(atBound).ok, validateRecord(beyond).ok];

    // Assess
    expect(results).toEqual([true, false]);
  });

  it('counts the levels of lists as of objects, and finds the deepest value after others in a list', () => {
    // Prepare: lists in lists, and objects and lists taking turns, each with its deepest value after a scalar, a
    // string and a shallow one; requestParameters is level 2, so its member may nest MAX_RECORD_DEPTH - 2 levels
    const lists = (depth: number): unknown => (depth === 1 ? [] : [1, 'x', [], lists(depth - 1)]);
    const mixed = (depth: number): unknown =>
      depth === 1 ? {} : depth % 2 === 0 ? [null, {}, mixed(depth - 1)] : { a: 1, b: {}, c: mixed(depth - 1) };
    const valid = (value: unknown): boolean => validateRecord({ ...record(), requestParameters: { deep: value } }).ok;

    // Act
    const results = [lists, mixed].map((nest) => [valid(nest(MAX_RECORD_DEPTH - 2)), valid(nest(MAX_RECORD_DEPTH - 1))]);

    // Assess
    expect(results).toEqual([
      [true, false],
      [true, false],
    ]);
  });

  it('rejects an eventID too long for the keys it is stored under, by its size', () => {
    // Act
    const result = validateRecord({ ...record(), eventID: 'e'.repeat(MAX_EVENT_ID_BYTES + 1) });

    // Assess
    expect(result).toEqual({
      ok: false,
      reason: `eventID is a string of ${MAX_EVENT_ID_BYTES + 1} bytes, more than the ${MAX_EVENT_ID_BYTES} it may have`,
    });
  });

  it('measures an eventID as stored: a lone surrogate takes the six bytes of its escape', () => {
    // Prepare: 100 lone surrogates are 300 bytes of UTF-8 but 600 as stored
    const eventID = '\udcff'.repeat(100);

    // Act
    const result = validateRecord({ ...record(), eventID });

    // Assess
    expect(result.ok).toBe(false);
  });

  it.each([
    ['eventName', { eventName: 'Delete'.repeat(400) }],
    ['errorCode', { errorCode: 'x'.repeat(MAX_IDENTIFIER_BYTES + 1) }],
    ['userIdentity.arn', { userIdentity: { type: 'IAMUser', arn: 'a'.repeat(MAX_IDENTIFIER_BYTES + 1) } }],
    [
      'userIdentity.sessionContext.sessionIssuer.arn',
      { userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { arn: 'é'.repeat(MAX_IDENTIFIER_BYTES) } } } },
    ],
  ])('rejects %s when it is longer than an identifier may be', (field, overrides) => {
    // Act
    const result = validateRecord({ ...record(), ...overrides });

    // Assess
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')} is a string of \\d+ bytes`)) as unknown });
  });

  it('accepts free text of any length in userAgent and errorMessage (the stored record is trimmed instead)', () => {
    // Act
    const result = validateRecord({ ...record(), userAgent: 'u'.repeat(100_000), errorMessage: 'm'.repeat(100_000) });

    // Assess
    expect(result.ok).toBe(true);
  });
});
