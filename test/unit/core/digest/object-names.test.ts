import { chainId, layoutKeyOf, parseDigestObjectName, parseLogFileObjectName } from '../../../../lambda/core/digest';

const DIGEST =
  'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz';

describe('parseDigestObjectName', () => {
  it("reads the trail, home region and end time of the guide's sample digest key", () => {
    expect(parseDigestObjectName(DIGEST)).toEqual({
      prefix: '',
      accountId: '111122223333',
      region: 'us-east-2',
      layoutKey: DIGEST,
      trailName: 'your-trail-name',
      homeRegion: 'us-east-2',
      endTime: new Date('2015-08-17T15:01:31Z'),
      backfill: false,
    });
  });

  it('reads an organization trail digest under a prefix, delivered from another region than its home', () => {
    const key =
      'logs/prod/AWSLogs/o-exampleorg1/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/111122223333_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20261120T122005Z.json.gz';

    const name = parseDigestObjectName(key);

    expect(name && [name.prefix, name.organizationId, name.region, name.trailName, name.homeRegion]).toEqual([
      'logs/prod/',
      'o-exampleorg1',
      'eu-west-1',
      'org_trail',
      'us-east-1',
    ]);
  });

  it('recognises a backfill digest by its suffix', () => {
    const name = parseDigestObjectName(DIGEST.replace('.json.gz', '_backfill.json.gz'));

    expect(name && [name.backfill, name.endTime.toISOString()]).toEqual([true, '2015-08-17T15:01:31.000Z']);
  });

  it('puts the hourly and the backfill digests of one trail and region in two chains', () => {
    const hourly = parseDigestObjectName(DIGEST);
    const backfill = parseDigestObjectName(DIGEST.replace('.json.gz', '_backfill.json.gz'));

    expect(hourly && backfill && chainId(hourly) !== chainId(backfill)).toBe(true);
  });

  it("rejects a key under CloudTrail-Digest without CloudTrail's file naming", () => {
    expect(parseDigestObjectName('AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/notes.json.gz')).toBeUndefined();
  });
});

describe('parseLogFileObjectName', () => {
  it('reads the time in a log file name', () => {
    const name = parseLogFileObjectName(
      'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz',
    );

    expect(name?.fileTime).toEqual(new Date('2015-08-17T14:45:00Z'));
  });
});

describe('layoutKeyOf', () => {
  it('is the key from the AWSLogs/ segment on, whatever folder a copy sits in', () => {
    expect(layoutKeyOf(`/home/me/download/prefix/${DIGEST}`)).toBe(DIGEST);
  });
});
