/**
 * The functions deploy the pre-built bundles that `npm run build` makes: built for the runtime they run on, and found
 * from the package root wherever the constructs' code runs from (source, dist/lib, an installed package).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPackageRoot } from '../../../lambda/package-root';
import { FUNCTION_RUNTIME } from '../../../lib/constructs/lambda-defaults';
import { BUNDLE_TARGET } from '../../../lib/function-bundles';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'trail-audit-root-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('function bundles', () => {
  it('are built for the Node.js version of the functions’ runtime', () => {
    const runtimeMajor = /^nodejs(\d+)\.x$/.exec(FUNCTION_RUNTIME.name)?.[1];

    expect(BUNDLE_TARGET).toBe(`node${runtimeMajor}`);
  });
});

describe('the package root', () => {
  it('is the nearest folder with a package.json, from compiled code two folders down', async () => {
    await writeFile(join(root, 'package.json'), '{}');
    await mkdir(join(root, 'dist', 'lib'), { recursive: true });

    expect(findPackageRoot(join(root, 'dist', 'lib'))).toBe(root);
  });

  it('is an error naming the folder when no folder above has a package.json', () => {
    expect(() => findPackageRoot('/')).toThrow("trail-audit: no package.json above /");
  });
});
