// How API Management's `validate-azure-ad-token` policy decides on a token, per Microsoft's policy
// reference ("Validate Microsoft Entra token"): the token must be issued by the policy's tenant (v1
// issuer `https://sts.windows.net/<tenant>/` or v2 `https://login.microsoftonline.com/<tenant>/v2.0`),
// its `aud` must be one of <audiences>, its client application id (`appid` in v1 tokens, `azp` in v2)
// one of <client-application-ids>, and every <required-claims> claim must match. Any failure answers
// failed-validation-httpcode (401 here). Signature and lifetime are checked too; tests verify the
// signature with jose before evaluating, and `now` covers the lifetime.
// Policy values may hold Terraform references (`${...}`) from cdk.tf.json; `bindings` resolve them.
import { issuerFor, TokenClaims } from '../domain/tokens';
import { bindReferences, hasUnresolvedReference } from './trigger-admission';
import { PolicyRequiredClaim, readTokenValidations, TokenValidationElement } from './policy-xml';

/** A <required-claims> claim of a token validation. */
export type ApimRequiredClaim = PolicyRequiredClaim;

/** The parsed `validate-azure-ad-token` element. */
export interface AzureAdTokenPolicy {
  readonly tenantId: string;
  readonly failedValidationHttpCode: number;
  readonly clientApplicationIds: readonly string[];
  readonly backendApplicationIds: readonly string[];
  readonly audiences: readonly string[];
  readonly requiredClaims: readonly ApimRequiredClaim[];
  /** Child element names in document order (API Management enforces the documented order). */
  readonly childOrder: readonly string[];
}

/** Why a token validation refuses a token (UnresolvedPolicyValue: not decided). */
export type ApimFailureReason =
  | 'WrongTenantIssuer'
  | 'WrongAudience'
  | 'WrongClientApplicationId'
  | 'MissingRequiredClaim'
  | 'TokenExpired'
  | 'TokenNotYetValid'
  | 'UnresolvedPolicyValue';

/** One failing check of a token validation. */
export interface ApimCheckFailure {
  readonly reason: ApimFailureReason;
  readonly claim: string;
  /** What the policy admits. */
  readonly expected: readonly string[];
  /** What the token carries; undefined when the claim is absent. */
  readonly actual: string | undefined;
}

/** Accepted (with the client id), or refused with the HTTP status and every failing check. */
export type ApimOutcome =
  | { readonly accepted: true; readonly clientId: string }
  | { readonly accepted: false; readonly status: number; readonly failures: readonly ApimCheckFailure[] };

/** Bindings for `${...}` values and the evaluation time. */
export interface ApimEvaluationOptions {
  /** Values of Terraform references, keyed by the expression inside `${...}`. */
  readonly bindings?: Readonly<Record<string, string>>;
  /** Evaluation time in seconds since the epoch, for `exp`/`nbf`. @default lifetime not checked */
  readonly now?: number;
}

/** The policy's documented child order; a document with another order is rejected by API Management. */
export const VALIDATE_AZURE_AD_TOKEN_ORDER = [
  'client-application-ids',
  'backend-application-ids',
  'audiences',
  'required-claims',
] as const;

/** The validate-azure-ad-token element as the evaluator reads it. Throws without a tenant-id. */
export function azureAdTokenPolicyOf(element: TokenValidationElement): AzureAdTokenPolicy {
  if (!element.tenantId) throw new Error('validate-azure-ad-token has no tenant-id attribute; add the API tenant id');
  return {
    tenantId: element.tenantId,
    failedValidationHttpCode: Number(element.failedValidationHttpCode ?? 401),
    clientApplicationIds: element.clientApplicationIds,
    backendApplicationIds: element.backendApplicationIds,
    audiences: element.audiences,
    requiredClaims: element.requiredClaims,
    childOrder: element.childOrder,
  };
}

/** Finds the one `validate-azure-ad-token` in a policy document and reads it. */
export function parseValidateAzureAdToken(xml: string): AzureAdTokenPolicy {
  const found = readTokenValidations(xml).filter((v) => v.kind === 'validate-azure-ad-token');
  if (found.length !== 1) {
    throw new Error(`expected one validate-azure-ad-token element, found ${found.length}; the API policy must validate Entra tokens`);
  }
  return azureAdTokenPolicyOf(found[0]);
}

function asString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

type Check = (reason: ApimFailureReason, claim: string, expected: string[], actual: string | undefined, ok: boolean) => void;

/** Records a failing check; a check whose expected values hold an unbound reference is undecided, not failed. */
function checker(failures: ApimCheckFailure[]): Check {
  return (reason, claim, expected, actual, ok) => {
    const unresolved = expected.filter(hasUnresolvedReference);
    if (unresolved.length > 0) failures.push({ reason: 'UnresolvedPolicyValue', claim, expected: unresolved, actual });
    else if (!ok) failures.push({ reason, claim, expected, actual });
  };
}

/** <required-claims>: `match="all"` needs every value in the claim, `"any"` one of them. */
function checkRequiredClaims(required: readonly ApimRequiredClaim[], claims: TokenClaims, bind: (value: string) => string, check: Check): void {
  for (const claim of required) {
    const expected = claim.values.map(bind);
    const actual = asList(claims[claim.name]);
    const ok = claim.match === 'any' ? expected.some((v) => actual.includes(v)) : expected.every((v) => actual.includes(v));
    check('MissingRequiredClaim', claim.name, expected, asString(claims[claim.name]), ok);
  }
}

