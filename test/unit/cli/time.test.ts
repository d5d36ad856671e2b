import { UsageError } from '../../../lambda/cli/errors';
import { parseTimeArgument, parseTimeRange, toEventTime } from '../../../lambda/cli/time';

const NOW = new Date('2026-11-21T12:00:00Z');

describe('parseTimeArgument', () => {
  it.each([
    ['30m', '2026-11-21T11:30:00.000Z'],
    ['24h', '2026-11-20T12:00:00.000Z'],
    ['7d', '2026-11-14T12:00:00.000Z'],
    ['2w', '2026-11-07T12:00:00.000Z'],
    ['90s', '2026-11-21T11:58:30.000Z'],
  ])('reads the age %s as a time before now', (value, expected) => {
    const time = parseTimeArgument(value, 'start', NOW);

    expect(time.toISOString()).toBe(expected);
  });

  it('reads an ISO time with a zone', () => {
    const time = parseTimeArgument('2026-11-20T14:00:00+02:00', 'start', NOW);

    expect(time.toISOString()).toBe('2026-11-20T12:00:00.000Z');
  });

  it('reads a bare date as the start of that UTC day for a start', () => {
    const time = parseTimeArgument('2026-11-20', 'start', NOW);

    expect(time.toISOString()).toBe('2026-11-20T00:00:00.000Z');
  });

  it('reads a bare date as the end of that UTC day for an end', () => {
    const time = parseTimeArgument('2026-11-20', 'end', NOW);

    expect(time.toISOString()).toBe('2026-11-20T23:59:59.999Z');
  });

  it.each(['yesterday', '7 d', '7D', '2026-11-20T12:00:00', '2026-02-30', '', '-1h'])(
    'rejects %j as a usage error',
    (value) => {
      expect(() => parseTimeArgument(value, 'start', NOW, '--since')).toThrow(UsageError);
    },
  );

  it('names the option in its error', () => {
    expect(() => parseTimeArgument('soon', 'start', NOW, '--until')).toThrow(/--until 'soon'/);
  });
});

describe('parseTimeRange', () => {
  it('leaves both ends open when neither is given', () => {
    const range = parseTimeRange(undefined, undefined, NOW);

    expect(range).toEqual({});
  });

  it('rejects a range whose start is after its end', () => {
    expect(() => parseTimeRange('1h', '2h', NOW)).toThrow(/after --until/);
  });
});

describe('toEventTime', () => {
  it('writes a time as CloudTrail writes eventTime, without milliseconds', () => {
    expect(toEventTime(new Date('2026-11-20T12:34:56.789Z'))).toBe('2026-11-20T12:34:56Z');
  });
});
