import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { LogicAppWorkflow } from '@cdktf/provider-azurerm/lib/logic-app-workflow';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { LogicAppTriggerHttpRequest } from '@cdktf/provider-azurerm/lib/logic-app-trigger-http-request';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { buildStackModel, TfJson } from '../model/stack-model';
import { blockingFindings, formatFinding, RULES, runRules } from '../rules/engine';
import { attachRules, evaluateApp, RuleError, ruleOutput, setRuleOutput } from '../rules/guard';
import { suppressRule } from '../constructs/annotations';
import { RULE_IDS } from '../domain/rule-ids';
import { withRuleTable } from '../rules/docs';
import { Audience } from '../constructs/audience';
import { ReceiverWorkflow } from '../constructs/receiver-workflow';
import { CallerWorkflow, ExternalAudience } from '../constructs/caller-workflow';
import { buildApp } from '../app';
import { parseConfig } from '../config/load';
import { knownErrorExitCode } from '../synth-errors';
import { withDefaults } from './support/config';
import { synthApp, SynthOutput } from './support/synth';
import { appendToTriggerExpression, editBody, moveValidationToGlobal, resourceOf } from './support/stack-variants';

// App() creates its outdir (empty); evaluateApp writes nothing into it.
const IN_MEMORY = join(tmpdir(), 'la-oauth-in-memory');

type Stack = 'logic-apps-oauth' | 'apim-managed-identity' | 'apim-cross-tenant';
// The passing fixtures are the live synth of the default config (so they cannot go stale); each
// violation below mutates a fresh copy.
let live: SynthOutput;
beforeAll(() => {
  live = synthApp();
});

function fixture(stack: Stack): any {
  return JSON.parse(live.files[stack]);
}

function findings(stack: Stack, json: TfJson) {
  return runRules(buildStackModel({ name: stack, json }));
}

const res = resourceOf;

const receiver = (j: any) => res(j, 'azurerm_logic_app_workflow', 'Receiver');
const policy = (j: any) => receiver(j).access_control.trigger.open_authentication_policy[0];
const senderCall = (j: any) => res(j, 'azurerm_logic_app_action_custom', 'Sender-send_Call-1');
const apiPolicy = (j: any) => res(j, 'azurerm_api_management_api_policy');

// Silent while this file runs; restored after it, for the files that share its module registry
// (__tests__/suites/groups.js).
const printRuleLine = ruleOutput;
beforeAll(() => setRuleOutput(() => undefined));
afterAll(() => setRuleOutput(printRuleLine));

