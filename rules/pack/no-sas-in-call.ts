import { referencesCallbackUrl, SAS_IN_URL } from '../helpers';
import type { RawFinding, Rule } from '../rule';

const STEP_TYPES = ['azurerm_logic_app_action_custom', 'azurerm_logic_app_action_http', 'azurerm_logic_app_trigger_custom'];

export const rule: Rule = {
  id: 'LA002',
  severity: 'error',
  title: 'A call URI carries a SAS signature (`sig=`) or is built from a trigger `callback_url`',
  prevents: 'DirectApiRequestHasMoreThanOneAuthorization (SAS + token); the SAS URL bypasses OAuth and is stored unmasked in state',
  suppressOn: 'the action or trigger',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const step of ctx.model.resources.filter((r) => STEP_TYPES.includes(r.type))) {
      const text = JSON.stringify([step.config.body, step.config.uri, step.config.headers]);
      const sas = SAS_IN_URL.exec(text);
      if (!sas && !referencesCallbackUrl(text)) continue;
      const what = sas ? 'a SAS signature (sig=)' : 'a trigger callback_url (the full SAS URL)';
      findings.push({
        resource: step,
        message:
          `the step "${step.config.name}" carries ${what}: a call with both SAS and a token fails with DirectApiRequestHasMoreThanOneAuthorization, and the SAS URL skips OAuth; ` +
          "build the URL from the receiver's access_endpoint without sig (ReceiverWorkflow.invokeUrl / oauthInvokeUrl())",
      });
    }
    return findings;
  },
};
