// Deploy lifecycle on the synthesized JSON: first apply without retry, any deployer, renames that keep
// the live workflows' actions, trigger IP lists that survive range entries, the Bearer-only condition.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { synthApp } from './support/synth';
import { ownValues, withDefaults } from './support/config';
import { administratorWarnings } from '../config/administrators';
import { parseConfig, ConfigError } from '../config/load';
import { Audience } from '../constructs/audience';
import { buildApp } from '../app';
import { TfJson } from '../model/stack-model';

type Json = Record<string, any>;

const base = synthApp();
const OWNER = '11111111-2222-4333-8444-555555555555';
const GROUP = '99999999-8888-4777-8666-555555555555';
const API_OWNER = 'aaaaaaaa-1111-4222-8333-444444444444';
// One synth for the explicit administrators and the optional CI stack (synths are the test's cost).
const explicit = synthApp(
  withDefaults((c) => {
    c.administrators = { appOwners: [OWNER], keyVaultAdministrators: [GROUP], apiTenantAppOwners: [API_OWNER] };
    c.ciIdentities = { githubRepository: 'contoso/logic-apps-oauth', planScheduleSubject: 'ref:refs/heads/main' };
    c.backend = { resourceGroupName: 'rg-state', storageAccountName: 'stcontoso', containerName: 'tfstate' };
  }),
);
// One synth for every rename: a receiver and both APIs.
const renamed = synthApp(
  withDefaults((c) => {
    c.logicAppsOauth.workflows = [{ name: 'inbox' }, { name: 'send' }];
    c.logicAppsOauth.calls = [{ from: 'send', to: 'inbox', allowed: true }];
    c.apimManagedIdentity.api.name = 'orders-api';
    c.apimCrossTenant.api.name = 'orders-api';
  }),
);

const resources = (json: TfJson, type: string): Array<[string, Json]> => Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>);
const one = (json: TfJson, type: string): [string, Json] => {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
};
const ref = (type: string, id: string) => `${type}.${id}`;

