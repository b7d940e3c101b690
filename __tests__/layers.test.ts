// The layers of ARCHITECTURE.md, as imports: domain/ imports nothing of ours; the model reads JSON with
// the shared vocabulary only; rules and commands sit on the model; no reader imports the constructs that
// write the JSON, nor the stacks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** Folder -> the folders of ours it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  domain: [],
  model: ['domain'],
  rules: ['domain', 'model'],
  tools: ['domain', 'model', 'rules', 'config'],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function importedFolders(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/\b(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(file), s)).split(/[\\/]/)[0]);
}

test.each(Object.keys(ALLOWED))('%s/ imports only the layers below it', (folder) => {
  const files = tsFiles(join(ROOT, folder));
  expect(files.length).toBeGreaterThan(0);
  const wrong = files.flatMap((file) =>
    importedFolders(file)
      .filter((target) => target !== folder && !ALLOWED[folder].includes(target))
      .map((target) => `${relative(ROOT, file)} imports ${target}/`),
  );
  expect(wrong).toEqual([]);
});
