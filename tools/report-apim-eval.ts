// Evaluates a token against an API's policy for the report and the token check: the shared APIM
// semantics (tools/apim-token-eval.ts) for validate-azure-ad-token, and the local reading in
// report-apim.ts for validate-jwt (which the shared module does not cover).
import { evaluateApimToken, parseValidateAzureAdToken } from './apim-token-eval';
import type { TokenClaims } from './token-eval';
import { ApiClaimFailure, ApiModel, ApiOutcome, evaluateApiTokenLocally } from './report-apim';

export interface ApiEvaluationOptions {
  /** Evaluation time (seconds since the epoch) for exp/nbf; lifetime is not checked when absent. */
  readonly now?: number;
}

/** Evaluates decoded claims against the API's token validation. */
export function evaluateApiToken(
  api: ApiModel,
  claims: TokenClaims,
  bindings: Readonly<Record<string, string>>,
  options: ApiEvaluationOptions = {},
): ApiOutcome {
  if (!api.policyXml || api.validation?.kind !== 'validate-azure-ad-token') {
    return evaluateApiTokenLocally(api.validation, claims, bindings);
  }
  let policy;
  try {
    policy = parseValidateAzureAdToken(api.policyXml);
  } catch (err) {
    return { accepted: false, error: 'InvalidPolicy', failures: [{ claim: '(policy)', expected: (err as Error).message, actual: undefined }] };
  }
  const outcome = evaluateApimToken(policy, claims, { bindings, now: options.now });
  if (outcome.accepted) return { accepted: true, detail: 'validate-azure-ad-token' };
  const reasons = [...new Set(outcome.failures.filter((f) => f.reason !== 'UnresolvedPolicyValue').map((f) => f.reason))];
  const failures: ApiClaimFailure[] = outcome.failures.map((f) => ({
    claim: f.claim,
    expected: f.expected.join(' | '),
    actual: f.actual,
    ...(f.reason === 'UnresolvedPolicyValue' ? { unresolved: true } : {}),
  }));
  return { accepted: false, error: `${outcome.status}${reasons.length ? ` ${reasons.join(', ')}` : ''}`, failures };
}