describe('fixtures of the three stacks pass', () => {
  test.each(['logic-apps-oauth', 'apim-managed-identity', 'apim-cross-tenant'] as const)('%s: no open finding', (stack) => {
    const open = findings(stack, fixture(stack)).filter((f) => f.suppressed === undefined);
    expect(open.map(formatFinding)).toEqual([]);
  });

  test('the probe is a deny test: refused as intended, so no finding at all', () => {
    expect(findings('logic-apps-oauth', fixture('logic-apps-oauth'))).toEqual([]);
  });

  test('without its deny declaration the probe is an LA001 finding, suppressed with its reason', () => {
    const json = fixture('logic-apps-oauth');
    const probe = res(json, 'azurerm_logic_app_action_custom', 'Probe');
    delete probe['//'].logicAppsOauth.expectedRefusal;
    delete probe['//'].logicAppsOauth.externalAudience;
    const all = findings('logic-apps-oauth', json);
    expect(all.map((f) => f.ruleId)).toEqual(['LA001']);
    expect(all[0]).toMatchObject({ ruleId: 'LA001', severity: 'error', path: 'logic-apps-oauth/Probe-receive/Call-1' });
    expect(formatFinding(all[0])).toMatch(/^LA001 logic-apps-oauth\/Probe-receive\/Call-1: .*\[suppressed: wrong-audience probe/);
  });
});

// Each case: a fixture that violates the rule. The unmodified fixtures above are the passing case.
const VIOLATIONS: Array<[string, string, Stack, (j: any) => void, RegExp?]> = [
  ['LA001', 'sender without the app role', 'logic-apps-oauth', (j) => delete j.resource.azuread_app_role_assignment, /AppRoleAssignmentRequired/],
  ['LA001', 'a deny test that is admitted', 'logic-apps-oauth', (j) => (senderCall(j)['//'].logicAppsOauth.expectedRefusal = 'must be refused'), /declared a deny test \(must be refused\) but "la-oauth-receive" admits it \(policy allow-la-oauth-send\)/],
  ['LA001', 'receiver policy expects another aud', 'logic-apps-oauth', (j) => (policy(j).claim[1].value = 'api://another-app'), /aud must be "api:\/\/another-app", the token carries "api:\/\/\{client id of la-oauth-logic-apps-audience\}"/],
  ['LA001', 'requested audience with a trailing "/" (exact comparison)', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.authentication.audience += '/')), /aud must be "api:\/\/\{client id of la-oauth-logic-apps-audience\}", the token carries "api:\/\/\{client id of la-oauth-logic-apps-audience\}\/"/],
  ['LA001', 'issuer form of v2 for a v1 app', 'logic-apps-oauth', (j) => (policy(j).claim[0].value = policy(j).claim[0].value.replace('https://sts.windows.net/', 'https://login.microsoftonline.com/').replace(/\/$/, '/v2.0')), /iss must be "https:\/\/login\.microsoftonline\.com\/\{tenant id of provider azuread\}\/v2\.0", the token carries "https:\/\/sts\.windows\.net\/\{tenant id of provider azuread\}\/"/],
  ['LA001', 'app switched to v2 tokens, policy still v1', 'logic-apps-oauth', (j) => (res(j, 'azuread_application').api.requested_access_token_version = 2)],
  ['LA001', 'no audience given (Logic Apps then asks for Azure Resource Manager)', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => delete d.inputs.authentication.audience), /Logic Apps requests https:\/\/management/],
  ['LA001', 'global policy validates another audience', 'apim-managed-identity', (j) => moveValidationToGlobal(j, (xml) => xml.replace(/<audience>[^<]*<\/audience>/, '<audience>api://other</audience>')), /global policy validate-azure-ad-token: aud must be "api:\/\/other"/],
  ['LA001', 'APIM audiences do not hold the requested audience', 'apim-managed-identity', (j) => (apiPolicy(j).xml_content = apiPolicy(j).xml_content.replace(/<audience>[^<]*<\/audience>/, '<audience>api://other</audience>'))],
  ['LA002', 'call URI with sig=', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.uri += '&sig=abc')), /DirectApiRequestHasMoreThanOneAuthorization/],
  ['LA002', 'call URI from callback_url', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.uri = '${azurerm_logic_app_trigger_http_request.t.callback_url}'))],
  ['LA003', 'literal password in a body', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.body.password = 'hunter2'))],
  ['LA003', 'PEM in a body', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.body.key = '-----BEGIN PRIVATE KEY-----\nabc'))],
  ['LA003', 'reference to a Key Vault secret value', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.body.v = '${azurerm_key_vault_secret.s.value}'))],
  ['LA004', 'audience no app issues', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => (d.inputs.authentication.audience = 'api://not-in-this-tenant')), /AADSTS500011/],
  ['LA005', 'caller without identity', 'logic-apps-oauth', (j) => delete res(j, 'azurerm_logic_app_workflow', 'Sender').identity],
  ['LA005', 'managed identity for an app in another tenant', 'apim-cross-tenant', (j) => editBody(res(j, 'azurerm_logic_app_action_custom', 'Call-1'), (d) => (d.inputs.authentication = { type: 'ManagedServiceIdentity', audience: d.inputs.authentication.audience }))],
  ['LA006', 'empty trigger IP list', 'logic-apps-oauth', (j) => (receiver(j).access_control.trigger.allowed_caller_ip_address_range = []), /only other Logic Apps/],
  ['LA006', 'no trigger IP list at all', 'logic-apps-oauth', (j) => delete receiver(j).access_control.trigger.allowed_caller_ip_address_range],
  ['LA007', 'six policies', 'logic-apps-oauth', (j) => { const t = receiver(j).access_control.trigger; t.open_authentication_policy = Array.from({ length: 6 }, (_, i) => ({ ...t.open_authentication_policy[0], name: `p${i}` })); }],
  ['LA008', 'eleven claims', 'logic-apps-oauth', (j) => { const p = policy(j); for (let i = 0; i < 8; i++) p.claim.push({ name: `c${i}`, value: 'x' }); }],
  ['LA009', 'claim value of 151 characters', 'logic-apps-oauth', (j) => policy(j).claim.push({ name: 'appid', value: 'x'.repeat(151) }), /151 characters/],
  ['LA010', 'policy without iss', 'logic-apps-oauth', (j) => policy(j).claim.shift()],
  ['LA010', 'issuer outside the accepted prefixes', 'logic-apps-oauth', (j) => (policy(j).claim[0].value = 'https://evil.example/tenant/')],
  ['LA010', 'issuer outside the prefixes, with the tenant as a reference (shown in words)', 'logic-apps-oauth', (j) => (policy(j).claim[0].value = policy(j).claim[0].value.replace('https://sts.windows.net/', 'https://evil.example/')), /has iss "https:\/\/evil\.example\/\{tenant id of provider azuread\}\/"/],
  ['LA011', 'bare address in run-history ranges', 'logic-apps-oauth', (j) => (receiver(j).access_control.content.allowed_caller_ip_address_range = ['10.0.0.1']), /10\.0\.0\.1\/32/],
  ['LA011', 'reversed range in trigger ranges', 'logic-apps-oauth', (j) => (receiver(j).access_control.trigger.allowed_caller_ip_address_range = ['10.0.0.9-10.0.0.1'])],
  ['LA011', 'bare address inside distinct(concat(...))', 'logic-apps-oauth', (j) => appendToTriggerExpression(j, '10.1.2.3'), /"10\.1\.2\.3" \(inside a Terraform expression\).*10\.1\.2\.3\/32/],
  ['LA011', 'reversed range inside distinct(concat(...))', 'logic-apps-oauth', (j) => appendToTriggerExpression(j, '10.0.0.9-10.0.0.1'), /start must not be above its end/],
  ['LA012', 'workflow name with a space', 'logic-apps-oauth', (j) => (receiver(j).name = 'bad name')],
  ['LA013', 'Key Vault read without secure outputs', 'apim-cross-tenant', (j) => editBody(res(j, 'azurerm_logic_app_action_custom', 'Read-Certificate'), (d) => delete d.runtimeConfiguration), /reads a Key Vault secret/],
  ['LA013', 'certificate call without secure inputs', 'apim-cross-tenant', (j) => editBody(res(j, 'azurerm_logic_app_action_custom', 'Call-1'), (d) => (d.runtimeConfiguration.secureData.properties = ['outputs'])), /certificate/],
  ['LA013', 'trigger with authorization headers, no secure outputs', 'logic-apps-oauth', (j) => editBody(res(j, 'azurerm_logic_app_trigger_custom'), (d) => delete d.runtimeConfiguration)],
  ['LA013', 'Authorization header without secure inputs', 'logic-apps-oauth', (j) => editBody(senderCall(j), (d) => { d.inputs.headers.Authorization = "@{body('Get')}"; delete d.runtimeConfiguration; })],
  ['LA014', 'vault without RBAC', 'apim-cross-tenant', (j) => (res(j, 'azurerm_key_vault').rbac_authorization_enabled = false)],
  ['LA015', 'vault without purge protection', 'apim-cross-tenant', (j) => delete res(j, 'azurerm_key_vault').purge_protection_enabled],
  ['LA016', 'secrets role on the whole vault', 'apim-cross-tenant', (j) => (res(j, 'azurerm_role_assignment', 'SecretRead').scope = '${azurerm_key_vault.KeyVault_EBBC7C6F.id}'), /wider than one secret/],
  ['LA016', 'secrets role on the certificate id', 'apim-cross-tenant', (j) => (res(j, 'azurerm_role_assignment', 'SecretRead').scope = '${azurerm_key_vault_certificate.Certificate_4E7ABB08.resource_manager_versionless_id}'), /\/certificates\//],
  ['LA017', 'API allows http', 'apim-managed-identity', (j) => (res(j, 'azurerm_api_management_api').protocols = ['http', 'https'])],
  ['LA018', 'API without policy', 'apim-managed-identity', (j) => delete j.resource.azurerm_api_management_api_policy],
  ['LA018', 'API policy without token validation', 'apim-cross-tenant', (j) => (apiPolicy(j).xml_content = '<policies><inbound><base /></inbound></policies>')],
  ['LA019', 'no pinned client ids', 'apim-managed-identity', (j) => (apiPolicy(j).xml_content = apiPolicy(j).xml_content.replace(/<client-application-ids>[\s\S]*<\/client-application-ids>/, ''))],
  ['LA019', 'no audiences', 'apim-cross-tenant', (j) => (apiPolicy(j).xml_content = apiPolicy(j).xml_content.replace(/<audiences>[\s\S]*<\/audiences>/, ''))],
  ['LA019', 'validate-jwt without a client claim', 'apim-managed-identity', (j) => (apiPolicy(j).xml_content = '<policies><inbound><validate-jwt header-name="Authorization"><openid-config url="https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration" /><audiences><audience>x</audience></audiences></validate-jwt></inbound></policies>')],
  ['LA020', 'audience without assignment required', 'logic-apps-oauth', (j) => (res(j, 'azuread_service_principal').app_role_assignment_required = false)],
  ['LA020', 'APIM audience without assignment required', 'apim-managed-identity', (j) => delete res(j, 'azuread_service_principal').app_role_assignment_required],
  ['LA021', 'callback URL output not sensitive', 'logic-apps-oauth', (j) => (j.output.leak = { value: '${azurerm_logic_app_trigger_http_request.t.callback_url}' })],
  ['LA022', 'Request trigger without Bearer-only condition', 'logic-apps-oauth', (j) => editBody(res(j, 'azurerm_logic_app_trigger_custom'), (d) => delete d.conditions)],
  ['LA023', 'run history open on a token caller', 'logic-apps-oauth', (j) => delete res(j, 'azurerm_logic_app_workflow', 'Sender').access_control],
  ['LA024', '0.0.0.0/0 on the token-protected trigger', 'logic-apps-oauth', (j) => appendToTriggerExpression(j, '0.0.0.0/0'), /admits "0\.0\.0\.0\/0"/],
  ['LA024', '0.0.0.0-255.255.255.255 on run history', 'apim-managed-identity', (j) => (res(j, 'azurerm_logic_app_workflow').access_control.content.allowed_caller_ip_address_range = ['0.0.0.0-255.255.255.255']), /run history is open/],
  ['LA024', '::/0 on run history', 'logic-apps-oauth', (j) => (receiver(j).access_control.content.allowed_caller_ip_address_range = ['::/0'])],
  ['LA024', '0.0.0.0/1 + 128.0.0.0/1 (every address in two parts) inside the trigger expression', 'logic-apps-oauth', (j) => { appendToTriggerExpression(j, '0.0.0.0/1'); appendToTriggerExpression(j, '128.0.0.0/1'); }, /admits every address with "0\.0\.0\.0\/1" \+ "128\.0\.0\.0\/1" together/],
  ['LA024', 'two a-b halves on run history', 'apim-managed-identity', (j) => (res(j, 'azurerm_logic_app_workflow').access_control.content.allowed_caller_ip_address_range = ['128.0.0.0-255.255.255.255', '10.0.0.0/8', '0.0.0.0-127.255.255.255'])],
  ['LA025', 'an 81-character action name', 'logic-apps-oauth', (j) => (res(j, 'azurerm_logic_app_action_custom', 'Sender').name = 'a'.repeat(81)), /is 81 characters; Logic Apps allows 80/],
  ['LA024', '::/1 + 8000::/1 on run history', 'logic-apps-oauth', (j) => (receiver(j).access_control.content.allowed_caller_ip_address_range = ['::/1', '8000::/1'])],
];

