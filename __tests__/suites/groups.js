'use strict';
// Which test files share one jest module registry. Jest gives every test file a fresh registry, so each
// file loaded cdktf, the providers and zod again and ran them cold (un-optimized by V8): ~0.25 s of CPU per
// file, ~40% of `npm test` (docs/performance.md). The jest test files are the groups here, one file each in
// this folder (__tests__/suites/<group>.test.ts); the topic files (__tests__/<topic>.test.ts) stay as
// they were written and run inside their group, each in a describe block named after its file, so its
// beforeAll/afterAll hooks keep their scope. Two groups, one per worker of the 2-core machine, balanced by
// their measured CPU time (`npm run bench -- --only test`).
//
// `npm test -- __tests__/rules.test.ts` runs one topic (scripts/test.cjs). A topic file that is in no group
// fails the run (__tests__/suites/run-group.ts). Moving a topic to another group moves its snapshots:
// run `npm test -- -u` once and commit the two .snap files.
module.exports = {
  // The property tests (10,000 generated configs and 3,000 graphs, ~4 s) and the tests of the commands
  // (smoke's waits on a local ARM server overlap the CPU-bound tests of its group).
  a: ['property', 'smoke', 'hostile-config', 'report', 'run-ts', 'run-history', 'imports', 'layers', 'names', 'describe', 'addresses'],
  // The stacks, rules, access diff, configuration and CI workflow tests.
  b: [
    'access-diff',
    'config',
    'parity',
    'ci-workflow',
    'logic-apps-oauth',
    'rules',
    'consistency',
    'check-token',
    'ip-drift',
    'deploy-lifecycle',
    'apim-stacks',
    'apim-token-eval',
    'token-scenarios',
    'parity-constructs',
    'graph',
    'test-transform',
    'apim-config',
    'secrets',
    'example-app',
    'shared-synth',
  ],
};
