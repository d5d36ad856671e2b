import { dayFolderOfKey, dayFoldersOf, keyInRange } from '../../../lambda/core/date-folders';

const KEY = (day: string) =>
  `logs/AWSLogs/o-abc123defg/111122223333/CloudTrail/eu-west-1/${day}/111122223333_CloudTrail_eu-west-1_x.json.gz`;
const NOW = new Date('2026-11-21T12:00:00Z');

describe('dayFolderOfKey', () => {
  it('finds the date folder of a key in CloudTrail layout, organization trail and prefix included', () => {
    expect(dayFolderOfKey(KEY('2026/11/20'))).toBe('2026/11/20');
  });

  it('finds none in a key outside the layout', () => {
    expect(dayFolderOfKey('exports/2026/11/20/trail.json.gz')).toBeUndefined();
  });
});

describe('keyInRange', () => {
  it('selects every key when no range is given, in the layout or not', () => {
    expect(keyInRange('exports/trail.json', {})).toBe(true);
  });

  it('selects the folder of the --since day', () => {
    expect(keyInRange(KEY('2026/11/19'), { since: new Date('2026-11-19T23:00:00Z') })).toBe(true);
  });

  it('leaves out folders before the --since day', () => {
    expect(keyInRange(KEY('2026/11/18'), { since: new Date('2026-11-19T00:00:00Z') })).toBe(false);
  });

  it('selects the day after --until, where CloudTrail delivers the last minutes of a day', () => {
    expect(keyInRange(KEY('2026/11/21'), { until: new Date('2026-11-20T23:59:59Z') })).toBe(true);
  });

  it('leaves out folders two days after --until', () => {
    expect(keyInRange(KEY('2026/11/22'), { until: new Date('2026-11-20T23:59:59Z') })).toBe(false);
  });

  it('leaves out keys outside the layout when a range is given', () => {
    expect(keyInRange('exports/trail.json', { since: new Date('2026-11-19T00:00:00Z') })).toBe(false);
  });
});

describe('dayFoldersOf', () => {
  it('lists the days of a closed range and the day after it', () => {
    const folders = dayFoldersOf(
      { since: new Date('2026-02-27T10:00:00Z'), until: new Date('2026-03-01T10:00:00Z') },
      NOW,
    );

    expect(folders).toEqual(['2026/02/27', '2026/02/28', '2026/03/01', '2026/03/02']);
  });

  it('runs an open end up to the day after now', () => {
    const folders = dayFoldersOf({ since: new Date('2026-11-20T00:00:00Z') }, NOW);

    expect(folders).toEqual(['2026/11/20', '2026/11/21', '2026/11/22']);
  });

  it('cannot enumerate a range without a start', () => {
    expect(dayFoldersOf({ until: NOW }, NOW)).toBeUndefined();
  });
});
