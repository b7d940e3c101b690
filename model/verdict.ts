// The one answer to "would this caller be admitted?". A call's verdict follows the call as Azure runs it:
// Entra issues (or refuses) the caller's token; the receiver's trigger IP list admits (or not) the HTTP
// action; the trigger's authorization policies, or every token validation of the API's effective policy,
// admit (or refuse) the token. Each step that fails adds a structured Reason (expected vs got, with the
// values as written in cdk.tf.json), so every consumer (rules, report, check-token, smoke) prints or
// compares the same facts. `admitAtTrigger` and `admitAtApi` are also what check-token runs on a real
// token.
import type { TokenClaims, TokenVersion } from '../domain/tokens';
import { issuerFor } from '../domain/tokens';
import { ApimCheckFailure, evaluateTokenValidation, issuerOfOpenIdConfig } from './api-admission';
import { Bindings, issueClientCredentialsToken, issueManagedIdentityToken, simulatedBindings } from './entra';
import type { ApiModel, CallModel, StackModel, TriggerModel, WorkflowModel } from './stack-model';
import { evaluateTrigger } from './trigger-admission';
import type { TokenValidationElement } from './policy-xml';

/** accepted / refused, or undecided when a deciding value is not known (an unbound reference). */
export type Outcome = 'accepted' | 'refused' | 'undecided';

/** Where along the call a reason arises. */
export type Stage = 'token' | 'network' | 'trigger' | 'api' | 'simulation';

/** One structured reason of a refusal (or of an undecided claim). */
export interface Reason {
  readonly stage: Stage;
  /** Azure's error name (MisMatchingOAuthClaims, AppRoleAssignmentRequired, WrongAudience, ...). */
  readonly code: string;
  /** One line on what fails, without claim values (printers add them from the fields below). */
  readonly summary: string;
  /** The receiver policy, or the API validation (`global validate-azure-ad-token`), the reason belongs to. */
  readonly policy?: string;
  readonly claim?: string;
  /** What the policy admits, bound as far as the bindings go (compared exactly with `actual`). */
  readonly expected?: readonly string[];
  /** The same values as written in cdk.tf.json (with `${...}`): print these through describeValue. */
  readonly original?: readonly string[];
  /** What the token carries; undefined when absent. */
  readonly actual?: string;
  /** `expected` still holds a Terraform reference no binding resolves: this claim is not decided. */
  readonly unresolved?: boolean;
  /** The HTTP status the API answers (its failed-validation-httpcode). */
  readonly httpStatus?: number;
}

/** The answer of one target (a trigger or an API) to one request. */
export interface Admission {
  readonly outcome: Outcome;
  /** The deciding Azure error of a refusal. */
  readonly error?: string;
  /** The policy or token validation that admitted the token. */
  readonly admittedBy?: string;
  /** Every failing (or undecided) check; empty when accepted. */
  readonly reasons: readonly Reason[];
}

/** The predicted verdict of one call of a stack. */
export interface CallVerdict extends Admission {
  readonly call: CallModel;
  /** The token Entra issues to the caller; undefined when Entra refuses or the call carries none. */
  readonly token?: TokenClaims;
  readonly tokenVersion?: TokenVersion;
  /** Entra issued the token (false: refused; undefined: the call requests none). */
  readonly tokenIssued?: boolean;
  /** The outcome is what the call intends (admitted for `admit`, refused for `deny`); undefined when undecided. */
  readonly asIntended?: boolean;
}

/** A request reaching a workflow trigger. */
export interface TriggerRequest {
  readonly token?: TokenClaims;
  readonly sasSignature?: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What a reference can stand for: a GUID for the id attributes Entra and Azure always fill with one, else anything. */
function referencePattern(expression: string): string {
  return /(^|\.)(client_id|tenant_id|object_id|principal_id)$/.test(expression.trim()) ? '[0-9A-Fa-f-]+' : '.+';
}

/**
 * An unresolved expected value still fixes its literal parts: `api://${x}` cannot match
 * `https://management.azure.com/`, and a client, tenant, object or principal id is a GUID, so
 * `api://${...client_id}` cannot match `api://<guid>/` either (claims are compared exactly). Such a claim
 * is a definite mismatch; otherwise it stays undecided.
 */
function settleUnresolved(reason: Reason): Reason {
  if (!reason.unresolved || reason.expected === undefined) return reason;
  const actual = reason.actual;
  const pattern = (alternative: string) =>
    alternative.split(/\$\{([^}]+)\}/).map((part, i) => (i % 2 === 0 ? escapeRegExp(part) : referencePattern(part))).join('');
  const couldMatch = actual !== undefined && reason.expected.some((alternative) => new RegExp(`^${pattern(alternative)}$`).test(actual));
  if (couldMatch) return reason;
  const { unresolved: _settled, ...definite } = reason;
  return { ...definite, summary: definite.summary.replace('depends on a deployed value', 'does not match') };
}

