import { Lazy } from 'cdktf';
import { StackModel, TfJson } from '../model/stack-model';
import { appForAudience } from '../model/entra';
import { LOGIC_APPS_OAUTH_STACK } from '../stacks/logic-apps-oauth-stack';
import { ownValues, TWO_SENDERS_V2, withDefaults } from './support/config';
import { modelOf, synthApp, synthAppFresh, SynthOutput } from './support/synth';

const STACK = LOGIC_APPS_OAUTH_STACK;


let defaults: SynthOutput;
let v2: SynthOutput;
beforeAll(() => {
  defaults = synthApp();
  v2 = synthApp(TWO_SENDERS_V2);
});

function resources(json: TfJson, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

function workflowByName(model: StackModel, name: string) {
  const wf = model.workflows.find((w) => w.workflowName === name);
  if (!wf) throw new Error(`no workflow ${name}`);
  return wf;
}

describe('snapshots', () => {
  test('default config', () => {
    expect(defaults.files[STACK]).toMatchSnapshot();
  });
  test('token v2, two allowed senders and one refused', () => {
    expect(v2.files[STACK]).toMatchSnapshot();
  });
});

describe.each([
  ['default (v1)', () => defaults, 'la-oauth-receive', ['la-oauth-send'], 1],
  ['v2, two senders', () => v2, 'la-oauth-orders', ['la-oauth-billing', 'la-oauth-shipping'], 2],
] as const)('%s', (_label, output, receiverName, allowedNames, version) => {
  let model: StackModel;
  beforeAll(() => {
    model = modelOf(output(), STACK);
  });

  test("each sender's requested audience yields exactly the receiver's aud claim", () => {
    const receiver = workflowByName(model, receiverName);
    const audClaims = new Set(receiver.policies.map((p) => p.claims.find((c) => c.name === 'aud')?.value));
    expect(audClaims.size).toBe(1);
    const [aud] = [...audClaims];
    for (const call of model.calls.filter((c) => allowedNames.includes(c.caller.workflowName as never))) {
      expect(call.authType).toBe('ManagedServiceIdentity');
      const app = appForAudience(model, call.requestedAudience!);
      expect(app).toBeDefined();
      // v1: aud is the requested string; v2: aud is the app's client id.
      expect(version === 1 ? call.requestedAudience : app!.clientIdRef).toBe(aud);
    }
  });

  test('iss matches the token version of the audience app', () => {
    const receiver = workflowByName(model, receiverName);
    const app = model.apps[0];
    expect(app.tokenVersion).toBe(version);
    for (const policy of receiver.policies) {
      const iss = policy.claims.find((c) => c.name === 'iss')?.value;
      expect(iss).toMatch(
        version === 1
          ? /^https:\/\/sts\.windows\.net\/\$\{data\.azuread_client_config\.[^}]+\.tenant_id\}\/$/
          : /^https:\/\/login\.microsoftonline\.com\/\$\{data\.azuread_client_config\.[^}]+\.tenant_id\}\/v2\.0$/,
      );
    }
  });

  test('each allowed sender is pinned by oid, nobody else is', () => {
    const receiver = workflowByName(model, receiverName);
    const pinned = receiver.policies.map((p) => p.claims.find((c) => c.name === 'oid')?.value).sort();
    const expected = allowedNames.map((n) => `\${${workflowByName(model, n).principalIdRef}}`).sort();
    expect(pinned).toEqual(expected);
    for (const policy of receiver.policies) {
      expect(policy.claims.map((c) => c.name)).toEqual(['iss', 'aud', 'oid']);
    }
    for (const other of model.workflows.filter((w) => !allowedNames.includes(w.workflowName as never))) {
      expect(pinned).not.toContain(`\${${other.principalIdRef}}`);
    }
  });

  test("trigger IP list is non-empty and references each allowed sender's outbound addresses", () => {
    const receiver = workflowByName(model, receiverName);
    const ranges = receiver.triggerIpRanges;
    expect(typeof ranges).toBe('string');
    for (const name of allowedNames) {
      // "/32" only for bare addresses: a range entry of the outbound list stays as it is.
      const list = `${workflowByName(model, name).address}.workflow_outbound_ip_addresses`;
      expect(ranges).toContain(`[ for key, val in toset(${list}): length(regexall("[/-]", val)) > 0 ? val : format("%s/32", val)]`);
      expect(ranges).not.toContain('formatlist');
    }
    expect(receiver.contentIpRanges).toEqual(['0.0.0.0-0.0.0.0']);
  });

  test('assignment required, and one app-role assignment per allowed sender', () => {
    const sps = Object.values(resources(model.json, 'azuread_service_principal'));
    expect(sps).toHaveLength(1);
    expect(sps[0].app_role_assignment_required).toBe(true);
    const assignments = Object.values(resources(model.json, 'azuread_app_role_assignment'));
    expect(assignments.map((a) => a.principal_object_id).sort()).toEqual(
      allowedNames.map((n) => `\${${workflowByName(model, n).principalIdRef}}`).sort(),
    );
    const roleIds = model.apps[0].config.app_role.map((r: any) => r.id);
    for (const a of assignments) expect(roleIds).toContain(a.app_role_id);
  });

  test('the receiver trigger is Bearer-only with secure outputs', () => {
    const receiver = workflowByName(model, receiverName);
    expect(receiver.triggers).toHaveLength(1);
    const [trigger] = receiver.triggers;
    expect(trigger.type).toBe('azurerm_logic_app_trigger_custom');
    // Written out here, not taken from the constant the construct uses: a wrong constant must fail.
    expect(trigger.definition.conditions).toEqual([{ expression: "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer ')" }]);
    expect(trigger.bearerOnly).toBe(true);
    expect(trigger.includesAuthorizationHeaders).toBe(true);
    expect(trigger.secureData).toContain('outputs');
  });

  test('every call has secure inputs and outputs and targets the OAuth URL', () => {
    expect(model.calls.length).toBeGreaterThan(0);
    for (const call of model.calls) {
      expect(call.action.secureData).toEqual(['inputs', 'outputs']);
      expect(call.target.kind === 'workflow' && call.target.workflow.workflowName).toBe(receiverName);
      expect(call.targetFrom).toBe('annotation');
      expect(call.action.uri).toMatch(/\.access_endpoint\}\/triggers\/manual\/paths\/invoke\?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1\.0$/);
    }
  });
});

