import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ApiGateway } from '../constructs/api-gateway';
import { Audience } from '../constructs/audience';
import { EntraProtectedApi } from '../constructs/entra-protected-api';
import { DEFAULT_CONFIG } from '../config/default';
import { synthApp } from './support/synth';
import { APIM_CROSS_TENANT_STACK, API_TENANT_PROVIDER_ALIAS } from '../stacks/apim-cross-tenant-stack';
import { APIM_MANAGED_IDENTITY_STACK } from '../stacks/apim-managed-identity-stack';

type Json = Record<string, any>;

/** Each stack's cdk.tf.json text, exactly as `npm run synth` writes it. */
const synth = (raw: unknown = DEFAULT_CONFIG): Record<string, string> => synthApp(raw).files;

/** The only resource of a type (fails when there are none or several). */
function only(json: Json, type: string, data = false): Json {
  const block = (data ? json.data : json.resource)?.[type] ?? {};
  const values = Object.values(block) as Json[];
  expect(values).toHaveLength(1);
  return values[0];
}

function addressOf(json: Json, type: string): string {
  const keys = Object.keys(json.resource?.[type] ?? {});
  expect(keys).toHaveLength(1);
  return `${type}.${keys[0]}`;
}

function actionsOf(json: Json): Record<string, Json> {
  const actions = json.resource.azurerm_logic_app_action_custom as Record<string, Json>;
  return Object.fromEntries(Object.values(actions).map((a) => [a.name as string, { ...a, body: JSON.parse(a.body) }]));
}

type Ordered = Record<string, any>;
const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false, trimValues: true });
const tag = (node: Ordered) => Object.keys(node).find((k) => k !== ':@')!;
const kids = (node: Ordered): Ordered[] => (node[tag(node)] as Ordered[]).filter((n) => tag(n) !== '#text');
const text = (node: Ordered) => (node[tag(node)] as Ordered[]).map((n) => n['#text'] ?? '').join('');
const child = (node: Ordered, name: string) => {
  const found = kids(node).filter((n) => tag(n) === name);
  expect(found).toHaveLength(1);
  return found[0];
};

/** The policy document parsed with element order kept. */
function policyOf(json: Json): Ordered {
  const xml = only(json, 'azurerm_api_management_api_policy').xml_content as string;
  const roots = parser.parse(xml) as Ordered[];
  expect(roots.map(tag)).toEqual(['policies']);
  return roots[0];
}

function validateElement(json: Json): Ordered {
  return child(child(policyOf(json), 'inbound'), 'validate-azure-ad-token');
}

let files: Record<string, string>;
let mi: Json;
let xt: Json;
beforeAll(() => {
  files = synth();
  mi = JSON.parse(files[APIM_MANAGED_IDENTITY_STACK]);
  xt = JSON.parse(files[APIM_CROSS_TENANT_STACK]);
});

describe('default config', () => {
  test('synthesizes the two APIM stacks next to logic-apps-oauth', () => {
    expect(Object.keys(files).sort()).toEqual([APIM_CROSS_TENANT_STACK, APIM_MANAGED_IDENTITY_STACK, 'logic-apps-oauth']);
  });

  test('synth is deterministic (byte-identical twice)', () => {
    expect(synth()).toEqual(files);
  });

  test('snapshot: apim-managed-identity', () => {
    expect(files[APIM_MANAGED_IDENTITY_STACK]).toMatchSnapshot();
  });

  test('snapshot: apim-cross-tenant', () => {
    expect(files[APIM_CROSS_TENANT_STACK]).toMatchSnapshot();
  });

  test('without an apimCrossTenant section the cross-tenant stack is not built', () => {
    const { apimCrossTenant: _omitted, ...rest } = DEFAULT_CONFIG;
    expect(Object.keys(synth(rest)).sort()).toEqual([APIM_MANAGED_IDENTITY_STACK, 'logic-apps-oauth']);
  });
});

