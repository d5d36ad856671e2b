import { decodeS3Key, ObjectKeyError, parseLogObjectKey } from '../../../lambda/core/object-key';

const LOG_FILE = '123456789012_CloudTrail_us-west-2_20261120T1005Z_abcdefghijklmnop.json.gz';

describe('decodeS3Key', () => {
  it('turns + into a space', () => {
    // act
    const key = decodeS3Key('my+trail/AWSLogs/file.json.gz');

    // assess
    expect(key).toBe('my trail/AWSLogs/file.json.gz');
  });

  it('turns %2B into a literal plus', () => {
    // act
    const key = decodeS3Key('a%2Bb+c');

    // assess
    expect(key).toBe('a+b c');
  });

  it('decodes percent-encoded UTF-8', () => {
    // act
    const key = decodeS3Key('journaux/%C3%A9t%C3%A9/%E6%97%A5%E5%BF%97');

    // assess
    expect(key).toBe('journaux/été/日志');
  });

  it('rejects a malformed percent sequence with a typed error', () => {
    // act
    const decoding = (): string => decodeS3Key('bad%E0%A4%A');

    // assess
    expect(decoding).toThrow(ObjectKeyError);
  });
});

describe('parseLogObjectKey', () => {
  it('routes a log file of an account trail', () => {
    // act
    const parsed = parseLogObjectKey(`AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed).toEqual({ kind: 'log', accountId: '123456789012', region: 'us-west-2', date: '2026-11-20' });
  });

  it('accepts any prefix before AWSLogs/', () => {
    // act
    const parsed = parseLogObjectKey(`audit logs/prod/AWSLogs/123456789012/CloudTrail/eu-central-1/2026/01/02/${LOG_FILE}`);

    // assess
    expect(parsed).toEqual({ kind: 'log', accountId: '123456789012', region: 'eu-central-1', date: '2026-01-02' });
  });

  it('reads the organization-trail layout', () => {
    // act
    const parsed = parseLogObjectKey(`AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed).toEqual({
      kind: 'log',
      organizationId: 'o-a1b2c3d4e5',
      accountId: '111122223333',
      region: 'us-east-1',
      date: '2026-11-20',
    });
  });

  it('recognises a digest file', () => {
    // act
    const parsed = parseLogObjectKey(
      'AWSLogs/123456789012/CloudTrail-Digest/us-west-2/2026/11/20/123456789012_CloudTrail-Digest_us-west-2_trail_us-west-2_20261120T100000Z.json.gz',
    );

    // assess
    expect(parsed.kind).toBe('digest');
  });

  it('recognises an Insight file', () => {
    // act
    const parsed = parseLogObjectKey(`p/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail-Insight/us-west-2/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed.kind).toBe('insight');
  });

  it('calls an object outside the CloudTrail layout other', () => {
    // act
    const parsed = parseLogObjectKey('AWSLogs/123456789012/elasticloadbalancing/us-west-2/2026/11/20/access.log.gz');

    // assess
    expect(parsed).toEqual({ kind: 'other' });
  });

  it('calls a CloudTrail folder without AWSLogs/ unrecognised', () => {
    // act
    const parsed = parseLogObjectKey(`CloudTrail/us-west-2/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed).toEqual({ kind: 'unrecognised' });
  });

  it('calls a non-JSON file in a log folder unrecognised', () => {
    // act
    const parsed = parseLogObjectKey('AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/notes.txt');

    // assess
    expect(parsed.kind).toBe('unrecognised');
  });

  it('calls an unknown CloudTrail-* folder unrecognised', () => {
    // act
    const parsed = parseLogObjectKey(`AWSLogs/123456789012/CloudTrail-Future/us-west-2/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed.kind).toBe('unrecognised');
  });

  it('calls a CloudTrail folder marker other', () => {
    // act
    const parsed = parseLogObjectKey('AWSLogs/123456789012/CloudTrail/');

    // assess
    expect(parsed).toEqual({ kind: 'other' });
  });

  it('calls a file merely named like CloudTrail outside such a folder other', () => {
    // act
    const parsed = parseLogObjectKey('exports/CloudTrail-summary.csv');

    // assess
    expect(parsed).toEqual({ kind: 'other' });
  });

  it('routes a log file of a region whose name has more than one word before the number', () => {
    // act
    const parsed = parseLogObjectKey(`AWSLogs/123456789012/CloudTrail/eusc-de-east-1/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed).toEqual({ kind: 'log', accountId: '123456789012', region: 'eusc-de-east-1', date: '2026-11-20' });
  });

  it('routes a log file whose folders below CloudTrail/ differ from the usual layout, without region or date', () => {
    // act
    const parsed = parseLogObjectKey(`AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/replayed/${LOG_FILE}`);

    // assess
    expect(parsed).toEqual({ kind: 'log', accountId: '123456789012' });
  });

  it('routes a plain .json log file', () => {
    // act
    const parsed = parseLogObjectKey('AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/file.json');

    // assess
    expect(parsed.kind).toBe('log');
  });

  it('skips an AWSLogs segment inside the prefix that lacks the layout', () => {
    // act
    const parsed = parseLogObjectKey(`AWSLogs/archive/AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/${LOG_FILE}`);

    // assess
    expect(parsed).toMatchObject({ kind: 'log', accountId: '123456789012' });
  });

  it('routes a key decoded from a notification with a space and unicode in the prefix', () => {
    // act
    const parsed = parseLogObjectKey(
      decodeS3Key(`mes+journaux%2B%C3%A9t%C3%A9/AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/${LOG_FILE}`),
    );

    // assess
    expect(parsed).toMatchObject({ kind: 'log', region: 'us-west-2' });
  });
});
