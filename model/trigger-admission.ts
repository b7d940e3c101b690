// How a Logic Apps (Consumption) Request trigger decides on an incoming call, per Microsoft's
// "Secure access and data in Azure Logic Apps" (OAuth with Microsoft Entra ID):
// - a request with both a SAS signature (`sig`) and an Authorization header fails with
//   DirectApiRequestHasMoreThanOneAuthorization;
// - a request with neither fails with DirectApiAuthorizationRequired;
// - a token is accepted when ALL claims of ANY ONE policy match (AND within, OR across); otherwise
//   MisMatchingOAuthClaims;
// - SAS-only requests are authenticated, but our Bearer-only trigger condition skips them.
// Policy values may still hold Terraform references (`${...}`) from cdk.tf.json; `bindings` map those
// references to concrete values (tests and tools supply them), unbound ones are reported as unresolved.

/** One claim of an authorization policy: the token must carry exactly this value. */
export interface PolicyClaim {
  readonly name: string;
  readonly value: string;
}

/** One authorization policy of a trigger: all its claims must match (AND). */
export interface TriggerPolicy {
  readonly name: string;
  readonly claims: readonly PolicyClaim[];
}

import type { TokenClaims } from '../domain/tokens';

export type { TokenClaims };

/** What reaches the trigger: a token, a SAS signature, both or neither. */
export interface TriggerRequest {
  /** Decoded claims of the Bearer token, if the request carries one. */
  readonly token?: TokenClaims;
  /** Whether the URL carries a SAS signature (`sig=`). */
  readonly sasSignature?: boolean;
}

/** How the trigger is configured beyond its policies. */
export interface TriggerOptions {
  /** The trigger has the Bearer-only condition (SAS-only calls are skipped). */
  readonly bearerOnly?: boolean;
  /** Values of Terraform references, keyed by the expression inside `${...}`. */
  readonly bindings?: Readonly<Record<string, string>>;
}

/** One claim of one policy that the token does not match. */
export interface ClaimFailure {
  readonly policy: string;
  readonly claim: string;
  readonly expected: string;
  /** What the token carries; undefined when the claim is absent. */
  readonly actual: string | undefined;
  /** The expected value still holds a Terraform reference nobody bound. */
  readonly unresolved?: boolean;
}

/** The Logic Apps error a refused request gets. */
export type TriggerError =
  | 'MisMatchingOAuthClaims'
  | 'DirectApiRequestHasMoreThanOneAuthorization'
  | 'DirectApiAuthorizationRequired'
  | 'SkippedByTriggerCondition';

/** Accepted by one policy, or refused with the error and every failing claim. */
export type TriggerOutcome =
  | { readonly accepted: true; readonly policy: string }
  | { readonly accepted: false; readonly error: TriggerError; readonly failures: readonly ClaimFailure[] };

const REFERENCE = /\$\{([^}]+)\}/g;

/** Substitutes bound Terraform references in `value`; unbound ones stay as `${...}`. */
export function bindReferences(value: string, bindings: Readonly<Record<string, string>> = {}): string {
  return value.replace(REFERENCE, (whole, expr: string) => bindings[expr.trim()] ?? whole);
}

/** The value still holds a `${...}` reference. */
export function hasUnresolvedReference(value: string): boolean {
  return /\$\{[^}]+\}/.test(value);
}

function claimAsString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function claimMatches(actual: unknown, expected: string): boolean {
  if (Array.isArray(actual)) return actual.some((item) => item === expected);
  return actual === expected;
}

/** Evaluates one call against a receiver trigger's authorization policies. */
export function evaluateTrigger(
  policies: readonly TriggerPolicy[],
  request: TriggerRequest,
  options: TriggerOptions = {},
): TriggerOutcome {
  if (request.token && request.sasSignature) {
    return { accepted: false, error: 'DirectApiRequestHasMoreThanOneAuthorization', failures: [] };
  }
  if (!request.token) {
    if (!request.sasSignature) return { accepted: false, error: 'DirectApiAuthorizationRequired', failures: [] };
    return options.bearerOnly
      ? { accepted: false, error: 'SkippedByTriggerCondition', failures: [] }
      : { accepted: true, policy: 'SAS' };
  }
  const failures: ClaimFailure[] = [];
  for (const policy of policies) {
    const policyFailures = policy.claims.flatMap((claim): ClaimFailure[] => {
      const expected = bindReferences(claim.value, options.bindings);
      const actual = request.token![claim.name];
      if (hasUnresolvedReference(expected)) {
        return [{ policy: policy.name, claim: claim.name, expected, actual: claimAsString(actual), unresolved: true }];
      }
      return claimMatches(actual, expected)
        ? []
        : [{ policy: policy.name, claim: claim.name, expected, actual: claimAsString(actual) }];
    });
    if (policyFailures.length === 0) return { accepted: true, policy: policy.name };
    failures.push(...policyFailures);
  }
  return { accepted: false, error: 'MisMatchingOAuthClaims', failures };
}
