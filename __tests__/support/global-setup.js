// jest globalSetup: a directory for this run's shared synths (__tests__/support/synth.ts). The workers are
// started after this and inherit the variable; global-teardown.js removes the directory.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function globalSetup() {
  process.env.LA_OAUTH_TEST_SYNTH_CACHE = mkdtempSync(join(tmpdir(), 'la-oauth-synth-'));
};