describe.each(VIOLATIONS)('%s: %s', (id, _label, stack, mutate, message) => {
  test('fires, with a one-line message naming the fix', () => {
    const json = fixture(stack);
    mutate(json);
    const found = findings(stack, json).filter((f) => f.ruleId === id && f.suppressed === undefined);
    expect(found.length).toBeGreaterThan(0);
    const rule = RULES.find((r) => r.id === id)!;
    for (const f of found) {
      expect(f.severity).toBe(rule.severity);
      expect(f.stack).toBe(stack);
      expect(f.message).not.toMatch(/\n/);
      expect(f.message).not.toContain('${'); // values in words (model/describe.ts), never raw Terraform
      expect(f.message).toMatch(/; /);
      expect(formatFinding(f).startsWith(`${id} ${f.path}: `)).toBe(true);
      if (message) expect(found.map((x) => x.message).join('\n')).toMatch(message);
    }
  });
});

// One violation per kind of check (calls, IP lists, policies, APIs, Key Vault), each on its own copy.
const DETERMINISM_LABELS = ['sender without the app role', 'bare address inside distinct(concat(...))', 'six policies', 'global policy validates another audience', 'secrets role on the whole vault'];

test('every rule has at least one violating fixture', () => {
  expect(VIOLATIONS.filter(([, label]) => DETERMINISM_LABELS.includes(label))).toHaveLength(DETERMINISM_LABELS.length);
  expect([...new Set(VIOLATIONS.map(([id]) => id))].sort()).toEqual(RULES.map((r) => r.id).sort());
});

