import type { WorkflowModel } from '../../model/stack-model';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA006',
  severity: 'error',
  title: 'An HTTP-action caller that must be admitted is wired to a receiver whose trigger IP list is empty (also a receiver that admits nobody)',
  prevents: 'an empty list means "only other Logic Apps": every HTTP-action (token) caller gets 401',
  suppressOn: 'the receiver workflow',
  check: (ctx) => {
    const callers = new Map<WorkflowModel, string[]>();
    for (const v of ctx.verdicts) {
      if (v.call.intent.kind !== 'admit' || v.call.target.kind !== 'workflow') continue;
      if (!v.reasons.some((r) => r.code === 'EmptyTriggerIpList')) continue;
      const receiver = v.call.target.workflow;
      callers.set(receiver, [...(callers.get(receiver) ?? []), v.call.caller.workflowName]);
    }
    const findings: RawFinding[] = [];
    for (const [receiver, all] of callers) {
      const names = [...new Set(all)];
      findings.push({
        resource: receiver,
        message:
          `the trigger IP list is empty ([] = "only other Logic Apps") but ${names.map((n) => `"${n}"`).join(', ')} ${names.length === 1 ? 'calls' : 'call'} it with the HTTP action: 401; ` +
          "admit the callers (ReceiverWorkflow.allowCaller adds their workflow_outbound_ip_addresses) or list ranges in allowed_caller_ip_address_range",
      });
    }
    return findings;
  },
};
