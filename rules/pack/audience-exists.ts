import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA004',
  severity: 'error',
  title: 'A managed-identity call requests an audience that no app registration of the stack issues, that is not first-party and not declared external',
  prevents: 'AADSTS500011 "resource principal not found": the audience does not exist in the tenant',
  suppressOn: 'the calling action',
  check: (ctx) =>
    ctx.verdicts
      .filter((v) => v.reasons.some((r) => r.stage === 'token' && r.code === 'AudienceNotFound') && v.call.authType === 'ManagedServiceIdentity')
      .map((v) => ({
        resource: v.call.action,
        message:
          `"${v.call.caller.workflowName}" requests audience "${v.call.requestedAudience}", which no app registration of this stack issues and which is not a first-party resource: Entra answers AADSTS500011 (audience does not exist in the tenant); ` +
          "request an Audience construct's audience, or declare an audience issued elsewhere with ExternalAudience / markExternalAudience(action, audience, reason)",
      })),
};
