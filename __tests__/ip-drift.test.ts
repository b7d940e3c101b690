// Trigger IP drift without Azure: a local HTTP server on 127.0.0.1 answers ARM's GET of a workflow
// (accessControl.triggers and endpointsConfiguration.workflow.outgoingIpAddresses, as Microsoft.Logic returns them).
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { synthApp, modelOf } from './support/synth';
import { resourceOf } from './support/stack-variants';
import { buildStackModel } from '../model/stack-model';
import { asTriggerRange, checkDrift, formatDrift, planDrift } from '../tools/ip-drift/drift';
import { RANGE_OR_BARE_EXPRESSION } from '../constructs/receiver-workflow';
import { armCommandInputs } from '../tools/smoke/cli-inputs';
import { CERTIFICATE_CREDENTIAL_CAUSE, classifyAction, createLogicClient, describeActual, subscriptionFromEnv } from '../tools/smoke/smoke';

const SUB = '11111111-2222-4333-8444-555555555555';
const RG = 'rg-la-oauth-logic-apps-oauth';
const credential: TokenCredential = { getToken: async () => ({ token: 'stub', expiresOnTimestamp: Date.now() + 3_600_000 }) };

const model = modelOf(synthApp(), 'logic-apps-oauth');

// Deployed state per workflow name: the receiver's trigger list, each workflow's current outbound list.
let deployed: Record<string, { trigger?: string[]; outbound?: string[] }> = {};
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const m = new RegExp(`^/subscriptions/${SUB}/resourceGroups/([^/]+)/providers/Microsoft\\.Logic/workflows/([^/?]+)\\?`).exec(req.url ?? '');
    const wf = m && decodeURIComponent(m[1]) === RG ? deployed[decodeURIComponent(m[2])] : undefined;
    if (req.method !== 'GET' || !wf) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'ResourceNotFound', message: `not found: ${req.url}` } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/${m![2]}`,
        name: m![2],
        location: 'westeurope',
        properties: {
          state: 'Enabled',
          accessControl: wf.trigger ? { triggers: { allowedCallerIpAddresses: wf.trigger.map((addressRange) => ({ addressRange })) } } : {},
          endpointsConfiguration: { workflow: { outgoingIpAddresses: (wf.outbound ?? []).map((address) => ({ address })) } },
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => createLogicClient({ credential, subscriptionId: SUB, endpoint, maxRetries: 0 });

test('a bare address becomes /32, a range stays as it is (the constructs\' rule)', () => {
  expect(['20.1.2.3', '20.1.2.0/28', '20.1.2.3-20.1.2.9'].map(asTriggerRange)).toEqual(['20.1.2.3/32', '20.1.2.0/28', '20.1.2.3-20.1.2.9']);
});

test('the drift rule is the constructs\' Terraform expression, evaluated the way Terraform does', () => {
  // RANGE_OR_BARE_EXPRESSION is `length(regexall("<re>", val)) > 0 ? val : format("<template>", val)`; regexall
  // returns every match (RE2; this pattern means the same in JavaScript), format replaces %s with val.
  const m = /^length\(regexall\("([^"]+)", val\)\) > 0 \? val : format\("([^"]+)", val\)$/.exec(RANGE_OR_BARE_EXPRESSION);
  expect(m).not.toBeNull();
  const [, pattern, template] = m!;
  const terraform = (val: string) => ((val.match(new RegExp(pattern, 'g')) ?? []).length > 0 ? val : template.replace('%s', val));
  const entries = ['20.1.2.3', '20.1.2.0/28', '20.1.2.3-20.1.2.9', '52.174.243.57', '10.0.0.0/8'];
  expect(entries.map(terraform)).toEqual(['20.1.2.3/32', '20.1.2.0/28', '20.1.2.3-20.1.2.9', '52.174.243.57/32', '10.0.0.0/8']);
  expect(entries.map(asTriggerRange)).toEqual(entries.map(terraform));
});

test('plan: the receiver and the callers its trigger list is built from, from the synthesized JSON', () => {
  const plan = planDrift([model]);
  expect(plan.skipped).toEqual([]);
  expect(plan.targets).toEqual([
    { stack: 'logic-apps-oauth', workflow: 'la-oauth-receive', resourceGroup: RG, callers: [{ workflow: 'la-oauth-send', resourceGroup: RG }] },
  ]);
});

test('plan: a receiver or caller it cannot look up is skipped with its name in words (never raw ${...})', () => {
  const json = JSON.parse(JSON.stringify(synthApp().json['logic-apps-oauth']));
  resourceOf(json, 'azurerm_logic_app_workflow', 'Sender-send').name = '${azurerm_resource_group.ResourceGroup.name}-send';
  const plan = planDrift([buildStackModel({ name: 'logic-apps-oauth', json })]);
  expect(plan.targets).toEqual([]);
  expect(plan.skipped).toEqual(['logic-apps-oauth/la-oauth-receive: {name of rg-la-oauth-logic-apps-oauth}-send: name or resource group is not a literal']);
});

test('no drift: exit 0', async () => {
  deployed = {
    'la-oauth-receive': { trigger: ['20.1.2.3/32', '20.1.2.0/28'] },
    'la-oauth-send': { outbound: ['20.1.2.3', '20.1.2.0/28'] },
  };
  const result = await checkDrift(planDrift([model]), client());
  expect(result.exitCode).toBe(0);
  expect(formatDrift(result)).toBe("ok    logic-apps-oauth/la-oauth-receive: trigger IP list covers every caller's current outbound addresses");
});

test('Azure added an address: drift, exit 1, the address named with the fix', async () => {
  deployed = {
    'la-oauth-receive': { trigger: ['20.1.2.3/32'] },
    'la-oauth-send': { outbound: ['20.1.2.3', '20.9.9.9', '20.1.2.0/28'] },
  };
  const result = await checkDrift(planDrift([model]), client());
  expect(result.exitCode).toBe(1);
  expect(result.findings[0].missing).toEqual([
    { caller: 'la-oauth-send', range: '20.9.9.9/32' },
    { caller: 'la-oauth-send', range: '20.1.2.0/28' },
  ]);
  const lines = formatDrift(result).split('\n');
  expect(lines[0]).toBe(
    'DRIFT logic-apps-oauth/la-oauth-receive: 2 caller outbound address(es) missing from the trigger IP list, calls from them get 401: 20.9.9.9/32 (la-oauth-send), 20.1.2.0/28 (la-oauth-send)',
  );
  expect(lines[1]).toMatch(/^fix: deploy again \(cdktf deploy logic-apps-oauth\): the plan refreshes workflow_outbound_ip_addresses/);
});

test('a workflow that is not deployed: exit 3 with the ARM error, no drift claimed', async () => {
  deployed = { 'la-oauth-send': { outbound: ['20.1.2.3'] } };
  const result = await checkDrift(planDrift([model]), client());
  expect(result.exitCode).toBe(3);
  expect(formatDrift(result)).toMatch(/^ERROR logic-apps-oauth\/la-oauth-receive: /);
});

test('tools take the subscription from ARM_SUBSCRIPTION_ID (what the README exports) or AZURE_SUBSCRIPTION_ID', () => {
  expect(subscriptionFromEnv({ ARM_SUBSCRIPTION_ID: 'a' })).toBe('a');
  expect(subscriptionFromEnv({ AZURE_SUBSCRIPTION_ID: 'b' })).toBe('b');
  expect(subscriptionFromEnv({ ARM_SUBSCRIPTION_ID: 'a', AZURE_SUBSCRIPTION_ID: 'b' })).toBe('a');
  expect(subscriptionFromEnv({ ARM_SUBSCRIPTION_ID: '' })).toBeUndefined();
  // The CLI itself: with only ARM_SUBSCRIPTION_ID set it gets past the subscription check (to the missing dir).
  const root = join(__dirname, '..');
  const env = { ...process.env, ARM_SUBSCRIPTION_ID: SUB, AZURE_SUBSCRIPTION_ID: '' };
  let stderr = '';
  try {
    execFileSync(process.execPath, ['scripts/run-ts.cjs', 'tools/smoke/main.ts', '--dir', 'no-such-dir'], { cwd: root, env, stdio: 'pipe' });
  } catch (err) {
    stderr = String((err as { stderr: Buffer }).stderr);
  }
  expect(stderr).toMatch(/^no-such-dir does not exist/);
});

describe('smoke and ip-drift read their subscription and stacks alike (armCommandInputs)', () => {
  const fixtures = join(__dirname, 'fixtures', 'report');
  const usage = (message: string): never => {
    throw new Error(`usage: ${message}`);
  };
  test('--stack keeps the named stacks only', () => {
    const { subscriptionId, stacks } = armCommandInputs({ dir: fixtures, subscription: SUB, stack: ['no-policy'] }, usage);
    expect(subscriptionId).toBe(SUB);
    expect(stacks.map((s) => s.name)).toEqual(['no-policy']);
  });
  test('an unknown --stack is a usage error naming the stacks there are (ip-drift filtered it away silently)', () => {
    expect(() => armCommandInputs({ dir: fixtures, subscription: SUB, stack: ['nope'] }, usage)).toThrow(
      'usage: unknown stack nope (have: empty-ip-list, no-policy, wrong-audience)',
    );
  });
});

test('smoke names a certificate credential failure (the unverified empty PFX password) with what to try', () => {
  const actual = classifyAction({
    status: 'Failed',
    code: 'BadRequest',
    error: { code: 'InvalidCertificate', message: 'The provided PFX could not be loaded: the specified network password is not correct.' },
  } as never);
  expect(actual).toEqual({ kind: 'failed', status: 'Failed', code: 'BadRequest', cause: CERTIFICATE_CREDENTIAL_CAUSE });
  expect(describeActual(actual)).toMatch(/try removing "password" from the call's authentication/);
  // An Entra refusal that mentions a certificate stays a token refusal.
  expect(classifyAction({ status: 'Failed', error: { message: 'AADSTS700027: certificate could not be validated' } } as never).kind).toBe('token-refused');
});
