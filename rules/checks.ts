// The rule checks: pure functions over the model of one synthesized stack (tools/synth-model.ts), so they
// apply to any construct or raw resource and to cdk.tf.json files of other cdktf apps alike.
import { ACCEPTED_ISSUER_PREFIXES, audClaimFor, issuerFor } from '../constructs/entra';
import { ipRangeProblem } from '../domain/ip-range';
import { LIMITS } from '../config/schema';
import { appForAudience, AppModel, asList, asSingle, CallModel, Json, referencesIn, ResourceRef, StackModel, WorkflowModel } from '../tools/synth-model';
import { readTokenValidations, TokenValidationElement } from '../tools/apim-policy-xml';
import { bind, Bindings, issueManagedIdentityToken, simulatedBindings, simulatedTenant } from '../tools/entra-sim';

/** A rule violation before suppressions are applied. */
export interface RawFinding {
  readonly ruleId: string;
  /** The resource the fix belongs to (its construct path is shown; its suppressions apply). */
  readonly resource?: ResourceRef;
  /** For findings without a resource (outputs). */
  readonly path?: string;
  readonly address?: string;
  /** `<what is wrong, with the bad value>; <the fix>` */
  readonly message: string;
}

export interface RuleContext {
  readonly model: StackModel;
  readonly bindings: Bindings;
}

export type Check = (ctx: RuleContext) => RawFinding[];

export function contextOf(model: StackModel): RuleContext {
  return { model, bindings: simulatedBindings(model) };
}

// ---------- helpers ----------

const UNRESOLVED = /\$\{[^}]+\}/;
const isUnresolved = (value: string) => UNRESOLVED.test(value);
const short = (value: unknown, max = 120) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
};
const ofType = (model: StackModel, type: string) => model.resources.filter((r) => r.type === type);
const claimOf = (claims: ReadonlyArray<{ name: string; value: string }>, name: string) => claims.find((c) => c.name === name)?.value;

/** Logic Apps requests this audience for a managed-identity call that names none. */
export const DEFAULT_MSI_AUDIENCE = 'https://management.azure.com/';

interface PredictedToken {
  /** Bound (simulated) claim values, for comparison. */
  readonly aud: string;
  readonly iss: string;
  readonly tid: string;
  /** The same claims as written in the synthesized JSON, for messages. */
  readonly rawAud: string;
  readonly rawIss: string;
  readonly version: 1 | 2;
  readonly app?: AppModel;
}

/**
 * The aud/iss a call's token will carry. A caller refused by app-role assignment (a sender that is not
 * allowed, on purpose) gets no token, but the audience it asks for still decides aud/iss: they are
 * predicted anyway, so an allowed=false sender is not reported as an audience mismatch.
 */
export function predictToken(ctx: RuleContext, call: CallModel): PredictedToken | undefined {
  const requested = call.requestedAudience ?? DEFAULT_MSI_AUDIENCE;
  if (call.authType === 'ManagedServiceIdentity') {
    const effective: CallModel = { ...call, requestedAudience: requested };
    const result = issueManagedIdentityToken(ctx.model, effective, ctx.bindings);
    if (result.issued) {
      const version = result.tokenVersion;
      const tid = String(result.claims.tid);
      const rawTenant = result.app ? tenantExpression(ctx.model, result.app) : '<tenant>';
      return {
        aud: String(result.claims.aud),
        iss: String(result.claims.iss),
        tid,
        rawAud: result.app && version === 2 ? result.app.clientIdRef : requested,
        rawIss: issuerFor(version, rawTenant),
        version,
        app: result.app,
      };
    }
    if (result.error !== 'AppRoleAssignmentRequired') return undefined;
  } else if (call.authType !== 'ActiveDirectoryOAuth') {
    return undefined;
  }
  const app = appForAudience(ctx.model, requested);
  if (!app) return undefined;
  const tid = simulatedTenant(app.provider);
  const version = app.tokenVersion;
  return {
    aud: audClaimFor(version, bind(requested, ctx.bindings), bind(app.clientIdRef, ctx.bindings)),
    iss: issuerFor(version, tid),
    tid,
    rawAud: version === 2 ? app.clientIdRef : requested,
    rawIss: issuerFor(version, tenantExpression(ctx.model, app)),
    version,
    app,
  };
}

