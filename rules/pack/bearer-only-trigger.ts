import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA022',
  severity: 'warning',
  title: 'A Request trigger with authorization policies but without the Bearer-only condition',
  prevents: 'SAS still admits callers without a token (azurerm 4.55 cannot disable SAS)',
  suppressOn: 'the trigger',
  check: (ctx) =>
    ctx.model.workflows
      .filter((wf) => wf.policies.length > 0)
      .flatMap((wf) => wf.triggers.filter((t) => t.kind === 'request' && !t.bearerOnly))
      .map((trigger) => ({
        resource: trigger,
        message: `Request trigger "${trigger.triggerName}" has authorization policies but no Bearer-only condition: anyone with the SAS URL starts runs without a token (azurerm 4.55 cannot disable SAS); use azurerm_logic_app_trigger_custom with bearerOnlyRequestTrigger()`,
      })),
};
