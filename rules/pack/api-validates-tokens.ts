import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA018',
  severity: 'error',
  title: "An API Management API whose effective policy (API policy, and the service's global policy where it applies) has no token validation (`validate-azure-ad-token` or `validate-jwt`)",
  prevents: 'anyone who reaches the gateway calls the API',
  suppressOn: 'the API policy (or the API when it has none)',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const api of ctx.model.apis) {
      const documents = api.effectivePolicies;
      if (documents.some((d) => d.unreadable !== undefined || d.validations.length > 0)) continue;
      const ignoredGlobal = api.globalPolicy !== undefined && !documents.includes(api.globalPolicy) && api.globalPolicy.validations.length > 0;
      findings.push({
        resource: api.apiPolicy?.resource ?? api,
        message:
          `API "${api.apiName}" has no validate-azure-ad-token or validate-jwt in its ${api.apiPolicy ? 'API policy' : 'policies (it has no API policy)'}` +
          `${ignoredGlobal ? ' and its API policy has no <base /> in <inbound>, so the global policy\'s validation does not run' : ''}: anyone who reaches the gateway calls it; ` +
          'add validate-azure-ad-token to the API policy (EntraProtectedApi) or inherit the global one with <base />',
      });
    }
    return findings;
  },
};
