import { listS3 } from '../../../lambda/cli/sources';
import { fakeS3 } from '../../helpers/fake-s3-listing';

const ACCOUNT = 'logs/AWSLogs/o-abc123defg/111122223333';
const file = (region: string, day: string) =>
  `${ACCOUNT}/CloudTrail/${region}/${day}/111122223333_CloudTrail_${region}_${day.replace(/\//g, '')}T1000Z_x.json.gz`;
const KEYS = [
  file('us-east-1', '2025/01/05'),
  file('us-east-1', '2026/11/19'),
  file('us-east-1', '2026/11/20'),
  file('us-east-1', '2026/11/21'),
  file('eu-west-1', '2026/11/20'),
  file('eu-west-1', '2026/11/23'),
  `${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/20/digest.json.gz`,
  `${ACCOUNT}/CloudTrail-Insight/us-east-1/2026/11/20/insight.json.gz`,
];
const NOW = new Date('2026-11-25T12:00:00Z');
const RANGE = { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-20T23:59:59Z') };

describe('listS3', () => {
  it('lists every log and digest object under the prefix without a range, the Insight folder left out', async () => {
    const { client } = fakeS3(KEYS, 3);

    const objects = await listS3(client, { bucket: 'b', prefix: 'logs/' }, {}, NOW);

    expect(objects.map((object) => object.objectKey)).toEqual(KEYS.filter((key) => !key.includes('/CloudTrail-Insight/')).sort());
  });

  it('selects the date folders of the range and the day after, in every region', async () => {
    const { client } = fakeS3(KEYS);

    const objects = await listS3(client, { bucket: 'b', prefix: 'logs/' }, RANGE, NOW);

    expect(objects.map((object) => object.objectKey).sort()).toEqual(
      [file('eu-west-1', '2026/11/20'), file('us-east-1', '2026/11/20'), file('us-east-1', '2026/11/21')].sort(),
    );
  });

  it('lists only the selected day folders, not the years before them', async () => {
    const { client, listed } = fakeS3(KEYS);

    await listS3(client, { bucket: 'b', prefix: 'logs/' }, RANGE, NOW);

    expect(listed.filter((input) => input.Delimiter === undefined).map((input) => input.Prefix)).toEqual([
      `${ACCOUNT}/CloudTrail/eu-west-1/2026/11/20/`,
      `${ACCOUNT}/CloudTrail/eu-west-1/2026/11/21/`,
      `${ACCOUNT}/CloudTrail/us-east-1/2026/11/20/`,
      `${ACCOUNT}/CloudTrail/us-east-1/2026/11/21/`,
    ]);
  });

  it('names objects by s3:// URL and fingerprints them by ETag without quotes', async () => {
    const { client } = fakeS3([file('us-east-1', '2026/11/20')]);

    const [object] = await listS3(client, { bucket: 'b', prefix: '' }, {}, NOW);

    expect(object).toMatchObject({
      objectId: `s3://b/${file('us-east-1', '2026/11/20')}`,
      fingerprint: `etag-${file('us-east-1', '2026/11/20')}`,
    });
  });

  it('filters a flat listing by date when the range has no start', async () => {
    const { client } = fakeS3(KEYS);

    const objects = await listS3(client, { bucket: 'b', prefix: 'logs/' }, { until: new Date('2025-12-31T00:00:00Z') }, NOW);

    expect(objects.map((object) => object.objectKey)).toEqual([file('us-east-1', '2025/01/05')]);
  });
});
