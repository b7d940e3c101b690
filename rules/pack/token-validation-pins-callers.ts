import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA019',
  severity: 'error',
  title: 'A token validation without pinned client application ids or without audiences',
  prevents: 'any app of the tenant (or any audience) is admitted',
  suppressOn: 'the API policy',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const api of ctx.model.apis) {
      for (const document of [...api.effectivePolicies, ...api.operationPolicies]) {
        for (const v of document.validations) {
          const missing: string[] = [];
          if (v.kind === 'validate-azure-ad-token' && v.clientApplicationIds.length === 0) missing.push('no <client-application-ids>/<application-id>');
          if (v.kind === 'validate-jwt' && !v.requiredClaims.some((c) => ['appid', 'azp', 'oid'].includes(c.name) && c.values.length > 0)) {
            missing.push('no required claim pinning the client (appid, azp or oid)');
          }
          if (v.audiences.length === 0) missing.push('no <audiences>/<audience>');
          if (missing.length === 0) continue;
          findings.push({
            resource: document.resource,
            message: `the ${v.kind} of API "${api.apiName}" (${document.scope} policy) has ${missing.join(' and ')}: any app of the tenant (or any audience) is admitted; pin the callers' client ids and the API audience (EntraProtectedApi.allowCaller)`,
          });
        }
      }
    }
    return findings;
  },
};
