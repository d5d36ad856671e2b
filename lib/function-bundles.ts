/**
 * The Lambda functions' code, as the package ships it: one ready-to-deploy esbuild bundle per function under
 * `dist/functions/NAME/` (`index.js` and its source map), made by `npm run build` (`scripts/build.ts`) from the
 * TypeScript entry named here.
 *
 * Why pre-built rather than bundled at synth (`NodejsFunction`): an app that uses the constructs from the package then
 * needs neither esbuild nor Docker, and every synth deploys the bytes the package's tests ran. This module imports
 * no aws-cdk-lib, so the build script reads it cheaply.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../lambda/package-root';

/** Each function's bundle name and the TypeScript entry it is built from (relative to the package root). */
export const FUNCTION_BUNDLES = {
  processor: { entry: 'lambda/handler.ts' },
  seeder: { entry: 'lambda/seeder-handler.ts' },
  backfill: { entry: 'lambda/backfill-handler.ts' },
  'bucket-eventbridge': { entry: 'lambda/custom-resources/bucket-eventbridge.ts' },
} as const;

/** The name of a function bundle. */
export type FunctionBundleName = keyof typeof FUNCTION_BUNDLES;

/**
 * The esbuild target of every bundle: the Node.js major version of `FUNCTION_RUNTIME` (lib/constructs/lambda-defaults),
 * which a unit test keeps in step.
 */
export const BUNDLE_TARGET = 'node22';

/** The file each bundle's handler is exported from (`index.handler`), without the `.js`. */
export const BUNDLE_MAIN = 'index';

/** Where a function's bundle is, in a clone after `npm run build` or in the installed package. */
export function functionBundleDir(name: FunctionBundleName, packageRoot: string = PACKAGE_ROOT): string {
  return join(packageRoot, 'dist', 'functions', name);
}
