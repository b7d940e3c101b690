#!/usr/bin/env node
'use strict';
// Runs a TypeScript entry point (e.g. `node scripts/run-ts.cjs main.ts`) with plain Node: esbuild bundles
// the project's own .ts files into one CommonJS module in memory (packages stay external, loaded from
// node_modules as usual), and Node compiles it as the main module. No type-check (that is `npm run
// typecheck`), no file written, no network, nothing to build first: a fresh `npm ci` is enough.
//
// Why not `tsx main.ts`: tsx's CLI starts a second Node process and registers its ESM and CJS loaders,
// about 0.4-0.5 s of the default synth's 0.8 s; this costs one esbuild call (~60 ms). See
// docs/performance.md. Semantics are those of tsx (both are esbuild), with two differences of a bundle:
// every bundled file sees the entry's __dirname/__filename, and stack traces point into the bundle
// unless Node runs with --enable-source-maps (the bundle carries an inline source map).
const path = require('node:path');
const Module = require('node:module');

function loadEsbuild() {
  try {
    return require('esbuild');
  } catch {
    // esbuild is a dependency of tsx; use tsx's copy if npm did not hoist it.
    return require(require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/package.json'))] }));
  }
}

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node scripts/run-ts.cjs <entry.ts> [args...]');
  process.exit(2);
}
const entry = path.resolve(arg);
const bundleFile = `${entry}.bundle.js`;
const result = loadEsbuild().buildSync({
  entryPoints: [entry],
  outfile: bundleFile,
  write: false,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: `node${process.versions.node.split('.')[0]}`,
  tsconfig: path.join(__dirname, '..', 'tsconfig.json'),
  sourcemap: 'inline',
  sourcesContent: false,
  logLevel: 'error',
});
const output = result.outputFiles.find((file) => file.path.endsWith('.js'));

// Make the bundle the main module: argv[1] is the entry, require.main is the bundle, and bare imports
// resolve from the entry's directory.
const main = new Module(bundleFile, null);
main.id = '.';
main.filename = bundleFile;
main.paths = Module._nodeModulePaths(path.dirname(entry));
process.mainModule = main;
process.argv.splice(1, 2, entry);
main._compile(output.text, bundleFile);
main.loaded = true;
