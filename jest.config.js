// Unit and integration tests are separate jest projects; `npm test` runs both.
// ts-jest only transpiles here (tsconfig's `isolatedModules`): `tsc --noEmit` in the test command type-checks once, for the whole tree.
// Emitted as CommonJS, where `await import('pkg')` becomes a `require`: the CLI loads SDK clients lazily with `import()`,
// which jest's CommonJS runtime cannot run as a native dynamic import (Node 16 module output keeps it native).
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10' } }],
};
const setupFiles = ['<rootDir>/test/helpers/quiet-sdk-warning.ts'];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      transform,
      setupFiles,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      transform,
      setupFiles,
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
    },
  ],
  // Per-project `testTimeout` is not applied by jest; integration tests start real servers, so the budget is global.
  testTimeout: 60_000,
};
