import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import { issueManagedIdentityToken } from '../model/entra';
import { buildStackModel, StackModel, SynthStack } from '../model/stack-model';
import { simulatedBindings } from '../model/entra';
import { readSynthStacks } from '../model/synth-output';
import { BadInput, bindingsFromState, checkToken, knownTargets, CheckTokenInput, EXIT, stateFromBindings, tokenFromArgument, TfState } from '../tools/check-token/check-token';
import type { TokenClaims } from '../model/trigger-admission';
import { KeyPair, mintToken, tenantKeys } from './support/tokens';
import { synthApp, SynthOutput } from './support/synth';
import { runCheckToken } from '../tools/check-token/command';
import { runInProcessAsync } from './support/in-process';

const NOW = 1700000100; // inside the simulated tokens' lifetime (iat 1700000000)
const ROOT = join(__dirname, '..');

let output: SynthOutput;
let stacks: SynthStack[];
let keys: KeyPair;
let jwks: { keys: unknown[] };
let tmp: string;

function model(name: string): StackModel {
  return buildStackModel(stacks.find((s) => s.name === name)!);
}

/** The claims Entra would issue to the caller of `actionName` in `stack` (simulated deployment). */
function simulatedClaims(stack: string, callerName: string): { claims: TokenClaims; state: TfState } {
  const m = model(stack);
  const bindings = simulatedBindings(m);
  const wf = m.workflows.find((w) => w.workflowName === callerName)!;
  const action = wf.actions.find((a) => a.authentication?.type === 'ManagedServiceIdentity' && a.authentication.audience !== 'https://vault.azure.net')!;
  const issued = issueManagedIdentityToken(
    m,
    { caller: wf, requestedAudience: action.authentication.audience },
    bindings,
  );
  if (!issued.issued) throw new Error(`simulation refused ${callerName}: ${issued.message}`);
  return { claims: issued.claims, state: stateFromBindings(bindings) };
}

async function check(claims: TokenClaims, rest: Partial<CheckTokenInput>, key = keys.privateKey, kid = 'test-key-1') {
  return checkToken({ token: await mintToken(claims, key, kid), stacks, now: NOW, ...rest });
}

