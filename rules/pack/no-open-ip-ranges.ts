import { isOpenRange } from '../../domain/ip-range';
import { literalIpElements } from '../../model/ip-lists';
import { handlesTokensOrSecrets } from '../../model/stack-model';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA024',
  severity: 'error',
  title: 'An IP range that admits every address (`0.0.0.0/0`, `0.0.0.0-255.255.255.255`, `::/0`) on a token-protected trigger or on the run history of a workflow that handles tokens or secrets',
  prevents: 'the restriction is void: the trigger (or run history with its inputs and outputs) is reachable from anywhere while the report reads it as restricted',
  suppressOn: 'the workflow (with the reason the range must be open)',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const wf of ctx.model.workflows) {
      const sections: Array<[string, string]> = [];
      if (wf.policies.length > 0) sections.push(['trigger', 'the token-protected trigger']);
      if (handlesTokensOrSecrets(wf)) sections.push(['content', 'run history']);
      for (const [section, what] of sections) {
        for (const element of literalIpElements(wf.accessControl[section])) {
          if (!isOpenRange(element.value)) continue;
          findings.push({
            resource: wf,
            message: `access_control.${section} of "${wf.workflowName}" admits "${element.value}" (every address): ${what} is open to the internet; list the callers' ranges (run history: ["0.0.0.0-0.0.0.0"] blocks all reads), or suppress LA024 with the reason it must be open`,
          });
        }
      }
    }
    return findings;
  },
};