describe.each([
  ['apim-managed-identity', () => mi],
  ['apim-cross-tenant', () => xt],
])('%s: API Management', (_name, get) => {
  test('instance: Consumption_0 and the configured publisher', () => {
    const apim = only(get(), 'azurerm_api_management');
    expect(apim.sku_name).toBe('Consumption_0');
    expect(apim.publisher_email).toBe('apim-admin@example.com');
    expect(apim.publisher_name).toBe('Logic Apps OAuth demo');
  });

  test('API: https only, no subscription key (the token is the gate), configured path, one operation', () => {
    const api = only(get(), 'azurerm_api_management_api');
    expect(api.protocols).toEqual(['https']);
    expect(api.subscription_required).toBe(false);
    expect(api.path).toBe('logic-apps');
    expect(api.service_url).toBeUndefined();
    const op = only(get(), 'azurerm_api_management_api_operation');
    expect(op).toMatchObject({ method: 'POST', url_template: '/invoke' });
  });

  test('policy: <base /> first, then validate-azure-ad-token, then the self-contained 200 response', () => {
    const inbound = child(policyOf(get()), 'inbound');
    expect(kids(inbound).map(tag)).toEqual(['base', 'validate-azure-ad-token', 'return-response']);
    expect(kids(policyOf(get())).map(tag)).toEqual(['inbound', 'backend', 'outbound', 'on-error']);
    const response = child(inbound, 'return-response');
    expect(child(response, 'set-status')[':@'].code).toBe('200');
    expect(text(child(response, 'set-body'))).toMatch(/GetValueOrDefault\("appid".*GetValueOrDefault\("azp"/);
  });

  test('validate-azure-ad-token: children in the documented order, 401 on failure', () => {
    const validate = validateElement(get());
    expect(kids(validate).map(tag)).toEqual(['client-application-ids', 'audiences', 'required-claims']);
    expect(validate[':@']['failed-validation-httpcode']).toBe('401');
    const claim = child(child(validate, 'required-claims'), 'claim');
    expect(claim[':@']).toEqual({ name: 'roles', match: 'any' });
    expect(text(child(claim, 'value'))).toBe('LogicApps.Invoke');
  });

  test('audience in the policy is the audience the workflow requests (one source), tenant is the audience\'s tenant', () => {
    const validate = validateElement(get());
    const audiences = kids(child(validate, 'audiences')).map(text);
    expect(get().resource.azuread_application.Audience_942C5C42['//'].metadata.path).toMatch(/\/Audience\/Resource$/);
    expect(audiences).toEqual(['api://${azuread_application.Audience_942C5C42.client_id}']);
    const call = actionsOf(get()).Call_1;
    expect(call.body.inputs.authentication.audience).toBe(audiences[0]);
    expect(call.body.inputs.uri).toBe('${azurerm_api_management.ApiManagement_EB91833C.gateway_url}/logic-apps/invoke');
    expect(validate[':@']['tenant-id']).toBe('${data.azuread_client_config.Audience_ClientConfig_8568AE86.tenant_id}');
  });

  test('the calling workflow is granted the API app role (nothing else is)', () => {
    const grants = Object.values(get().resource.azuread_app_role_assignment) as Json[];
    expect(grants).toHaveLength(1);
    expect(grants[0].app_role_id).toBe(get().resource.azuread_application.Audience_942C5C42.app_role[0].id);
    expect(grants[0].resource_object_id).toBe('${azuread_service_principal.Audience_EnterpriseApplication_3E63CE08.object_id}');
  });
});

describe('apim-managed-identity', () => {
  test('pins the workflow identity\'s client id, looked up from its principal id', () => {
    const ids = kids(child(validateElement(mi), 'client-application-ids'));
    expect(ids.map(tag)).toEqual(['application-id']);
    expect(text(ids[0])).toBe('${data.azuread_service_principal.Api_Caller-Caller_3105E230.client_id}');
    const lookup = mi.data.azuread_service_principal['Api_Caller-Caller_3105E230'];
    expect(lookup.object_id).toBe('${azurerm_logic_app_workflow.Caller_BA8D1D35.identity[0].principal_id}');
    const grant = only(mi, 'azuread_app_role_assignment');
    expect(grant.principal_object_id).toBe(lookup.object_id);
  });

  test('calling workflow: system identity, Recurrence, managed-identity HTTP call with secure inputs and outputs', () => {
    expect(only(mi, 'azurerm_logic_app_workflow').identity).toEqual({ type: 'SystemAssigned' });
    expect(only(mi, 'azurerm_logic_app_trigger_recurrence').name).toBe('Recurrence');
    const call = actionsOf(mi).Call_1;
    expect(call.body.type).toBe('Http');
    expect(call.body.inputs.authentication.type).toBe('ManagedServiceIdentity');
    expect(call.body.runtimeConfiguration).toEqual({ secureData: { properties: ['inputs', 'outputs'] } });
  });

  test('a configured service_url replaces the return-response', () => {
    const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    raw.apimManagedIdentity.api.serviceUrl = 'https://backend.contoso.com/api';
    const json = JSON.parse(synth(raw)[APIM_MANAGED_IDENTITY_STACK]);
    expect(only(json, 'azurerm_api_management_api').service_url).toBe('https://backend.contoso.com/api');
    expect(kids(child(policyOf(json), 'inbound')).map(tag)).toEqual(['base', 'validate-azure-ad-token']);
  });

  test('configured SKU, publisher, path and token version 2 reach the resources', () => {
    const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    raw.apimManagedIdentity = {
      apiManagement: { name: 'contoso-apim', skuName: 'Developer_1', publisherName: 'Contoso', publisherEmail: 'ops@contoso.com' },
      api: { name: 'orders', path: 'orders/v1' },
      tokenVersion: 2,
    };
    const json = JSON.parse(synth(raw)[APIM_MANAGED_IDENTITY_STACK]);
    expect(only(json, 'azurerm_api_management')).toMatchObject({ name: 'contoso-apim', sku_name: 'Developer_1', publisher_email: 'ops@contoso.com' });
    expect(only(json, 'azurerm_api_management_api')).toMatchObject({ name: 'orders', path: 'orders/v1' });
    expect(only(json, 'azuread_application').api.requested_access_token_version).toBe(2);
    // v2 tokens carry the client id as aud; v1-style requests still name the identifier URI.
    const audiences = kids(child(validateElement(json), 'audiences')).map(text);
    expect(audiences).toEqual(['api://${azuread_application.Audience_942C5C42.client_id}', '${azuread_application.Audience_942C5C42.client_id}']);
  });
});

describe('apim-cross-tenant', () => {
  const ALIASED = `azuread.${API_TENANT_PROVIDER_ALIAS}`;

  test('a second azuread provider signs in to the configured API tenant', () => {
    const aliased = (xt.provider.azuread as Json[]).filter((p) => p.alias === API_TENANT_PROVIDER_ALIAS);
    expect(aliased).toEqual([{ alias: API_TENANT_PROVIDER_ALIAS, tenant_id: DEFAULT_CONFIG.apimCrossTenant!.apiTenantId }]);
  });

  test('every API-tenant (azuread) resource and data source uses the aliased provider', () => {
    const entries = [
      ...Object.entries(xt.resource).filter(([type]) => type.startsWith('azuread_')),
      ...Object.entries(xt.data ?? {}).filter(([type]) => type.startsWith('azuread_')),
    ].flatMap(([type, block]) => Object.entries(block as Json).map(([name, r]) => ({ address: `${type}.${name}`, provider: (r as Json).provider })));
    expect(entries.length).toBeGreaterThanOrEqual(9);
    expect(entries.filter((e) => e.provider !== ALIASED)).toEqual([]);
  });

  test('API tenant: API app + enterprise app, client app + enterprise app with the Key Vault certificate, app-role assignment', () => {
    expect(Object.keys(xt.resource.azuread_application).sort()).toEqual(['Audience_942C5C42', 'Client_4A7F64DF']);
    expect(Object.keys(xt.resource.azuread_service_principal)).toHaveLength(2);
    const credential = only(xt, 'azuread_application_certificate');
    const cert = addressOf(xt, 'azurerm_key_vault_certificate');
    expect(credential).toMatchObject({
      application_id: '${azuread_application.Client_4A7F64DF.id}',
      type: 'AsymmetricX509Cert',
      encoding: 'hex',
      value: `\${${cert}.certificate_data}`,
      start_date: `\${${cert}.certificate_attribute[0].not_before}`,
      end_date: `\${${cert}.certificate_attribute[0].expires}`,
    });
    const grant = only(xt, 'azuread_app_role_assignment');
    expect(grant.principal_object_id).toBe('${azuread_service_principal.Client_EnterpriseApplication_22A76A9D.object_id}');
    expect(grant.resource_object_id).toBe('${azuread_service_principal.Audience_EnterpriseApplication_3E63CE08.object_id}');
  });

  test('policy pins the client app\'s id and the API tenant (client config of the aliased provider)', () => {
    const validate = validateElement(xt);
    expect(kids(child(validate, 'client-application-ids')).map(text)).toEqual(['${azuread_application.Client_4A7F64DF.client_id}']);
    expect(validate[':@']['tenant-id']).toBe('${data.azuread_client_config.Audience_ClientConfig_8568AE86.tenant_id}');
    expect(xt.data.azuread_client_config.Audience_ClientConfig_8568AE86.provider).toBe(ALIASED);
  });

  test('Key Vault: RBAC authorization, purge protection, soft delete', () => {
    const vault = only(xt, 'azurerm_key_vault');
    expect(vault).toMatchObject({ rbac_authorization_enabled: true, purge_protection_enabled: true, soft_delete_retention_days: 90 });
    expect(vault.enable_rbac_authorization).toBeUndefined();
    expect(vault.access_policy).toBeUndefined();
  });

  test('certificate: self-signed, exportable key, PKCS#12, validity and renewal from config', () => {
    const policy = only(xt, 'azurerm_key_vault_certificate').certificate_policy;
    expect(policy.issuer_parameters.name).toBe('Self');
    expect(policy.key_properties.exportable).toBe(true);
    expect(policy.secret_properties.content_type).toBe('application/x-pkcs12');
    expect(policy.x509_certificate_properties.validity_in_months).toBe(12);
    expect(policy.lifetime_action).toEqual([{ action: { action_type: 'AutoRenew' }, trigger: { days_before_expiry: 30 } }]);
  });

  test('the workflow identity gets Key Vault Secrets User on exactly the certificate\'s secret, nothing wider', () => {
    const vault = addressOf(xt, 'azurerm_key_vault');
    const cert = addressOf(xt, 'azurerm_key_vault_certificate');
    const principal = '${azurerm_logic_app_workflow.Caller_BA8D1D35.identity[0].principal_id}';
    const assignments = Object.values(xt.resource.azurerm_role_assignment) as Json[];
    const workflowAssignments = assignments.filter((a) => a.principal_id === principal);
    expect(workflowAssignments).toEqual([
      expect.objectContaining({ role_definition_name: 'Key Vault Secrets User', scope: `\${${vault}.id}/secrets/\${${cert}.name}` }),
    ]);
    // Not the /certificates/ id (resource_manager_versionless_id): the PFX is read as a secret.
    expect(workflowAssignments[0].scope).not.toMatch(/certificates|resource_manager/);
  });

  test('workflow: Recurrence -> secret read (managed identity, vault audience, secure outputs) -> certificate OAuth call (secure inputs)', () => {
    const actions = actionsOf(xt);
    expect(Object.keys(actions).sort()).toEqual(['Call_1', 'Read_Certificate']);
    const read = actions.Read_Certificate.body;
    expect(read.inputs).toEqual({
      method: 'GET',
      uri: '${azurerm_key_vault_certificate.Certificate_4E7ABB08.secret_id}?api-version=7.4',
      authentication: { type: 'ManagedServiceIdentity', audience: 'https://vault.azure.net' },
    });
    expect(read.runtimeConfiguration.secureData.properties).toEqual(expect.arrayContaining(['outputs']));

    const call = actions.Call_1.body;
    expect(call.runAfter).toEqual({ Read_Certificate: ['Succeeded'] });
    expect(call.runtimeConfiguration.secureData.properties).toEqual(expect.arrayContaining(['inputs']));
    expect(call.inputs.authentication).toEqual({
      type: 'ActiveDirectoryOAuth',
      tenant: '${data.azuread_client_config.Audience_ClientConfig_8568AE86.tenant_id}',
      audience: 'api://${azuread_application.Audience_942C5C42.client_id}',
      clientId: '${azuread_application.Client_4A7F64DF.client_id}',
      credentialType: 'Certificate',
      pfx: "@body('Read_Certificate')?['value']",
      password: '',
    });
    expect(actions.Call_1.depends_on).toEqual(
      expect.arrayContaining(['azurerm_logic_app_action_custom.Caller_Read-Certificate_1C2327B8', 'azuread_application_certificate.Client_Credential_DA74F08F']),
    );
  });

  test('no private key, PFX or password value anywhere in the synthesized JSON', () => {
    const text = files[APIM_CROSS_TENANT_STACK];
    expect(text).not.toMatch(/-----BEGIN/);
    expect(text).not.toMatch(/PRIVATE KEY/i);
    // base64 of a DER/PKCS#12 structure starts with "MII"; hex DER with "3082".
    expect(text).not.toMatch(/MII[A-Za-z0-9+/]{20,}/);
    expect(text).not.toMatch(/3082[0-9a-fA-F]{20,}/);
    expect(only(xt, 'azurerm_key_vault_certificate').certificate).toBeUndefined();
    const passwords = [...text.matchAll(/\\?"password\\?"\s*:\s*\\?"([^"\\]*)\\?"/g)].map((m) => m[1]);
    expect(passwords).toEqual(['']);
  });

  test('a different API tenant id in config reaches only the aliased provider', () => {
    const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    raw.apimCrossTenant.apiTenantId = '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const text = synth(raw)[APIM_CROSS_TENANT_STACK];
    const json = JSON.parse(text);
    expect(json.provider.azuread[1]).toEqual({ alias: API_TENANT_PROVIDER_ALIAS, tenant_id: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' });
    expect(text).not.toContain(DEFAULT_CONFIG.apimCrossTenant!.apiTenantId);
  });
});

describe('EntraProtectedApi validation', () => {
  test('an API that admits no caller fails synth with a message naming the fix', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'apim-validation-'));
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'validation');
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      new AzureadProvider(stack, 'azuread', {});
      const gateway = new ApiGateway(stack, 'Gateway', { name: 'g', resourceGroupName: 'rg', location: 'westeurope', publisherName: 'p', publisherEmail: 'a@contoso.com' });
      new EntraProtectedApi(stack, 'Api', { gateway, audience: new Audience(stack, 'Audience', { displayName: 'a' }), name: 'orders', path: 'orders' });
      expect(() => app.synth()).toThrow('api "orders" admits no caller: call allowCaller() with the workflow or client app that calls it');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
