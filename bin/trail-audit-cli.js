#!/usr/bin/env node
// The `trail-audit` command (package.json "bin"). The CLI is TypeScript run by tsx, like the rest of the
// project's tooling: no build step between a clone and `npx trail-audit`.
'use strict';

const path = require('node:path');
const { register } = require('tsx/cjs/api');

// Resolve TypeScript against the project's own tsconfig wherever the command is run from.
process.env.TSX_TSCONFIG_PATH ??= path.join(__dirname, '..', 'tsconfig.json');
// The SDK warns on Node.js < 22 about releases after January 2027; the lock file pins today's SDK, and the warning
// would land in the middle of the CLI's stderr, which scripts read. Set the variable to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();

const { runCli } = require(path.join(__dirname, '..', 'lambda', 'cli', 'main.ts'));
runCli().catch((error) => {
  // main() reports every error itself; this is a bug in the launcher path: show it whole.
  console.error(error);
  process.exitCode = 3;
});
