// Odd and hostile override files through the synth (runSynth, what `npm run synth` runs): each is refused
// with one line naming the file or field, exit 1, no stack trace and nothing written, or accepted as a
// user would expect.
//
// Which cases spawn: every case runs runSynth in this process (support/in-process.ts: its exit code, its
// stdout and stderr, also anything written around its sinks, and the files left), which checks the logic
// without a child process's start-up (~0.14 s CPU for a refused file, ~0.3 s for a synth). One refused
// file also goes through the real entry in a child process (`node scripts/run-ts.cjs main.ts`), for the
// process boundary: main.ts turns the code into the exit status, the bundle loads, the line reaches the
// real stderr without a stack trace. A successful synth through a real process is in config.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSynth } from '../run-synth';
import { runInProcess } from './support/in-process';

const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'la-oauth-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly file: string;
  readonly outdir: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function write(name: string, content: string | Buffer): { file: string; outdir: string } {
  const file = join(dir, name);
  writeFileSync(file, content);
  return { file, outdir: join(dir, `out-${name}`) };
}

/** The synth in this process. */
function synth(name: string, content: string | Buffer): Run {
  const { file, outdir } = write(name, content);
  const env = { ...process.env, LOGIC_APPS_CONFIG: file, CDKTF_OUTDIR: outdir };
  return { file, outdir, ...runInProcess(({ stdout, stderr }) => runSynth(env, { stdout: stdout.line, stderr: stderr.line })) };
}

/** The synth through its real entry, in a child process. */
function synthProcess(name: string, content: string | Buffer): Run {
  const { file, outdir } = write(`process-${name}`, content);
  const child = spawnSync(process.execPath, ['scripts/run-ts.cjs', 'main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOGIC_APPS_CONFIG: file, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  return { file, outdir, status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const utf16le = (text: string) => Buffer.from(text, 'utf16le');
const deepTags = (depth: number) => `{"tags":${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}}`;
// 801 workflows, and 534 workflows whose 267 receivers each get a wrong-audience probe (801 in all).
const pairs = (n: number) => ({
  workflows: Array.from({ length: n }, (_, i) => [{ name: `r${i}` }, { name: `s${i}` }]).flat(),
  calls: Array.from({ length: n }, (_, i) => ({ from: `s${i}`, to: `r${i}` })),
});
const manyWorkflows = JSON.stringify({ logicAppsOauth: { ...pairs(401), workflows: pairs(401).workflows.slice(0, 801) } });
const manyWithProbes = JSON.stringify({ logicAppsOauth: { ...pairs(267), wrongAudienceProbe: true } });

const CASES: Record<string, { content: string | Buffer; error: (file: string) => RegExp }> = {
  'huge.json': { content: '['.repeat(2_500_000) + ']'.repeat(2_500_000), error: (f) => new RegExp(`^config error: ${f} is 4\\.8 MB; a configuration file is at most 1 MB: point LOGIC_APPS_CONFIG at the right file$`) },
  'deep.json': { content: deepTags(5000), error: (f) => new RegExp(`^config error: ${f} nests deeper than 32 levels \\(at tags\\.a\\.a\\.a\\.a\\.a\\.\\.\\.\\); .*fix its structure$`) },
  'utf16-bom.json': { content: Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le('{"namePrefix":"contoso"}')]), error: (f) => new RegExp(`^config error: ${f} is UTF-16 encoded \\(what Windows PowerShell's ">" writes\\); save it as UTF-8`) },
  'utf16-no-bom.json': { content: utf16le('{"namePrefix":"contoso"}'), error: (f) => new RegExp(`^config error: ${f} is UTF-16 encoded`) },
  'latin1.json': { content: Buffer.from('{"tags":{"owner":"J\xfcrgen"}}', 'latin1'), error: (f) => new RegExp(`^config error: ${f} is not valid UTF-8`) },
  'newline-key.json': { content: JSON.stringify({ 'bad\nkey': 1 }), error: () => /^config error: \(top level\): unknown key "bad\\nkey"; remove it or use one of: /u },
  'newline-tag.json': { content: JSON.stringify({ tags: { 'a\nb': 1 } }), error: () => /^config error: tags\["a\\nb"\] = 1: a tag value is a string; write it in quotes \("1"\)$/ },
  'bad-json.json': { content: '{\n  "namePrefix": x\n}', error: (f) => new RegExp(`^config error: ${f} is not valid JSON: unquoted text x \\(JSON needs double quotes around keys and strings\\) at line 2 column 17; fix the syntax there$`) },
  'proto.json': { content: '{"tags":{"__proto__":"x"}}', error: () => /^config error: tags\.__proto__: the key "__proto__" is not allowed \(JavaScript would drop it silently\); rename or remove it$/ },
  'proto-top.json': { content: '{"__proto__":{"namePrefix":"x"}}', error: () => /^config error: __proto__: the key "__proto__" is not allowed/ },
  'many.json': { content: manyWorkflows, error: () => /^config error: logicAppsOauth\.workflows = \[.*?: at most 800 workflows: one resource group holds at most 800 of a resource type; split them over several deployments \(namePrefix\)( \(and \d+ more problems?\))?$/ },
  'many-probes.json': { content: manyWithProbes, error: () => /^config error: logicAppsOauth\.workflows = \[.*?: 534 workflows and 267 wrong-audience probes make 801; one resource group holds at most 800 /u },
};

let runs: Record<string, Run>;
let accepted: Run;
let ruleFailure: Run;

beforeAll(() => {
  // Accepted: a UTF-8 byte-order mark (editors write one) and a tag named "constructor".
  accepted = synth('bom.json', `\ufeff${JSON.stringify({
    namePrefix: 'contoso',
    tags: { constructor: 'platform team' },
    logicAppsOauth: { workflows: [{ name: 'receive' }, { name: 'send' }], calls: [{ from: 'send', to: 'receive' }], wrongAudienceProbe: true },
  })}`);
  // Valid, but a rule refuses it (LA024: run history open to every address).
  ruleFailure = synth('open-run-history.json', JSON.stringify({
    namePrefix: 'contoso',
    logicAppsOauth: { runHistoryIpRanges: ['0.0.0.0/0'], workflows: [{ name: 'receive' }, { name: 'send' }], calls: [{ from: 'send', to: 'receive' }] },
  }));
  runs = Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, synth(name, c.content)]));
}, 60_000);

