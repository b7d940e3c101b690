import { readsKeyVaultSecret } from '../../model/stack-model';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA013',
  severity: 'error',
  title: 'A step that reads a secret, carries a certificate/password or an Authorization header without secure inputs/outputs',
  prevents: 'secrets, PFX and tokens shown in run history to anyone who can read runs',
  suppressOn: 'the action or trigger',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const wf of ctx.model.workflows) {
      for (const action of wf.actions) {
        const needs = new Map<string, string>();
        const auth = action.authentication;
        if (readsKeyVaultSecret(action)) {
          needs.set('outputs', 'reads a Key Vault secret');
        }
        if (auth && (auth.pfx !== undefined || auth.password !== undefined || auth.secret !== undefined || auth.credentialType !== undefined)) {
          needs.set('inputs', 'carries a certificate/password credential');
        }
        const headers = action.type === 'azurerm_logic_app_action_http' ? action.config.headers : action.definition?.inputs?.headers;
        if (headers && typeof headers === 'object' && Object.keys(headers).some((h) => /^authorization$/i.test(h))) {
          needs.set('inputs', needs.has('inputs') ? `${needs.get('inputs')} and an Authorization header` : 'includes an Authorization header');
        }
        const missing = [...needs.keys()].filter((n) => !action.secureData.includes(n));
        if (missing.length === 0) continue;
        const why = [...needs.values()].join(' and ');
        findings.push({
          resource: action,
          message:
            action.type === 'azurerm_logic_app_action_http'
              ? `action "${action.actionName}" ${why} but azurerm_logic_app_action_http cannot set secure inputs/outputs: the value shows in run history; use azurerm_logic_app_action_custom with runtimeConfiguration.secureData (secureHttpAction())`
              : `action "${action.actionName}" ${why} without secure ${missing.join(' and ')}: the value shows in run history; add "runtimeConfiguration": {"secureData": {"properties": ["inputs","outputs"]}} (secureHttpAction())`,
        });
      }
      for (const trigger of wf.triggers) {
        if (trigger.includesAuthorizationHeaders && !trigger.secureData.includes('outputs')) {
          findings.push({
            resource: trigger,
            message: `trigger "${trigger.triggerName}" has operationOptions IncludeAuthorizationHeadersInOutputs without secure outputs: callers' Bearer tokens show in run history; add runtimeConfiguration.secureData.properties ["inputs","outputs"] (bearerOnlyRequestTrigger())`,
          });
        }
      }
    }
    return findings;
  },
};