/** `${data.azuread_client_config.<x>.tenant_id}` of the app's provider, for messages. */
function tenantExpression(model: StackModel, app: AppModel): string {
  const config = model.resources.find(
    (r) => r.type === 'azuread_client_config' && r.address.startsWith('data.') && String(r.config.provider ?? 'azuread') === app.provider,
  );
  return config ? `\${${config.address}.tenant_id}` : `<tenant of ${app.provider}>`;
}

function sameValue(expected: string | undefined, actual: string, bindings: Bindings): boolean {
  if (expected === undefined) return true;
  const value = bind(expected, bindings);
  return isUnresolved(value) || value === actual;
}

// ---------- token validation in API Management policies ----------

export type TokenValidation = TokenValidationElement;

/** Token validations of a policy document; undefined when the XML cannot be read (dynamic or invalid). */
export function tokenValidations(xmlContent: unknown): TokenValidation[] | undefined {
  if (typeof xmlContent !== 'string' || /\$\{[a-z_]+\(/.test(xmlContent)) return undefined;
  try {
    return readTokenValidations(xmlContent);
  } catch {
    return undefined;
  }
}

/** References `value` makes to `address` (as `${address.attr}`), or a literal equal to `literal`. */
function designates(value: unknown, address: string, literal: unknown): boolean {
  const text = String(value ?? '');
  return referencesIn(text).some((ref) => ref.address === address) || (literal !== undefined && text === String(literal));
}

interface ApiInfo {
  readonly api: ResourceRef;
  readonly apim?: ResourceRef;
  /** Policy documents that apply to the whole API: its API policy and the service's global policy. */
  readonly policies: ResourceRef[];
  readonly operationPolicies: ResourceRef[];
}

function apisOf(model: StackModel): ApiInfo[] {
  const apims = ofType(model, 'azurerm_api_management');
  return ofType(model, 'azurerm_api_management_api').map((api) => {
    const apim = apims.find((a) => designates(api.config.api_management_name, a.address, a.config.name));
    const sameService = (r: ResourceRef) => String(r.config.api_management_name) === String(api.config.api_management_name);
    const ofApi = (r: ResourceRef) => sameService(r) && designates(r.config.api_name, api.address, api.config.name);
    return {
      api,
      apim,
      policies: [
        ...ofType(model, 'azurerm_api_management_api_policy').filter(ofApi),
        ...(apim ? ofType(model, 'azurerm_api_management_policy').filter((p) => designates(p.config.api_management_id, apim.address, undefined)) : []),
      ],
      operationPolicies: ofType(model, 'azurerm_api_management_api_operation_policy').filter(ofApi),
    };
  });
}

/** The API a call URI designates: `${azurerm_api_management.<x>.gateway_url}/<api path>/...`. */
function apiOfCall(apis: ApiInfo[], call: CallModel): ApiInfo | undefined {
  const uri = call.action.uri ?? '';
  return apis.find((info) => {
    if (!info.apim) return false;
    const gateway = `\${${info.apim.address}.gateway_url}`;
    const path = String(info.api.config.path ?? '');
    return uri.startsWith(`${gateway}/${path}/`) || uri === `${gateway}/${path}` || uri.startsWith(`${gateway}/${path}?`);
  });
}

// ---------- the checks ----------

const LA001: Check = (ctx) => {
  const findings: RawFinding[] = [];
  const apis = apisOf(ctx.model);
  for (const call of ctx.model.calls) {
    const token = predictToken(ctx, call);
    if (!token) continue;
    const requested = call.requestedAudience ?? `(none: Logic Apps requests ${DEFAULT_MSI_AUDIENCE})`;
    const receiver = call.target;
    if (receiver && receiver.policies.length > 0) {
      const policies = receiver.policies;
      const matches = (p: (typeof policies)[number], checkIss: boolean) =>
        sameValue(claimOf(p.claims, 'aud'), token.aud, ctx.bindings) && (!checkIss || sameValue(claimOf(p.claims, 'iss'), token.iss, ctx.bindings));
      if (policies.some((p) => matches(p, true))) continue;
      const expectedAud = [...new Set(policies.map((p) => claimOf(p.claims, 'aud')).filter((v): v is string => v !== undefined))];
      const expectedIss = [...new Set(policies.map((p) => claimOf(p.claims, 'iss')).filter((v): v is string => v !== undefined))];
      const message = policies.some((p) => matches(p, false))
        ? `"${call.caller.workflowName}" gets v${token.version} tokens (iss "${token.rawIss}") but every policy of "${receiver.workflowName}" expects iss ${expectedIss.map((v) => `"${v}"`).join(' or ')}: MisMatchingOAuthClaims; ` +
          `write the policy iss in the form of the audience app's requested_access_token_version (v1: https://sts.windows.net/<tenant>/, v2: https://login.microsoftonline.com/<tenant>/v2.0)`
        : `"${call.caller.workflowName}" requests audience "${requested}" and its token carries aud "${token.rawAud}", but "${receiver.workflowName}" accepts aud ${expectedAud.map((v) => `"${v}"`).join(' or ') || '(none)'}: MisMatchingOAuthClaims; ` +
          `request the receiver's audience (CallerWorkflow.call(receiver) without an audience override)`;
      findings.push({ ruleId: 'LA001', resource: call.action, message });
      continue;
    }
    const api = apiOfCall(apis, call);
    if (!api) continue;
    for (const policy of api.policies) {
      for (const validation of tokenValidations(policy.config.xml_content) ?? []) {
        if (validation.audiences.length > 0 && !validation.audiences.some((a) => sameValue(a, token.aud, ctx.bindings))) {
          findings.push({
            ruleId: 'LA001',
            resource: call.action,
            message:
              `"${call.caller.workflowName}" requests audience "${requested}" and its token carries aud "${token.rawAud}", but the ${validation.kind} of API "${api.api.config.name}" accepts ${validation.audiences.map((v) => `"${v}"`).join(', ')}: 401; ` +
              'request the API audience (EntraProtectedApi.audience) or add the token\'s aud to <audiences>',
          });
        } else if (validation.tenantId && !sameValue(validation.tenantId, token.tid, ctx.bindings)) {
          findings.push({
            ruleId: 'LA001',
            resource: call.action,
            message:
              `the token of "${call.caller.workflowName}" is issued by the tenant of ${token.app?.provider ?? 'the caller'}, but the ${validation.kind} of API "${api.api.config.name}" has tenant-id "${validation.tenantId}": 401; ` +
              "set tenant-id to the audience app's tenant",
          });
        }
      }
    }
  }
  return findings;
};

const SAS_IN_URL = /[?&]sig=/;
const referencesCallbackUrl = (text: string) => referencesIn(text).some((ref) => ref.attribute === 'callback_url');

const LA002: Check = (ctx) => {
  const findings: RawFinding[] = [];
  const stepTypes = ['azurerm_logic_app_action_custom', 'azurerm_logic_app_action_http', 'azurerm_logic_app_trigger_custom'];
  for (const step of ctx.model.resources.filter((r) => stepTypes.includes(r.type))) {
    const text = JSON.stringify([step.config.body, step.config.uri, step.config.headers, step.config.body]);
    const sas = SAS_IN_URL.exec(text);
    if (sas || referencesCallbackUrl(text)) {
      const what = sas ? 'a SAS signature (sig=)' : 'a trigger callback_url (the full SAS URL)';
      findings.push({
        ruleId: 'LA002',
        resource: step,
        message:
          `the step "${step.config.name}" carries ${what}: a call with both SAS and a token fails with DirectApiRequestHasMoreThanOneAuthorization, and the SAS URL skips OAuth; ` +
          "build the URL from the receiver's access_endpoint without sig (ReceiverWorkflow.invokeUrl / oauthInvokeUrl())",
      });
    }
  }
  return findings;
};

const SECRET_KEYS = /^(password|clientsecret|client_secret|secret|pfx|sharedaccesskey|accountkey|apikey|api-key|x-api-key|ocp-apim-subscription-key)$/i;
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/, 'PEM key or certificate material'],
  [/\bMII[A-Za-z0-9+/]{60,}/, 'base64 DER/PFX material (MII...)'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, 'a JWT'],
  [/(AccountKey|SharedAccessKey)=[^;"\\]+/, 'a storage/service-bus key'],
  [/\b(Bearer|Basic) [A-Za-z0-9._~+/=-]{16,}/, 'a literal Authorization credential'],
];
/** Attributes whose value is a secret: referencing them puts the secret into the workflow definition. */
export function isSecretAttribute(address: string, attribute: string): boolean {
  if (/(^|\.)(callback_url|client_secret|primary_access_key|secondary_access_key|primary_key|secondary_key|primary_connection_string|secondary_connection_string|connection_string|private_key_pem|private_key|password|pfx|key_vault_secret_value)$/.test(attribute)) return true;
  return /(^|\.)(azurerm_key_vault_secret|azuread_application_password|azuread_service_principal_password)\./.test(`${address}.`) && /^value$/.test(attribute);
}

function literalSecrets(definition: Json, path = ''): string[] {
  const found: string[] = [];
  if (definition && typeof definition === 'object') {
    for (const [key, value] of Object.entries(definition)) {
      const here = path ? `${path}.${key}` : key;
      if (typeof value === 'string' && SECRET_KEYS.test(key) && value !== '' && !value.startsWith('@') && !/^\$\{[^}]+\}$/.test(value)) {
        found.push(`${here} is a literal value`);
      } else {
        found.push(...literalSecrets(value, here));
      }
    }
  }
  return found;
}

const LA003: Check = (ctx) => {
  const findings: RawFinding[] = [];
  const types = ['azurerm_logic_app_action_custom', 'azurerm_logic_app_trigger_custom', 'azurerm_logic_app_action_http', 'azurerm_logic_app_workflow'];
  for (const r of ctx.model.resources.filter((res) => types.includes(res.type))) {
    const parts: Json =
      r.type === 'azurerm_logic_app_workflow'
        ? { parameters: r.config.parameters, workflow_parameters: r.config.workflow_parameters }
        : r.type === 'azurerm_logic_app_action_http'
          ? { uri: r.config.uri, headers: r.config.headers, body: r.config.body, queries: r.config.queries }
          : (() => {
              try {
                return JSON.parse(String(r.config.body));
              } catch {
                return { body: r.config.body };
              }
            })();
    const text = JSON.stringify(parts) ?? '';
    const problems = [
      ...SECRET_PATTERNS.filter(([re]) => re.test(text)).map(([, what]) => what),
      ...literalSecrets(parts),
      ...referencesIn(text)
        .filter((ref) => ref.attribute !== 'callback_url' && isSecretAttribute(ref.address, ref.attribute))
        .map((ref) => `a reference to the secret \${${ref.expression}}`),
    ];
    if (problems.length) {
      findings.push({
        ruleId: 'LA003',
        resource: r,
        message:
          `the workflow definition contains ${[...new Set(problems)].join(', ')}: anyone who can read the workflow or the state reads it; ` +
          'read secrets at run time from Key Vault with the managed identity (secure outputs) and reference them as @body(...)',
      });
    }
  }
  return findings;
};

const LA004_LA005: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const call of ctx.model.calls) {
    if (call.authType !== 'ManagedServiceIdentity' || call.requestedAudience === undefined) continue;
    const result = issueManagedIdentityToken(ctx.model, call, ctx.bindings);
    if (result.issued) continue;
    if (result.error === 'AudienceNotFound') {
      findings.push({
        ruleId: 'LA004',
        resource: call.action,
        message:
          `"${call.caller.workflowName}" requests audience "${call.requestedAudience}", which no app registration of this stack issues and which is not a first-party resource: Entra answers AADSTS500011 (audience does not exist in the tenant); ` +
          "request an Audience construct's audience, or declare an audience issued elsewhere with ExternalAudience / markExternalAudience(action, audience, reason)",
      });
    } else if (result.error === 'NoManagedIdentity' || result.error === 'CrossTenantManagedIdentity') {
      findings.push({
        ruleId: 'LA005',
        resource: call.action,
        message:
          result.error === 'NoManagedIdentity'
            ? `"${call.caller.workflowName}" calls with ManagedServiceIdentity but has no system-assigned identity: the call fails; set identity { type = "SystemAssigned" } on the workflow`
            : `${result.message}: Entra refuses the token request; call with the certificate client (ActiveDirectoryOAuth, CallerWorkflow.call(api, { certificateClient })) as the cross-tenant stack does`,
      });
    }
  }
  return findings;
};

