// Odd and hostile override files through the real synth entry (`node scripts/run-ts.cjs main.ts`, what
// `npm run synth` runs): each is refused with one line naming the file or field, exit 1, no stack trace
// and nothing written, or accepted as a user would expect. The processes run one per core at a time.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimited } from './support/concurrency';

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

function synth(name: string, content: string | Buffer): Promise<Run> {
  const file = join(dir, name);
  const outdir = join(dir, `out-${name}`);
  writeFileSync(file, content);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/run-ts.cjs', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOGIC_APPS_CONFIG: file, CDKTF_OUTDIR: outdir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ file, outdir, status, stdout, stderr }));
  });
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

beforeAll(async () => {
  // Accepted: a UTF-8 byte-order mark (editors write one) and a tag named "constructor".
  const bom = await synth('bom.json', `\ufeff${JSON.stringify({
    namePrefix: 'contoso',
    tags: { constructor: 'platform team' },
    logicAppsOauth: { workflows: [{ name: 'receive' }, { name: 'send' }], calls: [{ from: 'send', to: 'receive' }], wrongAudienceProbe: true },
  })}`);
  // Valid, but a rule refuses it (LA024: run history open to every address).
  ruleFailure = await synth('open-run-history.json', JSON.stringify({
    namePrefix: 'contoso',
    logicAppsOauth: { runHistoryIpRanges: ['0.0.0.0/0'], workflows: [{ name: 'receive' }, { name: 'send' }], calls: [{ from: 'send', to: 'receive' }] },
  }));
  // One synth per core at a time: all at once doubled the test run's peak memory (support/concurrency.ts).
  const results = await mapLimited(Object.entries(CASES), ([name, c]) => synth(name, c.content));
  runs = Object.fromEntries(Object.keys(CASES).map((name, i) => [name, results[i]]));
  accepted = bom;
}, 60_000);

test.each(Object.keys(CASES))('%s: one line naming the file or field, exit 1, no stack trace, nothing written', (name) => {
  const run = runs[name];
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 1, stdout: '' });
  expect(run.stderr.endsWith('\n')).toBe(true);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(CASES[name].error(run.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  expect(run.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)|RangeError|\u0000/);
  expect(existsSync(run.outdir)).toBe(false);
});

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
