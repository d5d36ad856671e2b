/**
 * Where trail-audit's own files are on disk, however its code is run: from source (`lib/`, `lambda/`), compiled
 * (`dist/lib/`), bundled (`dist/cli/`), or installed as a package (`node_modules/trail-audit/...`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest folder at or above `start` that holds a `package.json`: the package root, since neither `dist/` nor
 * the source folders have one of their own. Walking up (rather than a fixed `../..`) is what lets the same module
 * work from its source file, from `dist/lib/`, and from inside a bundle, which all sit at different depths.
 * @throws Error when no folder above `start` has a package.json
 */
export function findPackageRoot(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) throw new Error(`trail-audit: no package.json above ${start}`);
  }
}

/** The root of the trail-audit package this code belongs to (the repository root, in a clone). */
export const PACKAGE_ROOT = findPackageRoot(__dirname);