const LA006: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const receiver of ctx.model.workflows) {
    if (receiver.policies.length === 0) continue;
    const ranges = receiver.triggerIpRanges;
    if (typeof ranges === 'string' || (ranges !== undefined && ranges.length > 0)) continue;
    const callers = ctx.model.calls.filter((c) => c.target === receiver).map((c) => c.caller.workflowName);
    if (callers.length === 0) continue;
    findings.push({
      ruleId: 'LA006',
      resource: receiver,
      message:
        `the trigger IP list is empty ([] = "only other Logic Apps") but ${[...new Set(callers)].map((n) => `"${n}"`).join(', ')} call it with the HTTP action: 401; ` +
        "admit the callers' workflow_outbound_ip_addresses (ReceiverWorkflow.allowCaller) or list ranges in allowed_caller_ip_address_range",
    });
  }
  return findings;
};

const policyLimits: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const wf of ctx.model.workflows) {
    if (wf.policies.length > LIMITS.policiesPerWorkflow) {
      findings.push({
        ruleId: 'LA007',
        resource: wf,
        message: `"${wf.workflowName}" has ${wf.policies.length} authorization policies; Logic Apps allows ${LIMITS.policiesPerWorkflow}: split the callers over more receivers`,
      });
    }
    for (const policy of wf.policies) {
      if (policy.claims.length > LIMITS.claimsPerPolicy) {
        findings.push({
          ruleId: 'LA008',
          resource: wf,
          message: `policy "${policy.name}" has ${policy.claims.length} claims; Logic Apps allows ${LIMITS.claimsPerPolicy}: keep iss, aud and oid (or appid) only`,
        });
      }
      for (const claim of policy.claims) {
        const value = bind(claim.value, ctx.bindings);
        if (value.length > LIMITS.claimValueLength) {
          findings.push({
            ruleId: 'LA009',
            resource: wf,
            message: `claim "${claim.name}" of policy "${policy.name}" is ${value.length} characters ("${short(claim.value, 60)}"): InvalidOAuthClaimValue above ${LIMITS.claimValueLength}; shorten the value (e.g. use the client id as identifier URI)`,
          });
        }
      }
      const iss = claimOf(policy.claims, 'iss');
      if (iss === undefined) {
        findings.push({
          ruleId: 'LA010',
          resource: wf,
          message: `policy "${policy.name}" has no iss claim: Logic Apps requires one; add iss = https://sts.windows.net/<tenant>/ (v1 tokens) or https://login.microsoftonline.com/<tenant>/v2.0 (v2)`,
        });
      } else {
        const bound = bind(iss, ctx.bindings);
        if (!bound.startsWith('${') && !ACCEPTED_ISSUER_PREFIXES.some((prefix) => bound.startsWith(prefix))) {
          findings.push({
            ruleId: 'LA010',
            resource: wf,
            message: `policy "${policy.name}" has iss "${short(iss)}": Logic Apps accepts only issuers starting ${ACCEPTED_ISSUER_PREFIXES.join(' or ')}; use issuerFor(tokenVersion, tenant)`,
          });
        }
      }
    }
  }
  return findings;
};

