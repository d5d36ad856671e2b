import { LogDecodeError } from '../../../lambda/core/decode';
import { MAX_RESOURCES_PER_EVENT } from '../../../lambda/core/limits';
import { MAX_NAMED_PROBLEMS, newCounts, normaliseLogObject } from '../../../lambda/core/pipeline';
import type { PipelineOptions } from '../../../lambda/core/pipeline';
import type { CloudTrailRecord } from '../../../lambda/core/types';
import { chunked, collect, gzippedLogFile, loadFixture, logFileText, record } from '../../helpers/fixtures';
import { HOSTILE_RECORDS, logFileOfTexts, recordText } from '../../helpers/hostile-records';

const KEY =
  'AWSLogs/111122223333/CloudTrail/us-west-2/2026/11/20/111122223333_CloudTrail_us-west-2_20261120T1000Z_abc.json.gz';

async function run(bytes: Uint8Array | string, options: Partial<PipelineOptions> = {}) {
  const counts = newCounts();
  const kept = await collect(normaliseLogObject(chunked(bytes), { objectKey: KEY, ...options }, counts));
  return { kept, counts };
}

const s3Call = (): CloudTrailRecord =>
  record({ eventSource: 's3.amazonaws.com', eventName: 'CreateBucket', readOnly: false });

/** An Insight event: no top-level eventSource or eventName, but one of our services in its details. */
const insight = {
  eventVersion: '1.07',
  eventTime: '2026-11-20T10:00:00Z',
  awsRegion: 'us-west-2',
  eventID: 'i-1',
  eventType: 'AwsCloudTrailInsight',
  insightDetails: { eventSource: 'elasticloadbalancing.amazonaws.com' },
};

