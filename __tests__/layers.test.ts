// The layers of ARCHITECTURE.md, as imports. The allowed imports are read from the table in
// ARCHITECTURE.md itself (so the table and the code cannot drift apart): domain/ imports nothing of ours;
// the model reads JSON with the shared vocabulary only; rules and commands sit on the model; no reader
// imports the constructs that write the JSON, nor the stacks. Over every folder of code, the folder-level
// import graph has no cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const ARCHITECTURE = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
/** Folders that hold no product code (tests, build and benchmark scripts) or no code at all. */
const NOT_CODE = new Set(['__tests__', 'scripts', 'bench', 'docs', 'node_modules', 'cdktf.out']);
/** Root files (main.ts, app.ts, synth-errors.ts) count as the folder ".". */
const ROOT_FILES = '.';

/** Folder -> the folders of ours it may import (besides itself), from ARCHITECTURE.md's layer table. */
export function allowedImports(markdown: string): Record<string, string[]> {
  const rows = markdown.split('\n').filter((line) => /^\| (`[^`]+`(, )?)+ \|/.test(line) && line.split(' | ').length === 3);
  const allowed: Record<string, string[]> = {};
  for (const row of rows) {
    const [folders, , imports] = row.slice(2, -2).split(' | ');
    const names = [...folders.matchAll(/`([^`]+)`/g)].map((m) => (/\.ts$/.test(m[1]) ? ROOT_FILES : m[1].split('/')[0]));
    const targets = imports.trim() === 'nothing of ours' ? [] : [...imports.matchAll(/`([^`]+)\/`/g)].map((m) => m[1]);
    for (const name of names) allowed[name] = targets;
  }
  return allowed;
}

const ALLOWED = allowedImports(ARCHITECTURE);

function tsFiles(dir: string, recurse = true): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return recurse && !name.startsWith('.') && !NOT_CODE.has(name) ? tsFiles(path) : [];
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The top-level folder (or "." for a root file) a path of the repository belongs to. */
function folderOf(path: string): string {
  const first = relative(ROOT, path).split(/[\\/]/)[0];
  const isDir = (() => {
    try {
      return statSync(join(ROOT, first)).isDirectory();
    } catch {
      return false; // a root module imported without its extension ('./app')
    }
  })();
  return isDir ? first : ROOT_FILES;
}

function importedFolders(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/\b(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => folderOf(resolve(dirname(file), s)));
}

/** Every folder of product code, with the folders its files import. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of tsFiles(ROOT)) {
    const from = folderOf(file);
    const targets = graph.get(from) ?? new Set<string>();
    for (const to of importedFolders(file)) if (to !== from) targets.add(to);
    graph.set(from, targets);
  }
  return graph;
}

/** The cycles of a graph (each as a path that returns to its start). */
export function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

test('the layer table of ARCHITECTURE.md is read: one row per layer, and every folder of code has a row', () => {
  expect(ALLOWED).toEqual({
    '.': ['config', 'stacks', 'rules'],
    domain: [],
    config: ['domain'],
    constructs: ['domain'],
    stacks: ['config', 'constructs'],
    examples: ['constructs'],
    model: ['domain'],
    rules: ['domain', 'model'],
    tools: ['domain', 'model', 'rules'],
  });
  expect([...folderGraph().keys()].filter((folder) => !(folder in ALLOWED))).toEqual([]);
});

test.each(Object.keys(ALLOWED))('%s imports only what ARCHITECTURE.md allows', (folder) => {
  const files = folder === ROOT_FILES ? tsFiles(ROOT, false) : tsFiles(join(ROOT, folder));
  expect(files.length).toBeGreaterThan(0);
  const wrong = files.flatMap((file) =>
    importedFolders(file)
      .filter((target) => target !== folder && !ALLOWED[folder].includes(target))
      .map((target) => `${relative(ROOT, file)} imports ${target}/`),
  );
  expect(wrong).toEqual([]);
});

test('the folder import graph has no cycle', () => {
  expect(cyclesOf(folderGraph())).toEqual([]);
});

test('the cycle check finds a cycle, direct or through other folders', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
  expect(cyclesOf(graph({ rules: ['tools'], tools: ['rules'] }))).toEqual(['rules -> tools -> rules']);
  expect(cyclesOf(graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual(['a -> b -> c -> a']);
  expect(cyclesOf(graph({ tools: ['model', 'rules'], rules: ['model'], model: ['domain'] }))).toEqual([]);
});
