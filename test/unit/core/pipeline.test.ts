import { LogDecodeError } from '../../../lambda/core/decode';
import { newCounts, normaliseLogObject } from '../../../lambda/core/pipeline';
import type { PipelineOptions } from '../../../lambda/core/pipeline';
import type { CloudTrailRecord } from '../../../lambda/core/types';
import { chunked, collect, gzippedLogFile, loadFixture, logFileText, record } from '../../helpers/fixtures';

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
      firstInvalidRecord: expect.objectContaining({ index: 4 }) as unknown,
    });
  });

  it('reports the first invalid record by position and reason', async () => {
    // Prepare
    const nameless = { eventID: 'x', eventSource: 'elasticbeanstalk.amazonaws.com', eventTime: '2026-11-20T10:00:00Z' };
    const records = [record(), nameless];

    // Act
    const { counts } = await run(logFileText(records));

    // Assess
    expect(counts.firstInvalidRecord).toEqual({
      index: 1,
      offset: expect.any(Number) as unknown,
      reason: 'eventName is missing, not a non-empty string',
    });
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
