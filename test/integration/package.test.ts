/**
 * The package as a user gets it: `npm pack` (which builds it, through `prepare`), installed from the tarball into a
 * fresh CDK app outside the repository, with nothing but the npm registry (the npm cache, in practice). The app is
 * TypeScript, type-checked against the package's declarations, and adds `TrailAudit` to a stack of its own; the
 * synthesised template must hold the trail, the table and the processor, whose code is the package's pre-built
 * bundle (the app installs neither esbuild nor Docker). The installed `trail-audit` command runs too.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EXAMPLES_DIR, runCli } from './cli/cli-helpers';

// Packing builds the package (tsc and esbuild), and the install unpacks aws-cdk-lib.
jest.setTimeout(300_000);

const execFileAsync = promisify(execFile);
const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** The version of a package installed under `root` (by default the project's: what it is built and tested with). */
function installedVersion(name: string, root: string = PROJECT_ROOT): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

const APP = `import { App, Stack } from 'aws-cdk-lib';
import { TrailAudit } from 'trail-audit';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'TheirStack');
new TrailAudit(stack, 'Audit', { alertEmail: 'a@example.com' });
app.synth();
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    skipLibCheck: true,
    types: [],
    outDir: 'build',
  },
  files: ['app.ts'],
};

/** One CloudFormation resource of the template. */
interface ResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

let workDir: string;
let appDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-package-'));
  appDir = join(workDir, 'app');
  const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: PROJECT_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (packed === undefined) throw new Error('npm pack reported no tarball');

  await mkdir(appDir);
  const packageJson = {
    name: 'their-cdk-app',
    version: '1.0.0',
    private: true,
    // The versions the project is built and tested with: the install needs nothing outside the npm cache.
    dependencies: {
      'aws-cdk-lib': installedVersion('aws-cdk-lib'),
      constructs: installedVersion('constructs'),
      'trail-audit': `file:${join(workDir, packed.filename)}`,
    },
  };
  await writeFile(join(appDir, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(appDir, 'app.ts'), APP);
  await writeFile(join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await execFileAsync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: appDir,
  });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the packed trail-audit, installed into a CDK app of its own', () => {
  it('synthesises TrailAudit in the app’s stack: trail, table and the processor from the pre-built bundle', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    await execFileAsync(process.execPath, [tsc, '-p', '.'], { cwd: appDir });

    await execFileAsync(process.execPath, [join('build', 'app.js')], { cwd: appDir });

    const template = JSON.parse(await readFile(join(appDir, 'cdk.out', 'TheirStack.template.json'), 'utf8')) as {
      Resources: Record<string, ResourceJson>;
    };
    const resources = Object.values(template.Resources);
    const processor = resources.find(
      (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Handler === 'index.handler',
    );
    // The code's S3 key is the asset's hash; cdk.out holds the asset as `asset.HASH/`.
    const s3Key = (processor?.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
    const assetDir = join(appDir, 'cdk.out', `asset.${String(s3Key).replace(/\.zip$/, '')}`);
    const assetFiles = existsSync(assetDir) ? readdirSync(assetDir).sort() : [];
    expect({
      trails: resources.filter((resource) => resource.Type === 'AWS::CloudTrail::Trail').length,
      tables: resources.filter((resource) => resource.Type === 'AWS::DynamoDB::Table').length,
      processorRuntime: processor?.Properties?.Runtime,
      assetFiles,
      esbuildInstalled: existsSync(join(appDir, 'node_modules', 'esbuild')),
    }).toEqual({
      trails: 1,
      tables: 1,
      processorRuntime: 'nodejs22.x',
      assetFiles: ['index.js', 'index.js.map'],
      esbuildInstalled: false,
    });
  });

  it('installs the trail-audit command, which prints what the source prints', async () => {
    const command = join(appDir, 'node_modules', '.bin', 'trail-audit');
    const fromSource = await runCli(['process', '--json', EXAMPLES_DIR], appDir);

    const installed = await execFileAsync(command, ['process', '--json', EXAMPLES_DIR], { cwd: appDir });

    expect(installed.stdout).toBe(fromSource.stdout);
  });

  it('installs the trail-audit command with the package’s version', async () => {
    const command = join(appDir, 'node_modules', '.bin', 'trail-audit');

    const { stdout } = await execFileAsync(command, ['--version'], { cwd: appDir });

    expect(stdout).toBe(`${installedVersion('trail-audit', appDir)}\n`);
  });
});