describe('1. the first deploy succeeds without a retry', () => {
  test('the caller client-id lookup reads only after the app role assignment exists (no Graph 404)', () => {
    const json = base.json['apim-managed-identity'];
    const [grantId, grant] = one(json, 'azuread_app_role_assignment');
    const lookups = Object.values((json.data?.azuread_service_principal ?? {}) as Record<string, Json>);
    expect(lookups).toHaveLength(1);
    expect(lookups[0].object_id).toBe(grant.principal_object_id);
    expect(lookups[0].depends_on).toEqual([ref('azuread_app_role_assignment', grantId)]);
  });

  test('the certificate waits for a time_sleep that follows the Certificates Officer assignment', () => {
    const json = base.json['apim-cross-tenant'];
    const [, cert] = one(json, 'azurerm_key_vault_certificate');
    const officer = resources(json, 'azurerm_role_assignment').find(([, r]) => r.role_definition_name === 'Key Vault Certificates Officer')!;
    const sleeps = resources(json, 'time_sleep');
    const wait = sleeps.find(([id]) => cert.depends_on.includes(ref('time_sleep', id)));
    expect(wait).toBeDefined();
    expect(wait![1].depends_on).toEqual([ref('azurerm_role_assignment', officer[0])]);
    expect(wait![1].create_duration).toBe('60s');
    expect((json as Json).terraform?.required_providers?.time).toEqual({ source: 'hashicorp/time', version: '0.13.1' });
  });

  test.each(['logic-apps-oauth', 'apim-managed-identity', 'apim-cross-tenant'])(
    '%s: every Recurrence trigger is created after its actions and after the wait that follows its grants',
    (stack) => {
      const json = base.json[stack];
      const actions = resources(json, 'azurerm_logic_app_action_custom');
      const grants = [...resources(json, 'azuread_app_role_assignment'), ...resources(json, 'azurerm_role_assignment')];
      const sleeps = resources(json, 'time_sleep');
      for (const [id, trigger] of resources(json, 'azurerm_logic_app_trigger_recurrence')) {
        const workflowRef = trigger.logic_app_id;
        const own = actions.filter(([, a]) => a.logic_app_id === workflowRef);
        expect(own.length).toBeGreaterThan(0);
        for (const [actionId, action] of own) {
          expect(trigger.depends_on).toContain(ref('azurerm_logic_app_action_custom', actionId));
          expect(action.depends_on ?? []).not.toContain(ref('azurerm_logic_app_trigger_recurrence', id)); // no cycle
        }
        // The workflow's principal id, as grants reference it.
        const principal = workflowRef.replace(/\.id\}$/, '.identity[0].principal_id}');
        const granted = grants.filter(([, g]) => g.principal_object_id === principal || g.principal_id === principal);
        const wait = sleeps.find(([sleepId]) => trigger.depends_on.includes(ref('time_sleep', sleepId)));
        if (granted.length === 0) {
          expect(wait).toBeUndefined(); // the wrong-audience probe: nothing to wait for
        } else {
          expect(wait).toBeDefined();
          const type = (g: Json) => (g.principal_object_id !== undefined ? 'azuread_app_role_assignment' : 'azurerm_role_assignment');
          expect(wait![1].depends_on).toEqual(expect.arrayContaining(granted.map(([gid, g]) => ref(type(g), gid))));
        }
      }
    },
  );

  test.each(['apim-managed-identity', 'apim-cross-tenant'])('%s: an API call is created after the API policy that pins its caller', (stack) => {
    const json = base.json[stack];
    const [policyId, policy] = one(json, 'azurerm_api_management_api_policy');
    const calls = resources(json, 'azurerm_logic_app_action_custom').filter(([, a]) => JSON.parse(a.body).inputs?.uri?.includes('azurerm_api_management'));
    expect(calls.length).toBeGreaterThan(0);
    expect(policy.xml_content).toContain('<application-id>');
    for (const [, action] of calls) expect(action.depends_on).toContain(ref('azurerm_api_management_api_policy', policyId));
  });

  test('the cross-tenant caller waits for both grants: the API app role and the Key Vault secret read', () => {
    const json = base.json['apim-cross-tenant'];
    const [, trigger] = one(json, 'azurerm_logic_app_trigger_recurrence');
    const wait = resources(json, 'time_sleep').find(([id]) => trigger.depends_on.includes(ref('time_sleep', id)))!;
    // It signs in as the client app: the client's app role on the API is its grant too.
    const [clientGrant] = one(json, 'azuread_app_role_assignment');
    expect([...wait[1].depends_on].sort()).toEqual([
      `azuread_app_role_assignment.${clientGrant}`,
      expect.stringMatching(/^azurerm_role_assignment\.Certificate_SecretRead-Caller_/),
    ]);
  });
});