const ACCESS_SECTIONS = ['trigger', 'content', 'action', 'workflow_management'] as const;

const LA011: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const wf of ctx.model.workflows) {
    const access = asSingle(wf.config.access_control);
    for (const section of ACCESS_SECTIONS) {
      const ranges = asSingle(access?.[section])?.allowed_caller_ip_address_range;
      if (!Array.isArray(ranges)) continue;
      for (const range of ranges) {
        if (typeof range !== 'string' || isUnresolved(range)) continue;
        const problem = ipRangeProblem(range);
        if (problem) {
          findings.push({
            ruleId: 'LA011',
            resource: wf,
            message: `access_control.${section} range "${range}" is rejected by Azure: ${problem}${problem.includes('; ') ? '' : '; write CIDR (10.0.0.0/24) or a-b with start <= end'}`,
          });
        }
      }
    }
  }
  return findings;
};

const LA012: Check = (ctx) =>
  ctx.model.workflows
    .filter((wf) => typeof wf.workflowName === 'string' && !isUnresolved(wf.workflowName) && !LIMITS.workflowName.test(wf.workflowName))
    .map((wf) => ({
      ruleId: 'LA012',
      resource: wf,
      message: `workflow name "${short(wf.workflowName)}" does not match ^[-()_.A-Za-z0-9]{1,80}$: azurerm rejects it; use 1-80 letters, digits, "-", "_", ".", "(" or ")"`,
    }));

