// Workers inherit this process's environment: cap their V8 old space unless the caller chose a cap.
// Measured: the suite needs >112 MB (a 112 MB cap runs out of heap, 128 MB passes); 160 leaves headroom.
// If a new test file runs out of heap, raise it (NODE_OPTIONS=--max-old-space-size=256 npm test).
if (!/--max-old-space-size/.test(process.env.NODE_OPTIONS || '')) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ''} --max-old-space-size=160`.trim();
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Loading cdktf costs every test file ~200 ms; this cuts the part the project never uses (see the stub).
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/support/archiver-stub.js' },
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // Tests record no cdktf token creation stack traces (why and how much: the file's header).
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/stack-traces.ts'],
  // Speed and memory (docs/performance.md): two workers halve the wall time on 2 cores; each worker's heap
  // is capped (below) so V8 collects garbage before a worker balloons (~370 MB uncapped in the property
  // test), and a worker above 200 MB after a test file is replaced. Peak of the whole run ~600-650 MiB.
  maxWorkers: 2,
  workerIdleMemoryLimit: '200MB',
};