function decide(reasons: readonly Reason[], admittedBy?: string): Admission {
  const definite = reasons.find((r) => !r.unresolved);
  if (definite) return { outcome: 'refused', error: definite.code, reasons };
  if (reasons.length > 0) return { outcome: 'undecided', reasons };
  return { outcome: 'accepted', admittedBy, reasons };
}

/** Network reasons of a workflow's trigger: an empty IP list admits only the nested-workflow action. */
export function networkReasons(workflow: WorkflowModel): Reason[] {
  const ranges = workflow.triggerIpRanges;
  if (Array.isArray(ranges) && ranges.length === 0) {
    return [
      {
        stage: 'network',
        code: 'EmptyTriggerIpList',
        summary: 'the trigger IP list is empty ("only other Logic Apps"): an HTTP-action caller gets 401',
      },
    ];
  }
  return [];
}

/**
 * How a workflow's Request trigger answers a request (the authorization policies and the Bearer-only
 * condition; the IP list is `networkReasons`). Exact string comparison of every claim.
 */
export function admitAtTrigger(workflow: WorkflowModel, trigger: TriggerModel | undefined, request: TriggerRequest, bindings: Bindings = {}): Admission {
  const outcome = evaluateTrigger(workflow.policies, request, { bindings, bearerOnly: trigger?.bearerOnly });
  if (outcome.accepted) return { outcome: 'accepted', admittedBy: outcome.policy === 'SAS' ? 'SAS signature (no token)' : `policy ${outcome.policy}`, reasons: [] };
  if (outcome.failures.length === 0) {
    const summary: Record<string, string> = {
      MisMatchingOAuthClaims: 'the receiver has no authorization policy: no token is accepted',
      DirectApiRequestHasMoreThanOneAuthorization: 'the call carries both a SAS signature and a token',
      DirectApiAuthorizationRequired: 'the call carries neither a token nor a SAS signature',
      SkippedByTriggerCondition: 'the Bearer-only condition skips calls without a token',
    };
    return { outcome: 'refused', error: outcome.error, reasons: [{ stage: 'trigger', code: outcome.error, summary: summary[outcome.error] ?? outcome.error }] };
  }
  const original = (policy: string, claim: string) => workflow.policies.find((p) => p.name === policy)?.claims.find((c) => c.name === claim)?.value;
  const reasons: Reason[] = outcome.failures.map((f) =>
    settleUnresolved({
      stage: 'trigger',
      code: outcome.error,
      summary: f.unresolved ? `${f.claim} depends on a deployed value` : `${f.claim} does not match`,
      policy: `policy ${f.policy}`,
      claim: f.claim,
      expected: [f.expected],
      original: [original(f.policy, f.claim) ?? f.expected],
      actual: f.actual,
      ...(f.unresolved ? { unresolved: true } : {}),
    }),
  );
  // Any one policy suffices: the call is refused only when every policy has a definite mismatch.
  const byPolicy = new Map<string, Reason[]>();
  for (const r of reasons) byPolicy.set(r.policy!, [...(byPolicy.get(r.policy!) ?? []), r]);
  const everyPolicyRefuses = [...byPolicy.values()].every((rs) => rs.some((r) => !r.unresolved));
  return everyPolicyRefuses
    ? { outcome: 'refused', error: outcome.error, reasons }
    : { outcome: 'undecided', reasons: reasons.filter((r) => r.unresolved) };
}

/** The failure an undecided claim becomes once it is known not to match. */
const CLAIM_CODES: Record<string, string> = {
  iss: 'WrongTenantIssuer',
  aud: 'WrongAudience',
  appid: 'WrongClientApplicationId',
  azp: 'WrongClientApplicationId',
  exp: 'TokenExpired',
  nbf: 'TokenNotYetValid',
};

function originalsOf(element: TokenValidationElement, failure: ApimCheckFailure): string[] | undefined {
  switch (failure.claim) {
    case 'iss':
      if (element.kind === 'validate-azure-ad-token' && element.tenantId) return [issuerFor(1, element.tenantId), issuerFor(2, element.tenantId)];
      return element.issuers.length ? [...element.issuers] : element.openIdConfigUrls.map(issuerOfOpenIdConfig).filter((v): v is string => v !== undefined);
    case 'aud':
      return [...element.audiences];
    case 'appid':
    case 'azp':
      return [...element.clientApplicationIds];
    default:
      return element.requiredClaims.find((c) => c.name === failure.claim)?.values.slice();
  }
}

/**
 * How an API answers a token: every token validation of its effective policy (global policy where it
 * applies, then the API policy) must pass. An API whose effective policy validates no token admits any
 * caller (LA018 reports that).
 */
