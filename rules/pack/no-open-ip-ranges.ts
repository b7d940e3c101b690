import { isOpenRange, openRanges } from '../../domain/ip-range';
import { literalIpElements } from '../../model/ip-lists';
import { handlesTokensOrSecrets } from '../../model/stack-model';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA024',
  severity: 'error',
  title: 'IP ranges that admit every address (`0.0.0.0/0`, `0.0.0.0-255.255.255.255`, `::/0`, or parts that add up to it such as `0.0.0.0/1` + `128.0.0.0/1`) on a token-protected trigger or on the run history of a workflow that handles tokens or secrets',
  prevents: 'the restriction is void: the trigger (or run history with its inputs and outputs) is reachable from anywhere while the report reads it as restricted',
  suppressOn: 'the workflow (with the reason the range must be open)',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const wf of ctx.model.workflows) {
      const sections: Array<[string, string]> = [];
      if (wf.policies.length > 0) sections.push(['trigger', 'the token-protected trigger']);
      if (handlesTokensOrSecrets(wf)) sections.push(['content', 'run history']);
      for (const [section, what] of sections) {
        const fix = `list the callers' ranges (run history: ["0.0.0.0-0.0.0.0"] blocks all reads), or suppress LA024 with the reason it must be open`;
        const open = openRanges(literalIpElements(wf.accessControl[section]).map((e) => e.value));
        for (const value of open.filter(isOpenRange)) {
          findings.push({ resource: wf, message: `access_control.${section} of "${wf.workflowName}" admits "${value}" (every address): ${what} is open to the internet; ${fix}` });
        }
        if (open.length > 0 && !open.some(isOpenRange)) {
          // Split into parts (0.0.0.0/1 + 128.0.0.0/1): together they admit every address.
          findings.push({
            resource: wf,
            message: `access_control.${section} of "${wf.workflowName}" admits every address with ${open.map((v) => `"${v}"`).join(' + ')} together: ${what} is open to the internet; ${fix}`,
          });
        }
      }
    }
    return findings;
  },
};
