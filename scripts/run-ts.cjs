#!/usr/bin/env node
'use strict';
// Runs a TypeScript entry point (e.g. `node scripts/run-ts.cjs main.ts`) with plain Node: esbuild bundles
// the project's own .ts files into one CommonJS module in memory (packages stay external, loaded from
// node_modules as usual), and Node compiles it as the main module. No type-check (that is `npm run
// typecheck`), no network, nothing to build first: a fresh `npm ci` is enough.
//
// Why not `tsx main.ts`: tsx's CLI starts a second Node process and registers its ESM and CJS loaders,
// about 0.4-0.5 s of the default synth's 0.8 s; this costs one esbuild call (~60-100 ms), and nothing
// when the bundle cache below is fresh. See docs/performance.md. Semantics are those of tsx (both are
// esbuild), with two differences of a bundle: every bundled file sees the entry's __dirname/__filename,
// and stack traces point into the bundle unless Node runs with --enable-source-maps (the bundle carries
// an inline source map).
//
// Cache: node_modules/.cache/run-ts/<entry>-<hash of its path>.json holds the last bundle with the list of its input files
// and a hash of their contents (plus tsconfig.json, this file and the esbuild version). Any change to an
// input, including an edited import that pulls in a new file, changes the hash and rebuilds.
// RUN_TS_CACHE=0 disables it.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'run-ts');

function loadEsbuild() {
  try {
    return require('esbuild');
  } catch {
    // esbuild is a dependency of tsx; use tsx's copy if npm did not hoist it.
    return require(require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/package.json'))] }));
  }
}

/** Hash of the inputs' contents, or undefined when one of them is gone. */
function hashInputs(inputs, salt) {
  const hash = crypto.createHash('sha1').update(salt);
  for (const file of [__filename, TSCONFIG, ...inputs]) {
    try {
      hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
    } catch {
      return undefined;
    }
  }
  return hash.digest('hex');
}

function build(entry, bundleFile, target) {
  const esbuild = loadEsbuild();
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    outfile: bundleFile,
    write: false,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target,
    tsconfig: TSCONFIG,
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.js')).text;
  const inputs = Object.keys(result.metafile.inputs).map((file) => path.resolve(ROOT, file)).sort();
  return { code, inputs, salt: `${esbuild.version} ${target}` };
}

/** The bundle of `entry`: from the cache when its inputs are unchanged, else freshly built (and cached). */
function bundle(entry, bundleFile) {
  const target = `node${process.versions.node.split('.')[0]}`;
  const useCache = process.env.RUN_TS_CACHE !== '0';
  const entryId = crypto.createHash('sha1').update(entry).digest('hex').slice(0, 10);
  const cacheFile = path.join(CACHE_DIR, `${path.basename(entry)}-${entryId}.json`);
  if (useCache) {
    try {
      const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
      const hash = cached.target === target ? hashInputs(cached.inputs, cached.salt) : undefined;
      if (hash !== undefined && hash === cached.hash) return cached.code;
    } catch {
      // no cache yet, or unreadable: build
    }
  }
  const built = build(entry, bundleFile, target);
  if (useCache) {
    try {
      const hash = hashInputs(built.inputs, built.salt);
      if (hash === undefined) throw new Error('an input vanished while building');
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ target, salt: built.salt, inputs: built.inputs, hash, code: built.code }));
      fs.renameSync(tmp, cacheFile); // atomic: concurrent runs never read half a file
    } catch {
      // read-only node_modules: run without caching
    }
  }
  return built.code;
}

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node scripts/run-ts.cjs <entry.ts> [args...]');
  process.exit(2);
}
const entry = path.resolve(arg);
const bundleFile = `${entry}.bundle.js`;
const code = bundle(entry, bundleFile);

// Make the bundle the main module: argv[1] is the entry, require.main is the bundle, and bare imports
// resolve from the entry's directory.
const main = new Module(bundleFile, null);
main.id = '.';
main.filename = bundleFile;
main.paths = Module._nodeModulePaths(path.dirname(entry));
process.mainModule = main;
process.argv.splice(1, 2, entry);
main._compile(code, bundleFile);
main.loaded = true;
