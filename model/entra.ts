// A simulated deployment of a synthesized stack: every Terraform reference gets a deterministic fake
// value (tenant ids per azuread provider, client ids, principal ids, endpoints), and Entra's token
// issuance is modelled from the app registrations and app-role grants in the stack. The verdict
// (verdict.ts) uses it to answer "what token would this caller get?" without Azure.
import { createHash } from 'node:crypto';
import { audClaimFor, DEFAULT_MSI_AUDIENCE, FIRST_PARTY_AUDIENCES, issuerFor, TokenClaims, TokenVersion } from '../domain/tokens';
import { AppModel, referencesIn, StackModel, stringsIn, TerraformValue, WorkflowModel } from './stack-model';

/**
 * The app registration a requested audience designates (identifier URI or client id), if any. Entra
 * resolves an identifier URI with or without its trailing "/"; the token's `aud` is still the requested
 * string verbatim (v1), and receivers compare it exactly.
 */
export function appForAudience(model: StackModel, requested: string): AppModel | undefined {
  const norm = (s: string) => s.replace(/\/+$/, '');
  return model.apps.find((app) => app.clientIdRef === requested || app.identifierUris.some((uri) => norm(uri) === norm(requested)));
}

/** A managed-identity token request of a workflow's HTTP action. */
export interface TokenRequest {
  readonly caller: WorkflowModel;
  /** The audience as written; Logic Apps asks for Azure Resource Manager when none is given. */
  readonly requestedAudience?: string;
  /** The action declares this audience as issued elsewhere (annotation). */
  readonly externalAudience?: string;
}

/** Values of Terraform references, keyed by the expression inside `${...}`. */
export type Bindings = Record<string, string>;

function fakeUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The provider alias a resource uses ("azuread" for the default one). */
export function providerOf(config: TerraformValue, fallback: string): string {
  return typeof config?.provider === 'string' ? config.provider : fallback;
}

/** Fake tenant id of an azuread provider (by alias); the default provider is the Logic Apps' tenant. */
export function simulatedTenant(provider: string): string {
  return fakeUuid(`tenant:${provider}`);
}

const bindingsOf = new WeakMap<StackModel, Bindings>();

/**
 * Deterministic fake values for every simple reference (`${type.name.attr}`) in the stack (computed once
 * per model; the result is shared: do not modify it).
 */
export function simulatedBindings(model: StackModel): Bindings {
  let bindings = bindingsOf.get(model);
  if (!bindings) {
    bindings = computeBindings(model);
    bindingsOf.set(model, bindings);
  }
  return bindings;
}

function computeBindings(model: StackModel): Bindings {
  const strings = stringsIn(model.json.resource ?? {});
  stringsIn(model.json.output ?? {}, strings);
  // Every workflow's identity, also when nothing references it (a probe's oid appears in no policy).
  strings.push(...model.workflows.map((wf) => `\${${wf.principalIdRef}}`));
  const bindings: Bindings = {};
  for (const s of strings) {
    for (const ref of referencesIn(s)) {
      if (ref.expression.includes('(') || bindings[ref.expression] !== undefined) continue;
      bindings[ref.expression] = fakeValue(model, ref.address, ref.attribute, ref.expression);
    }
  }
  // `data.azuread_service_principal { object_id = <workflow principal id> }.client_id` is the client id
  // Entra puts in that identity's tokens (appid/azp), as in Azure.
  for (const sp of model.resources.filter((r) => r.type === 'azuread_service_principal' && r.address.startsWith('data.'))) {
    const objectId = referencesIn(String(sp.config.object_id ?? '')).find((ref) => ref.address.startsWith('azurerm_logic_app_workflow.'));
    const workflow = objectId && model.workflows.find((wf) => wf.address === objectId.address);
    if (workflow) bindings[`${sp.address}.client_id`] = simulatedIdentityClientId(workflow.principalIdRef);
  }
  return bindings;
}