/** The client application id of a token: `azp` in v2 tokens, `appid` in v1 tokens. */
export function clientIdOf(claims: TokenClaims): string | undefined {
  return asString(claims.ver === '2.0' ? claims.azp : (claims.appid ?? claims.azp));
}

/** Evaluates decoded token claims against a parsed policy; every failing check is reported. */
export function evaluateApimToken(
  policy: AzureAdTokenPolicy,
  claims: TokenClaims,
  options: ApimEvaluationOptions = {},
): ApimOutcome {
  const bind = (value: string) => bindReferences(value, options.bindings);
  const failures: ApimCheckFailure[] = [];
  const check = checker(failures);

  const tenant = bind(policy.tenantId);
  const issuers = [issuerFor(1, tenant), issuerFor(2, tenant)];
  const iss = asString(claims.iss);
  check('WrongTenantIssuer', 'iss', issuers, iss, iss !== undefined && issuers.includes(iss));

  const audiences = policy.audiences.map(bind);
  const aud = asString(claims.aud);
  check('WrongAudience', 'aud', audiences, aud, audiences.length === 0 || (aud !== undefined && audiences.includes(aud)));

  const clientIds = policy.clientApplicationIds.map(bind);
  const clientId = clientIdOf(claims);
  const clientClaim = claims.ver === '2.0' ? 'azp' : 'appid';
  check('WrongClientApplicationId', clientClaim, clientIds, clientId, clientIds.length === 0 || (clientId !== undefined && clientIds.includes(clientId)));

  checkRequiredClaims(policy.requiredClaims, claims, bind, check);

  if (options.now !== undefined) {
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    const nbf = typeof claims.nbf === 'number' ? claims.nbf : undefined;
    if (exp === undefined || exp <= options.now) {
      failures.push({ reason: 'TokenExpired', claim: 'exp', expected: [`> ${options.now}`], actual: asString(claims.exp) });
    }
    if (nbf !== undefined && nbf > options.now) {
      failures.push({ reason: 'TokenNotYetValid', claim: 'nbf', expected: [`<= ${options.now}`], actual: String(nbf) });
    }
  }

  if (failures.length === 0) return { accepted: true, clientId: clientId! };
  return { accepted: false, status: policy.failedValidationHttpCode, failures };
}

/**
 * The issuer an Entra OpenID configuration URL stands for: `.../<tenant>/v2.0/.well-known/...` issues v2
 * tokens, `.../<tenant>/.well-known/...` v1 tokens. Undefined for any other URL.
 */
export function issuerOfOpenIdConfig(url: string): string | undefined {
  const m = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/.exec(url);
  if (!m) return undefined;
  return issuerFor(m[2] ? 2 : 1, m[1]);
}

/**
 * validate-jwt's claim checks: `iss` one of <issuers> (or the issuer of an Entra openid-config URL),
 * `aud` one of <audiences>, every <required-claims> claim. Signature and lifetime as in evaluateApimToken.
 */
export function evaluateValidateJwt(element: TokenValidationElement, claims: TokenClaims, options: ApimEvaluationOptions = {}): ApimOutcome {
  const bind = (value: string) => bindReferences(value, options.bindings);
  const failures: ApimCheckFailure[] = [];
  const check = checker(failures);
  const issuers = (element.issuers.length ? element.issuers : element.openIdConfigUrls.map(issuerOfOpenIdConfig).filter((v): v is string => v !== undefined)).map(bind);
  const iss = asString(claims.iss);
  if (issuers.length) check('WrongTenantIssuer', 'iss', issuers, iss, iss !== undefined && issuers.includes(iss));
  const audiences = element.audiences.map(bind);
  const aud = asString(claims.aud);
  if (audiences.length) check('WrongAudience', 'aud', audiences, aud, aud !== undefined && audiences.includes(aud));
  checkRequiredClaims(element.requiredClaims, claims, bind, check);
  if (options.now !== undefined) {
    if (typeof claims.exp === 'number' && claims.exp <= options.now) {
      failures.push({ reason: 'TokenExpired', claim: 'exp', expected: [`> ${options.now}`], actual: asString(claims.exp) });
    }
    if (typeof claims.nbf === 'number' && claims.nbf > options.now) {
      failures.push({ reason: 'TokenNotYetValid', claim: 'nbf', expected: [`<= ${options.now}`], actual: String(claims.nbf) });
    }
  }
  if (failures.length === 0) return { accepted: true, clientId: clientIdOf(claims) ?? '' };
  return { accepted: false, status: Number(element.failedValidationHttpCode ?? 401), failures };
}

/** Evaluates one token validation element (either kind). */
export function evaluateTokenValidation(element: TokenValidationElement, claims: TokenClaims, options: ApimEvaluationOptions = {}): ApimOutcome {
  return element.kind === 'validate-azure-ad-token' ? evaluateApimToken(azureAdTokenPolicyOf(element), claims, options) : evaluateValidateJwt(element, claims, options);
}
