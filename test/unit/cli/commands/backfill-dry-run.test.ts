/**
 * `backfill --dry-run` from the top of a trail's AWSLogs/ folder: the account and region folders are found with
 * delimiter listings (which s3rver cannot answer for nested keys, hence the in-memory S3 of fake-s3-listing), then
 * the range's day folders are listed as `ingest s3://` lists them.
 */
import { main } from '../../../../lambda/cli/main';
import { fakeS3 } from '../../../helpers/fake-s3-listing';
import { captureIO } from '../capture-io';

const key = (account: string, region: string, day: string): string =>
  `logs/AWSLogs/${account}/CloudTrail/${region}/2026/11/${day}/${account}_CloudTrail_${region}_202611${day}T1000Z_x.json.gz`;

it('finds every account and region folder and counts the files of the range', async () => {
  const { client } = fakeS3([
    key('111122223333', 'us-east-1', '20'),
    key('111122223333', 'us-east-1', '21'),
    key('111122223333', 'eu-west-1', '19'),
    key('444455556666', 'ap-south-1', '20'),
    'logs/AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/us-east-1/2026/11/20/777788889999_CloudTrail_us-east-1_20261120T1000Z_y.json.gz',
  ]);
  const io = captureIO('/tmp');

  const code = await main(
    ['backfill', '--dry-run', '--logs', 's3://trail-bucket/logs/AWSLogs/', '--since', '2026-11-20', '--until', '2026-11-20'],
    io,
    { s3Client: client },
  );

  expect({ code, lines: io.stdout.lines().slice(1, 3) }).toEqual({
    code: 0,
    lines: [
      'where: s3://trail-bucket/logs/AWSLogs/: 3 accounts, 4 region folders; 8 listing runs (month folders, log and digest)',
      'log files: 4, 40 bytes compressed (digest files are read too, not counted)',
    ],
  });
});
