// The layer rule of ARCHITECTURE.md, enforced by lint: which folders of `lambda/` may import which.
//   core      lambda/core/**                                   pure: the core only, no SDK, no env, no logging
//   app       lambda/app/**                                    the log-object flow and its ports: core and app only
//   adapters  lambda/{store,adapters,alerts,local}/**, lambda/observability.ts
//                                                              I/O behind the ports: anything but an entry point
//   entry     lambda/handler.ts, lambda/<name>-handler.ts, lambda/cli/**, lambda/custom-resources/**
//                                                              wiring (the processor, the seeder, the backfill function, the CLI, deploy-time handlers): anything
// A relative import is resolved to its file and classified; a package import is checked against the layer's banned
// packages. Type-only imports count too: a layer that needs an adapter's type needs a port.
'use strict';
const path = require('node:path');

const LAMBDA = path.resolve(__dirname, '..', 'lambda');

/** The Lambda functions' entry points (with and without the extension, as imports name them). */

/** The layer of a file under lambda/, or undefined outside it. */
function layerOf(file) {
  const relative = path.relative(LAMBDA, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [top] = relative.split(path.sep);
  if (top === 'core') return 'core';
  if (top === 'app') return 'app';
  // The Lambda entry points: `handler.ts` (the processor) and `<name>-handler.ts` beside it (the seeder, the backfill
  // function), the CLI, and the deploy-time custom-resource handlers.
  if (top === 'cli' || top === 'custom-resources' || /^([a-z-]+-)?handler(\.ts)?$/.test(relative)) return 'entry';
  return 'adapters';
}

const ALLOWED = {
  core: new Set(['core']),
  app: new Set(['core', 'app']),
  adapters: new Set(['core', 'app', 'adapters']),
  entry: new Set(['core', 'app', 'adapters', 'entry']),
};

const SDK = /^(@aws-sdk\/|@aws-lambda-powertools\/|@smithy\/|aws-cdk-lib|constructs$|commander$)/;
const BANNED_PACKAGES = {
  core: SDK,
  app: SDK,
};

/** @type {import('eslint').Rule.RuleModule} */
const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'keeps the layers of lambda/: core ← app ← adapters ← entry points' },
    schema: [],
    messages: {
      layer: "{{from}} must not import {{to}} ('{{source}}'): {{why}}",
      package: "{{from}} must not import '{{source}}': the {{from}} layer talks to the world only through ports",
    },
  },
  create(context) {
    const from = layerOf(context.filename);
    if (from === undefined) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const to = layerOf(path.resolve(path.dirname(context.filename), source));
        if (to === undefined || ALLOWED[from].has(to)) return;
        const why =
          from === 'core'
            ? 'the core is pure'
            : from === 'app'
              ? 'the application depends on ports (lambda/app/ports.ts), not on their adapters'
              : 'an adapter must not depend on an entry point';
        context.report({ node, messageId: 'layer', data: { from, to, source, why } });
        return;
      }
      const banned = BANNED_PACKAGES[from];
      if (banned !== undefined && banned.test(source)) context.report({ node, messageId: 'package', data: { from, source } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

module.exports = { rules: { boundaries } };
