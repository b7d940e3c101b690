// jest globalTeardown: removes the run's shared-synth directory (global-setup.js).
const { rmSync } = require('node:fs');

module.exports = function globalTeardown() {
  const dir = process.env.LA_OAUTH_TEST_SYNTH_CACHE;
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env.LA_OAUTH_TEST_SYNTH_CACHE;
};
