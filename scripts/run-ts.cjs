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
//
// V8 code cache: Node 20 has no module.enableCompileCache (Node 22), so this file keeps one itself for the
// bundle and every module loaded from node_modules (cdktf, constructs, the providers, zod: ~400 modules).
// Each is compiled with vm.Script and the cached data V8 produced for it on an earlier run; V8 then skips
// parsing and compiling what it cached (the functions that ran, not only the top level: the data is taken
// at exit). One blob per entry point and flag set, node_modules/.cache/run-ts/<entry>-<hash>-<flags>.v8,
// holds the data with a key of each module's file (size, inode, change time); a changed file, Node or V8
// version, or data V8 rejects, compiles as usual and the blob is rewritten at exit. Modules that use
// dynamic import() are left to Node (vm.Script would need a callback for it). RUN_TS_CACHE=0 disables it.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
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

/** Per-entry V8 code cache: see the top of this file. */
function installCodeCache(blobPrefix) {
  // V8 rejects data made under other flags (NODE_OPTIONS of jest workers, --max-semi-space-size, ...): one
  // blob per Node version and flag set, so that runs with different flags do not take turns rewriting one.
  const salt = `${process.version} ${process.versions.v8} ${process.arch} ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const blobFile = `${blobPrefix}-${crypto.createHash('sha1').update(salt).digest('hex').slice(0, 8)}.v8`;
  /** filename -> { hash, data } from the previous run. */
  let previous = new Map();
  try {
    const blob = fs.readFileSync(blobFile);
    const headerLength = blob.readUInt32LE(0);
    const header = JSON.parse(blob.subarray(4, 4 + headerLength).toString('utf8'));
    if (header.salt === salt) {
      let offset = 4 + headerLength;
      for (const [filename, hash, length] of header.entries) {
        previous.set(filename, { hash, data: blob.subarray(offset, offset + length) });
        offset += length;
      }
    }
  } catch {
    // no cache yet, or unreadable: compile as usual
  }
  /** Scripts compiled in this run, for the data written at exit. */
  const compiled = [];
  let changed = false;

  // node_modules files are keyed by size, inode and change time (ctime: set by the kernel whenever a file is
  // written, so any reinstall changes it; hashing ~5 MB of sources cost more than the cache saved); the
  // bundle, which has no file, by a hash of its code.
  const keyOf = (content, filename) => {
    try {
      const st = fs.statSync(filename);
      return `${st.size}:${st.ino}:${st.ctimeMs}`;
    } catch {
      return crypto.createHash('sha1').update(content).digest('base64');
    }
  };
  const compile = (content, filename) => {
    const hash = keyOf(content, filename);
    const known = previous.get(filename);
    const cachedData = known && known.hash === hash ? known.data : undefined;
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) changed = true;
    compiled.push({ filename, hash, script });
    return script.runInThisContext({ displayErrors: true });
  };

  const originalCompile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    if (!filename.includes(`${path.sep}node_modules${path.sep}`) || content.includes('import(')) {
      return originalCompile.call(this, content, filename);
    }
    return runCompiled(this, compile(content, filename), filename);
  };

  process.once('exit', () => {
    // Rewritten only when something compiled without usable data. Modules this run did not load (an early
    // config error loads less) keep their earlier data, so that runs of one entry with different paths do
    // not take turns rewriting the blob.
    if (!changed) return;
    try {
      const entries = [];
      const chunks = [];
      const add = (filename, hash, data) => {
        entries.push([filename, hash, data.length]);
        chunks.push(data);
      };
      const seen = new Set();
      for (const { filename, hash, script } of compiled) {
        seen.add(filename);
        add(filename, hash, script.createCachedData());
      }
      for (const [filename, { hash, data }] of previous) if (!seen.has(filename)) add(filename, hash, data);
      const header = Buffer.from(JSON.stringify({ salt, entries }), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(header.length, 0);
      fs.mkdirSync(path.dirname(blobFile), { recursive: true });
      const tmp = `${blobFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.concat([length, header, ...chunks]));
      fs.renameSync(tmp, blobFile); // atomic, like the bundle cache
    } catch {
      // read-only node_modules: no code cache
    }
  });
  return compile;
}

