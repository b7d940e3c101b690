// Workers inherit this process's environment: cap their V8 heap unless the caller chose otherwise.
// Old space: the suite needs >96 MB per worker (112 MB ran out of heap before the stack-trace change in
// __tests__/support/stack-traces.ts; 96 MB now passes with ~0.6 s more GC); 160 leaves headroom. Young
// generation: 8 MB semi-spaces instead of 16 take ~50 MiB off the run's peak (cold: 586-596 vs 642-653
// MiB, 3 runs each) at the same speed. If a new test file runs out of heap, raise the old space
// (NODE_OPTIONS=--max-old-space-size=256 npm test).
const V8_LIMITS = { '--max-old-space-size': 160, '--max-semi-space-size': 8 };
for (const [flag, mb] of Object.entries(V8_LIMITS)) {
  if (!(process.env.NODE_OPTIONS || '').includes(flag)) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ''} ${flag}=${mb}`.trim();
  }
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/__tests__/suites/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Loading cdktf costs every test file ~200 ms; this cuts the part the project never uses (see the stub).
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/support/archiver-stub.js' },
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // Tests record no cdktf token creation stack traces (why and how much: the file's header).
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/stack-traces.ts'],
  // One synth per distinct config per run, shared by the test files (__tests__/support/synth.ts): the run's
  // cache directory is made here and removed at the end.
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  // Speed and memory (docs/performance.md): two workers halve the wall time on 2 cores; each worker's heap
  // is capped (above) so V8 collects garbage before a worker balloons, and a worker above 200 MB after a
  // test file is replaced. Peak of the whole run ~550-600 MiB.
  maxWorkers: 2,
  workerIdleMemoryLimit: '200MB',
};
