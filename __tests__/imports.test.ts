// Keeps synth and tests fast: a provider package imported by its barrel ('@cdktf/provider-azurerm') or its
// namespace path ('@cdktf/provider-azurerm/lib') loads every one of its ~1,500 resource modules (synth
// about 5x slower, ~1.4 GB). Import each class from its deep path instead:
//   import { LogicAppWorkflow } from '@cdktf/provider-azurerm/lib/logic-app-workflow';
// Type-only imports count too: they make tsc read every declaration file of the package.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const PROVIDERS = ['@cdktf/provider-azurerm', '@cdktf/provider-azuread'];
/** Directories never scanned: dependencies, generated output, VCS and tool caches. */
const SKIP_DIRS = new Set(['node_modules', 'cdktf.out', 'bench-out', 'coverage', '.gen', '.git', '.terraform']);
// The benchmark's baseline (docs/performance.md): the cdktf template's namespace imports, on purpose.
const SKIP_PATHS = new Set([join('bench', 'template')]);

export interface BarrelImport {
  file: string;
  line: number;
  specifier: string;
  /** Deep paths to import from instead, one per imported name when they can be told. */
  deepPaths: string[];
}

/** One import/export/require/import() of a module specifier. */
const IMPORT_PATTERNS = [
  // import x from '..', import { a } from '..', import * as x from '..', import type .., export .. from '..'
  /\b(?:import|export)\s+(type\s+)?([^'";]*?)\s*\bfrom\s*['"]([^'"]+)['"]/g,
  // import '..' (side effects only)
  /\bimport\s*()()['"]([^'"]+)['"]/g,
  // require('..'), import('..'), jest.requireActual('..')
  /\b(?:require|import|requireActual)\s*\(()()\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Source with comments blanked out (line numbers kept), so commented-out imports do not count. */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, (_m, before: string) => before);
}

function providerOf(specifier: string): string | undefined {
  return PROVIDERS.find((p) => specifier === p || specifier.startsWith(`${p}/`));
}

/** Allowed: '<provider>/lib/<resource>' (optionally '/index' or '/index.js'). */
function isDeepPath(specifier: string, provider: string): boolean {
  const rest = specifier.slice(provider.length);
  return /^\/lib\/(?!index(?:\.js)?$)[a-z0-9][a-z0-9-]*(?:\/index(?:\.js)?)?$/.test(rest);
}

const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

/**
 * The deep path that exports `name` (a class like LogicAppWorkflow, a props/config type like
 * LogicAppWorkflowAccessControlTrigger, or a namespace like logicAppWorkflow): the longest kebab-case
 * prefix of the name that is a module directory of the package.
 */
export function deepPathFor(provider: string, name: string): string {
  if (/^(Azurerm|Azuread)Provider/.test(name) || name === 'provider') return `${provider}/lib/provider`;
  const parts = kebab(name).split('-');
  const lib = join(ROOT, 'node_modules', provider, 'lib');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('-');
    if (existsSync(join(lib, candidate, 'index.d.ts'))) return `${provider}/lib/${candidate}`;
  }
  return `${provider}/lib/${kebab(name)}`;
}

/** Names a statement's import clause binds or a file uses through a namespace alias. */
function importedNames(clause: string, source: string): string[] {
  const named = /\{([^}]*)\}/.exec(clause);
  const names: string[] = [];
  if (named) {
    for (const part of named[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0].trim();
      if (name) names.push(name);
    }
  }
  const alias = /\*\s*as\s+([A-Za-z_$][\w$]*)/.exec(clause)?.[1] ?? /^([A-Za-z_$][\w$]*)\s*(?:,|$)/.exec(clause.trim())?.[1];
  if (alias) {
    // `import * as azurerm from '...'; azurerm.logicAppWorkflow.LogicAppWorkflow` -> logicAppWorkflow
    for (const m of source.matchAll(new RegExp(`\\b${alias.replace(/\$/g, '\\$')}\\.([A-Za-z_$][\\w$]*)`, 'g'))) names.push(m[1]);
  }
  return [...new Set(names)];
}