export function admitAtApi(api: ApiModel, claims: TokenClaims, bindings: Bindings = {}, now?: number): Admission {
  const reasons: Reason[] = [];
  const admittedBy: string[] = [];
  for (const document of api.effectivePolicies) {
    const where = document.scope === 'global' ? 'global policy' : 'API policy';
    if (document.unreadable) {
      reasons.push({ stage: 'api', code: 'UnreadablePolicy', summary: `${where}: ${document.unreadable}`, policy: where, unresolved: true });
      continue;
    }
    for (const element of document.validations) {
      const label = `${where} ${element.kind}`;
      let outcome;
      try {
        outcome = evaluateTokenValidation(element, claims, { bindings, now });
      } catch (err) {
        reasons.push({ stage: 'api', code: 'InvalidPolicy', summary: `${label}: ${(err as Error).message}`, policy: label });
        continue;
      }
      if (outcome.accepted) {
        admittedBy.push(label);
        continue;
      }
      for (const f of outcome.failures) {
        const unresolved = f.reason === 'UnresolvedPolicyValue';
        const settled = settleUnresolved({
          stage: 'api',
          code: unresolved ? CLAIM_CODES[f.claim] ?? 'MissingRequiredClaim' : f.reason,
          summary: `${f.claim} ${unresolved ? 'depends on a deployed value' : 'does not match'}`,
          policy: label,
          claim: f.claim,
          expected: f.expected,
          original: originalsOf(element, f) ?? f.expected,
          actual: f.actual,
          httpStatus: outcome.status,
          ...(unresolved ? { unresolved: true } : {}),
        });
        reasons.push(settled);
      }
    }
  }
  return decide(reasons, admittedBy.length ? admittedBy.join(', ') : 'no token validation');
}

function intendedBy(call: CallModel, outcome: Outcome): boolean | undefined {
  if (outcome === 'undecided') return undefined;
  return call.intent.kind === 'admit' ? outcome === 'accepted' : outcome === 'refused';
}

/** Predicts one call with the simulated deployment of its stack. */
export function predictCall(model: StackModel, call: CallModel, bindings: Bindings = simulatedBindings(model)): CallVerdict {
  const finish = (admission: Admission, token?: { claims?: TokenClaims; version?: TokenVersion; issued?: boolean }): CallVerdict => ({
    ...admission,
    call,
    token: token?.claims,
    tokenVersion: token?.version,
    tokenIssued: token?.issued,
    asIntended: intendedBy(call, admission.outcome),
  });
  const network = call.target.kind === 'workflow' ? networkReasons(call.target.workflow) : [];

  // 1. Entra: the token the caller gets.
  let claims: TokenClaims | undefined;
  let version: TokenVersion | undefined;
  if (call.authType === 'ManagedServiceIdentity') {
    const issued = issueManagedIdentityToken(model, { caller: call.caller, requestedAudience: call.requestedAudience, externalAudience: call.action.annotations.externalAudience?.audience }, bindings);
    if (!issued.issued) {
      return finish(decide([{ stage: 'token', code: issued.error, summary: issued.message }, ...network]), { issued: false });
    }
    claims = issued.claims;
    version = issued.tokenVersion;
  } else if (call.authType === 'ActiveDirectoryOAuth') {
    const issued = issueClientCredentialsToken(model, call.authentication, bindings);
    if (!issued.issued) return finish(decide([{ stage: 'token', code: issued.error, summary: issued.message }, ...network]), { issued: false });
    claims = issued.claims;
    version = claims.ver === '2.0' ? 2 : 1;
  } else if (call.authType !== undefined) {
    return finish({ outcome: 'undecided', reasons: [{ stage: 'simulation', code: 'NotSimulated', summary: `authentication type ${call.authType} is not simulated`, unresolved: true }] });
  }
  const token = { claims, version, issued: claims !== undefined ? true : undefined };

  // 2. The target.
  if (call.target.kind === 'workflow') {
    const atTrigger = admitAtTrigger(call.target.workflow, call.target.trigger, { token: claims, sasSignature: call.carriesSas }, bindings);
    const reasons = [...network, ...atTrigger.reasons];
    return finish(reasons.length ? decide(reasons) : atTrigger, token);
  }
  if (!claims) {
    const noToken: Reason = { stage: 'api', code: 'NoToken', summary: 'the call carries no token' };
    const validates = call.target.api.effectivePolicies.some((d) => d.validations.length > 0 || d.unreadable);
    return finish(validates ? decide([noToken]) : { outcome: 'accepted', admittedBy: 'no token validation', reasons: [] }, token);
  }
  return finish(admitAtApi(call.target.api, claims, bindings), token);
}

const predictions = new WeakMap<StackModel, readonly CallVerdict[]>();

/** The verdict of every call of the stack (computed once per model), in the model's call order. */
export function predictCalls(model: StackModel): readonly CallVerdict[] {
  let verdicts = predictions.get(model);
  if (!verdicts) {
    const bindings = simulatedBindings(model);
    verdicts = model.calls.map((call) => predictCall(model, call, bindings));
    predictions.set(model, verdicts);
  }
  return verdicts;
}
