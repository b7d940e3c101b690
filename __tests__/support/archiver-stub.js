// jest.config.js maps the `archiver` package here. cdktf requires archiver (about 300 modules with lodash,
// glob and readable-stream, ~80 ms of every test file's ~200 ms cdktf load) only to zip the directories of
// a TerraformAsset (cdktf/lib/private/fs.js), and this project has no assets. If one is ever added, this
// fails loudly: remove the mapping.
module.exports = function archiver() {
  throw new Error('archiver is stubbed under jest (moduleNameMapper in jest.config.js); remove the mapping to test TerraformAsset archives');
};