describe('passing variants', () => {
  const open = (stack: Stack, json: any, id: string) => findings(stack, json).filter((f) => f.ruleId === id && f.suppressed === undefined);

  test('LA001: a sender that is not allowed is refused by app role, not reported as an audience mismatch', () => {
    const app = buildApp(parseConfig(withDefaults((c) => {
      c.logicAppsOauth.workflows.push({ name: 'intruder' });
      c.logicAppsOauth.calls.push({ from: 'intruder', to: 'receive', allowed: false });
    })), { outdir: IN_MEMORY });
    const { findings: all } = evaluateApp(app);
    expect(blockingFindings(all)).toEqual([]);
  });
  test('LA001/LA018: token validation moved to the global policy is still enforced and still admits the caller', () => {
    const json = fixture('apim-managed-identity');
    moveValidationToGlobal(json);
    expect(apiPolicy(json).xml_content).not.toContain('validate-azure-ad-token');
    expect(blockingFindings(findings('apim-managed-identity', json))).toEqual([]);
  });
  test('LA018: a global validation does not count when the API policy does not inherit it (no <base />)', () => {
    const json = fixture('apim-managed-identity');
    moveValidationToGlobal(json);
    apiPolicy(json).xml_content = apiPolicy(json).xml_content.replace(/<inbound>\s*<base \/>/, '<inbound>');
    expect(findings('apim-managed-identity', json).map((f) => f.ruleId)).toContain('LA018');
  });
  test('LA004: an audience declared external is fine', () => {
    const json = fixture('logic-apps-oauth');
    const call = senderCall(json);
    editBody(call, (d) => (d.inputs.authentication.audience = 'api://issued-elsewhere'));
    call['//'].logicAppsOauth = { externalAudience: { audience: 'api://issued-elsewhere', reason: 'partner API' } };
    expect(open('logic-apps-oauth', json, 'LA004')).toEqual([]);
  });
  test('LA016: a scope of one secret through azurerm_key_vault_secret is fine', () => {
    const json = fixture('apim-cross-tenant');
    res(json, 'azurerm_role_assignment', 'SecretRead').scope = '${azurerm_key_vault_secret.s.resource_manager_versionless_id}';
    expect(open('apim-cross-tenant', json, 'LA016')).toEqual([]);
  });
  test('LA019: validate-jwt pinning azp and an audience is fine', () => {
    const json = fixture('apim-managed-identity');
    apiPolicy(json).xml_content =
      '<policies><inbound><validate-jwt header-name="Authorization"><audiences><audience>api://${azuread_application.Audience_942C5C42.client_id}</audience></audiences>' +
      '<required-claims><claim name="azp"><value>abc</value></claim></required-claims></validate-jwt></inbound></policies>';
    expect(open('apim-managed-identity', json, 'LA018')).toEqual([]);
    expect(open('apim-managed-identity', json, 'LA019')).toEqual([]);
  });
  test('LA021: a sensitive output may carry a secret', () => {
    const json = fixture('logic-apps-oauth');
    json.output.leak = { value: '${azurerm_logic_app_trigger_http_request.t.callback_url}', sensitive: true };
    expect(open('logic-apps-oauth', json, 'LA021')).toEqual([]);
  });
  test.each(VIOLATIONS.filter(([, label]) => DETERMINISM_LABELS.includes(label)).map(([id, label, stack, mutate]) => [`${id} ${label}`, stack, mutate] as const))('runRules is deterministic: %s', (_label, stack, mutate) => {
    const json = fixture(stack);
    mutate(json);
    expect(findings(stack, json)).toEqual(findings(stack, JSON.parse(JSON.stringify(json))));
  });
});

