import { LIMITS } from '../../domain/limits';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA007',
  severity: 'error',
  title: `More than ${LIMITS.policiesPerWorkflow} authorization policies on a workflow`,
  prevents: `ARM rejects the workflow (Logic Apps limit: ${LIMITS.policiesPerWorkflow} policies)`,
  suppressOn: 'the receiver workflow',
  check: (ctx) =>
    ctx.model.workflows
      .filter((wf) => wf.policies.length > LIMITS.policiesPerWorkflow)
      .map((wf) => ({
        resource: wf,
        message: `"${wf.workflowName}" has ${wf.policies.length} authorization policies; Logic Apps allows ${LIMITS.policiesPerWorkflow}: split the callers over more receivers`,
      })),
};
