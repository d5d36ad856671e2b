// Unit and integration tests are separate jest projects; `npm test` runs both.
// ts-jest only transpiles here (tsconfig's `isolatedModules`): `tsc --noEmit` in the test command type-checks once, for the whole tree.
// It transpiles to CommonJS, where tsc (module Node16) keeps the CLI's lazy `import()` calls native, which jest's
// module registry cannot load; and it maps their `./x.js` specifiers (which Node16 resolution asks for) to the
// TypeScript source.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10' } }] };
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
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
      moduleNameMapper,
      setupFiles,
      // The infrastructure tests synthesise the pre-built function bundles: rebuilt from the current source first.
      globalSetup: '<rootDir>/test/unit/global-setup.ts',
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      transform,
      moduleNameMapper,
      setupFiles,
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
    },
  ],
  // Per-project `testTimeout` is not applied by jest; integration tests start real servers, so the budget is global.
  testTimeout: 60_000,
};