// ---- real synth of construct-level fixtures ----

class RawStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    new AzureadProvider(this, 'azuread', {});
  }
}

const wf = { resourceGroupName: 'rg', location: 'westeurope' };

function synthFixture(build: (stack: RawStack) => void, second?: (stack: RawStack) => void) {
  const outdir = mkdtempSync(join(tmpdir(), 'la-oauth-rules-'));
  const app = new App({ outdir });
  if (second) second(new RawStack(app, 'first'));
  build(new RawStack(app, 'fixture'));
  attachRules(app);
  const lines: string[] = [];
  setRuleOutput((line) => lines.push(line));
  let error: unknown;
  try {
    app.synth();
  } catch (err) {
    error = err;
  } finally {
    setRuleOutput(() => undefined);
  }
  const written = existsSync(join(outdir, 'stacks')) ? readdirSync(join(outdir, 'stacks')) : [];
  rmSync(outdir, { recursive: true, force: true });
  return { error, lines, written };
}

function senderToReceiver(stack: RawStack, options: { audience?: ExternalAudience; allow?: boolean; extraTriggerIpRanges?: string[] } = {}) {
  const aud = new Audience(stack, 'Audience', { displayName: 'aud' });
  const receiverWf = new ReceiverWorkflow(stack, 'Receiver', { ...wf, name: 'receive', audience: aud, extraTriggerIpRanges: options.extraTriggerIpRanges });
  const sender = new CallerWorkflow(stack, 'Sender', { ...wf, name: 'send' });
  const call = sender.call(receiverWf, { audience: options.audience });
  if (options.allow !== false) receiverWf.allowCaller(sender);
  return { call, sender, receiverWf };
}