const VAULT_AUDIENCE = /^https:\/\/vault\.azure\.net\/?$/i;
const READS_SECRET_URI = /vault\.azure\.net|\.vault_uri\}|\.secret_id\}|\.versionless_secret_id\}|\/secrets\//i;

const LA013: Check = (ctx) => {
  const findings: RawFinding[] = [];
  const secure = (present: readonly string[], needed: string[]) => needed.filter((n) => !present.includes(n));
  for (const wf of ctx.model.workflows) {
    for (const action of wf.actions) {
      const needs = new Map<string, string>();
      const auth = action.authentication;
      const uri = action.uri ?? '';
      if ((auth && VAULT_AUDIENCE.test(String(auth.audience ?? ''))) || (action.actionType === 'Http' && READS_SECRET_URI.test(uri))) {
        needs.set('outputs', 'reads a Key Vault secret');
      }
      if (auth && (auth.pfx !== undefined || auth.password !== undefined || auth.secret !== undefined || auth.credentialType !== undefined)) {
        needs.set('inputs', 'carries a certificate/password credential');
      }
      const headers = action.type === 'azurerm_logic_app_action_http' ? action.config.headers : action.definition?.inputs?.headers;
      if (headers && typeof headers === 'object' && Object.keys(headers).some((h) => /^authorization$/i.test(h))) {
        needs.set('inputs', needs.has('inputs') ? `${needs.get('inputs')} and an Authorization header` : 'includes an Authorization header');
      }
      const missing = secure(action.secureData, [...needs.keys()]);
      if (missing.length === 0) continue;
      const why = [...needs.values()].join(' and ');
      findings.push({
        ruleId: 'LA013',
        resource: action,
        message:
          action.type === 'azurerm_logic_app_action_http'
            ? `action "${action.actionName}" ${why} but azurerm_logic_app_action_http cannot set secure inputs/outputs: the value shows in run history; use azurerm_logic_app_action_custom with runtimeConfiguration.secureData (secureHttpAction())`
            : `action "${action.actionName}" ${why} without secure ${missing.join(' and ')}: the value shows in run history; add "runtimeConfiguration": {"secureData": {"properties": ["inputs","outputs"]}} (secureHttpAction())`,
      });
    }
    for (const trigger of wf.triggers) {
      if (trigger.includesAuthorizationHeaders && !trigger.secureData.includes('outputs')) {
        findings.push({
          ruleId: 'LA013',
          resource: trigger,
          message: `trigger "${trigger.triggerName}" has operationOptions IncludeAuthorizationHeadersInOutputs without secure outputs: callers' Bearer tokens show in run history; add runtimeConfiguration.secureData.properties ["inputs","outputs"] (bearerOnlyRequestTrigger())`,
        });
      }
    }
  }
  return findings;
};

