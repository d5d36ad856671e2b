/**
 * The build: what the package ships, made with the project's own toolchain.
 *
 * - `processor`: each Lambda function as one esbuild bundle (`dist/functions/NAME/index.js` + source map), minified,
 *   the AWS SDK included, for the runtime's Node.js version; the constructs deploy these files as they are.
 * - `cli`: the `trail-audit` command as an esbuild bundle (`dist/cli/trail-audit.mjs` and its chunks), dependencies
 *   included, so it runs on plain Node.js (no tsx, no node_modules beside it). ES modules split into chunks: the
 *   entry holds `main()` and commander only, and each command's chunks (with the SDK, when it uses it) are read
 *   from disk only when that command runs, which is what keeps `--help` and `process` quick to start.
 * - `library`: the constructs compiled by tsc (`dist/lib/`, with `.d.ts`), for `import { TrailAudit } from 'trail-audit'`.
 *
 * `npm ci` and `npm pack` run it through the `prepare` script; the test projects' global setups rebuild the bundles
 * their tests run, and `cdk.json`'s app rebuilds the function bundles before each synth, so an edit is never
 * deployed or tested stale. Bundles are written atomically (a temporary file renamed into place): a process that
 * runs them while a build is under way sees the old file or the new one, never half of one.
 *
 * Usage: `npx tsx scripts/build.ts [processor] [cli] [library]` (all three when none is named).
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { build as esbuild, type BuildOptions } from 'esbuild';
import { BUNDLE_MAIN, BUNDLE_TARGET, FUNCTION_BUNDLES, functionBundleDir, type FunctionBundleName } from '../lib/function-bundles';
import { PACKAGE_ROOT } from '../lambda/package-root';

const execFileAsync = promisify(execFile);

/** What can be built. */
export const BUILD_TARGETS = ['processor', 'cli', 'library'] as const;

/** One of {@link BUILD_TARGETS}. */
export type BuildTarget = (typeof BUILD_TARGETS)[number];

/** The CLI bundle's entry: `bin/trail-audit-cli.js` imports it. */
export const CLI_BUNDLE = join(PACKAGE_ROOT, 'dist', 'cli', 'trail-audit.mjs');

/**
 * What every chunk of the CLI bundle starts with: the bundled CommonJS packages (commander, the SDK) call `require`
 * for Node's built-in modules, and the project's modules read `__dirname`; neither exists in an ES module.
 */
const CLI_BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __pathDirname } from 'node:path';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  'const __dirname = __pathDirname(__filename);',
].join('\n');

/** Builds the named targets (all of them by default), one after the other. */
export async function build(targets: readonly BuildTarget[] = BUILD_TARGETS): Promise<void> {
  for (const target of targets) {
    if (target === 'processor') {
      for (const name of Object.keys(FUNCTION_BUNDLES) as FunctionBundleName[]) await buildFunction(name);
    } else if (target === 'cli') {
      await buildCli();
    } else {
      await buildLibrary();
    }
  }
}

/** The options every bundle shares (the decode bench bundles itself with them too). */
export const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  absWorkingDir: PACKAGE_ROOT,
  logLevel: 'warning',
};

/**
 * One Lambda function's bundle: what `NodejsFunction` used to build at synth, with the same settings (minified,
 * source map applied through NODE_OPTIONS, CommonJS, the SDK version the tests ran bundled rather than the
 * runtime's).
 */
async function buildFunction(name: FunctionBundleName): Promise<void> {
  const folder = functionBundleDir(name);
  await bundle(
    { ...COMMON, entryPoints: [FUNCTION_BUNDLES[name].entry], target: BUNDLE_TARGET, outfile: join(folder, `${BUNDLE_MAIN}.js`) },
    folder,
  );
}

/** The CLI bundle: `lambda/cli/main.ts` and everything it imports, for the oldest Node.js the package supports. */
async function buildCli(): Promise<void> {
  const folder = dirname(CLI_BUNDLE);
  await bundle(
    {
      ...COMMON,
      entryPoints: { 'trail-audit': 'lambda/cli/main.ts' },
      target: 'node20',
      format: 'esm',
      splitting: true,
      outdir: folder,
      outExtension: { '.js': '.mjs' },
      banner: { js: CLI_BANNER },
    },
    folder,
  );
}

/**
 * Runs esbuild in memory and writes its files (bundles, chunks and maps) into `folder` atomically; other files in
 * the folder (chunks of an older build) are removed.
 */
async function bundle(options: BuildOptions, folder: string): Promise<void> {
  const result = await esbuild({ ...options, write: false });
  await mkdir(folder, { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  const written = new Set(result.outputFiles.map((file) => basename(file.path)));
  for (const entry of await readdir(folder)) {
    if (!written.has(entry) && !entry.endsWith('.tmp')) await rm(join(folder, entry), { recursive: true, force: true });
  }
}

/**
 * The construct library: tsc with `tsconfig.build.json` into `dist/` (`dist/lib/index.js` and `.d.ts`, plus the
 * `dist/lambda/` modules the constructs import). The previous output is removed first, so a deleted source file
 * leaves nothing behind to be packed.
 */
async function buildLibrary(): Promise<void> {
  await rm(join(PACKAGE_ROOT, 'dist', 'lib'), { recursive: true, force: true });
  await rm(join(PACKAGE_ROOT, 'dist', 'lambda'), { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    await execFileAsync(process.execPath, [tsc, '-p', join(PACKAGE_ROOT, 'tsconfig.build.json')], { cwd: PACKAGE_ROOT });
  } catch (error) {
    const { stdout = '' } = error as { stdout?: string };
    throw new Error(`tsc -p tsconfig.build.json failed:\n${stdout}`, { cause: error });
  }
}

function isBuildTarget(value: string): value is BuildTarget {
  return (BUILD_TARGETS as readonly string[]).includes(value);
}

if (require.main === module) {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !isBuildTarget(name));
  if (unknown.length > 0) {
    console.error(`build: unknown target ${unknown.join(', ')} (use ${BUILD_TARGETS.join(', ')})`);
    process.exitCode = 2;
  } else {
    build(names.length === 0 ? BUILD_TARGETS : names.filter(isBuildTarget)).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
  }
}