test('no SAS signature and no callback URL anywhere in any synthesized stack', () => {
  for (const output of [defaults, v2]) {
    for (const text of Object.values(output.files)) {
      expect(text).not.toMatch(/sig=/);
      expect(text).not.toMatch(/callback_url/);
    }
  }
});

test('the probe requests another audience, and is neither pinned nor granted', () => {
  const model = modelOf(defaults, STACK);
  const probe = workflowByName(model, 'la-oauth-receive-naughty');
  const call = model.calls.find((c) => c.caller === probe)!;
  expect(call.requestedAudience).toBe('https://management.azure.com/');
  expect(call.action.annotations.externalAudience?.audience).toBe('https://management.azure.com/');
  const receiver = workflowByName(model, 'la-oauth-receive');
  expect(receiver.policies.flatMap((p) => p.claims.map((c) => c.value))).not.toContain(`\${${probe.principalIdRef}}`);
  const assignments = Object.values(resources(model.json, 'azuread_app_role_assignment'));
  expect(assignments.map((a) => a.principal_object_id)).not.toContain(`\${${probe.principalIdRef}}`);
});

test('the app registration uses the identifier-uri resource and ignores identifier_uris drift', () => {
  const model = modelOf(defaults, STACK);
  const [app] = model.apps;
  expect(app.identifierUris).toEqual([`api://\${${app.address}.client_id}`]);
  expect(app.config.lifecycle.ignore_changes).toEqual(['identifier_uris']);
  expect(app.config.identifier_uris).toBeUndefined();
});

test('two synths of the same config are byte-identical', () => {
  // synthAppFresh: a new synth each, not the run's shared one.
  expect(synthAppFresh().files).toEqual(defaults.files);
  expect(synthAppFresh(TWO_SENDERS_V2).files).toEqual(v2.files);
});

test('remote state: one key per stack, Entra auth', () => {
  const out = synthApp(
    withDefaults((c) => {
      c.backend = { resourceGroupName: 'rg-state', storageAccountName: 'stlaoauthstate', containerName: 'tfstate' };
    }),
  );
  for (const [stack, json] of Object.entries(out.json)) {
    expect((json as any).terraform.backend.azurerm).toEqual({
      container_name: 'tfstate',
      key: `logic-apps-oauth/${stack}.tfstate`,
      resource_group_name: 'rg-state',
      storage_account_name: 'stlaoauthstate',
      use_azuread_auth: true,
    });
  }
});

test('diagnostic settings on every workflow when a workspace is configured', () => {
  const workspace = '/subscriptions/0000/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/logs';
  const out = synthApp(withDefaults((c) => (c.logAnalyticsWorkspaceId = workspace)));
  const model = modelOf(out, STACK);
  const settings = Object.values(resources(model.json, 'azurerm_monitor_diagnostic_setting'));
  expect(settings.map((s) => s.target_resource_id).sort()).toEqual(model.workflows.map((w) => `\${${w.address}.id}`).sort());
  for (const s of settings) {
    expect(s.log_analytics_workspace_id).toBe(workspace);
    expect(s.enabled_log).toEqual([{ category: 'WorkflowRuntime' }]);
  }
});

test('protect sets prevent_destroy on the audience and pinned workflows only', () => {
  const model = modelOf(synthApp(withDefaults((c) => (ownValues(c), (c.protect = true)))), STACK);
  const protectedAddresses = model.resources.filter((r) => r.config.lifecycle?.prevent_destroy).map((r) => r.path).sort();
  expect(protectedAddresses).toEqual([
    'logic-apps-oauth/Audience/EnterpriseApplication',
    'logic-apps-oauth/Audience/Resource',
    'logic-apps-oauth/Receiver-receive/Resource',
    'logic-apps-oauth/Sender-send/Resource',
  ]);
});

// __tests__/support/stack-traces.ts: cdktf records no token creation stack traces under jest (~0.9 s of
// CPU per `npm test` otherwise). If cdktf stops creating tokens through the mocked module, this fails
// instead of the suite silently getting slower.
test('cdktf tokens created in tests carry no creation stack trace (jest setup)', () => {
  const lazy = Lazy.anyValue({ produce: () => 1 }) as unknown as { creationStack: string[] };
  expect(lazy.creationStack).toEqual([]);
});
