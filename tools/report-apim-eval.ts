// Evaluates a token against an API's policy for the report and the token check. Uses the shared APIM
// semantics (tools/apim-token-eval.ts: validate-azure-ad-token) when that module is present, else the
// local reading in report-apim.ts (also used for validate-jwt, which the shared module does not cover).
import type { TokenClaims } from './token-eval';
import { ApiClaimFailure, ApiModel, ApiOutcome, evaluateApiTokenLocally } from './report-apim';

interface SharedFailure {
  readonly reason: string;
  readonly claim: string;
  readonly expected: readonly string[];
  readonly actual: string | undefined;
}

interface SharedApimModule {
  parseValidateAzureAdToken(xml: string): unknown;
  evaluateApimToken(
    policy: unknown,
    claims: TokenClaims,
    options?: { bindings?: Readonly<Record<string, string>>; now?: number },
  ): { accepted: true } | { accepted: false; status: number; failures: readonly SharedFailure[] };
}

let shared: SharedApimModule | null | undefined;

function sharedModule(): SharedApimModule | undefined {
  if (shared === undefined) {
    try {
      // Guarded so this file type-checks and runs with or without tools/apim-token-eval.ts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('./apim-token-eval') as Partial<SharedApimModule>;
      shared = typeof mod.evaluateApimToken === 'function' && typeof mod.parseValidateAzureAdToken === 'function' ? (mod as SharedApimModule) : null;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (!(e.code === 'MODULE_NOT_FOUND' && /apim-token-eval/.test(String(e.message)))) throw err;
      shared = null;
    }
  }
  return shared ?? undefined;
}

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
  const mod = sharedModule();
  if (mod && api.policyXml && api.validation?.kind === 'validate-azure-ad-token') {
    const policy = mod.parseValidateAzureAdToken(api.policyXml);
    const outcome = mod.evaluateApimToken(policy, claims, { bindings, now: options.now });
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
  return evaluateApiTokenLocally(api.validation, claims, bindings);
}
