import { DEFAULT_MSI_AUDIENCE } from '../../domain/tokens';
import { describeBound, describeValue } from '../../model/describe';
import type { Reason } from '../../model/verdict';
import type { RawFinding, Rule, RuleContext } from '../rule';

/** Token errors and network refusals that have a rule of their own (LA004, LA005, LA006). */
const OWN_RULE = new Set(['AudienceNotFound', 'NoManagedIdentity', 'CrossTenantManagedIdentity', 'EmptyTriggerIpList', 'NotSimulated']);

const FIX: Record<string, string> = {
  AppRoleAssignmentRequired: "grant the caller the audience's app role (receiver.allowCaller(sender) or Audience.grantInvoke), or declare the call a deny test (expectRefusal)",
  aud: "request the target's audience (CallerWorkflow.call(target) without an audience override)",
  iss: "write the iss in the form of the audience app's requested_access_token_version (v1: https://sts.windows.net/<tenant>/, v2: https://login.microsoftonline.com/<tenant>/v2.0) and the API tenant-id as the app's tenant",
  oid: 'admit the caller with a policy pinned to its identity (receiver.allowCaller(sender))',
  appid: "admit the caller's client id (EntraProtectedApi.allowCaller)",
  azp: "admit the caller's client id (EntraProtectedApi.allowCaller)",
  MisMatchingOAuthClaims: 'admit the caller (receiver.allowCaller(sender))',
};

function reasonText(ctx: RuleContext, r: Reason): string {
  if (r.claim === undefined) return `${r.summary} (${r.code})`;
  const expected = (r.original ?? r.expected ?? []).map((v) => `"${describeValue(ctx.model, v)}"`).join(' or ');
  const actual = r.actual === undefined ? '(absent)' : `"${describeBound(ctx.model, ctx.bindings, r.actual)}"`;
  return `${r.policy ? `${r.policy}: ` : ''}${r.claim} must be ${expected}, the token carries ${actual} (${r.code})`;
}

function fixFor(reasons: readonly Reason[]): string {
  const keys = reasons.map((r) => (r.claim !== undefined && FIX[r.claim] ? r.claim : r.code));
  return [...new Set(keys.map((k) => FIX[k]).filter(Boolean))].join('; ') || 'make the caller and its target agree (see the security report)';
}

export const rule: Rule = {
  id: 'LA001',
  severity: 'error',
  title:
    "A call's predicted outcome differs from its intent: the caller's token (as Entra would issue it) is refused by the receiver's policies or the API's effective token validation, or a call declared as a deny test is admitted",
  prevents: 'MisMatchingOAuthClaims (Logic Apps) / 401 from validate-azure-ad-token or validate-jwt / AADSTS501051: every call refused; or a deny test that admits its caller',
  suppressOn: 'the calling action (e.g. the probe\'s `Call-*`)',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const verdict of ctx.verdicts) {
      const { call } = verdict;
      const target = call.target.kind === 'workflow' ? `"${call.target.workflow.workflowName}"` : `API "${call.target.api.apiName}"`;
      if (verdict.outcome === 'accepted' && call.intent.kind === 'deny') {
        findings.push({
          resource: call.action,
          message: `"${call.caller.workflowName}" is declared a deny test (${call.intent.reason}) but ${target} admits it (${verdict.admittedBy}); remove its policy, app role or client id from the target, or drop the deny declaration`,
        });
        continue;
      }
      if (verdict.outcome !== 'refused' || call.intent.kind === 'deny') continue;
      const own = verdict.reasons.filter((r) => !r.unresolved && !OWN_RULE.has(r.code));
      if (own.length === 0) continue;
      // Show the closest receiver policy (fewest failing claims), not every policy's failures.
      const byPolicy = new Map<string, Reason[]>();
      for (const r of own) byPolicy.set(r.policy ?? '', [...(byPolicy.get(r.policy ?? '') ?? []), r]);
      const closest = call.target.kind === 'workflow' ? [...byPolicy.values()].sort((a, b) => a.length - b.length)[0] : own;
      findings.push({
        resource: call.action,
        message:
          `"${call.caller.workflowName}" (requesting ${call.requestedAudience !== undefined ? `audience "${describeValue(ctx.model, call.requestedAudience)}"` : `no audience: Logic Apps requests ${DEFAULT_MSI_AUDIENCE}`}) is refused by ${target}: ${closest.map((r) => reasonText(ctx, r)).join('; ')}; ` +
          fixFor(closest),
      });
    }
    return findings;
  },
};
