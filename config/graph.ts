import type { z } from 'zod';
import type { CallConfig, Config, GraphApiConfig, LogicAppsOauthConfig, WorkflowConfig } from './schema';
import { LIMITS } from './limits';
import { formatPath } from './path';

// The call graph of the logic-apps-oauth section: workflows declared once, calls as edges. A workflow is
// a receiver (HTTP Request trigger) when a call goes to it or it lists extraTriggerIpRanges, otherwise a
// caller (recurrence trigger); a receiver may call onward too, in the runs its callers start. Stacks read
// the graph through callGraph(); checkGraph() refuses what cannot be deployed, with the path of the entry
// to change.

export interface ReceiverNode {
  readonly workflow: WorkflowConfig;
  /** Calls to this receiver, in config order. */
  readonly calls: CallConfig[];
}

export interface CallerNode {
  readonly workflow: WorkflowConfig;
  /** Calls this workflow makes, in config order. */
  readonly calls: CallConfig[];
}

export interface ApiNode {
  readonly api: GraphApiConfig;
  readonly calls: CallConfig[];
}

export interface CallGraph {
  /** In declaration order. */
  readonly receivers: ReceiverNode[];
  readonly callers: CallerNode[];
  readonly apis: ApiNode[];
}

/** Roles and edges of a validated logic-apps-oauth section. */
export function callGraph(section: LogicAppsOauthConfig): CallGraph {
  const incoming = (name: string) => section.calls.filter((c) => c.to === name);
  const outgoing = (name: string) => section.calls.filter((c) => c.from === name);
  const receivers: ReceiverNode[] = [];
  const callers: CallerNode[] = [];
  for (const workflow of section.workflows) {
    if (isReceiver(section, workflow)) receivers.push({ workflow, calls: incoming(workflow.name) });
    else callers.push({ workflow, calls: outgoing(workflow.name) });
  }
  return { receivers, callers, apis: section.apis.map((api) => ({ api, calls: incoming(api.name) })) };
}

function isReceiver(section: LogicAppsOauthConfig, workflow: WorkflowConfig): boolean {
  return workflow.extraTriggerIpRanges !== undefined || section.calls.some((c) => c.to === workflow.name);
}

/** Workflow name of the wrong-audience probe of a receiver. */
export function probeWorkflowName(namePrefix: string, receiverName: string): string {
  return `${namePrefix}-${receiverName}-naughty`;
}

type Path = (string | number)[];

