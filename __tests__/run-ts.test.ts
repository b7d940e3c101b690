// scripts/run-ts.cjs runs `npm run synth` and the tools. Besides bundling, it keeps a V8 code cache and
// defers two things cdktf does at start (docs/performance.md): loading `archiver`, and formatting token
// creation stack traces. Both must stay invisible: same behaviour, only later.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

interface Probe {
  isArray: boolean;
  frames: string[];
  joined: string;
  length: number;
  archiverLoaded: boolean;
}

let probe: Probe;
beforeAll(() => {
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'run-ts.cjs'), join(__dirname, 'fixtures', 'run-ts', 'tokens.ts')], { cwd: ROOT, encoding: 'utf8' });
  probe = JSON.parse(out);
});

test("a token's creation stack is still a full trace of string frames, formatted when read", () => {
  expect(probe.isArray).toBe(true);
  expect(probe.length).toBe(probe.frames.length);
  expect(probe.length).toBeGreaterThan(2);
  // cdktf's format: "at " stripped, the creating call first (captureStackTrace hides itself).
  expect(probe.frames[0]).not.toMatch(/^\s*at /);
  expect(probe.frames.some((f) => f.includes('tokens.ts'))).toBe(true);
  expect(probe.frames.some((f) => f.includes('stack-trace') || f.includes('lazyCaptureStackTrace'))).toBe(false);
  expect(probe.joined).toBe(probe.frames.join('\n'));
});

test('cdktf loads without archiver (loaded on first use only)', () => {
  expect(probe.archiverLoaded).toBe(false);
});
