// Trigger IP drift: Microsoft adds outbound addresses to a region's Logic Apps over time, and a receiver's
// trigger IP list (written at deploy from the callers' workflow_outbound_ip_addresses) does not follow until
// the next deploy: a call from a new address gets 401. This compares, through ARM, each receiver's deployed
// trigger list with its callers' CURRENT outbound addresses and names what is missing and the fix.
// Which receiver admits which callers comes from the synthesized JSON only.
import type { LogicManagementClient } from '@azure/arm-logic';
import { describeValue } from '../../model/describe';
import { StackModel, WorkflowModel } from '../../model/stack-model';
import { resourceGroupOf } from '../smoke/smoke';

/**
 * The trigger range of one outbound entry: a bare address as /32, a range ("a.b.c.d/n" or "a-b") as it is.
 * The same rule as the constructs' Terraform expression (ReceiverWorkflow: "/32" only for bare addresses).
 */
export function asTriggerRange(entry: string): string {
  return /[/-]/.test(entry) ? entry : `${entry}/32`;
}

export interface DriftWorkflow {
  readonly workflow: string;
  readonly resourceGroup: string;
}

/** One receiver to check: its deployed trigger list must cover every caller's current outbound addresses. */
export interface DriftTarget extends DriftWorkflow {
  readonly stack: string;
  readonly callers: readonly DriftWorkflow[];
}

export interface DriftPlan {
  readonly targets: readonly DriftTarget[];
  /** Receivers that cannot be checked (names not literal, no caller addresses referenced ...), one line each. */
  readonly skipped: readonly string[];
}

const OUTBOUND_REF = /azurerm_logic_app_workflow\.([A-Za-z0-9_-]+)\.workflow_outbound_ip_addresses/g;
const isLiteral = (s: string) => !s.includes('${');

/** Every receiver whose trigger list is built from callers' outbound addresses, with those callers. */
export function planDrift(models: readonly StackModel[]): DriftPlan {
  const targets: DriftTarget[] = [];
  const skipped: string[] = [];
  for (const model of models) {
    for (const receiver of model.workflows) {
      const ranges = receiver.triggerIpRanges;
      const text = typeof ranges === 'string' ? ranges : (ranges ?? []).join(' ');
      const callerIds = [...new Set([...text.matchAll(OUTBOUND_REF)].map((m) => m[1]))];
      if (callerIds.length === 0) continue;
      const label = `${model.name}/${describeValue(model, String(receiver.workflowName))}`;
      const resolve = (w: WorkflowModel | undefined): DriftWorkflow | string => {
        if (!w) return 'a caller is not in the stack';
        const resourceGroup = resourceGroupOf(model, w);
        if (!isLiteral(w.workflowName) || !resourceGroup) return `${describeValue(model, String(w.workflowName))}: name or resource group is not a literal`;
        return { workflow: w.workflowName, resourceGroup };
      };
      const self = resolve(receiver);
      const callers = callerIds.map((id) => resolve(model.workflows.find((w) => w.name === id)));
      const problem = [self, ...callers].find((c): c is string => typeof c === 'string');
      if (problem) skipped.push(`${label}: ${problem}`);
      else targets.push({ stack: model.name, ...(self as DriftWorkflow), callers: callers as DriftWorkflow[] });
    }
  }
  return { targets, skipped };
}

export interface DriftFinding {
  readonly target: DriftTarget;
  /** Caller outbound entries (as trigger ranges) missing from the deployed trigger list. */
  readonly missing: ReadonlyArray<{ readonly caller: string; readonly range: string }>;
  /** Set when the check itself failed (ARM error). */
  readonly error?: string;
}

export interface DriftResult {
  readonly findings: readonly DriftFinding[];
  /** 0 no drift, 1 drift found, 3 an ARM read failed. */
  readonly exitCode: 0 | 1 | 3;
}

type Workflows = Pick<LogicManagementClient, 'workflows'>;

/** Reads every target and its callers through ARM and compares. */
export async function checkDrift(plan: DriftPlan, client: Workflows): Promise<DriftResult> {
  const findings: DriftFinding[] = [];
  for (const target of plan.targets) {
    try {
      const receiver = await client.workflows.get(target.resourceGroup, target.workflow);
      const deployed = new Set((receiver.accessControl?.triggers?.allowedCallerIpAddresses ?? []).map((r) => r.addressRange ?? ''));
      const missing: Array<{ caller: string; range: string }> = [];
      for (const caller of target.callers) {
        const wf = await client.workflows.get(caller.resourceGroup, caller.workflow);
        for (const entry of wf.endpointsConfiguration?.workflow?.outgoingIpAddresses ?? []) {
          if (!entry.address) continue;
          const range = asTriggerRange(entry.address);
          if (!deployed.has(range)) missing.push({ caller: caller.workflow, range });
        }
      }
      findings.push({ target, missing });
    } catch (err) {
      findings.push({ target, missing: [], error: (err as Error).message.split('\n')[0] });
    }
  }
  const exitCode = findings.some((f) => f.error) ? 3 : findings.some((f) => f.missing.length > 0) ? 1 : 0;
  return { findings, exitCode };
}

/** One line per receiver, plus the fix when anything is missing. */
export function formatDrift(result: DriftResult): string {
  const lines = result.findings.map((f) => {
    const name = `${f.target.stack}/${f.target.workflow}`;
    if (f.error) return `ERROR ${name}: ${f.error}`;
    if (f.missing.length === 0) return `ok    ${name}: trigger IP list covers every caller's current outbound addresses`;
    const list = f.missing.map((m) => `${m.range} (${m.caller})`).join(', ');
    return `DRIFT ${name}: ${f.missing.length} caller outbound address(es) missing from the trigger IP list, calls from them get 401: ${list}`;
  });
  const drifted = [...new Set(result.findings.filter((f) => f.missing.length > 0).map((f) => f.target.stack))];
  if (drifted.length > 0) {
    lines.push(
      `fix: deploy again (${drifted.map((s) => `cdktf deploy ${s}`).join('; ')}): the plan refreshes workflow_outbound_ip_addresses ` +
        'and rewrites each trigger IP list; schedule this check (docs/deploy.md, "Trigger IP drift")',
    );
  }
  return lines.join('\n');
}
