// Every workflow that handles tokens or secrets (a receiver with policies, a caller that sends tokens, a
// Key Vault reader) has its run history restricted to exactly the configured ranges: the values are
// written out here, so widening one workflow's run history (say to 0.0.0.0/0) fails this test, and the
// rules (LA023, LA024) and the report say so too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../config/default';
import { buildStackModel, handlesTokensOrSecrets } from '../model/stack-model';
import { runRules } from '../rules/engine';
import { renderReport } from '../tools/report/render';
import { resourceOf } from './support/stack-variants';
import { synthApp } from './support/synth';

const BLOCKED = ['0.0.0.0-0.0.0.0'];
const production = JSON.parse(readFileSync(join(__dirname, '..', 'config', 'examples', 'production.json'), 'utf8'));

describe.each([
  ['default', DEFAULT_CONFIG, BLOCKED],
  ['production example', production, production.logicAppsOauth?.runHistoryIpRanges ?? BLOCKED],
])('%s config', (_name, raw, expected) => {
  const output = synthApp(raw);
  test.each(Object.keys(output.json).sort())('%s: every token- or secret-handling workflow has its run history restricted', (stack) => {
    // Read from the JSON as written, not through the model: every workflow of our stacks sends or
    // receives a token (or reads a secret), so every one must be restricted; and the model must count
    // every one of them as token- or secret-handling (else LA023/LA024 and the report would skip it).
    const raw = Object.values(output.json[stack].resource?.azurerm_logic_app_workflow ?? {}) as any[];
    expect(raw.length).toBeGreaterThan(0);
    for (const wf of raw) expect([wf.name, wf.access_control?.content?.allowed_caller_ip_address_range]).toEqual([wf.name, expected]);
    const model = buildStackModel({ name: stack, json: output.json[stack] });
    expect(model.workflows.filter(handlesTokensOrSecrets).map((wf) => wf.workflowName).sort()).toEqual(raw.map((wf) => wf.name).sort());
  });
});

test('opening the API caller\'s run history to 0.0.0.0/0 is an LA024 error and a "Needs attention" line', () => {
  const json = synthApp(DEFAULT_CONFIG).json['apim-managed-identity'];
  resourceOf(json, 'azurerm_logic_app_workflow', 'Caller').access_control.content.allowed_caller_ip_address_range = ['0.0.0.0/0'];
  const model = buildStackModel({ name: 'apim-managed-identity', json });
  expect(model.workflows.filter(handlesTokensOrSecrets).map((wf) => wf.contentIpRanges)).toEqual([['0.0.0.0/0']]);
  const findings = runRules(model).map((f) => `${f.ruleId} ${f.suppressed ?? 'open'}`);
  expect(findings).toEqual(['LA024 open']);
  const report = renderReport([{ name: 'apim-managed-identity', json }], { rules: null });
  expect(report).toContain('- la-oauth-apim-caller handles tokens or secrets but its run history admits every address (0.0.0.0/0)');
});

test('run history split into parts that add up to every address (0.0.0.0/1 + 128.0.0.0/1) is the same LA024 error and "Needs attention" line', () => {
  const json = synthApp(DEFAULT_CONFIG).json['apim-managed-identity'];
  resourceOf(json, 'azurerm_logic_app_workflow', 'Caller').access_control.content.allowed_caller_ip_address_range = ['0.0.0.0/1', '128.0.0.0/1'];
  const model = buildStackModel({ name: 'apim-managed-identity', json });
  expect(runRules(model).map((f) => `${f.ruleId} ${f.suppressed ?? 'open'}`)).toEqual(['LA024 open']);
  const report = renderReport([{ name: 'apim-managed-identity', json }], { rules: null });
  expect(report).toContain('- la-oauth-apim-caller handles tokens or secrets but its run history admits every address (0.0.0.0/1, 128.0.0.0/1)');
  expect(report).not.toContain('Nothing needs attention');
});

test('an open run-history range is an error on each workflow; suppressed with a reason on one, only the others stay errors', () => {
  const json = synthApp(DEFAULT_CONFIG).json['logic-apps-oauth'];
  for (const wf of Object.values(json.resource!.azurerm_logic_app_workflow) as any[]) wf.access_control.content.allowed_caller_ip_address_range = ['::/0'];
  const receiver = resourceOf(json, 'azurerm_logic_app_workflow', 'Receiver');
  receiver['//'].logicAppsOauth = { suppressions: [{ id: 'LA024', reason: 'support reads runs from anywhere during the pilot' }] };
  const model = buildStackModel({ name: 'logic-apps-oauth', json });
  const la024 = runRules(model).filter((f) => f.ruleId === 'LA024');
  expect(la024.map((f) => [f.path, f.suppressed])).toEqual([
    ['logic-apps-oauth/Receiver-receive/Resource', 'support reads runs from anywhere during the pilot'],
    ['logic-apps-oauth/Sender-send/Resource', undefined],
    // the probe sends a token too
    ['logic-apps-oauth/Probe-receive/Resource', undefined],
  ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
});
