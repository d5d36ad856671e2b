// One lint setup for the whole project: typed rules, no `any`, no `@ts-ignore`, no focused or skipped tests.
import eslint from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';
import layers from './eslint-rules/layers.cjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.trail-audit/', 'scratch/', 'dist/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // The layers of lambda/ (ARCHITECTURE.md): core ← app ← adapters ← entry points.
    files: ['lambda/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/boundaries': 'error' },
  },
  {
    // The pure core reads no environment (configuration comes in as arguments).
    files: ['lambda/core/**/*.ts', 'lambda/app/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'the core and app take configuration as arguments' }],
      'no-restricted-globals': ['error', { name: 'console', message: 'the core and app do not log: return counts, the door logs' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      // Only helpers that assert count as assertions (not `expected()`-style oracles): a test calling none fails lint.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expectOutput', 'expectResource*'] }],
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The decoder's byte scanner compares bytes (numbers) with its `const enum` members, which the compiler writes as
    // literal numbers (why: lambda/core/record-scanner.ts): comparing numbers with those members is its design.
    files: ['lambda/core/record-scanner.ts'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    // The CLI and the bench talk to a terminal: stdout and stderr are their interface.
    files: ['lambda/cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'bin/trail-audit-cli.js'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain CommonJS configuration files run by Node.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
