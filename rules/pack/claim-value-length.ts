import { LIMITS } from '../../domain/limits';
import { bind } from '../../model/entra';
import { shown } from '../helpers';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA009',
  severity: 'error',
  title: `A claim value longer than ${LIMITS.claimValueLength} characters`,
  prevents: 'InvalidOAuthClaimValue',
  suppressOn: 'the receiver workflow',
  check: (ctx) =>
    ctx.model.workflows.flatMap((wf) =>
      wf.policies.flatMap((policy) =>
        policy.claims
          .map((claim) => ({ claim, value: bind(claim.value, ctx.bindings) }))
          .filter(({ value }) => value.length > LIMITS.claimValueLength)
          .map(({ claim, value }) => ({
            resource: wf,
            message: `claim "${claim.name}" of policy "${policy.name}" is ${value.length} characters ("${shown(ctx.model, claim.value, 60)}"): InvalidOAuthClaimValue above ${LIMITS.claimValueLength}; shorten the value (e.g. use the client id as identifier URI)`,
          })),
      ),
    ),
};