function fakeValue(model: StackModel, address: string, attribute: string, expression: string): string {
  if (attribute === 'tenant_id' && address.startsWith('data.')) {
    return simulatedTenant(providerOf(model.byAddress.get(address)?.config, 'azuread'));
  }
  if (attribute === 'access_endpoint') {
    const h = createHash('sha256').update(address).digest('hex').slice(0, 32);
    return `https://prod-00.westeurope.logic.azure.com:443/workflows/${h}`;
  }
  if (/(^|\.)(client_id|object_id|principal_id|id|application_id)$/.test(attribute) || attribute.endsWith('principal_id')) {
    return fakeUuid(expression);
  }
  return `sim-${createHash('sha256').update(expression).digest('hex').slice(0, 12)}`;
}

/** `value` with every bound `${...}` reference replaced by its value; unbound ones stay as written. */
export function bind(value: string, bindings: Bindings): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => bindings[expr.trim()] ?? whole);
}

/** Entra's answer to a managed identity's token request: the token's claims, or the refusal. */
export type IssueResult =
  | { readonly issued: true; readonly claims: TokenClaims; readonly app?: AppModel; readonly tokenVersion: TokenVersion }
  | {
      readonly issued: false;
      readonly error: 'AudienceNotFound' | 'AppRoleAssignmentRequired' | 'CrossTenantManagedIdentity' | 'NoManagedIdentity';
      readonly message: string;
    };

/** The client id Entra reports (`appid`/`azp`) for a workflow's system identity. */
export function simulatedIdentityClientId(principalIdRef: string): string {
  return fakeUuid(`appid:${principalIdRef}`);
}

/**
 * What Entra answers when `call`'s workflow asks for a token with its system identity.
 * `external` audiences (first-party APIs, or declared external) are issued as v1 tokens with the
 * requested string as `aud`.
 */
export function issueManagedIdentityToken(model: StackModel, call: TokenRequest, bindings: Bindings): IssueResult {
  if (!call.caller.hasSystemIdentity) {
    return { issued: false, error: 'NoManagedIdentity', message: `${call.caller.workflowName} has no system-assigned identity` };
  }
  const requested = call.requestedAudience ?? DEFAULT_MSI_AUDIENCE;
  const callerTenant = simulatedTenant('azuread');
  const oid = bind(`\${${call.caller.principalIdRef}}`, bindings);
  const base = { oid, sub: oid, tid: callerTenant, iat: 1700000000, nbf: 1700000000, exp: 1700086400 };
  const app = appForAudience(model, requested);
  if (!app) {
    const external = call.externalAudience === requested;
    if (!external && !(FIRST_PARTY_AUDIENCES as readonly string[]).includes(requested)) {
      return {
        issued: false,
        error: 'AudienceNotFound',
        message: `no application with identifier "${requested}" exists in the tenant (AADSTS500011)`,
      };
    }
    return {
      issued: true,
      tokenVersion: 1,
      claims: {
        ...base,
        aud: requested,
        iss: issuerFor(1, callerTenant),
        idp: issuerFor(1, callerTenant),
        appid: simulatedIdentityClientId(call.caller.principalIdRef),
        appidacr: '2',
        ver: '1.0',
      },
    };
  }
  const appTenant = simulatedTenant(app.provider);
  if (appTenant !== callerTenant) {
    return {
      issued: false,
      error: 'CrossTenantManagedIdentity',
      message: `a system-assigned identity cannot get a token from another tenant (${app.displayName} lives under provider ${app.provider})`,
    };
  }
  const roles = grantedRoles(model, app, call.caller.principalIdRef);
  const assignmentRequired = app.servicePrincipals.some((sp) => sp.config.app_role_assignment_required === true);
  if (assignmentRequired && roles.length === 0) {
    return {
      issued: false,
      error: 'AppRoleAssignmentRequired',
      message: `${call.caller.workflowName} has no app role on ${app.displayName} (AADSTS501051)`,
    };
  }
  const clientId = bind(app.clientIdRef, bindings);
  const boundRequested = bind(requested, bindings);
  const version = app.tokenVersion;
  const appid = simulatedIdentityClientId(call.caller.principalIdRef);
  const claims: Record<string, unknown> = {
    ...base,
    aud: audClaimFor(version, boundRequested, clientId),
    iss: issuerFor(version, appTenant),
    ...(version === 2 ? { azp: appid, azpacr: '2', idtyp: 'app', ver: '2.0' } : { appid, appidacr: '2', idp: issuerFor(1, appTenant), ver: '1.0' }),
  };
  if (roles.length) claims.roles = roles;
  return { issued: true, claims, app, tokenVersion: version };
}

