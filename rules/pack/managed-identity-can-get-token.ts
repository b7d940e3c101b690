import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA005',
  severity: 'error',
  title: 'A managed-identity call from a workflow without a system-assigned identity, or for an app registration in another tenant',
  prevents: 'token request fails: a system-assigned identity cannot get tokens from another tenant (use the certificate client)',
  suppressOn: 'the calling action',
  check: (ctx) =>
    ctx.verdicts.flatMap((v) => {
      const reason = v.reasons.find((r) => r.stage === 'token' && (r.code === 'NoManagedIdentity' || r.code === 'CrossTenantManagedIdentity'));
      if (!reason) return [];
      return [
        {
          resource: v.call.action,
          message:
            reason.code === 'NoManagedIdentity'
              ? `"${v.call.caller.workflowName}" calls with ManagedServiceIdentity but has no system-assigned identity: the call fails; set identity { type = "SystemAssigned" } on the workflow`
              : `${reason.summary}: Entra refuses the token request; call with the certificate client (ActiveDirectoryOAuth, CallerWorkflow.call(api, { certificateClient })) as the cross-tenant stack does`,
        },
      ];
    }),
};
