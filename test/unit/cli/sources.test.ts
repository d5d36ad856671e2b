import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../../lambda/cli/errors';
import { isLogFileName, listLocal, parseS3Url } from '../../../lambda/cli/sources';

describe('parseS3Url', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Url('s3://my-trail-bucket/AWSLogs/111122223333/')).toEqual({
      bucket: 'my-trail-bucket',
      prefix: 'AWSLogs/111122223333/',
    });
  });

  it('reads a bare bucket as the whole bucket', () => {
    expect(parseS3Url('s3://my-trail-bucket')).toEqual({ bucket: 'my-trail-bucket', prefix: '' });
  });

  it('is not an S3 location for a local path', () => {
    expect(parseS3Url('examples/')).toBeUndefined();
  });

  it('refuses a URL without a valid bucket name', () => {
    expect(() => parseS3Url('s3:///AWSLogs/')).toThrow(UsageError);
  });
});

describe('isLogFileName', () => {
  it.each(['x_CloudTrail_eu-west-1_20261120T1150Z_abc.json.gz', 'record.json', 'export.ndjson', 'events.jsonl.gz'])(
    'reads %s',
    (name) => {
      expect(isLogFileName(name)).toBe(true);
    },
  );

  it.each(['README.md', 'notes.txt', 'digest.sig'])('leaves out %s', (name) => {
    expect(isLogFileName(name)).toBe(false);
  });
});

describe('listLocal', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'trail-audit-sources-'));
    await mkdir(join(folder, 'logs', 'b'), { recursive: true });
    await mkdir(join(folder, 'logs', '.trail-audit'), { recursive: true });
    await writeFile(join(folder, 'logs', 'b', '2.json.gz'), 'x');
    await writeFile(join(folder, 'logs', '1.json'), 'xy');
    await writeFile(join(folder, 'logs', 'README.md'), '# notes');
    await writeFile(join(folder, 'logs', '.trail-audit', 'shared-local-instance.json'), '{}');
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('walks a folder recursively, sorted, log files only, hidden folders skipped', async () => {
    const listing = await listLocal(['logs'], folder);

    expect(listing.objects.map((object) => object.displayName)).toEqual(['logs/1.json', 'logs/b/2.json.gz']);
  });

  it('reads a file named on the command line whatever its name', async () => {
    const listing = await listLocal(['logs/README.md'], folder);

    expect(listing.objects.map((object) => object.displayName)).toEqual(['logs/README.md']);
  });

  it('identifies a file by its file:// URL and fingerprints it by size and mtime', async () => {
    const listing = await listLocal(['logs/1.json'], folder);

    expect(listing.objects[0]).toMatchObject({
      objectId: pathToFileURL(join(folder, 'logs', '1.json')).href,
      fingerprint: expect.stringMatching(/^2:\d+$/) as unknown,
      size: 2,
    });
  });

  it('reports a missing path and lists the rest', async () => {
    const listing = await listLocal(['nope', 'logs/1.json'], folder);

    expect({ failures: listing.failures, found: listing.objects.length }).toEqual({
      failures: [{ input: 'nope', reason: 'no such file or folder' }],
      found: 1,
    });
  });
});

describe('listLocal and symbolic links', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'trail-audit-links-'));
    await mkdir(join(root, 'logs'));
    await mkdir(join(root, 'elsewhere'));
    await writeFile(join(root, 'logs', 'a.json'), '{"Records":[]}');
    await writeFile(join(root, 'elsewhere', 'b.json'), '{"Records":[]}');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a linked file outside the folder', async () => {
    await symlink(join(root, 'elsewhere', 'b.json'), join(root, 'logs', 'link.json'));

    const listing = await listLocal(['logs'], root);

    expect(listing.objects.map((object) => object.displayName)).toEqual([join('logs', 'a.json'), join('logs', 'link.json')]);
  });

  it('walks a linked folder', async () => {
    await symlink(join(root, 'elsewhere'), join(root, 'logs', 'more'));

    const listing = await listLocal(['logs'], root);

    expect(listing.objects.map((object) => object.displayName)).toEqual([join('logs', 'a.json'), join('logs', 'more', 'b.json')]);
  });

  it('reads a file reached twice once, and ends a link that loops back up', async () => {
    await symlink(join(root, 'logs', 'a.json'), join(root, 'logs', 'again.json'));
    await symlink(join(root, 'logs'), join(root, 'logs', 'loop'));

    const listing = await listLocal(['logs'], root);

    expect(listing.objects.map((object) => object.displayName)).toEqual([join('logs', 'a.json')]);
  });

  it('names a link to nothing as a failure', async () => {
    await symlink(join(root, 'gone.json'), join(root, 'logs', 'broken.json'));

    const listing = await listLocal(['logs'], root);

    expect(listing.failures).toEqual([
      { input: join('logs', 'broken.json'), reason: expect.stringContaining('symbolic link to nothing') as unknown },
    ]);
  });
});