describe('2. any deployer: owners and administrators from the config', () => {
  const owners = (json: TfJson) =>
    [...resources(json, 'azuread_application'), ...resources(json, 'azuread_service_principal')].map(([id, r]) => [id, r.owners]);

  test('default (demo): the deploying principal owns the apps and is the Key Vault officer', () => {
    for (const stack of Object.keys(base.json)) {
      for (const [, list] of owners(base.json[stack])) expect(list).toEqual([expect.stringMatching(/^\$\{data\.azuread_client_config\.[^.]+\.object_id\}$/)]);
    }
    const officers = resources(base.json['apim-cross-tenant'], 'azurerm_role_assignment').filter(([, r]) => r.role_definition_name === 'Key Vault Certificates Officer');
    expect(officers.map(([, r]) => r.principal_id)).toEqual([expect.stringMatching(/^\$\{data\.azurerm_client_config\.[^.]+\.object_id\}$/)]);
  });

  test('explicit: every app is owned by the configured object ids, nothing by the deployer', () => {
    for (const stack of ['logic-apps-oauth', 'apim-managed-identity', 'ci-identities']) {
      for (const [, list] of owners(explicit.json[stack])) expect(list).toEqual([OWNER]);
    }
    for (const [, list] of owners(explicit.json['apim-cross-tenant'])) expect(list).toEqual([API_OWNER]);
    for (const text of Object.values(explicit.files)) expect(text).not.toMatch(/client_config\.[^.]+\.object_id/);
  });

  test('explicit: the Key Vault officer is the configured group, and the certificate waits for it', () => {
    const json = explicit.json['apim-cross-tenant'];
    const officers = resources(json, 'azurerm_role_assignment').filter(([, r]) => r.role_definition_name === 'Key Vault Certificates Officer');
    expect(officers.map(([, r]) => r.principal_id)).toEqual([GROUP]);
    const [, cert] = one(json, 'azurerm_key_vault_certificate');
    const wait = resources(json, 'time_sleep').find(([id]) => cert.depends_on.includes(ref('time_sleep', id)))!;
    expect(wait[1].depends_on).toEqual([ref('azurerm_role_assignment', officers[0][0])]);
  });

  test('a warning when protect is on and owners are left to whoever deploys; none otherwise', () => {
    const warnings = (patch: (c: Json) => void) => administratorWarnings(parseConfig(withDefaults(patch)));
    expect(warnings(() => undefined)).toEqual([]); // protect off: the demo
    const on = warnings((c) => (ownValues(c), (c.protect = true)));
    expect(on).toHaveLength(3);
    expect(on[0]).toMatch(/^warning config: protect is on but administrators\.appOwners is not set/);
    expect(on.every((line) => !line.includes('\n') && line.includes('docs/permissions.md'))).toBe(true);
    expect(warnings((c) => (ownValues(c), (c.protect = true), (c.administrators = { appOwners: [OWNER], keyVaultAdministrators: [GROUP], apiTenantAppOwners: [API_OWNER] })))).toEqual([]);
    // Without the cross-tenant stack only the app owners matter.
    expect(warnings((c) => (delete c.apimCrossTenant, ownValues(c), (c.protect = true), (c.administrators = { appOwners: [OWNER] })))).toEqual([]);
  });

  test('a successful synth (main.ts) prints the warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'la-oauth-main-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(withDefaults((c) => (delete c.apimCrossTenant, ownValues(c), (c.protect = true)))));
    const env = { ...process.env };
    // A warning, not an error: stdout (the cdktf CLI labels stderr lines [ERROR]; synth-errors.ts).
    const printed: string[] = [];
    const errors: string[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((m: unknown) => (errors.push(String(m)), true));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((m: unknown) => (printed.push(String(m)), true));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      process.env.LOGIC_APPS_CONFIG = file;
      process.env.CDKTF_OUTDIR = join(dir, 'out');
      jest.isolateModules(() => require('../main'));
      expect(printed[0]).toMatch(/^warning config: protect is on but administrators\.appOwners is not set/);
      expect(errors).toEqual([]);
    } finally {
      process.env = env;
      error.mockRestore();
      stderr.mockRestore();
      stdout.mockRestore();
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('object ids must be GUIDs, and a list must not be empty', () => {
    expect(() => parseConfig(withDefaults((c) => (c.administrators = { appOwners: ['alice@contoso.com'] })))).toThrow(
      /^config error: administrators\.appOwners\[0\] = "alice@contoso\.com": administrators\.appOwners: an object id is a GUID/,
    );
    expect(() => parseConfig(withDefaults((c) => (c.administrators = { keyVaultAdministrators: [] })))).toThrow(ConfigError);
  });
});

describe('4. renames keep the callers\' actions', () => {
  const callActions = (json: TfJson) =>
    resources(json, 'azurerm_logic_app_action_custom')
      .filter(([, a]) => JSON.parse(a.body).inputs?.authentication)
      .map(([id, a]) => `${id} name=${a.name}`)
      .sort();

  test('renaming a receiver changes no sender action address or name (only its URL)', () => {
    const before = callActions(base.json['logic-apps-oauth']).filter((a) => a.startsWith('Sender-send_'));
    const after = callActions(renamed.json['logic-apps-oauth']).filter((a) => a.startsWith('Sender-send_'));
    expect(before).toEqual(['Sender-send_Call-1_A5725B09 name=Call_1']);
    expect(after).toEqual(before);
  });

  test('renaming the API changes no caller action address or name', () => {
    for (const stack of ['apim-managed-identity', 'apim-cross-tenant']) {
      expect(callActions(renamed.json[stack])).toEqual(callActions(base.json[stack]));
      expect(callActions(base.json[stack]).filter((a) => !a.includes('Read-Certificate'))).toEqual([expect.stringMatching(/^Caller_Call-1_[0-9A-F]{8} name=Call_1$/)]);
    }
  });

  test('no action or trigger name of any stack contains a configured name', () => {
    const names = ['receive', 'send', 'logic-apps-api', 'la-oauth', 'la_oauth', 'logic_apps_api'];
    for (const json of Object.values(base.json)) {
      for (const type of ['azurerm_logic_app_action_custom', 'azurerm_logic_app_trigger_custom', 'azurerm_logic_app_trigger_recurrence']) {
        for (const [, r] of resources(json, type)) for (const n of names) expect(String(r.name)).not.toContain(n);
      }
    }
  });
});

describe('5. trigger IP lists, Bearer-only condition, identifier URIs', () => {
  test('the Bearer-only condition requires "Bearer " with its space', () => {
    const [, trigger] = one(base.json['logic-apps-oauth'], 'azurerm_logic_app_trigger_custom');
    const body = JSON.parse(trigger.body);
    expect(body.conditions).toEqual([{ expression: "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer ')" }]);
    // What the condition does with the headers a caller may send (startsWith, case-sensitive like the runtime).
    const prefix = /'([^']*)'\)$/.exec(body.conditions[0].expression)![1];
    expect(['Bearer eyJ0eXAi', 'BearerX eyJ0eXAi', 'Bearer', 'bearer eyJ'].map((h) => h.startsWith(prefix))).toEqual([true, false, false, false]);
  });

  test('a custom identifier URI needs token version 2 (config)', () => {
    const uri = 'https://contoso.example/logic-apps';
    expect(() => parseConfig(withDefaults((c) => (c.logicAppsOauth.audience = { identifierUri: uri })))).toThrow(
      /^config error: logicAppsOauth\.audience\.identifierUri = "https:\/\/contoso\.example\/logic-apps": custom identifier URI .* set logicAppsOauth\.tokenVersion to 2, or leave identifierUri unset for api:\/\/<client id>/,
    );
    expect(parseConfig(withDefaults((c) => ((c.logicAppsOauth.tokenVersion = 2), (c.logicAppsOauth.audience = { identifierUri: uri })))).logicAppsOauth?.audience.identifierUri).toBe(uri);
  });

  test('a custom identifier URI needs token version 2 (construct)', () => {
    const stack = new TerraformStack(new App(), 's');
    expect(() => new Audience(stack, 'A', { displayName: 'a', identifierUri: 'api://orders' })).toThrow(/^audience "a": custom identifier URI "api:\/\/orders" on an app issuing v1 tokens/);
    expect(() => new Audience(stack, 'B', { displayName: 'b', identifierUri: 'api://orders', tokenVersion: 2 })).not.toThrow();
    expect(() => new Audience(stack, 'C', { displayName: 'c' })).not.toThrow();
  });
});

