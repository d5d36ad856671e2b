#!/usr/bin/env node
// The `trail-audit` command (package.json "bin"): runs the CLI bundle that `npm run build` writes to dist/cli/ (plain
// JavaScript, no TypeScript loader). `npm ci` and `npm pack` build it through the `prepare` script.
'use strict';

const { existsSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = path.join(__dirname, '..', 'dist', 'cli', 'trail-audit.mjs');
if (!existsSync(bundle)) {
  console.error(`trail-audit: ${bundle} is missing: run 'npm run build' (npm ci runs it) in ${path.dirname(__dirname)}`);
  process.exitCode = 3;
} else {
  // The SDK warns on Node.js < 22 about releases after January 2027; the lock file pins today's SDK, and the warning
  // would land in the middle of the CLI's stderr, which scripts read. Set the variable to 'false' to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  import(pathToFileURL(bundle).href)
    .then(({ runCli }) => runCli())
    .catch((error) => {
      // main() reports every error itself; this is a bug in the launcher path: show it whole.
      console.error(error);
      process.exitCode = 3;
    });
}
