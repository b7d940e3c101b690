// Workers inherit this process's environment: set their V8 heap unless the caller chose otherwise.
// Young generation: the tests allocate a lot of short-lived objects (10,000 parsed configs, synth trees),
// and 32 MB semi-spaces instead of the default 16 took ~15% off the run's CPU (A/B, 3-4 alternating runs:
// 16.8 vs 19.7 s with 8 MB, 17.6 s with 64 MB) for ~20 MiB more peak. Old space: each worker holds one
// group's modules and synths (__tests__/suites/groups.js); 384 MB leaves headroom. Peak of the whole run
// ~575 MiB. If a test file runs out of heap, raise it (NODE_OPTIONS=--max-old-space-size=512 npm test).
const V8_LIMITS = { '--max-old-space-size': 384, '--max-semi-space-size': 32 };
for (const [flag, mb] of Object.entries(V8_LIMITS)) {
  if (!(process.env.NODE_OPTIONS || '').includes(flag)) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ''} ${flag}=${mb}`.trim();
  }
}

const SWC = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  // Jest's test files are the groups of __tests__/suites/ (groups.js says which topic files each runs, and
  // why: one module registry per group instead of one per topic file).
  testMatch: ['**/__tests__/suites/*.test.ts'],
  // swc for TypeScript, then the intrinsics a module reads bound to module-level constants, in our code and in
  // zod (reads of globals are ~50x slower in jest's vm context; why and how much: the transform's header).
  transform: {
    '^.+\\.ts$': ['<rootDir>/__tests__/support/intrinsics-transform.js', SWC],
    '/node_modules/zod/.+\\.c?js$': ['<rootDir>/__tests__/support/intrinsics-transform.js', SWC],
  },
  transformIgnorePatterns: ['/node_modules/(?!zod/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // cdktf loads archiver (~300 modules) that the project never uses: each group skips it (see the stub).
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/support/archiver-stub.js' },
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // Tests record no cdktf token creation stack traces (why and how much: the file's header).
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/stack-traces.ts'],
  // One synth per distinct config per run, shared by the topic files and between the two workers
  // (__tests__/support/synth.ts): the run's cache directory is made here and removed at the end.
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  // Two workers halve the wall time on 2 cores: one per group file (docs/performance.md).
  maxWorkers: 2,
};