/** Cross-field rules of the call graph (a zod superRefine of the whole config). */
export function checkGraph(config: Config, ctx: z.RefinementCtx): void {
  const section = config.logicAppsOauth;
  if (!section) return;
  const base: Path = ['logicAppsOauth'];
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path: [...base, ...path], message });
  // Calls grouped by target and by caller, in config order (the property tests check ~13,000 graphs).
  const incomingOf = new Map<string, CallConfig[]>();
  const outgoingOf = new Map<string, CallConfig[]>();
  for (const call of section.calls) {
    const incoming = incomingOf.get(call.to);
    if (incoming) incoming.push(call);
    else incomingOf.set(call.to, [call]);
    const outgoing = outgoingOf.get(call.from);
    if (outgoing) outgoing.push(call);
    else outgoingOf.set(call.from, [call]);
  }
  const receiver = (workflow: WorkflowConfig) => workflow.extraTriggerIpRanges !== undefined || incomingOf.has(workflow.name);

  // Names: declared once, <= 80 characters with the prefix, probes included.
  const seen = new Map<string, Path>(); // the path is formatted only for a message
  const claim = (path: Path, name: string) => {
    if (name.length > 80) {
      issue(path, `workflow name "${name}" is ${name.length} characters; the limit is 80: shorten the name or namePrefix`);
    }
    const key = name.toLowerCase();
    const clash = seen.get(key);
    if (clash !== undefined) {
      issue(path, `duplicate workflow name "${name}" (also at ${formatPath([...base, ...clash])}); declare each workflow once and give every call its own entry in calls`);
    } else {
      seen.set(key, path);
    }
  };
  const workflowIndex = new Map<string, number>();
  section.workflows.forEach((workflow, i) => {
    claim(['workflows', i, 'name'], `${config.namePrefix}-${workflow.name}`);
    if (!workflowIndex.has(workflow.name)) workflowIndex.set(workflow.name, i);
  });
  if (section.wrongAudienceProbe) {
    section.workflows.forEach((workflow, i) => {
      if (receiver(workflow)) claim(['workflows', i, 'name'], probeWorkflowName(config.namePrefix, workflow.name));
    });
  }
  const apiIndex = new Map<string, number>();
  const apiPaths = new Map<string, string>();
  section.apis.forEach((api, j) => {
    if (workflowIndex.has(api.name)) {
      issue(['apis', j, 'name'], `API "${api.name}" has the name of a workflow, so calls cannot tell them apart; rename one`);
    } else if (apiIndex.has(api.name)) {
      issue(['apis', j, 'name'], `API "${api.name}" is declared twice; declare each API once`);
    } else {
      apiIndex.set(api.name, j);
    }
    const path = api.path ?? api.name;
    const other = apiPaths.get(path);
    if (other !== undefined) issue(['apis', j, 'path'], `path "${path}" is also the path of API "${other}"; give each API its own path on the gateway`);
    else apiPaths.set(path, api.name);
  });
  if (section.apis.length > 0 && !section.apiManagement) {
    issue(['apiManagement'], 'apis need an API Management instance: add apiManagement with publisherName and publisherEmail');
  }

  // Edges: known ends, no self-call, one action per caller and target.
  const declared = (names: Map<string, number>) => [...names.keys()].join(', ') || 'none';
  const edges = new Map<string, number>();
  section.calls.forEach((call, k) => {
    if (!workflowIndex.has(call.from)) {
      issue(
        ['calls', k, 'from'],
        apiIndex.has(call.from)
          ? `"${call.from}" is an API; only workflows call: put a workflow in from`
          : `no workflow named "${call.from}"; declare it in logicAppsOauth.workflows (declared: ${declared(workflowIndex)})`,
      );
    }
    if (!workflowIndex.has(call.to) && !apiIndex.has(call.to)) {
      issue(
        ['calls', k, 'to'],
        `no workflow or API named "${call.to}"; declare it in logicAppsOauth.workflows or logicAppsOauth.apis (declared: ${declared(new Map([...workflowIndex, ...apiIndex]))})`,
      );
    }
    if (call.from === call.to) issue(['calls', k, 'from'], `workflow "${call.from}" calls itself; a call goes to another workflow or an API`);
    const key = `${call.from}\u0000${call.to}`;
    const first = edges.get(key);
    if (first !== undefined) {
      issue(
        ['calls', k],
        `a second call ${call.from} -> ${call.to} (also at ${formatPath([...base, 'calls', first])}); a caller holds one action per target: remove one`,
      );
    } else {
      edges.set(key, k);
    }
  });

  // Roles and the receivers' limits.
  section.workflows.forEach((workflow, i) => {
    if (workflowIndex.get(workflow.name) !== i) return; // a duplicate, reported above
    const incoming = incomingOf.get(workflow.name) ?? [];
    if (!receiver(workflow)) {
      // No call goes to a caller, so none of its calls is a self-call.
      if (!outgoingOf.has(workflow.name)) issue(['workflows', i], `workflow "${workflow.name}" is on no call; add a call from or to it in logicAppsOauth.calls, or remove it`);
      return;
    }
    const allowed = [...new Set(incoming.filter((c) => c.allowed).map((c) => c.from))];
    if (allowed.length > LIMITS.policiesPerWorkflow) {
      issue(
        ['workflows', i],
        `receiver "${workflow.name}" allows ${allowed.length} callers (${allowed.join(', ')}); Logic Apps allows ${LIMITS.policiesPerWorkflow} ` +
          'authorization policies per workflow: split the callers over more receivers',
      );
    }
    const wired = incoming.length > 0 || section.wrongAudienceProbe;
    if (wired && allowed.length === 0 && (workflow.extraTriggerIpRanges ?? []).length === 0) {
      issue(
        ['workflows', i],
        `receiver "${workflow.name}" allows no caller, so its trigger IP list would be empty ("only other Logic Apps") ` +
          'and every HTTP caller gets 401: allow a caller or add extraTriggerIpRanges',
      );
    }
  });
  const loop = firstLoop(section.calls.filter((c) => c.from !== c.to && workflowIndex.has(c.from) && workflowIndex.has(c.to)));
  if (loop) {
    // Named at the loop's call listed last (in a file that grows, the newest).
    const onLoop = loop.names.slice(1).map((to, n) => section.calls.findIndex((c) => c.from === loop.names[n] && c.to === to));
    issue(
      ['calls', Math.max(...onLoop)],
      `the calls ${loop.names.join(' -> ')} form a loop: a receiver that calls onward is created after its targets' triggers, ` +
        'and Terraform cannot order a loop (nor should runs call each other forever); remove one of these calls',
    );
  }
  section.apis.forEach((api, j) => {
    if (apiIndex.get(api.name) !== j) return;
    if (!incomingOf.has(api.name)) issue(['apis', j], `API "${api.name}" has no caller; add a call to it in logicAppsOauth.calls, or remove it`);
  });
}

/** The first loop of workflow-to-workflow calls found (names, first = last), searching in config order. */
function firstLoop(calls: CallConfig[]): { names: string[] } | undefined {
  const out = new Map<string, CallConfig[]>();
  for (const call of calls) {
    const from = out.get(call.from);
    if (from) from.push(call);
    else out.set(call.from, [call]);
  }
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): { names: string[] } | undefined => {
    path.push(name);
    for (const call of out.get(name) ?? []) {
      const at = path.indexOf(call.to);
      if (at >= 0) return { names: [...path.slice(at), call.to] };
      if (!done.has(call.to)) {
        const found = visit(call.to);
        if (found) return found;
      }
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const call of calls) {
    if (done.has(call.from)) continue;
    const found = visit(call.from);
    if (found) return found;
  }
  return undefined;
}