describe('normaliseLogObject', () => {
  it('keeps the events of the selected services from a gzipped log file, in order', async () => {
    // Prepare
    const records = [
      loadFixture('elb-classic-create-load-balancer'),
      s3Call(),
      loadFixture('elasticbeanstalk-update-environment'),
      loadFixture('autoscaling-create-launch-configuration'),
    ];

    // Act
    const { kept } = await run(gzippedLogFile(records));

    // Assess
    expect(kept.map(({ event }) => [event.eventName, event.service])).toEqual([
      ['CreateLoadBalancer', 'elb'],
      ['UpdateEnvironment', 'elasticbeanstalk'],
      ['CreateLaunchConfiguration', 'autoscaling'],
    ]);
  });

  it('yields the original record beside each event', async () => {
    // Prepare
    const deletion = loadFixture('elbv2-delete-load-balancer');

    // Act
    const { kept } = await run(logFileText([deletion]));

    // Assess
    expect(kept[0]?.record).toEqual(deletion);
  });

  it('gives each kept event its source: the object key, the record index and its byte offset', async () => {
    // Prepare
    const records = [s3Call(), loadFixture('elbv2-delete-load-balancer')];
    const text = logFileText(records);

    // Act
    const { kept } = await run(text);

    // Assess
    const offset = text.indexOf(JSON.stringify(records[1]));
    expect(kept[0]?.source).toEqual({ uri: KEY, index: 1, offset });
  });

  it('names the source by objectUri when one is given', async () => {
    // Prepare
    const uri = `s3://trail-bucket/${KEY}`;

    // Act
    const { kept } = await run(logFileText([loadFixture('elbv2-delete-load-balancer')]), { objectUri: uri });

    // Assess
    expect(kept[0]?.source?.uri).toBe(uri);
  });

  it('counts every record read as kept or skipped for one reason', async () => {
    // Prepare
    const duplicate = record();
    const records = [
      duplicate,
      duplicate,
      s3Call(),
      insight,
      { eventID: 'no-name', eventSource: 'elasticloadbalancing.amazonaws.com' },
      record({
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'RegisterScalableTarget',
        requestParameters: { serviceNamespace: 'ecs' },
      }),
      record({ eventName: 'CreateLoadBalancer', readOnly: false }),
    ];

    // Act
    const { counts } = await run(gzippedLogFile(records));

    // Assess
    expect(counts).toEqual({
      recordsRead: 7,
      kept: 2,
      skipped: {
        'duplicate-event': 1,
        'other-service': 1,
        'insight-event': 1,
        'invalid-record': 1,
        'application-auto-scaling': 1,
      },
      unknownOperations: expect.any(Number) as unknown,
      recordsTrimmed: 0,
      resourcesOmitted: 0,
      problems: [expect.objectContaining({ index: 4, problem: 'invalid-record' })],
    });
  });

  it('names an invalid record by position and reason', async () => {
    // Prepare
    const nameless = { eventID: 'x', eventSource: 'elasticbeanstalk.amazonaws.com', eventTime: '2026-11-20T10:00:00Z' };
    const records = [record(), nameless];

    // Act
    const { counts } = await run(logFileText(records));

    // Assess
    expect(counts.problems).toEqual([
      {
        index: 1,
        offset: expect.any(Number) as unknown,
        problem: 'invalid-record',
        reason: 'eventName is missing, not a non-empty string',
      },
    ]);
  });

  it('skips eventIDs already kept from another object when given the run set', async () => {
    // Prepare
    const repeated = record();
    const seenEventIds = new Set<string>();
    await run(logFileText([repeated]), { seenEventIds });

    // Act
    const { kept, counts } = await run(logFileText([repeated, record()]), { seenEventIds });

    // Assess
    expect({ kept: kept.length, duplicates: counts.skipped['duplicate-event'] }).toEqual({ kept: 1, duplicates: 1 });
  });

  it('drops read-only calls when asked to', async () => {
    // Prepare
    const records = [record({ readOnly: true }), record({ eventName: 'DeleteLoadBalancer', readOnly: false })];

    // Act
    const { kept, counts } = await run(logFileText(records), { dropReadOnly: true });

    // Assess
    expect({ names: kept.map(({ event }) => event.eventName), dropped: counts.skipped['read-only-dropped'] }).toEqual({
      names: ['DeleteLoadBalancer'],
      dropped: 1,
    });
  });

  it('hands every valid record of any service to onRecord', async () => {
    // Prepare
    const seen: string[] = [];
    const records = [s3Call(), record(), insight];

    // Act
    await run(logFileText(records), { onRecord: (r) => seen.push(r.eventSource) });

    // Assess
    expect(seen).toEqual(['s3.amazonaws.com', 'elasticloadbalancing.amazonaws.com']);
  });

  it('hands onRecord only the records its mayMatchRecord filter or the selection accepts, unparsed otherwise', async () => {
    // Prepare
    const seen: string[] = [];
    const iamCall = record({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', readOnly: false });
    const records = [s3Call(), iamCall, record()];

    // Act
    const { counts } = await run(logFileText(records), {
      onRecord: (r) => seen.push(r.eventSource),
      mayMatchRecord: (text) => text.includes('iam.amazonaws.com'),
    });

    // Assess
    expect({ seen, otherService: counts.skipped['other-service'] }).toEqual({
      seen: ['iam.amazonaws.com', 'elasticloadbalancing.amazonaws.com'],
      otherService: 2,
    });
  });

  it('reports a skipped file and reads no records', async () => {
    // Prepare
    const digestKey =
      'AWSLogs/111122223333/CloudTrail-Digest/us-west-2/2026/11/20/' +
      '111122223333_CloudTrail-Digest_us-west-2_trail_us-west-2_20261120T100000Z.json.gz';

    // Act
    const { kept, counts } = await run(gzippedLogFile([record()]), { objectKey: digestKey });

    // Assess
    expect({ kept, counts }).toEqual({ kept: [], counts: { ...newCounts(), fileSkipped: 'digest-file' } });
  });

  it('raises a LogDecodeError naming the object for a record whose JSON does not parse', async () => {
    // Prepare
    const broken = '{"eventSource":"elasticloadbalancing.amazonaws.com","eventID":"a" "b"}';
    const text = `{"Records":[${JSON.stringify(record())},${broken}]}`;

    // Act
    const result = run(text);

    // Assess
    await expect(result).rejects.toThrow(LogDecodeError);
    await expect(result).rejects.toThrow(KEY);
  });

  it('does not parse records of other services, so their syntax errors go unnoticed', async () => {
    // Prepare: the unparsed record has a syntax error the decoder's structural scan does not check.
    const text = `{"Records":[{"eventSource":"s3.amazonaws.com","eventID":"a" "b"}]}`;

    // Act
    const { counts } = await run(text);

    // Assess
    expect(counts.skipped).toEqual({ 'other-service': 1 });
  });
});

describe('normaliseLogObject: a bad record costs at most itself', () => {
  /** A file of a valid record, the hostile one, and another valid record. */
  const between = (hostile: string): string => logFileOfTexts([recordText('before'), hostile, recordText('after')]);

  it.each([
    ['nested 5,000 levels deep', HOSTILE_RECORDS.deep('hostile'), 'the record nests deeper than 64 levels'],
    ['with an impossible eventTime', HOSTILE_RECORDS.impossibleDate('hostile'), 'eventTime is not a real date and time: month 2 of 2024 has no day 30'],
    ['whose eventID is too long for a key', HOSTILE_RECORDS.longEventId('hostile'), expect.stringMatching(/^eventID is a string of \d+ bytes/) as unknown],
    ['whose eventName is 500 KB', HOSTILE_RECORDS.longEventName('hostile'), expect.stringMatching(/^eventName is a string of \d+ bytes/) as unknown],
  ])('counts a record %s as invalid, names it by position, and keeps the others', async (_label, hostile, reason) => {
    // Act
    const { kept, counts } = await run(between(hostile));

    // Assess
    expect({ kept: kept.map(({ event }) => event.eventID), invalid: counts.skipped['invalid-record'], problems: counts.problems }).toEqual({
      kept: ['before', 'after'],
      invalid: 1,
      problems: [{ index: 1, offset: expect.any(Number) as unknown, problem: 'invalid-record', reason }],
    });
  });

  it('keeps a record naming 50,000 resources with the first of them, counting and naming the others', async () => {
    // Act
    const { kept, counts } = await run(between(HOSTILE_RECORDS.fanOut('hostile', 50_000)));

    // Assess
    const omitted = 50_001 - MAX_RESOURCES_PER_EVENT;
    expect({
      listed: kept[1]?.event.resources.length,
      onEvent: kept[1]?.event.resourcesOmitted,
      counted: counts.resourcesOmitted,
      problems: counts.problems,
    }).toEqual({
      listed: MAX_RESOURCES_PER_EVENT,
      onEvent: omitted,
      counted: omitted,
      problems: [
        {
          index: 1,
          offset: expect.any(Number) as unknown,
          problem: 'resources-omitted',
          reason: `names 50001 resources: the first ${MAX_RESOURCES_PER_EVENT} are indexed, ${omitted} beyond the cap are left out`,
        },
        // 1.4 MB of JSON: its stored copy is trimmed too.
        expect.objectContaining({ index: 1, problem: 'record-trimmed' }),
      ],
    });
  });

  it('keeps a record of 450 KB, deciding it is stored trimmed, and counts and names it', async () => {
    // Act
    const { kept, counts } = await run(between(HOSTILE_RECORDS.oversized('hostile')));

    // Assess
    expect({ trimmed: kept[1]?.storedRecord?.trimmed, counted: counts.recordsTrimmed, problems: counts.problems }).toEqual({
      trimmed: ['responseElements'],
      counted: 1,
      problems: [
        {
          index: 1,
          offset: expect.any(Number) as unknown,
          problem: 'record-trimmed',
          reason: expect.stringMatching(/^record of \d+ bytes stored trimmed to fit a DynamoDB item \(replaced by their size: responseElements\)$/) as unknown,
        },
      ],
    });
  });

  it('names the first few records with problems and counts them all', async () => {
    // Prepare
    const texts = Array.from({ length: MAX_NAMED_PROBLEMS + 10 }, (_, index) => HOSTILE_RECORDS.impossibleDate(`bad-${index}`));

    // Act
    const { counts } = await run(logFileOfTexts(texts));

    // Assess
    expect({ invalid: counts.skipped['invalid-record'], named: counts.problems.map((problem) => problem.index) }).toEqual({
      invalid: MAX_NAMED_PROBLEMS + 10,
      named: Array.from({ length: MAX_NAMED_PROBLEMS }, (_, index) => index),
    });
  });
});