beforeAll(async () => {
  output = synthApp();
  stacks = Object.entries(output.json).map(([name, json]) => ({ name, json }));
  keys = await tenantKeys();
  jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' }] };
  tmp = mkdtempSync(join(tmpdir(), 'check-token-'));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RECEIVER = { stack: 'logic-apps-oauth', receiver: 'la-oauth-receive' };

describe('logic-apps-oauth receiver', () => {
  test('the allowed sender, signature verified, claims resolved from state: accepted', async () => {
    const { claims, state } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    const result = await check(claims, { ...RECEIVER, jwks, state });
    expect(result.exitCode).toBe(EXIT.accepted);
    expect(result.lines).toContain('signature: verified');
    expect(result.lines).toContain('accepted (policy allow-la-oauth-send)');
    expect(result.lines[0]).toMatch(/^token: ver=1\.0 iss=https:\/\/sts\.windows\.net\/[0-9a-f-]+\/ aud=api:\/\/[0-9a-f-]+ oid=/);
  });

  test('without --state the pinned values are unverified, not passed or failed (exit 3)', async () => {
    const { claims } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    const result = await check(claims, RECEIVER);
    expect(result.exitCode).toBe(EXIT.unverified);
    expect(result.lines).toContain('signature: not verified (no --jwks given)');
    expect(result.lines.find((l) => l.startsWith('unverified (needs --state): policy allow-la-oauth-send'))).toBeDefined();
    expect(result.lines).toContain(`  policy allow-la-oauth-send: oid unverified (needs --state): expected {principal id of la-oauth-send}, actual "${claims.oid}"`);
  });

  test('the wrong-audience probe: MisMatchingOAuthClaims with expected vs actual, even without state', async () => {
    const { claims, state } = simulatedClaims('logic-apps-oauth', 'la-oauth-receive-naughty');
    const withoutState = await check(claims, RECEIVER);
    expect(withoutState.exitCode).toBe(EXIT.refused);
    expect(withoutState.lines).toContain('MisMatchingOAuthClaims');
    expect(withoutState.lines).toContain('  policy allow-la-oauth-send: aud expected "api://{client id of la-oauth-logic-apps-audience}", actual "https://management.azure.com/"');
    expect(withoutState.lines.join('\n')).not.toContain('${');

    const bound = await check(claims, { ...RECEIVER, state });
    expect(bound.exitCode).toBe(EXIT.refused);
    const aud = bound.lines.find((l) => l.includes(': aud expected'))!;
    expect(aud).toMatch(/^  policy allow-la-oauth-send: aud expected "api:\/\/[0-9a-f-]{36}" \(api:\/\/\{client id of la-oauth-logic-apps-audience\}\), actual "https:\/\/management\.azure\.com\/"$/);
    expect(bound.lines.find((l) => l.includes(': oid expected'))).toMatch(/\(\{principal id of la-oauth-send\}\), actual "[0-9a-f-]{36}"$/);
  });

  test('a v2 issuer against the v1 policy is a definite mismatch without state', async () => {
    const { claims } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    const result = await check({ ...claims, iss: `https://login.microsoftonline.com/${claims.tid}/v2.0` }, RECEIVER);
    expect(result.exitCode).toBe(EXIT.refused);
    expect(result.lines).toContain(`  policy allow-la-oauth-send: iss expected "https://sts.windows.net/{tenant id of provider azuread}/", actual "https://login.microsoftonline.com/${claims.tid}/v2.0"`);
    expect(result.lines.join('\n')).not.toContain('${');
  });

  test('a token signed by another key is refused', async () => {
    const { claims, state } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    const other = await tenantKeys('other-tenant');
    const result = await check(claims, { ...RECEIVER, jwks, state }, other.privateKey);
    expect(result.exitCode).toBe(EXIT.refused);
    expect(result.lines).toContain('signature: INVALID (does not verify against the JWKS)');
    expect(result.lines).toContain('refused: signature does not verify');
  });

  test('a kid missing from the JWKS is refused', async () => {
    const { claims, state } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    const result = await check(claims, { ...RECEIVER, jwks, state }, keys.privateKey, 'rotated-key');
    expect(result.exitCode).toBe(EXIT.refused);
    expect(result.lines).toContain('signature: no key in the JWKS matches the token header (kid/alg)');
  });

  test('an expired token is refused even when its claims match', async () => {
    const { claims, state } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    const result = await check(claims, { ...RECEIVER, jwks, state, now: (claims.exp as number) + 1 });
    expect(result.exitCode).toBe(EXIT.refused);
    expect(result.lines).toContain('signature: verified');
    expect(result.lines).toContain(`refused: token expired at ${new Date((claims.exp as number) * 1000).toISOString()}`);
    expect(result.lines).toContain('claims: accepted (policy allow-la-oauth-send)');
  });
});

test('every name check-token lists as known is accepted as --receiver', async () => {
  const { claims } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
  const labels = knownTargets(stacks);
  expect(labels.length).toBeGreaterThanOrEqual(3);
  for (const receiver of labels) {
    const result = await check(claims, { receiver });
    expect(result.lines.some((l) => /^(receiver|api): /.test(l))).toBe(true);
  }
});

describe('APIs', () => {
  test.each(['apim-managed-identity'])('%s: the caller managed identity is accepted; another client is refused with 401', async (stack) => {
    const caller = model(stack).workflows.find((w) => w.actions.some((a) => a.authentication?.type === 'ManagedServiceIdentity'))!;
    const { claims, state } = simulatedClaims(stack, caller.workflowName);
    const ok = await check(claims, { stack, receiver: 'api:logic-apps-api', jwks, state });
    expect(ok.lines).toContain('accepted (API policy validate-azure-ad-token)');
    expect(ok.exitCode).toBe(EXIT.accepted);

    const intruder = await check({ ...claims, appid: '00000000-0000-4000-a000-000000000000' }, { stack, receiver: 'logic-apps-api', state });
    expect(intruder.exitCode).toBe(EXIT.refused);
    expect(intruder.lines).toContain('401 WrongClientApplicationId');
    expect(intruder.lines.some((l) => l.startsWith('  API policy validate-azure-ad-token: appid expected') && l.endsWith('actual "00000000-0000-4000-a000-000000000000"'))).toBe(true);
  });
});

test('without state, an aud that differs from api://<client id> only by a trailing "/" is refused (a client id is a GUID), on a receiver and on an API', async () => {
  const claims = { iss: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/', ver: '1.0', appid: '00000000-0000-4000-a000-000000000000', oid: '00000000-0000-4000-a000-000000000001', roles: ['LogicApps.Invoke'] };
  const aud = 'api://11111111-2222-4333-8444-555555555555';
  const receiver = await check({ ...claims, aud: `${aud}/` }, { receiver: 'la-oauth-receive' });
  expect(receiver.exitCode).toBe(EXIT.refused);
  expect(receiver.lines).toContain('MisMatchingOAuthClaims');
  expect(receiver.lines).toContain(`  policy allow-la-oauth-send: aud expected "api://{client id of la-oauth-logic-apps-audience}", actual "${aud}/"`);
  const api = await check({ ...claims, aud: `${aud}/` }, { stack: 'apim-managed-identity', receiver: 'api:logic-apps-api' });
  expect(api.exitCode).toBe(EXIT.refused);
  expect(api.lines).toContain('401 WrongAudience');
  // Without the "/" the same claims are undecided: the client id itself needs the state.
  expect((await check({ ...claims, aud }, { receiver: 'la-oauth-receive' })).exitCode).toBe(EXIT.unverified);
});

test('API without state: definite mismatches name the failure, unresolved claims stay unverified', async () => {
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const result = await check({ aud: 'https://management.azure.com/', iss: `https://sts.windows.net/${tenant}/`, ver: '1.0', appid: '00000000-0000-4000-a000-000000000000', roles: ['LogicApps.Invoke'] }, { stack: 'apim-managed-identity', receiver: 'api:logic-apps-api' });
  expect(result.exitCode).toBe(EXIT.refused);
  expect(result.lines).toContain('401 WrongAudience');
  expect(result.lines.some((l) => l.startsWith('  API policy validate-azure-ad-token: iss unverified (needs --state): expected https://sts.windows.net/{tenant id of provider azuread}/ | '))).toBe(true);
  expect(result.lines.some((l) => l.startsWith('  API policy validate-azure-ad-token: appid unverified (needs --state): expected {client id of the identity of '))).toBe(true);
  expect(result.lines.join('\n')).not.toContain('${');
});

describe('bad input', () => {
  test('not a JWT, as argument or file', () => {
    expect(() => tokenFromArgument('hello')).toThrow(new BadInput('not a JWT and not a readable file: hello'));
    const file = join(tmp, 'garbage.txt');
    writeFileSync(file, 'this is not a token\n');
    expect(() => tokenFromArgument(file)).toThrow(/does not hold a JWT/);
  });

  test('a well-shaped string that does not decode', async () => {
    await expect(checkToken({ token: 'aaa.bbb.ccc', stacks, ...RECEIVER })).rejects.toThrow(/^not a JWT: /);
  });

  test('token files: raw, Bearer-prefixed, az CLI JSON', async () => {
    const token = await mintToken({ aud: 'x' }, keys.privateKey);
    for (const [name, content] of [['raw', `${token}\n`], ['bearer', `Bearer ${token}`], ['az.json', JSON.stringify({ accessToken: token, tokenType: 'Bearer' })]]) {
      writeFileSync(join(tmp, name), content);
      expect(tokenFromArgument(join(tmp, name))).toBe(token);
    }
  });

  test('unknown receiver and unknown stack list the known ones; an ambiguous name asks for --stack', async () => {
    const token = await mintToken({ aud: 'x' }, keys.privateKey);
    await expect(checkToken({ token, stacks, receiver: 'nope' })).rejects.toThrow(/^unknown receiver nope \(known: .*logic-apps-oauth\/la-oauth-receive.*\)$/);
    await expect(checkToken({ token, stacks, stack: 'nope' })).rejects.toThrow(/^unknown stack nope \(known: .*logic-apps-oauth.*\)$/);
    await expect(checkToken({ token, stacks })).rejects.toThrow(/^name the receiver with --receiver \(known: /);
    if (stacks.filter((s) => s.name.startsWith('apim-')).length > 1) {
      await expect(checkToken({ token, stacks, receiver: 'api:logic-apps-api' })).rejects.toThrow(/is ambiguous .*; add --stack$/);
    }
  });

  test('a JWKS without keys', async () => {
    const token = await mintToken({ aud: 'x' }, keys.privateKey);
    await expect(checkToken({ token, stacks, ...RECEIVER, jwks: { nope: [] } })).rejects.toThrow('the JWKS file has no "keys" array');
  });
});

test('state round trip: every policy reference resolves from a state built from the bindings', () => {
  const m = model('logic-apps-oauth');
  const bindings = simulatedBindings(m);
  const resolved = bindingsFromState(m, stateFromBindings(bindings));
  const receiver = m.workflows.find((w) => w.workflowName === 'la-oauth-receive')!;
  for (const claim of receiver.policies.flatMap((p) => p.claims)) {
    for (const [, expr] of claim.value.matchAll(/\$\{([^}]+)\}/g)) expect(resolved[expr]).toBe(bindings[expr]);
  }
});

describe('CLI', () => {
  let dir: string;
  let tokenFile: string;
  let stateFile: string;
  let jwksFile: string;
  beforeAll(async () => {
    dir = join(tmp, 'cdktf.out');
    for (const [name, text] of Object.entries(output.files)) {
      mkdirSync(join(dir, 'stacks', name), { recursive: true });
      writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), text);
    }
    // A stack left from an earlier synth: not in the manifest, so not part of this synth.
    mkdirSync(join(dir, 'stacks', 'old-stack'), { recursive: true });
    writeFileSync(join(dir, 'stacks', 'old-stack', 'cdk.tf.json'), output.files['logic-apps-oauth']);
    const manifest = { stacks: Object.fromEntries(Object.keys(output.files).map((name) => [name, { name, synthesizedStackPath: `stacks/${name}/cdk.tf.json` }])) };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const { claims, state } = simulatedClaims('logic-apps-oauth', 'la-oauth-send');
    tokenFile = join(tmp, 'token.jwt');
    writeFileSync(tokenFile, await mintToken(claims, keys.privateKey));
    stateFile = join(tmp, 'terraform.logic-apps-oauth.tfstate');
    writeFileSync(stateFile, JSON.stringify(state));
    jwksFile = join(tmp, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwks));
  });

  // Which cases spawn: the command's logic runs in this process (runCheckToken with its arguments and
  // output sinks: exit code, stdout, stderr; support/in-process.ts), without a child process's start-up
  // (~0.12 s CPU). Bad input also goes through the real entry in a child process (`node scripts/run-ts.cjs
  // tools/check-token/main.ts`, what `npm run check-token` runs): the exit status, the one line on the real
  // stderr (no stack trace), nothing on stdout.
  const run = (args: string[]) => runInProcessAsync(({ stdout, stderr }) => runCheckToken(args, { stdout: stdout.text, stderr: stderr.line }));
  const runProcess = (args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'scripts/run-ts.cjs'), 'tools/check-token/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

  test('accepted: exit 0', async () => {
    const r = await run([tokenFile, '--dir', dir, ...['--stack', 'logic-apps-oauth', '--receiver', 'la-oauth-receive'], '--jwks', jwksFile, '--state', stateFile, '--now', String(NOW)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('accepted (policy allow-la-oauth-send)\n');
    expect(r.status).toBe(0);
  });

  test('the known receivers are the current synth\'s (not a stack left from an earlier synth)', () => {
    // In process: the CLI reads the directory with readSynthStacks and lists knownTargets (one line, exit 2).
    expect(readSynthStacks(dir).map((s) => s.name)).toEqual(['apim-cross-tenant', 'apim-managed-identity', 'logic-apps-oauth']);
    expect(knownTargets(readSynthStacks(dir))).toEqual(['apim-cross-tenant/api:logic-apps-api', 'apim-managed-identity/api:logic-apps-api', 'logic-apps-oauth/la-oauth-receive']);
  });

  test.each([
    ['in process', run],
    ['through the real entry in a child process', async (args: string[]) => runProcess(args)],
  ])('bad input: exit 2 with one line (%s)', async (_how, runner) => {
    const r = await runner(['not-a-token', '--dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('check-token: not a JWT and not a readable file: not-a-token\n');
    expect(r.stdout).toBe('');
  }, 30000);
});
