import { LIMITS } from '../../domain/limits';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA008',
  severity: 'error',
  title: `More than ${LIMITS.claimsPerPolicy} claims in one authorization policy`,
  prevents: `ARM rejects the workflow (Logic Apps limit: ${LIMITS.claimsPerPolicy} claims per policy)`,
  suppressOn: 'the receiver workflow',
  check: (ctx) =>
    ctx.model.workflows.flatMap((wf) =>
      wf.policies
        .filter((policy) => policy.claims.length > LIMITS.claimsPerPolicy)
        .map((policy) => ({
          resource: wf,
          message: `policy "${policy.name}" has ${policy.claims.length} claims; Logic Apps allows ${LIMITS.claimsPerPolicy}: keep iss, aud and oid (or appid) only`,
        })),
    ),
};
