/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // Memory (docs/performance.md): in band, every test file's module registry (cdktf, providers, zod) piles
  // up in one process until GC, ~700 MiB peak on this suite; two workers peak at ~800-1000 MiB. One worker,
  // replaced after any test file that leaves it above 200 MB, peaks at ~500 MiB for ~10% more CPU.
  // On a machine with idle cores `npx jest -w 2` is faster.
  maxWorkers: 1,
  workerIdleMemoryLimit: '200MB',
};
