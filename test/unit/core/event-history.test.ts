import {
  addSpan,
  eventHistoryObjectId,
  formatCoverage,
  isEventHistoryUri,
  pageAsLogFile,
  parseCoverage,
  parseRegionList,
  trimCoverage,
  uncoveredSpans,
} from '../../../lambda/core/event-history';
import { decodeLogObject } from '../../../lambda/core/decode';
import { chunked, collect } from '../../helpers/fixtures';

const T = (iso: string): number => Date.parse(iso);

describe('Event-history streams', () => {
  it('names a stream by region and event source, under its own scheme', () => {
    const id = eventHistoryObjectId('eu-west-1', 'autoscaling.amazonaws.com');

    expect([id, isEventHistoryUri(id), isEventHistoryUri('s3://logs/AWSLogs/x.json.gz')]).toEqual([
      'event-history://eu-west-1/autoscaling.amazonaws.com',
      true,
      false,
    ]);
  });

  it('parses a list of regions, trimmed and without repeats', () => {
    expect(parseRegionList(' us-east-1,eu-west-1 , us-east-1,us-gov-west-1')).toEqual(['us-east-1', 'eu-west-1', 'us-gov-west-1']);
  });

  it('rejects a list holding something that is not a region name, naming the value', () => {
    expect(() => parseRegionList('us-east-1,Ireland')).toThrow("'us-east-1,Ireland' is not a list of region names");
  });
});

describe('a page as a log file', () => {
  it('holds each CloudTrailEvent as it came, in order, readable by the decoder', async () => {
    // Prepare
    const entries = [
      { eventId: 'a', eventTime: 2, cloudTrailEvent: '{"eventID":"a","eventName":"X"}' },
      { eventId: 'b', eventTime: 1, cloudTrailEvent: '{ "eventID" : "b" }' },
    ];

    // Act
    const page = pageAsLogFile(entries);
    const items = await collect(decodeLogObject(chunked(page.bytes), { objectKey: 'event-history://us-east-1/x' }));

    // Assess
    expect({ records: page.records, texts: items.map((item) => (item.kind === 'record' ? item.text : item.kind)) }).toEqual({
      records: 2,
      texts: ['{"eventID":"a","eventName":"X"}', '{ "eventID" : "b" }'],
    });
  });

  it('leaves out, and names, entries whose CloudTrailEvent is missing, not JSON, or not an object', () => {
    // Act
    const page = pageAsLogFile([
      { eventId: 'missing', eventTime: 1, cloudTrailEvent: undefined },
      { eventId: 'truncated', eventTime: 1, cloudTrailEvent: '{"eventID":"x' },
      { eventId: 'array', eventTime: 1, cloudTrailEvent: '[1]' },
      { eventId: 'good', eventTime: 1, cloudTrailEvent: '{"eventID":"good"}' },
    ]);

    // Assess
    expect({ records: page.records, unreadable: page.unreadable, text: Buffer.from(page.bytes).toString() }).toEqual({
      records: 1,
      unreadable: ['missing', 'truncated', 'array'],
      text: '{"Records":[{"eventID":"good"}]}',
    });
  });
});

describe('coverage', () => {
  const day1 = { from: T('2026-11-01T00:00:00Z'), to: T('2026-11-01T23:59:59.999Z') };
  const day3 = { from: T('2026-11-03T00:00:00Z'), to: T('2026-11-03T23:59:59.999Z') };

  it('round-trips through the ledger fingerprint', () => {
    const coverage = [day1, day3];

    expect(parseCoverage(formatCoverage(coverage))).toEqual(coverage);
  });

  it('reads an unknown or damaged fingerprint as nothing covered, so the range is read again', () => {
    expect([parseCoverage(undefined), parseCoverage('3f2a9c'), parseCoverage('covered:v1 2026-11-03/nonsense')]).toEqual([[], [], []]);
  });

  it('merges spans that overlap or touch', () => {
    const day2 = { from: T('2026-11-02T00:00:00Z'), to: T('2026-11-02T23:59:59.999Z') };

    expect(addSpan([day1, day3], day2)).toEqual([{ from: day1.from, to: day3.to }]);
  });

  it('ignores an empty span (its start after its end)', () => {
    expect(addSpan([day1], { from: day3.to, to: day3.from })).toEqual([day1]);
  });

  it('finds the gaps of a range, newest first', () => {
    const range = { from: T('2026-10-31T12:00:00Z'), to: T('2026-11-04T12:00:00Z') };

    expect(uncoveredSpans(range, [day1, day3])).toEqual([
      { from: day3.to + 1, to: range.to },
      { from: day1.to + 1, to: day3.from - 1 },
      { from: range.from, to: day1.from - 1 },
    ]);
  });

  it('finds no gap in a covered range, and the whole range when nothing is covered', () => {
    const inside = { from: T('2026-11-01T06:00:00Z'), to: T('2026-11-01T18:00:00Z') };

    expect([uncoveredSpans(inside, [day1]), uncoveredSpans(inside, [])]).toEqual([[], [inside]]);
  });

  it('drops what Event history no longer holds', () => {
    expect(trimCoverage([day1, day3], T('2026-11-03T06:00:00Z'))).toEqual([{ from: T('2026-11-03T06:00:00Z'), to: day3.to }]);
  });
});
