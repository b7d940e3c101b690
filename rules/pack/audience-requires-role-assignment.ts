import { appForAudience } from '../../model/entra';
import type { AppModel } from '../../model/stack-model';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA020',
  severity: 'error',
  title: 'An enterprise application (service principal) used as an audience without `app_role_assignment_required = true`',
  prevents: 'Entra issues tokens for the audience to every identity of the tenant',
  suppressOn: 'the enterprise application (service principal)',
  check: (ctx) => {
    const audiences = new Set<string>();
    for (const call of ctx.model.calls) if (call.requestedAudience) audiences.add(call.requestedAudience);
    for (const wf of ctx.model.workflows) for (const p of wf.policies) for (const c of p.claims) if (c.name === 'aud') audiences.add(c.value);
    for (const api of ctx.model.apis) {
      for (const d of [...api.effectivePolicies, ...api.operationPolicies]) for (const v of d.validations) v.audiences.forEach((a) => audiences.add(a));
    }
    const apps = new Map<string, AppModel>();
    for (const audience of audiences) {
      const app = appForAudience(ctx.model, audience);
      if (app) apps.set(app.address, app);
    }
    return [...apps.values()].flatMap((app) =>
      app.servicePrincipals
        .filter((sp) => sp.config.app_role_assignment_required !== true)
        .map((sp) => ({
          resource: sp,
          message: `enterprise application of "${app.displayName}" is used as an audience with app_role_assignment_required = ${JSON.stringify(sp.config.app_role_assignment_required ?? false)}: Entra issues its tokens to every identity of the tenant; set app_role_assignment_required = true and grant callers an app role (Audience.grantInvoke)`,
        })),
    );
  },
};
