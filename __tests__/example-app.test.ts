// The example app outside stacks/ (examples/calls) uses only the constructs' public entry, synthesizes,
// and passes the project's rules, which predict every call it makes as admitted.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { App } from 'cdktf';
import { buildExample } from '../examples/calls/app';
import { evaluateApp } from '../rules/guard';
import { blockingFindings, formatFinding } from '../rules/engine';
import * as entry from '../constructs';
import type { ReceiverWorkflowProps, WorkflowProps } from '../constructs';

const DIR = join(__dirname, '..', 'examples', 'calls');
const { stacks, findings } = evaluateApp(buildExample(new App({ outdir: join(tmpdir(), 'la-oauth-example') })));
const json = stacks.get('orders')!;
type Json = Record<string, any>;
const resources = (type: string): Json[] => Object.values((json.resource?.[type] ?? {}) as Record<string, Json>);

test('imports nothing of this repository but the public entry (constructs/index.ts)', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const imports = [...readFileSync(join(DIR, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    const ours = imports.filter((i) => i.startsWith('.') && !i.startsWith('./'));
    expect({ file, ours }).toEqual({ file, ours: ours.filter((i) => i === '../../constructs') });
  }
});

test('the public entry exports the constructs and the call target it documents', () => {
  for (const name of ['Audience', 'ReceiverWorkflow', 'CallerWorkflow', 'EntraProtectedApi', 'ApiGateway', 'CertificateVault', 'VaultCertificate', 'CertificateClientApp', 'ExternalAudience']) {
    expect(typeof (entry as Record<string, unknown>)[name]).toBe('function');
  }
  // Renamed: the old names are gone from the entry.
  for (const old of ['SenderWorkflow', 'ClientCertificate', 'CertificateClient']) expect((entry as Record<string, unknown>)[old]).toBeUndefined();
});

test('synthesizes, and the rules find nothing to block', () => {
  expect(blockingFindings(findings).map(formatFinding)).toEqual([]);
  expect(findings.filter((f) => f.suppressed === undefined).map(formatFinding)).toEqual([]);
});

test('one call(target) for a receiver and an API: two actions, each with a token for its target\'s audience', () => {
  const actions = resources('azurerm_logic_app_action_custom').filter((a) => a.name.startsWith('Call_'));
  expect(actions.map((a) => a.name).sort()).toEqual(['Call_1', 'Call_2']);
  const bodies = actions.map((a) => JSON.parse(a.body));
  const receiverCall = bodies.find((b) => b.inputs.uri.includes('/triggers/manual/paths/invoke'))!;
  const apiCall = bodies.find((b) => b.inputs.uri.endsWith('/stock/reserve'))!;
  expect(receiverCall.inputs.authentication).toEqual({ type: 'ManagedServiceIdentity', audience: expect.stringMatching(/^api:\/\/\$\{azuread_application\.OrdersAudience_[0-9A-F]+\.client_id\}$/) });
  expect(apiCall.inputs.authentication).toEqual({ type: 'ManagedServiceIdentity', audience: expect.stringMatching(/^api:\/\/\$\{azuread_application\.StockAudience_[0-9A-F]+\.client_id\}$/) });
});

test('both targets admit the caller: one trigger policy pinned to its oid, one API client id, two app role grants', () => {
  const [receiver] = resources('azurerm_logic_app_workflow').filter((w) => w.access_control?.trigger);
  const policies = receiver.access_control.trigger.open_authentication_policy;
  expect(policies).toHaveLength(1);
  expect(policies[0].claim.find((c: Json) => c.name === 'oid').value).toMatch(/^\$\{azurerm_logic_app_workflow\.Shop_[0-9A-F]+\.identity\[0\]\.principal_id\}$/);
  expect(resources('azuread_app_role_assignment')).toHaveLength(2);
  expect(resources('azurerm_api_management_api_policy')[0].xml_content).toContain('<application-id>${data.azuread_service_principal.Stock_Caller-Shop_');
});

test('the entry\'s header names files that exist (its example and docs)', () => {
  const header = readFileSync(join(__dirname, '..', 'constructs', 'index.ts'), 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n');
  const paths = [...header.matchAll(/\b((?:examples|docs)\/[\w./-]+\.(?:ts|md)|README\.md)\b/g)].map((m) => m[1]);
  expect(paths).toContain('examples/calls/app.ts');
  for (const path of paths) expect({ path, exists: existsSync(join(__dirname, '..', path)) }).toEqual({ path, exists: true });
});

test('props are read-only all the way down: readonly arrays and maps are accepted (type-checked)', () => {
  const ranges: readonly string[] = ['203.0.113.0/24'];
  const tags: Readonly<Record<string, string>> = { env: 'test' };
  const props: Pick<ReceiverWorkflowProps, 'extraTriggerIpRanges'> & Pick<WorkflowProps, 'runHistoryIpRanges' | 'tags'> = {
    extraTriggerIpRanges: ranges,
    runHistoryIpRanges: ranges,
    tags,
  };
  expect(props.extraTriggerIpRanges).toBe(ranges);
});
