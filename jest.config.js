import { availableParallelism } from 'node:os';

// Native ESM Jest: sources compiled by SWC with legacy decorators and their metadata,
// `.js` suffixes of relative imports mapped back to the `.ts` files.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2024',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: '<rootDir>/test/support/built-app-environment.js',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  resolver: '<rootDir>/test/support/cached-resolver.cjs',
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  setupFiles: ['<rootDir>/test/support/preload-esm.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30_000,
  // Every file has a database of its own (cloned from a template), so files run in parallel.
  // Jest's default (cores - 1) is a single worker on a 2-core machine; the workers mostly wait
  // on PostgreSQL and the network, so one per core. At most 4: each holds an app and its pool
  // (PostgreSQL's 100 connections), and the suite was measured with 2.
  maxWorkers: Math.min(4, availableParallelism()),
};
