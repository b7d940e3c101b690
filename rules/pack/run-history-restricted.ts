import { handlesTokensOrSecrets } from '../../model/stack-model';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA023',
  severity: 'warning',
  title: 'A workflow that handles tokens or secrets but leaves run history (`access_control.content`) open',
  prevents: 'run inputs/outputs readable from any address',
  suppressOn: 'the workflow',
  check: (ctx) =>
    ctx.model.workflows
      .filter((wf) => handlesTokensOrSecrets(wf) && (wf.contentIpRanges === undefined || (Array.isArray(wf.contentIpRanges) && wf.contentIpRanges.length === 0)))
      .map((wf) => ({
        resource: wf,
        message: `"${wf.workflowName}" handles tokens or secrets but access_control.content is not set: run inputs/outputs are readable from any address; set content ranges (["0.0.0.0-0.0.0.0"] blocks all reads)`,
      })),
};