describe('synth of construct-level fixtures', () => {
  test.each([
    ['LA001', (s: RawStack) => senderToReceiver(s, { allow: false })],
    ['LA006', (s: RawStack) => senderToReceiver(s, { allow: false })],
    // A bare address or a reversed range in ReceiverWorkflow's extraTriggerIpRanges never reaches the rule:
    // the construct refuses it in its constructor (parity-constructs.test.ts). LA011 still sees such
    // literals inside distinct(concat(...)) of raw JSON (the JSON-level cases above).
    ['LA024', (s: RawStack) => senderToReceiver(s, { extraTriggerIpRanges: ['0.0.0.0/0'] })],
    ['LA011', (s: RawStack) => new LogicAppWorkflow(s, 'Wf', { ...wf, name: 'wf', accessControl: { content: { allowedCallerIpAddressRange: ['10.0.0.1'] } } })],
    ['LA012', (s: RawStack) => new LogicAppWorkflow(s, 'Wf', { ...wf, name: 'no spaces allowed' })],
    // An action a construct user adds beside (not under) the workflow construct: only the rule sees it.
    ['LA025', (s: RawStack) => {
      const { sender } = senderToReceiver(s);
      new LogicAppActionCustom(s, 'Long', { name: 'x'.repeat(81), logicAppId: sender.resource.id, body: JSON.stringify({ type: 'Compose', inputs: 'x', runAfter: {} }) });
    }],
    ['LA014', (s: RawStack) => new KeyVault(s, 'Kv', { ...wf, name: 'kv', tenantId: 't', skuName: 'standard', purgeProtectionEnabled: true })],
    ['LA017', (s: RawStack) => new ApiManagementApi(s, 'Api', { ...wf, name: 'api', apiManagementName: 'apim', revision: '1', protocols: ['http'] })],
    ['LA015', (s: RawStack) => new KeyVault(s, 'Kv', { ...wf, name: 'kv', tenantId: 't', skuName: 'standard', rbacAuthorizationEnabled: true })],
    ['LA016', (s: RawStack) => {
      const kv = new KeyVault(s, 'Kv', { ...wf, name: 'kv', tenantId: 't', skuName: 'standard', rbacAuthorizationEnabled: true, purgeProtectionEnabled: true });
      new RoleAssignment(s, 'Read', { scope: kv.id, roleDefinitionName: 'Key Vault Secrets User', principalId: 'p' });
    }],
    ['LA002', (s: RawStack) => {
      const { sender, receiverWf } = senderToReceiver(s);
      const sas = new LogicAppTriggerHttpRequest(s, 'SasTrigger', { name: 'sas', logicAppId: receiverWf.resource.id, schema: '{}' });
      new LogicAppActionCustom(s, 'SasCall', {
        name: 'sas_call',
        logicAppId: sender.resource.id,
        body: JSON.stringify({ type: 'Http', inputs: { method: 'POST', uri: sas.callbackUrl }, runAfter: {} }),
      });
    }],
    ['LA021', (s: RawStack) => {
      const { receiverWf } = senderToReceiver(s);
      const sas = new LogicAppTriggerHttpRequest(s, 'SasTrigger', { name: 'sas', logicAppId: receiverWf.resource.id, schema: '{}' });
      new TerraformOutput(s, 'sas-url', { value: sas.callbackUrl });
    }],
  ] as const)('%s fails synth, with that id, writing nothing', (id, build) => {
    const { error, written } = synthFixture(build as (s: RawStack) => void);
    expect(error).toBeInstanceOf(RuleError);
    const message = (error as Error).message;
    expect(message.split('\n')[0]).toMatch(/^rule check failed: \d+ errors?; nothing was written/);
    expect(message).toMatch(new RegExp(`^error ${id} fixture/`, 'm'));
    expect(message.split('\n').slice(1).every((line) => /^error LA\d{3} \S+: .+; .+/.test(line))).toBe(true);
    expect(written).toEqual([]);
  });

  test('a violation in the second stack leaves the first unwritten too (no partial output)', () => {
    const { error, written } = synthFixture(
      (s) => new LogicAppWorkflow(s, 'Wf', { ...wf, name: 'bad name' }),
      (s) => new LogicAppWorkflow(s, 'Ok', { ...wf, name: 'ok' }),
    );
    expect(error).toBeInstanceOf(RuleError);
    expect(written).toEqual([]);
  });

  test('suppressRule with a reason lets synth pass and prints the reason', () => {
    const { error, lines, written } = synthFixture((s) => {
      const { receiverWf } = senderToReceiver(s);
      const other = new CallerWorkflow(s, 'Other', { ...wf, name: 'other' });
      suppressRule(other.call(receiverWf), 'LA001', 'probe: must be refused');
    });
    expect(error).toBeUndefined();
    expect(written).toEqual(['fixture']);
    expect(lines).toEqual([expect.stringMatching(/^suppressed LA001 fixture\/Other\/Call-1: .*AppRoleAssignmentRequired.*\[suppressed: probe: must be refused\]$/)]);
  });

  test('warnings print and do not fail synth', () => {
    const { error, lines, written } = synthFixture((s) => {
      const { receiverWf } = senderToReceiver(s);
      new LogicAppTriggerHttpRequest(s, 'SasTrigger', { name: 'sas', logicAppId: receiverWf.resource.id, schema: '{}' });
    });
    expect(error).toBeUndefined();
    expect(written).toEqual(['fixture']);
    expect(lines).toEqual([expect.stringMatching(/^warning LA022 fixture\/SasTrigger: /)]);
  });

  test('the stack validation applies the same rules outside app.synth (Testing.synth(stack, true) path)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'la-oauth-rules-')) });
    const stack = new RawStack(app, 'fixture');
    new LogicAppWorkflow(stack, 'Wf', { ...wf, name: 'bad name' });
    attachRules(app);
    stack.prepareStack();
    expect(() => stack.runAllValidations()).toThrow(/LA012 fixture\/Wf\/Wf|LA012 fixture\/Wf/);
    rmSync(app.outdir, { recursive: true, force: true });
  });
});

