// The tests' jest transform (__tests__/support/intrinsics-transform.js): intrinsics bound to module-level
// constants, so that code running in jest's vm context does not read them from the context's global object.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Script } from 'node:vm';
import { createScriptTransformer } from '@jest/transform';
import { readConfig } from 'jest-config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindIntrinsics } = require('./support/intrinsics-transform.js') as { bindIntrinsics: (code: string) => string };

const ROOT = resolve(__dirname, '..');

test('the binding line follows the "use strict" directive and names only the intrinsics the module reads', () => {
  expect(bindIntrinsics('"use strict";\nconst x = Object.keys(y) instanceof Promise;')).toBe(
    '"use strict";const {Object, Promise} = globalThis;\nconst x = Object.keys(y) instanceof Promise;',
  );
  expect(bindIntrinsics('module.exports = JSON.parse(s);')).toBe('const {JSON} = globalThis;module.exports = JSON.parse(s);');
  expect(bindIntrinsics('"use strict";\nmodule.exports = 1;')).toBe('"use strict";\nmodule.exports = 1;');
});

test('a name the module declares or assigns itself is left alone (a second declaration would not compile)', () => {
  expect(bindIntrinsics('"use strict";class Map {}\nnew Set(); x.Map = Map;')).toBe('"use strict";const {Set} = globalThis;class Map {}\nnew Set(); x.Map = Map;');
  expect(bindIntrinsics('var Promise = require("p"); Array.isArray(Promise)')).toBe('const {Array} = globalThis;var Promise = require("p"); Array.isArray(Promise)');
  expect(bindIntrinsics('Symbol = polyfill; a == Symbol')).toBe('Symbol = polyfill; a == Symbol');
  expect(bindIntrinsics('if (Error === x) Math.max(1)')).toBe('const {Math, Error} = globalThis;if (Error === x) Math.max(1)');
});

test("jest.config.js applies it to our TypeScript and to zod, whose every module still compiles", async () => {
  const { projectConfig } = await readConfig({} as Parameters<typeof readConfig>[0], ROOT);
  const transformer = await createScriptTransformer(projectConfig);
  const transform = (file: string) => transformer.transformSource(file, readFileSync(file, 'utf8'), { instrument: false } as never).code;
  expect(transform(join(ROOT, 'config', 'load.ts'))).toMatch(/^"use strict";const \{Object, Array, [^}]*\} = globalThis;\n/);
  const zodDir = join(ROOT, 'node_modules', 'zod', 'v4', 'core');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const modules = (require('node:fs').readdirSync(zodDir) as string[]).filter((f) => f.endsWith('.cjs')).map((f) => join(zodDir, f));
  expect(modules.length).toBeGreaterThan(10);
  for (const file of modules) {
    const code = transform(file);
    expect(() => new Script(code, { filename: file })).not.toThrow();
  }
  expect(transform(join(zodDir, 'schemas.cjs'))).toMatch(/^"use strict";const \{[^}]*\bPromise\b[^}]*\} = globalThis;/);
});
