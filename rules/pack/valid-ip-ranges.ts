import { ipRangeProblem } from '../../domain/ip-range';
import { literalIpElements } from '../../model/ip-lists';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA011',
  severity: 'error',
  title: 'An access-control IP range that is not CIDR or `a.b.c.d-e.f.g.h` (a bare address, a reversed range), also when it sits inside a Terraform expression',
  prevents: 'azurerm/ARM rejects the workflow at apply time (inside an expression the provider cannot check it at plan time)',
  suppressOn: 'the workflow',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const wf of ctx.model.workflows) {
      for (const [section, list] of Object.entries(wf.accessControl)) {
        for (const element of literalIpElements(list)) {
          const problem = ipRangeProblem(element.value);
          if (!problem) continue;
          findings.push({
            resource: wf,
            message: `access_control.${section} range "${element.value}"${element.inExpression ? ' (inside a Terraform expression)' : ''} is rejected by Azure: ${problem}${problem.includes('; ') ? '' : '; write CIDR (10.0.0.0/24) or a-b with start <= end'}`,
          });
        }
      }
    }
    return findings;
  },
};