describe('suppressRule', () => {
  test('needs a known id and a written reason', () => {
    const app = new App({ outdir: IN_MEMORY });
    const stack = new RawStack(app, 's');
    const w = new LogicAppWorkflow(stack, 'Wf', { ...wf, name: 'wf' });
    expect(() => suppressRule(w, 'LA001', '  ')).toThrow(/needs a written reason/);
    expect(() => suppressRule(w, 'LA999', 'x')).toThrow(/unknown rule id "LA999"/);
    expect(() => suppressRule(new Construct(stack, 'Empty'), 'LA001', 'x')).toThrow(/holds no Terraform resource/);
  });

  test('appends: two rules on one resource keep both reasons', () => {
    const app = new App({ outdir: IN_MEMORY });
    const stack = new RawStack(app, 's');
    const w = new LogicAppWorkflow(stack, 'Wf', { ...wf, name: 'bad name' });
    suppressRule(w, 'LA012', 'legacy name, imported');
    suppressRule(w, 'LA023', 'no secrets here');
    stack.prepareStack();
    const json = stack.toTerraform() as any;
    expect(json.resource.azurerm_logic_app_workflow.Wf['//'].logicAppsOauth.suppressions).toEqual([
      { id: 'LA012', reason: 'legacy name, imported' },
      { id: 'LA023', reason: 'no secrets here' },
    ]);
    expect(blockingFindings(runRules(buildStackModel({ name: 's', json })))).toEqual([]);
  });
});

