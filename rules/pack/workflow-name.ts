import { LIMITS } from '../../domain/limits';
import { isUnresolved } from '../../model/stack-model';
import { shown } from '../helpers';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA012',
  severity: 'error',
  title: 'A workflow name outside `^[-()_.A-Za-z0-9]{1,80}$`',
  prevents: 'azurerm rejects the workflow at plan time',
  suppressOn: 'the workflow',
  check: (ctx) =>
    ctx.model.workflows
      .filter((wf) => typeof wf.workflowName === 'string' && !isUnresolved(wf.workflowName) && !LIMITS.workflowName.test(wf.workflowName))
      .map((wf) => ({
        resource: wf,
        message: `workflow name "${shown(ctx.model, wf.workflowName)}" does not match ^[-()_.A-Za-z0-9]{1,80}$: azurerm rejects it; use 1-80 letters, digits, "-", "_", ".", "(" or ")"`,
      })),
};
