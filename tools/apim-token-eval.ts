// How API Management's `validate-azure-ad-token` policy decides on a token, per Microsoft's policy
// reference ("Validate Microsoft Entra token"): the token must be issued by the policy's tenant (v1
// issuer `https://sts.windows.net/<tenant>/` or v2 `https://login.microsoftonline.com/<tenant>/v2.0`),
// its `aud` must be one of <audiences>, its client application id (`appid` in v1 tokens, `azp` in v2)
// one of <client-application-ids>, and every <required-claims> claim must match. Any failure answers
// failed-validation-httpcode (401 here). Signature and lifetime are checked too; tests verify the
// signature with jose before evaluating, and `now` covers the lifetime.
// Policy values may hold Terraform references (`${...}`) from cdk.tf.json; `bindings` resolve them.
import { XMLParser } from 'fast-xml-parser';
import { issuerFor } from '../constructs/entra';
import { bindReferences, hasUnresolvedReference, TokenClaims } from './token-eval';

export interface ApimRequiredClaim {
  readonly name: string;
  readonly match: 'all' | 'any';
  readonly values: readonly string[];
}

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

export type ApimFailureReason =
  | 'WrongTenantIssuer'
  | 'WrongAudience'
  | 'WrongClientApplicationId'
  | 'MissingRequiredClaim'
  | 'TokenExpired'
  | 'TokenNotYetValid'
  | 'UnresolvedPolicyValue';

export interface ApimCheckFailure {
  readonly reason: ApimFailureReason;
  readonly claim: string;
  /** What the policy admits. */
  readonly expected: readonly string[];
  /** What the token carries; undefined when the claim is absent. */
  readonly actual: string | undefined;
}

export type ApimOutcome =
  | { readonly accepted: true; readonly clientId: string }
  | { readonly accepted: false; readonly status: number; readonly failures: readonly ApimCheckFailure[] };

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

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const ATTR = '@_';

function parseOrdered(xml: string): OrderedNode[] {
  return new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: ATTR, parseTagValue: false, parseAttributeValue: false, trimValues: true }).parse(xml) as OrderedNode[];
}

function nameOf(node: OrderedNode): string {
  return Object.keys(node).find((key) => key !== ':@')!;
}

function childrenOf(node: OrderedNode): OrderedNode[] {
  return (node[nameOf(node)] as OrderedNode[]) ?? [];
}

function textOf(node: OrderedNode): string {
  return childrenOf(node)
    .map((child) => (typeof child['#text'] === 'string' ? child['#text'] : ''))
    .join('');
}

function attr(node: OrderedNode, name: string): string | undefined {
  return node[':@']?.[`${ATTR}${name}`];
}

function findAll(nodes: OrderedNode[], name: string): OrderedNode[] {
  return nodes.flatMap((node) => {
    const key = nameOf(node);
    if (key === '#text') return [];
    return [...(key === name ? [node] : []), ...findAll(childrenOf(node), name)];
  });
}

/** Finds the one `validate-azure-ad-token` in a policy document and reads it. */
export function parseValidateAzureAdToken(xml: string): AzureAdTokenPolicy {
  const found = findAll(parseOrdered(xml), 'validate-azure-ad-token');
  if (found.length !== 1) {
    throw new Error(`expected one validate-azure-ad-token element, found ${found.length}; the API policy must validate Entra tokens`);
  }
  const element = found[0];
  const tenantId = attr(element, 'tenant-id');
  if (!tenantId) throw new Error('validate-azure-ad-token has no tenant-id attribute; add the API tenant id');
  const children = childrenOf(element).filter((child) => nameOf(child) !== '#text');
  const section = (name: string) => children.find((child) => nameOf(child) === name);
  const values = (name: string, item: string) =>
    childrenOf(section(name) ?? { [name]: [] })
      .filter((child) => nameOf(child) === item)
      .map(textOf);
  return {
    tenantId,
    failedValidationHttpCode: Number(attr(element, 'failed-validation-httpcode') ?? 401),
    clientApplicationIds: values('client-application-ids', 'application-id'),
    backendApplicationIds: values('backend-application-ids', 'application-id'),
    audiences: values('audiences', 'audience'),
    requiredClaims: childrenOf(section('required-claims') ?? { 'required-claims': [] })
      .filter((child) => nameOf(child) === 'claim')
      .map((claim) => ({
        name: attr(claim, 'name') ?? '',
        match: attr(claim, 'match') === 'any' ? ('any' as const) : ('all' as const),
        values: childrenOf(claim)
          .filter((child) => nameOf(child) === 'value')
          .map(textOf),
      })),
    childOrder: children.map(nameOf),
  };
}

function asString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
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
  const check = (reason: ApimFailureReason, claim: string, expected: string[], actual: string | undefined, ok: boolean) => {
    const unresolved = expected.filter(hasUnresolvedReference);
    if (unresolved.length > 0) failures.push({ reason: 'UnresolvedPolicyValue', claim, expected: unresolved, actual });
    else if (!ok) failures.push({ reason, claim, expected, actual });
  };

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

  for (const required of policy.requiredClaims) {
    const expected = required.values.map(bind);
    const actual = asList(claims[required.name]);
    const ok = required.match === 'any' ? expected.some((v) => actual.includes(v)) : expected.every((v) => actual.includes(v));
    check('MissingRequiredClaim', required.name, expected, asString(claims[required.name]), ok);
  }

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
