import { ACCEPTED_ISSUER_PREFIXES } from '../../domain/tokens';
import { bind } from '../../model/entra';
import { claimOf, shown } from '../helpers';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA010',
  severity: 'error',
  title: `A policy without \`iss\`, or with an issuer outside ${ACCEPTED_ISSUER_PREFIXES.join(' and ')}`,
  prevents: 'ARM rejects the policy (iss is mandatory and must be an Entra issuer)',
  suppressOn: 'the receiver workflow',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const wf of ctx.model.workflows) {
      for (const policy of wf.policies) {
        const iss = claimOf(policy.claims, 'iss');
        if (iss === undefined) {
          findings.push({
            resource: wf,
            message: `policy "${policy.name}" has no iss claim: Logic Apps requires one; add iss = https://sts.windows.net/<tenant>/ (v1 tokens) or https://login.microsoftonline.com/<tenant>/v2.0 (v2)`,
          });
          continue;
        }
        const bound = bind(iss, ctx.bindings);
        // An issuer that starts with an unresolved expression cannot be checked here.
        if (bound.startsWith('${') || ACCEPTED_ISSUER_PREFIXES.some((prefix) => bound.startsWith(prefix))) continue;
        findings.push({
          resource: wf,
          message: `policy "${policy.name}" has iss "${shown(ctx.model, iss)}": Logic Apps accepts only issuers starting ${ACCEPTED_ISSUER_PREFIXES.join(' or ')}; use issuerFor(tokenVersion, tenant)`,
        });
      }
    }
    return findings;
  },
};
