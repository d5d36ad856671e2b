import { S3FolderLister } from '../../../lambda/adapters/s3-folder-lister';
import { fakeS3 } from '../../helpers/fake-s3-listing';

const KEYS = [
  'AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/20/a.json.gz',
  'AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/us-east-1/2026/11/20/b.json.gz',
  'AWSLogs/o-a1b2c3d4e5/777788889999/CloudTrail/us-east-1/2026/11/20/c.json.gz',
  'AWSLogs/o-a1b2c3d4e5/readme.txt',
];

describe('S3FolderLister', () => {
  it('lists the folders directly under a prefix, across pages, without the objects beside them', async () => {
    const { client, listed } = fakeS3(KEYS, 2);

    const folders = await new S3FolderLister(client).listFolders('logs', 'AWSLogs/o-a1b2c3d4e5/');

    expect({ folders, delimiters: listed.map((input) => input.Delimiter), pages: listed.length }).toEqual({
      folders: [
        'AWSLogs/o-a1b2c3d4e5/111122223333/',
        'AWSLogs/o-a1b2c3d4e5/444455556666/',
        'AWSLogs/o-a1b2c3d4e5/777788889999/',
      ],
      delimiters: ['/', '/'],
      pages: 2,
    });
  });
});
