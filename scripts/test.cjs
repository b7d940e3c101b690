#!/usr/bin/env node
'use strict';
// `npm test`: the type-check (`tsc --noEmit`, also `npm run typecheck`) and jest run side by side instead
// of one after the other: jest spends its first ~0.7 s starting up, and the type-check takes ~0.4 s
// (warm). Side by side saved ~0.2 s per run here, median of 6 alternating runs (docs/performance.md). Jest's output
// is live; the type-check's is printed after it, and a type error fails the run like a failing test.
// Arguments go to jest: `npm test -- __tests__/rules.test.ts -t LA001`. A topic file named that way runs
// inside its group (__tests__/suites/groups.js): the argument becomes its group's jest test file, and
// LA_TEST_TOPICS tells the group to run only the topics named.
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** Runs a bin script of node_modules with this Node; resolves to its exit code (1 when killed by a signal). */
function run(bin, args, stdio) {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', bin), ...args], { cwd: ROOT, stdio });
  let output = '';
  if (stdio === 'pipe') {
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
  }
  return new Promise((resolve) => {
    child.on('error', (err) => resolve({ code: 1, output: `${output}${err.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Jest's arguments, with topic files (__tests__/<topic>.test.ts) replaced by the files of their groups. */
function jestArgs(args) {
  const groups = require(path.join(ROOT, '__tests__', 'suites', 'groups.js'));
  const topics = [];
  const files = new Set();
  const rest = args.filter((arg) => {
    const m = /(?:^|[\\/])__tests__[\\/]([^\\/]+)\.test\.ts$/.exec(arg);
    const group = m && Object.keys(groups).find((g) => groups[g].includes(m[1]));
    if (!group) return true;
    topics.push(m[1]);
    files.add(path.join('__tests__', 'suites', `${group}.test.ts`));
    return false;
  });
  if (topics.length) process.env.LA_TEST_TOPICS = topics.join(',');
  return [...files, ...rest];
}

// --singleThreaded: jest keeps both cores busy, and one checker thread costs ~0.1 s less CPU than several
// for the same wall time (warm: 0.45 vs 0.55 s CPU, 6 runs each).
const typecheck = run('typescript/bin/tsc', ['--noEmit', '--singleThreaded'], 'pipe');
const jest = run('jest/bin/jest.js', jestArgs(process.argv.slice(2)), 'inherit');

Promise.all([typecheck, jest]).then(([types, tests]) => {
  if (types.code !== 0) {
    process.stderr.write(`${types.output}\ntype-check failed: tsc --noEmit exited with ${types.code} (npm run typecheck shows the same)\n`);
  }
  process.exit(types.code !== 0 ? types.code : tests.code);
});