const LA014_LA015: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const vault of ofType(ctx.model, 'azurerm_key_vault').filter((r) => !r.address.startsWith('data.'))) {
    if (vault.config.rbac_authorization_enabled !== true && vault.config.enable_rbac_authorization !== true) {
      findings.push({
        ruleId: 'LA014',
        resource: vault,
        message: `Key Vault "${vault.config.name}" has rbac_authorization_enabled = ${JSON.stringify(vault.config.rbac_authorization_enabled ?? null)}: access policies grant vault-wide access; set rbac_authorization_enabled = true and grant per secret`,
      });
    }
    if (vault.config.purge_protection_enabled !== true) {
      findings.push({
        ruleId: 'LA015',
        resource: vault,
        message: `Key Vault "${vault.config.name}" has purge_protection_enabled = ${JSON.stringify(vault.config.purge_protection_enabled ?? null)}: a deleted vault and its certificate can be purged at once; set purge_protection_enabled = true`,
      });
    }
  }
  return findings;
};

const SECRET_ROLE_NAMES = /^Key Vault Secrets (User|Officer)$/i;
const SECRET_ROLE_IDS = /(4633458b-17de-408a-b874-0445c86b69e6|b86a8fe4-44ce-4948-aee5-eccb2c155cd7)$/i;
const ONE_SECRET_SCOPES = [
  /^\$\{(data\.)?azurerm_key_vault\.[A-Za-z0-9_-]+\.id\}\/secrets\/[^/]+$/,
  /^\$\{(data\.)?azurerm_key_vault_secret\.[A-Za-z0-9_-]+\.resource_manager_versionless_id\}$/,
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+\/secrets\/[^/]+$/i,
];

