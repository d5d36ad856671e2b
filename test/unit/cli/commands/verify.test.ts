/**
 * `verify` on local folders (no server): the examples verify as docs/integrity.md shows, and tampering with a copy
 * of them is named with its status and exit code.
 */
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../../../../lambda/cli/main';
import { exampleObjects } from '../../../../scripts/make-examples';
import { captureIO } from '../capture-io';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const GUIDE = join(ROOT, 'docs', 'integrity.md');
const FILE_1010 = exampleObjects().find((object) => object.key.includes('_20261120T1010Z_'));
const noServer = { startLocal: () => Promise.reject(new Error('unit tests start no server')) };

/** The fenced block that follows a `<!-- verify-examples:NAME -->` marker in the guide. */
function guideBlock(name: string): string {
  const match = new RegExp(`<!-- verify-examples:${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(GUIDE, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`docs/integrity.md has no verify-examples:${name} block`);
  return match[1];
}

async function verify(argv: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO(cwd);
  const code = await main(['verify', ...argv], io, noServer);
  return { code, stdout: io.stdout.text(), stderr: io.stderr.text() };
}

describe('verify on the examples', () => {
  it('prints exactly what docs/integrity.md shows, and exits 0', async () => {
    const argv = guideBlock('command').trim().split(/\s+/).slice(2);

    const run = await verify(argv, ROOT);

    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: guideBlock('output'), stderr: '' });
  });

  it('checks hashes and the chain without public keys, saying signatures were not checked', async () => {
    const run = await verify(['examples/AWSLogs'], ROOT);

    expect({ code: run.code, totals: run.stdout.split('\n').slice(-5, -1) }).toEqual({
      code: 0,
      totals: [
        '6 digest files: 6 signature-not-checked',
        '6 log files: 6 signature-not-checked',
        'Signatures not checked: 6 digests (no public keys: give --public-keys FILE, the output of `aws cloudtrail list-public-keys`); hashes and the chain were checked',
        'Result: no problem found',
      ],
    });
  });
});

describe('verify with a path and --table', () => {
  it('is a usage error: one reads a copy or a bucket, the other the table', async () => {
    const run = await verify(['examples/AWSLogs', '--table', 'events'], ROOT);

    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining('verify takes folders or s3:// inputs, or --table, not both') as unknown,
    });
  });
});

describe('verify --since/--until', () => {
  it('checks the digests that end in the range or within an hour after it', async () => {
    const run = await verify(['examples/AWSLogs', '--since', '2026-11-20T10:00:00Z', '--until', '2026-11-20T11:00:00Z', '--json'], ROOT);

    const digests = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{"kind":"digest"'))
      .map((line) => JSON.parse(line) as { end: string; status: string });

    expect({ code: run.code, ends: digests.map((digest) => digest.end) }).toEqual({
      code: 0,
      ends: ['2026-11-20T10:12:40Z', '2026-11-20T11:12:40Z', '2026-11-20T11:58:31Z'],
    });
  });

  it('does not look for a previous digest that ends before --since', async () => {
    const run = await verify(['examples/AWSLogs', '--since', '2026-11-20T10:00:00Z', '--json'], ROOT);

    const first = run.stdout.split('\n').find((line) => line.includes('_20261120T101240Z.json.gz","bucket"'));

    expect((JSON.parse(first ?? '{}') as { notes?: string[] }).notes).toContain('its previous digest is before the period verified');
  });
});

describe('verify on a tampered copy of the examples', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'trail-audit-verify-'));
    await cp(join(ROOT, 'examples', 'AWSLogs'), join(folder, 'AWSLogs'), { recursive: true });
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('names an edited log file in the problems and exits 1', async () => {
    const file = FILE_1010;
    if (file === undefined) throw new Error('no 10:10 file in the examples');
    await writeFile(join(folder, file.key), gzipSync(file.text.replace('"DeleteLoadBalancer"', '"DescribeLoadBalancers"')));

    const run = await verify(['AWSLogs', '--public-keys', join(ROOT, 'examples', 'public-keys.json')], folder);

    expect({ code: run.code, problems: run.stdout.split('\n').filter((line) => line.startsWith('  altered')) }).toEqual({
      code: 1,
      problems: [`  altered  log file ${file.key}: its content does not hash to the value its digest recorded`],
    });
  });

  it('names a deleted digest missing in its hour and exits 1', async () => {
    const digest = exampleObjects().find((object) => object.key.endsWith('_20261120T101240Z.json.gz'));
    if (digest === undefined) throw new Error('no 10:12:40 digest in the examples');
    await unlink(join(folder, digest.key));

    const run = await verify(['AWSLogs'], folder);

    expect({ code: run.code, row: run.stdout.split('\n').find((line) => line.includes('2026-11-20T10:12:40Z')) }).toEqual({
      code: 1,
      row: '  2026-11-20T10:12:40Z  missing                                 -',
    });
  });

  it('fails when no digest file is found, asking whether validation is on', async () => {
    const run = await verify(['AWSLogs/111122223333/CloudTrail'], folder);

    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 1,
      stderr: 'trail-audit: no digest file found: is log file validation on for the trail?\n',
    });
  });

  it('refuses a --public-keys file that is not a key list (exit 2)', async () => {
    const keys = join(folder, 'keys.json');
    await writeFile(keys, '{"Trails":[]}');

    const run = await verify(['AWSLogs', '--public-keys', keys], folder);

    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: `trail-audit: --public-keys ${keys}: has no PublicKeyList array\n`,
    });
  });
});
