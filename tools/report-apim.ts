// API Management view of a synthesized stack for the report and the token check: each
// azurerm_api_management_api with its policy (azurerm_api_management_api_policy.xml_content), what the
// policy's validate-azure-ad-token / validate-jwt admits, and which workflow actions call the API.
// Only reads Terraform JSON, like tools/synth-model.ts.
import { readTokenValidations, TokenValidationElement } from './apim-policy-xml';
import type { ActionModel, Json, ResourceRef, StackModel, WorkflowModel } from './synth-model';
import { referencesIn } from './synth-model';

/** The token validation of an API's inbound policy, as read by tools/apim-policy-xml.ts. */
export type ApiTokenValidation = TokenValidationElement;

export interface ApiModel extends ResourceRef {
  readonly apiName: string;
  readonly apiPath: string;
  /** The API Management service resource, when referenced by address. */
  readonly service?: ResourceRef;
  readonly serviceLabel: string;
  readonly subscriptionRequired: boolean;
  readonly policy?: ResourceRef;
  readonly policyXml?: string;
  /** Token validation of the inbound policy; undefined when the policy validates no token. */
  readonly validation?: ApiTokenValidation;
  /** The XML could not be parsed. */
  readonly policyError?: string;
}

export interface ApiCallModel {
  readonly action: ActionModel;
  readonly caller: WorkflowModel;
  readonly api: ApiModel;
  readonly authType?: string;
  readonly requestedAudience?: string;
  readonly authentication?: Json;
}

/** What an API policy's token validation admits (validate-azure-ad-token first, else validate-jwt). */
export function parseApiPolicy(xml: string): { validation?: ApiTokenValidation; error?: string } {
  let validations: TokenValidationElement[];
  try {
    validations = readTokenValidations(xml);
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  }
  const validation = validations.find((v) => v.kind === 'validate-azure-ad-token') ?? validations[0];
  return validation ? { validation } : {};
}

function refersTo(value: unknown, address: string): boolean {
  return typeof value === 'string' && referencesIn(value).some((ref) => ref.address === address);
}

/** The APIs of a stack with their policies. */
export function apisOf(model: StackModel): ApiModel[] {
  const services = model.resources.filter((r) => r.type === 'azurerm_api_management');
  const policies = model.resources.filter((r) => r.type === 'azurerm_api_management_api_policy');
  return model.resources
    .filter((r) => r.type === 'azurerm_api_management_api')
    .map((r) => {
      const service = services.find((s) => refersTo(r.config.api_management_name, s.address)) ??
        services.find((s) => s.config.name === r.config.api_management_name);
      const policy =
        policies.find((p) => refersTo(p.config.api_name, r.address)) ??
        policies.find((p) => p.config.api_name === r.config.name && (!service || refersTo(p.config.api_management_name, service.address) || p.config.api_management_name === service.config.name));
      const policyXml = typeof policy?.config.xml_content === 'string' ? policy.config.xml_content : undefined;
      const parsed = policyXml ? parseApiPolicy(policyXml) : {};
      return {
        ...r,
        apiName: String(r.config.name),
        apiPath: String(r.config.path ?? ''),
        service,
        serviceLabel: service ? String(service.config.name ?? service.address) : String(r.config.api_management_name ?? '?'),
        subscriptionRequired: r.config.subscription_required !== false,
        policy,
        policyXml,
        validation: parsed.validation,
        policyError: parsed.error,
      };
    })
    .sort((a, b) => a.apiName.localeCompare(b.apiName) || a.address.localeCompare(b.address));
}