const LA016: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const ra of ofType(ctx.model, 'azurerm_role_assignment')) {
    const role = String(ra.config.role_definition_name ?? ra.config.role_definition_id ?? '');
    if (!SECRET_ROLE_NAMES.test(role) && !SECRET_ROLE_IDS.test(role)) continue;
    const scope = String(ra.config.scope ?? '');
    if (ONE_SECRET_SCOPES.some((re) => re.test(scope))) continue;
    const certificate = referencesIn(scope).find((ref) => ref.address.startsWith('azurerm_key_vault_certificate.') || ref.address.startsWith('data.azurerm_key_vault_certificate.'));
    findings.push({
      ruleId: 'LA016',
      resource: ra,
      message: certificate
        ? `"${role}" is scoped to "${short(scope)}", a /certificates/ id: it grants no read of the certificate's secret; scope it to <vault id>/secrets/<certificate name>`
        : `"${role}" is scoped to "${short(scope)}", wider than one secret: the identity reads every secret in it; scope it to exactly <vault id>/secrets/<name> (ClientCertificate.grantSecretRead)`,
    });
  }
  return findings;
};

const LA017_LA018_LA019: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const info of apisOf(ctx.model)) {
    const { api } = info;
    const protocols = asList<string>(api.config.protocols).map((p) => String(p).toLowerCase());
    if (protocols.includes('http')) {
      findings.push({
        ruleId: 'LA017',
        resource: api,
        message: `API "${api.config.name}" allows protocols ${JSON.stringify(api.config.protocols)}: Bearer tokens would travel in clear text; set protocols = ["https"]`,
      });
    }
    const documents = info.policies.map((p) => ({ policy: p, validations: tokenValidations(p.config.xml_content) }));
    const dynamic = documents.some((d) => d.validations === undefined && (typeof d.policy.config.xml_content === 'string' || d.policy.config.xml_link));
    const validations = documents.flatMap((d) => (d.validations ?? []).map((v) => ({ policy: d.policy, v })));
    if (validations.length === 0 && !dynamic) {
      findings.push({
        ruleId: 'LA018',
        resource: info.policies[0] ?? api,
        message: `API "${api.config.name}" has no validate-azure-ad-token or validate-jwt in its API policy${info.policies.length ? '' : ' (it has no API policy)'}: anyone who reaches the gateway calls it; add an API policy with validate-azure-ad-token (EntraProtectedApi)`,
      });
    }
    const operationValidations = info.operationPolicies.flatMap((p) => (tokenValidations(p.config.xml_content) ?? []).map((v) => ({ policy: p, v })));
    for (const { policy, v } of [...validations, ...operationValidations]) {
      const missing: string[] = [];
      if (v.kind === 'validate-azure-ad-token' && v.clientApplicationIds.length === 0) missing.push('no <client-application-ids>/<application-id>');
      if (v.kind === 'validate-jwt' && !v.requiredClaims.some((c) => ['appid', 'azp', 'oid'].includes(c.name) && c.values.length > 0)) {
        missing.push('no required claim pinning the client (appid, azp or oid)');
      }
      if (v.audiences.length === 0) missing.push('no <audiences>/<audience>');
      if (missing.length) {
        findings.push({
          ruleId: 'LA019',
          resource: policy,
          message: `the ${v.kind} of API "${api.config.name}" has ${missing.join(' and ')}: any app of the tenant (or any audience) is admitted; pin the callers' client ids and the API audience (EntraProtectedApi.allowCaller)`,
        });
      }
    }
  }
  return findings;
};