/** Values of the app roles of `app` assigned to the principal with object id expression `principalIdRef`. */
export function grantedRoles(model: StackModel, app: AppModel, principalIdRef: string): string[] {
  const spAddresses = new Set(app.servicePrincipals.map((sp) => sp.address));
  const roles: TerraformValue[] = Array.isArray(app.config.app_role) ? app.config.app_role : [];
  return model.grants
    .filter((g) => g.principalObjectId === `\${${principalIdRef}}`)
    .filter((g) => g.resourceServicePrincipal !== undefined && spAddresses.has(g.resourceServicePrincipal))
    .map((g) => roles.find((role) => role.id === g.appRoleId)?.value ?? g.appRoleId)
    .map(String);
}

/** Entra's answer to a client-credentials (certificate) token request. */
export type ClientCredentialsResult =
  | { readonly issued: true; readonly claims: TokenClaims }
  | { readonly issued: false; readonly error: string; readonly message: string };

/** What Entra answers to a client-credentials (certificate) token request described by an HTTP action's authentication. */
export function issueClientCredentialsToken(model: StackModel, auth: TerraformValue, bindings: Bindings): ClientCredentialsResult {
  const tenant = bind(String(auth?.tenant ?? ''), bindings);
  const audience = String(auth?.audience ?? '');
  const app = appForAudience(model, audience);
  if (!app || simulatedTenant(app.provider) !== tenant) {
    return { issued: false, error: 'AudienceNotFound', message: `no application with identifier "${audience}" in tenant ${tenant} (AADSTS500011)` };
  }
  const client = model.apps.find((a) => a.clientIdRef === auth?.clientId);
  if (!client || simulatedTenant(client.provider) !== tenant) {
    return { issued: false, error: 'ClientNotFound', message: `client ${auth?.clientId} is not an application of tenant ${tenant} (AADSTS700016)` };
  }
  const hasCertificate = model.resources.some(
    (r) => r.type === 'azuread_application_certificate' && referencesIn(String(r.config.application_id)).some((ref) => ref.address === client.address),
  );
  if (auth?.credentialType === 'Certificate' && !hasCertificate) {
    return { issued: false, error: 'InvalidClientCredential', message: `${client.displayName} has no certificate credential (AADSTS700027)` };
  }
  const sp = client.servicePrincipals[0];
  const spObjectIdRef = sp ? `${sp.address}.object_id` : `${client.address}.object_id`;
  const roles = sp ? grantedRoles(model, app, spObjectIdRef) : [];
  if (app.servicePrincipals.some((s) => s.config.app_role_assignment_required === true) && roles.length === 0) {
    return { issued: false, error: 'AppRoleAssignmentRequired', message: `${client.displayName} has no app role on ${app.displayName} (AADSTS501051)` };
  }
  const clientId = bind(client.clientIdRef, bindings);
  const oid = bind(`\${${spObjectIdRef}}`, bindings);
  const version = app.tokenVersion;
  const claims: Record<string, unknown> = {
    aud: audClaimFor(version, bind(audience, bindings), bind(app.clientIdRef, bindings)),
    iss: issuerFor(version, tenant),
    oid,
    sub: oid,
    tid: tenant,
    iat: 1700000000,
    nbf: 1700000000,
    exp: 1700003600,
    ...(version === 2 ? { azp: clientId, azpacr: '2', ver: '2.0' } : { appid: clientId, appidacr: '2', idp: issuerFor(1, tenant), ver: '1.0' }),
  };
  if (roles.length) claims.roles = roles;
  return { issued: true, claims };
}