/** Every import of a provider package by its barrel or namespace path in one file's source. */
export function findBarrelImports(source: string, file: string): BarrelImport[] {
  const code = withoutComments(source);
  const found: BarrelImport[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      const specifier = m[3];
      const provider = providerOf(specifier);
      if (!provider || isDeepPath(specifier, provider)) continue;
      const names = importedNames(m[2] ?? '', code);
      const deepPaths = names.length
        ? [...new Set(names.map((n) => deepPathFor(provider, n)))]
        : [`${provider}/lib/<resource-name>`];
      const line = code.slice(0, m.index).split('\n').length;
      found.push({ file, line, specifier, deepPaths });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

export function formatProblem(found: BarrelImport): string {
  return (
    `${found.file}:${found.line}: imports '${found.specifier}', a barrel/namespace path that loads every provider module; ` +
    `import from ${found.deepPaths.map((p) => `'${p}'`).join(', ')} instead`
  );
}

/** .ts files of the project outside node_modules and generated output. */
function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !SKIP_PATHS.has(relative(ROOT, join(dir, entry.name)))) sourceFiles(join(dir, entry.name), out);
    } else if (entry.isFile() && /\.(c|m)?tsx?$/.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

test('no source file imports a provider package by its barrel or namespace path', () => {
  const files = sourceFiles(ROOT);
  expect(files.length).toBeGreaterThan(10);
  const problems = files.flatMap((f) => findBarrelImports(readFileSync(f, 'utf8'), relative(ROOT, f)).map(formatProblem));
  // Printed in full on failure: file, line, and the deep path to use.
  expect(problems.join('\n')).toBe('');
});

describe('the barrel-import check fails on', () => {
  // Built at run time, so this file's own source never contains a barrel import for the scan above.
  const RM = ['@cdktf', 'provider-azurerm'].join('/');
  const AD = ['@cdktf', 'provider-azuread'].join('/');
  const check = (source: string) => findBarrelImports(source, 'fixture.ts').map(formatProblem);

  test('a named import from the barrel, naming the file, line and each deep path', () => {
    const source = `import { Construct } from 'constructs';\nimport { LogicAppWorkflow, LogicAppWorkflowAccessControlTrigger, AzurermProvider } from '${RM}';\n`;
    expect(check(source)).toEqual([
      `fixture.ts:2: imports '${RM}', a barrel/namespace path that loads every provider module; ` +
        `import from '${RM}/lib/logic-app-workflow', '${RM}/lib/provider' instead`,
    ]);
  });

  test('a namespace import of the lib path, with the deep paths of the namespaces it uses', () => {
    const source = `import * as azurerm from '${RM}/lib';\nnew azurerm.logicAppWorkflow.LogicAppWorkflow(this, 'w', props);\n`;
    const [message] = check(source);
    expect(message).toContain(`fixture.ts:1: imports '${RM}/lib'`);
    expect(message).toContain(`'${RM}/lib/logic-app-workflow'`);
  });

  test('namespace imports from the barrel, type-only imports, re-exports, require and import()', () => {
    const source = [
      `import { servicePrincipal } from '${AD}';`,
      `import type { ApplicationConfig } from '${AD}';`,
      `export * from '${RM}/lib/index';`,
      `const rm = require('${RM}');`,
      `const ad = await import("${AD}/lib/index.js");`,
      `import '${RM}';`,
    ].join('\n');
    const found = findBarrelImports(source, 'fixture.ts');
    expect(found.map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(found[0].deepPaths).toEqual([`${AD}/lib/service-principal`]);
    expect(found[1].deepPaths).toEqual([`${AD}/lib/application`]);
  });

  test('but not on deep paths, other packages or commented-out imports', () => {
    const source = [
      `import { LogicAppWorkflow } from '${RM}/lib/logic-app-workflow';`,
      `import * as sp from '${AD}/lib/service-principal/index';`,
      `import { App } from 'cdktf';`,
      `// import { LogicAppWorkflow } from '${RM}';`,
      `/* const x = require('${AD}'); */`,
      `const url = 'https://example.com/'; // ok`,
    ].join('\n');
    expect(check(source)).toEqual([]);
  });
});