/**
 * cdktf loads `archiver` (with lodash, glob and readable-stream: ~300 of the ~380 modules of `require('cdktf')`)
 * at start only to zip the directories of a TerraformAsset (cdktf/lib/private/fs.js calls archiver("zip", ...)).
 * It gets a function that loads the real archiver on its first call: the same behaviour, loaded when used.
 */
function deferArchiver() {
  const originalLoad = Module._load;
  const cdktfFs = `${path.sep}cdktf${path.sep}lib${path.sep}private${path.sep}fs.js`;
  Module._load = function (request, parent, isMain) {
    if (request === 'archiver' && parent && parent.filename && parent.filename.endsWith(cdktfFs)) {
      return (...args) => originalLoad.call(Module, request, parent, false)(...args);
    }
    return originalLoad.call(this, request, parent, isMain);
  };
}

/**
 * cdktf records where every token was created (cdktf/lib/tokens/private/stack-trace.js): a stack trace of
 * unlimited depth, formatted to strings at once, for every Lazy, reference and complex attribute. The
 * strings appear only in cdktf's errors about tokens it cannot resolve. Here the trace is captured the
 * same way (same frames, same depth) but formatted when something first reads it: the array is a Proxy
 * that fills itself on first access. Formatting was ~25% of a 500-link synth (docs/performance.md).
 */
function deferTokenStackTraces() {
  const originalLoad = Module._load;
  const stackTrace = `${path.sep}cdktf${path.sep}lib${path.sep}tokens${path.sep}private${path.sep}stack-trace.js`;
  let lazy;
  Module._load = function (request, parent, isMain) {
    const exports = originalLoad.call(this, request, parent, isMain);
    if (request.endsWith('stack-trace') && exports && typeof exports.captureStackTrace === 'function') {
      const filename = Module._resolveFilename(request, parent, isMain);
      if (filename.endsWith(stackTrace)) return (lazy ??= { ...exports, captureStackTrace: lazyCaptureStackTrace });
    }
    return exports;
  };
}

function lazyCaptureStackTrace(below) {
  below = below || lazyCaptureStackTrace;
  const holder = {};
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(holder, below);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  const frames = [];
  let filled = false;
  const fill = () => {
    if (filled) return frames;
    filled = true;
    // As cdktf's captureStackTrace: the formatted trace without its first line, "at " stripped.
    if (holder.stack) frames.push(...holder.stack.split('\n').slice(1).map((line) => line.replace(/^\s*at\s+/, '')));
    return frames;
  };
  return new Proxy(frames, {
    get: (target, key) => Reflect.get(fill(), key),
    has: (target, key) => Reflect.has(fill(), key),
    ownKeys: () => Reflect.ownKeys(fill()),
    getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(fill(), key),
    set: (target, key, value) => Reflect.set(fill(), key, value),
    deleteProperty: (target, key) => Reflect.deleteProperty(fill(), key),
    defineProperty: (target, key, descriptor) => Reflect.defineProperty(fill(), key, descriptor),
  });
}

/** Runs a compiled module wrapper the way Module.prototype._compile does. */
function runCompiled(module, fn, filename) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return fn.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
}

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node scripts/run-ts.cjs <entry.ts> [args...]');
  process.exit(2);
}
const entry = path.resolve(arg);
const bundleFile = `${entry}.bundle.js`;
const code = bundle(entry, bundleFile);
const entryKey = `${path.basename(entry)}-${crypto.createHash('sha1').update(entry).digest('hex').slice(0, 10)}`;
const compile = process.env.RUN_TS_CACHE !== '0' ? installCodeCache(path.join(CACHE_DIR, entryKey)) : undefined;
deferArchiver();
deferTokenStackTraces();

// Make the bundle the main module: argv[1] is the entry, require.main is the bundle, and bare imports
// resolve from the entry's directory.
const main = new Module(bundleFile, null);
main.id = '.';
main.filename = bundleFile;
main.paths = Module._nodeModulePaths(path.dirname(entry));
process.mainModule = main;
process.argv.splice(1, 2, entry);
if (compile) runCompiled(main, compile(code, bundleFile), bundleFile);
else main._compile(code, bundleFile);
main.loaded = true;
