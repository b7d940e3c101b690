// Every `Class.member` a user reads (the fix of a rule message, the docs) names something that exists:
// a class, interface or constant of this repository with that member, or a global. A renamed construct
// or method must not leave fixes that point to nothing (`ClientCertificate.grantSecretRead` did, after
// the class became VaultCertificate). Reads source text only (no cdktf load).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
/** Where user-facing text lives: rule messages, the commands' output, the docs. */
const TEXT = ['rules', 'model', 'tools', 'docs', 'README.md', 'ARCHITECTURE.md'];
/** Where the names are declared. */
const SOURCES = ['constructs', 'domain', 'model', 'rules', 'tools', 'config', 'stacks'];
/** Names of dependencies that the docs mention (cdktf). */
const LIBRARY = new Set(['Aspects', 'Testing', 'TerraformStack']);

function files(entry: string, ext: RegExp): string[] {
  const path = join(ROOT, entry);
  if (!statSync(path).isDirectory()) return ext.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => files(join(entry, name), ext));
}

const declarations = SOURCES.flatMap((dir) => files(dir, /\.ts$/)).map((f) => readFileSync(f, 'utf8'));

/** The text of the declaration of `name` (class, interface, enum or const), to its closing brace. */
function declarationOf(name: string): string | undefined {
  for (const source of declarations) {
    const m = new RegExp(`^export (?:abstract )?(?:class|interface|enum|const) ${name}\\b`, 'm').exec(source);
    if (!m) continue;
    const rest = source.slice(m.index);
    const end = rest.search(/\n[}\]]/);
    return end < 0 ? rest : rest.slice(0, end);
  }
  return undefined;
}

const builtInMember = (member: string) => [Array.prototype, String.prototype, Object.prototype, RegExp.prototype].some((p) => member in p);

test('every Class.member named in rule messages, command output and docs exists', () => {
  const missing: string[] = [];
  let checked = 0;
  for (const file of TEXT.flatMap((entry) => files(entry, /\.(ts|md)$/))) {
    const text = readFileSync(file, 'utf8');
    for (const [, owner, member] of text.matchAll(/\b([A-Z][a-z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)\b/g)) {
      if (['md', 'ts', 'json'].includes(member) || owner in globalThis || LIBRARY.has(owner) || builtInMember(member)) continue;
      const declaration = declarationOf(owner);
      checked++;
      if (!declaration) missing.push(`${relative(ROOT, file)}: ${owner}.${member} (no ${owner} in this repository)`);
      else if (!new RegExp(`\\b${member}\\b`).test(declaration)) missing.push(`${relative(ROOT, file)}: ${owner}.${member} (${owner} has no ${member})`);
    }
  }
  expect(checked).toBeGreaterThan(5);
  expect(missing).toEqual([]);
});

test("README's project layout names every top-level folder of the repository", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const layout = /## Project layout\n\n```\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
  const named = new Set(layout.split('\n').map((line) => /^([^\s/]+)\//.exec(line)?.[1]).filter(Boolean));
  const folders = readdirSync(ROOT).filter((name) => !name.startsWith('.') && !['node_modules', 'cdktf.out', 'bench-out', 'coverage'].includes(name) && statSync(join(ROOT, name)).isDirectory());
  expect(folders.length).toBeGreaterThan(5);
  expect(folders.filter((f) => !named.has(f))).toEqual([]);
});

test('every file and folder ARCHITECTURE.md names exists', () => {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const paths = [...text.matchAll(/`([A-Za-z_.-]+\/[^`\s<>]*|[A-Za-z_-]+\.(?:ts|md|json))`/g)].map((m) => m[1]).filter((p) => !p.startsWith('cdktf.out/') && p !== 'cdk.tf.json');
  expect(paths.length).toBeGreaterThan(10);
  expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
});

test('every function a rule message tells users to call is exported by the public entry constructs/index.ts', () => {
  const entry = readFileSync(join(ROOT, 'constructs', 'index.ts'), 'utf8');
  const exported = new Set([...entry.matchAll(/^export (?:type )?\{([^}]+)\}/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim())));
  const named: string[] = [];
  for (const file of files('rules', /\.ts$/)) {
    const strings = [...readFileSync(file, 'utf8').matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)].map((m) => (m[1] ?? m[2] ?? m[3]).replace(/\$\{[^}]*\}/g, ''));
    for (const text of strings) for (const [, name] of text.matchAll(/(?<![.\w$@])([a-z][A-Za-z0-9]+)\(/g)) named.push(`${relative(ROOT, file)}: ${name}`);
  }
  expect(named.length).toBeGreaterThan(2);
  expect(named.filter((n) => !exported.has(n.split(': ')[1]))).toEqual([]);
});