function expectRefused(run: Run, error: RegExp): void {
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 1, stdout: '' });
  expect(run.stderr.endsWith('\n')).toBe(true);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(error);
  expect(run.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)|RangeError|\u0000/);
  expect(existsSync(run.outdir)).toBe(false);
}

const escaped = (file: string) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.each(Object.keys(CASES))('%s: one line naming the file or field, exit 1, no stack trace, nothing written', (name) => {
  expectRefused(runs[name], CASES[name].error(escaped(runs[name].file)));
});

test('bad-json.json through the real entry in a child process (node scripts/run-ts.cjs main.ts): the same one line, exit 1, no stack trace, nothing written', () => {
  const run = synthProcess('bad-json.json', CASES['bad-json.json'].content);
  expectRefused(run, CASES['bad-json.json'].error(escaped(run.file)));
}, 30_000);

test('a UTF-8 byte-order mark is accepted, and a tag named "constructor" reaches the resources', () => {
  expect(accepted.status).toBe(0);
  // Notices are not errors: stdout only, since the cdktf CLI labels every stderr line [ERROR] (synth-errors.ts).
  expect(accepted.stderr).toBe('');
  expect(accepted.stdout).toMatch(/^synthesized logic-apps-oauth from .*bom\.json into /m);
  const json = JSON.parse(readFileSync(join(accepted.outdir, 'stacks', 'logic-apps-oauth', 'cdk.tf.json'), 'utf8'));
  const workflows = Object.values(json.resource.azurerm_logic_app_workflow) as Array<{ name: string; tags: Record<string, string> }>;
  expect(workflows.map((w) => w.name)).toContain('contoso-receive');
  expect(workflows.every((w) => Object.entries(w.tags).some(([k, v]) => k === 'constructor' && v === 'platform team'))).toBe(true);
});

test('rule notices (suppressed findings with their reason, warnings) go to stdout, which the cdktf CLI does not label [ERROR]', () => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    jest.isolateModules(() => {
      const { ruleOutput } = require('../rules/guard') as typeof import('../rules/guard');
      ruleOutput('suppressed LA001 stack/Caller/Call_1: wrong audience; fix [suppressed: probe]');
    });
    expect(out).toHaveBeenCalledWith('suppressed LA001 stack/Caller/Call_1: wrong audience; fix [suppressed: probe]\n');
    expect(err).not.toHaveBeenCalled();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
});

test('a rule failure exits 1 with the rule lines only and leaves no output directory behind (cdktf creates it when the app is built)', () => {
  expect({ status: ruleFailure.status, stdout: ruleFailure.stdout }).toEqual({ status: 1, stdout: '' });
  expect(ruleFailure.stderr).toMatch(/^rule check failed: \d+ errors?; nothing was written/);
  expect(ruleFailure.stderr).toMatch(/^error LA024 /m);
  expect(existsSync(ruleFailure.outdir)).toBe(false);
});