describe('main.ts error handling', () => {
  test('a rule error prints its lines and exits 1, without a stack trace', () => {
    const printed: string[] = [];
    const output = { stdout: () => undefined, stderr: (m: unknown) => void printed.push(String(m)) };
    const err = new RuleError([{ ruleId: 'LA012', severity: 'error', stack: 's', path: 's/Wf', address: 'a', message: 'bad; fix' }]);
    expect(knownErrorExitCode(err, output)).toBe(1);
    expect(printed).toEqual([err.message]);
    expect(printed[0]).not.toMatch(/\n\s+at /);
    expect(printed[0].split('\n')[1]).toBe('error LA012 s/Wf: bad; fix');
  });
});

test.each(['README.md', 'docs/rules.md'])('%s holds the rule table generated from the pack (npm run docs)', (file) => {
  const doc = readFileSync(join(__dirname, '..', file), 'utf8');
  expect(withRuleTable(doc)).toBe(doc);
  for (const rule of RULES) expect(doc).toMatch(new RegExp(`^\\| ${rule.id} \\| ${rule.severity} \\|`, 'm'));
});

test('the example finding of docs/rules.md is what the rule prints for it (a changed message fails here)', () => {
  const json = fixture('logic-apps-oauth');
  receiver(json).access_control.trigger.allowed_caller_ip_address_range = [];
  const [finding] = findings('logic-apps-oauth', json).filter((f) => f.ruleId === 'LA006');
  const doc = readFileSync(join(__dirname, '..', 'docs', 'rules.md'), 'utf8');
  const example = /```\n(error LA\d{3} [^\n]+)\n```/.exec(doc);
  expect(example?.[1]).toBe(`error ${formatFinding(finding)}`);
});

test('the rule pack holds exactly the public rule ids, in order, one file per rule', () => {
  expect(RULES.map((r) => r.id)).toEqual([...RULE_IDS]);
  const files = readdirSync(join(__dirname, '..', 'rules', 'pack')).filter((f) => f !== 'index.ts');
  expect(files).toHaveLength(RULES.length);
});