const LA020: Check = (ctx) => {
  const audiences = new Set<string>();
  for (const call of ctx.model.calls) if (call.requestedAudience) audiences.add(call.requestedAudience);
  for (const wf of ctx.model.workflows) for (const p of wf.policies) for (const c of p.claims) if (c.name === 'aud') audiences.add(c.value);
  for (const policy of ofType(ctx.model, 'azurerm_api_management_api_policy').concat(ofType(ctx.model, 'azurerm_api_management_policy'))) {
    for (const v of tokenValidations(policy.config.xml_content) ?? []) v.audiences.forEach((a) => audiences.add(a));
  }
  const apps = new Map<string, AppModel>();
  for (const audience of audiences) {
    const app = appForAudience(ctx.model, audience);
    if (app) apps.set(app.address, app);
  }
  return [...apps.values()].flatMap((app) =>
    app.servicePrincipals
      .filter((sp) => sp.config.app_role_assignment_required !== true)
      .map((sp) => ({
        ruleId: 'LA020',
        resource: sp,
        message: `enterprise application of "${app.displayName}" is used as an audience with app_role_assignment_required = ${JSON.stringify(sp.config.app_role_assignment_required ?? false)}: Entra issues its tokens to every identity of the tenant; set app_role_assignment_required = true and grant callers an app role (Audience.grantInvoke)`,
      })),
  );
};

const LA021: Check = (ctx) => {
  const findings: RawFinding[] = [];
  for (const [name, output] of Object.entries(ctx.model.json.output ?? {})) {
    if (output?.sensitive === true) continue;
    const text = JSON.stringify(output?.value ?? '');
    const secretRef = referencesIn(text).find((ref) => isSecretAttribute(ref.address, ref.attribute));
    const literal = SAS_IN_URL.test(text) || SECRET_PATTERNS.some(([re]) => re.test(text));
    if (!secretRef && !literal) continue;
    findings.push({
      ruleId: 'LA021',
      path: `${ctx.model.name}/output/${name}`,
      address: `output.${name}`,
      message: `output "${name}" carries ${secretRef ? `\${${secretRef.expression}}` : 'secret material'} and is not sensitive: it is printed by deploy and terraform output; set sensitive: true (or do not output it)`,
    });
  }
  return findings;
};

const LA022: Check = (ctx) =>
  ctx.model.workflows
    .filter((wf) => wf.policies.length > 0)
    .flatMap((wf) => wf.triggers.filter((t) => t.kind === 'request' && !t.bearerOnly))
    .map((trigger) => ({
      ruleId: 'LA022',
      resource: trigger,
      message: `Request trigger "${trigger.triggerName}" has authorization policies but no Bearer-only condition: anyone with the SAS URL starts runs without a token (azurerm 4.55 cannot disable SAS); use azurerm_logic_app_trigger_custom with bearerOnlyRequestTrigger()`,
    }));

function handlesSecrets(wf: WorkflowModel): boolean {
  return (
    wf.policies.length > 0 ||
    wf.triggers.some((t) => t.includesAuthorizationHeaders) ||
    wf.actions.some((a) => a.authentication !== undefined)
  );
}

const LA023: Check = (ctx) =>
  ctx.model.workflows
    .filter((wf) => handlesSecrets(wf) && (wf.contentIpRanges === undefined || (Array.isArray(wf.contentIpRanges) && wf.contentIpRanges.length === 0)))
    .map((wf) => ({
      ruleId: 'LA023',
      resource: wf,
      message: `"${wf.workflowName}" handles tokens or secrets but access_control.content is not set: run inputs/outputs are readable from any address; set content ranges (["0.0.0.0-0.0.0.0"] blocks all reads)`,
    }));

/** Every check, in rule-id order of the first id each produces. */
export const CHECKS: readonly Check[] = [
  LA001,
  LA002,
  LA003,
  LA004_LA005,
  LA006,
  policyLimits,
  LA011,
  LA012,
  LA013,
  LA014_LA015,
  LA016,
  LA017_LA018_LA019,
  LA020,
  LA021,
  LA022,
  LA023,
];