describe('3. the CI identities as code (optional stack ci-identities)', () => {
  const json = () => explicit.json['ci-identities'];
  const roleDoc = JSON.parse(require('node:fs').readFileSync(join(__dirname, '..', 'docs', 'ci-plan-role.json'), 'utf8'));
  const roles = (identity: string) =>
    resources(json(), 'azurerm_role_assignment')
      .filter(([id]) => id.startsWith(`${identity}_`))
      .map(([, r]) => `${r.role_definition_name ?? 'custom'} @ ${String(r.scope).replace(/^\$\{data\.azurerm_subscription\.[^}]+\}/, '<sub>')}`)
      .sort();
  const graph = (identity: string) =>
    resources(json(), 'azuread_app_role_assignment')
      .filter(([id]) => id.startsWith(`${identity}_`))
      .map(([, r]) => /\["([^"]+)"\]\}$/.exec(r.app_role_id)![1])
      .sort();

  test('not built unless asked for', () => {
    expect(Object.keys(base.json)).not.toContain('ci-identities');
  });

  test('a file with only ciIdentities builds only that stack (an administrator may apply it first)', () => {
    const config = parseConfig({ namePrefix: 'contoso', ciIdentities: { githubRepository: 'contoso/logic-apps-oauth' } });
    const outdir = mkdtempSync(join(tmpdir(), 'la-oauth-ci-only-'));
    try {
      const app = buildApp(config, { outdir });
      expect(app.node.children.filter((c) => TerraformStack.isStack(c)).map((s) => s.node.id)).toEqual(['ci-identities']);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('the custom role is the documented one (docs/ci-plan-role.json)', () => {
    const [, role] = one(json(), 'azurerm_role_definition');
    expect(role.name).toBe(roleDoc.Name);
    expect(role.description).toBe(roleDoc.Description);
    expect(role.permissions).toEqual([{ actions: roleDoc.Actions }]);
  });

  test('plan identity: pull requests only, Reader + plan refresh + Key Vault Reader + state read, Graph Application.Read.All', () => {
    const creds = resources(json(), 'azuread_application_federated_identity_credential');
    const subject = (identity: string) => creds.find(([id, c]) => id.startsWith(`${identity}_`) && c.display_name === 'github')![1];
    expect(subject('Plan')).toMatchObject({ issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:contoso/logic-apps-oauth:pull_request', audiences: ['api://AzureADTokenExchange'] });
    expect(subject('Deploy').subject).toBe('repo:contoso/logic-apps-oauth:ref:refs/heads/main');
    const container = '<sub>/resourceGroups/rg-state/providers/Microsoft.Storage/storageAccounts/stcontoso/blobServices/default/containers/tfstate';
    expect(roles('Plan')).toEqual(['Key Vault Reader @ <sub>', 'Reader @ <sub>', `Storage Blob Data Reader @ ${container}`, 'custom @ <sub>'].sort());
    expect(graph('Plan')).toEqual(['Application.Read.All']);
    expect(roles('Deploy')).toEqual(['Contributor @ <sub>', 'Role Based Access Control Administrator @ <sub>', `Storage Blob Data Contributor @ ${container}`].sort());
    expect(graph('Deploy')).toEqual(['AppRoleAssignment.ReadWrite.All', 'Application.ReadWrite.OwnedBy']);
    // The deploy identity may assign the two Key Vault roles only (ids written out: Azure's built-in role ids).
    const [, rbacAdmin] = resources(json(), 'azurerm_role_assignment').find(([id, r]) => id.startsWith('Deploy_') && r.role_definition_name === 'Role Based Access Control Administrator')!;
    expect(rbacAdmin.condition_version).toBe('2.0');
    for (const action of ['write', 'delete']) expect(rbacAdmin.condition).toContain(`ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'}`);
    const ids = [...rbacAdmin.condition.matchAll(/GuidEquals \{([^}]+)\}/g)].map((m: RegExpMatchArray) => m[1]);
    expect(ids).toEqual(Array(2).fill('a4417e6f-fecd-4de8-b567-7b0420556985, 4633458b-17de-408a-b874-0445c86b69e6'));
    for (const [, app] of resources(json(), 'azuread_application')) expect(app.owners).toEqual([OWNER]);
  });

  test('planScheduleSubject: a scheduled job (e.g. ip-drift) may sign in as the plan identity too, the deploy identity unchanged', () => {
    const creds = resources(json(), 'azuread_application_federated_identity_credential').map(([id, c]) => `${id.split('_')[0]} ${c.display_name} ${c.subject}`);
    expect(creds.sort()).toEqual([
      'Deploy github repo:contoso/logic-apps-oauth:ref:refs/heads/main',
      'Plan github repo:contoso/logic-apps-oauth:pull_request',
      'Plan github-schedule repo:contoso/logic-apps-oauth:ref:refs/heads/main',
    ]);
    expect(() => parseConfig(withDefaults((c) => (c.ciIdentities = { githubRepository: 'contoso/x', planScheduleSubject: 'schedule' })))).toThrow(
      /^config error: ciIdentities\.planScheduleSubject = "schedule": planScheduleSubject is "ref:refs\/heads\/<branch>" or "environment:<name>"/,
    );
  });

  test('a repository that is not owner/repo is refused with the field named', () => {
    expect(() => parseConfig(withDefaults((c) => (c.ciIdentities = { githubRepository: 'logic-apps-oauth' })))).toThrow(/^config error: ciIdentities\.githubRepository = "logic-apps-oauth": githubRepository is "<owner>\/<repo>"/);
  });
});