/** Workflow HTTP actions whose URI points at one of `apis` (by API or service reference, then by path). */
export function apiCallsOf(model: StackModel, apis: readonly ApiModel[]): ApiCallModel[] {
  const calls: ApiCallModel[] = [];
  for (const workflow of model.workflows) {
    for (const action of workflow.actions) {
      if (action.actionType !== 'Http' || !action.uri) continue;
      const refs = referencesIn(action.uri).map((ref) => ref.address);
      const direct = apis.filter((api) => refs.includes(api.address));
      const viaService = apis.filter((api) => api.service && refs.includes(api.service.address));
      const byPath = viaService.filter((api) => api.apiPath && action.uri!.includes(`/${api.apiPath}`));
      const api = direct[0] ?? (byPath.length ? byPath[0] : viaService.length === 1 ? viaService[0] : undefined);
      if (!api) continue;
      const auth = action.authentication;
      calls.push({
        action,
        caller: workflow,
        api,
        authType: auth?.type,
        requestedAudience: typeof auth?.audience === 'string' ? auth.audience : undefined,
        authentication: auth,
      });
    }
  }
  return calls;
}

export interface ApiClaimFailure {
  readonly claim: string;
  readonly expected: string;
  readonly actual: string | undefined;
  readonly unresolved?: boolean;
}

export type ApiOutcome =
  | { readonly accepted: true; readonly detail: string }
  | { readonly accepted: false; readonly error: string; readonly failures: readonly ApiClaimFailure[] };

const REF = /\$\{[^}]+\}/;

function bindAll(value: string, bindings: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => bindings[expr.trim()] ?? whole);
}

function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Local reading of validate-azure-ad-token / validate-jwt claim checks (tenant via `iss`/`tid`, client
 * application ids via `appid`/`azp`, audiences via `aud`, required claims). Used until
 * tools/apim-token-eval.ts provides the shared semantics; signature and lifetime are out of scope here.
 */
export function evaluateApiTokenLocally(
  validation: ApiTokenValidation | undefined,
  claims: Readonly<Record<string, unknown>>,
  bindings: Readonly<Record<string, string>> = {},
): ApiOutcome {
  if (!validation) return { accepted: true, detail: 'no token validation in the API policy' };
  const failures: ApiClaimFailure[] = [];
  const oneOf = (claim: string, expectedValues: readonly string[], actual: unknown) => {
    if (expectedValues.length === 0) return;
    const bound = expectedValues.map((v) => bindAll(v, bindings));
    const actualStr = str(actual);
    if (actualStr !== undefined && bound.includes(actualStr)) return;
    const unresolved = bound.some((v) => REF.test(v));
    failures.push({ claim, expected: bound.join(' | '), actual: actualStr, ...(unresolved ? { unresolved } : {}) });
  };
  if (validation.tenantId) {
    const tenant = bindAll(validation.tenantId, bindings);
    oneOf('iss', [`https://sts.windows.net/${tenant}/`, `https://login.microsoftonline.com/${tenant}/v2.0`], claims.iss);
  }
  oneOf('iss', validation.issuers, claims.iss);
  oneOf('aud', validation.audiences, claims.aud);
  if (validation.clientApplicationIds.length) {
    oneOf(claims.azp !== undefined ? 'azp' : 'appid', validation.clientApplicationIds, claims.azp ?? claims.appid);
  }
  for (const rc of validation.requiredClaims) {
    const actual = claims[rc.name];
    const actualValues = Array.isArray(actual) ? actual.map(String) : actual === undefined ? [] : [String(actual)];
    const expected = rc.values.map((v) => bindAll(v, bindings));
    const ok = rc.match === 'any' ? expected.some((v) => actualValues.includes(v)) : expected.every((v) => actualValues.includes(v));
    if (!ok) {
      failures.push({
        claim: rc.name,
        expected: `${rc.match === 'any' ? 'any of' : 'all of'} ${expected.join(', ')}`,
        actual: str(actual),
        ...(expected.some((v) => REF.test(v)) ? { unresolved: true } : {}),
      });
    }
  }
  return failures.length
    ? { accepted: false, error: `401 (${validation.kind} failed)`, failures }
    : { accepted: true, detail: validation.kind };
}
