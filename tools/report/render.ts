// The security report: who may call whom, as a reviewer reads it in a pull request. A pure function of
// the synthesized stacks: every call's outcome is its verdict from model/verdict.ts (the same one the
// rules, check-token and smoke use), printed here; the output is deterministic (sorted, no timestamps,
// no machine paths).
import { openRanges as openRangesOf } from '../../domain/ip-range';
import { describeBound, describeIpRanges, describeValue } from '../../model/describe';
import { Bindings, simulatedBindings } from '../../model/entra';
import { literalIpElements } from '../../model/ip-lists';
import { ApiModel, ApiPolicyDocument, buildStackModel, CallModel, handlesTokensOrSecrets, IpList, readsKeyVaultSecret, StackModel, SynthStack, WorkflowModel } from '../../model/stack-model';
import { CallVerdict, predictCalls, Reason } from '../../model/verdict';
import { Finding, runRules } from '../../rules/engine';

export type { Finding };

export interface ReportOptions {
  /** The findings of one stack; `null` means "no rules" (the report says so). @default the rule pack (runRules) */
  readonly rules?: ((model: StackModel) => Finding[]) | null;
  /** Title of the report. @default "Security report" */
  readonly title?: string;
}

function describeContentRanges(model: StackModel, ranges: IpList): string {
  if (ranges === undefined) return '**not restricted**: run-history inputs and outputs readable from any IP';
  const open = openRanges(ranges);
  if (open.length) return `**open to every address** (${open.map(code).join(', ')}): run-history inputs and outputs readable from any IP`;
  if (Array.isArray(ranges) && ranges.length === 1 && ranges[0] === '0.0.0.0-0.0.0.0') {
    return 'blocked (`0.0.0.0-0.0.0.0`: run-history inputs and outputs readable from nowhere)';
  }
  if (Array.isArray(ranges) && ranges.length === 0) return 'only other Logic Apps (empty list)';
  return `restricted to ${Array.isArray(ranges) ? ranges.map((r) => code(describeValue(model, r))).join(', ') : code(describeIpRanges(model, ranges))}`;
}

// ---------------------------------------------------------------------------------------------------
// Markdown helpers

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(value: string): string {
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Verdicts in words

function reasonText(model: StackModel, bindings: Bindings, r: Reason): string {
  if (r.claim === undefined) return r.summary;
  const expected = (r.original ?? r.expected ?? []).map((v) => describeValue(model, v)).join(' | ');
  const actual = r.actual === undefined ? '(absent)' : describeBound(model, bindings, r.actual);
  return `${r.policy ? `${r.policy}: ` : ''}${r.claim} expected ${expected}, got ${actual}${r.unresolved ? ' (unresolved)' : ''}`;
}

/** The failing claims of a refusal: for a receiver, the closest policy (fewest failing claims). */
function reasonsText(model: StackModel, bindings: Bindings, v: CallVerdict): string {
  const decisive = v.outcome === 'refused' ? v.reasons.filter((r) => !r.unresolved) : v.reasons;
  if (v.call.target.kind !== 'workflow' || decisive.every((r) => r.policy === undefined)) return decisive.map((r) => reasonText(model, bindings, r)).join('; ');
  const byPolicy = new Map<string, Reason[]>();
  for (const r of decisive) byPolicy.set(r.policy ?? '', [...(byPolicy.get(r.policy ?? '') ?? []), r]);
  const closest = [...byPolicy.values()].sort((a, b) => a.length - b.length)[0] ?? [];
  const others = byPolicy.size > 1 ? `; ${byPolicy.size - 1} other polic${byPolicy.size === 2 ? 'y fails' : 'ies fail'} too` : '';
  return `closest ${closest.map((r) => reasonText(model, bindings, r)).join('; ')}${others}`;
}

function outcomeText(model: StackModel, bindings: Bindings, v: CallVerdict): string {
  const intent = v.call.intent;
  if (v.outcome === 'accepted') {
    const text = `accepted (${v.admittedBy})`;
    return intent.kind === 'deny' ? `**${text}; meant to be refused** (${intent.reason})` : text;
  }
  if (v.outcome === 'undecided') return `undecided (${reasonsText(model, bindings, v)})`;
  const base = `**refused: ${v.error}** (${reasonsText(model, bindings, v)})`;
  return intent.kind === 'deny' ? `${base}; expected, ${intent.probe ? 'probe' : 'deny test'}: ${intent.reason}` : base;
}

/** A "Needs attention" line when the verdict is not what the call intends. */
function attentionFor(v: CallVerdict, target: string): string | undefined {
  if (v.asIntended !== false) return undefined;
  return v.outcome === 'accepted'
    ? `${v.call.caller.workflowName} -> ${target} is admitted but meant to be refused (${v.call.intent.kind === 'deny' ? v.call.intent.reason : ''})`
    : `${v.call.caller.workflowName} -> ${target} is refused: ${v.error}`;
}

// ---------------------------------------------------------------------------------------------------
// Sections

interface StackView {
  readonly model: StackModel;
  readonly bindings: Bindings;
  readonly receivers: WorkflowModel[];
  readonly verdicts: readonly CallVerdict[];
  readonly findings?: Finding[];
}

function calledWorkflow(call: CallModel): WorkflowModel | undefined {
  return call.target.kind === 'workflow' ? call.target.workflow : undefined;
}

function isReceiver(model: StackModel, wf: WorkflowModel): boolean {
  return wf.triggers.some((t) => t.kind === 'request') || wf.policies.length > 0 || model.calls.some((c) => calledWorkflow(c) === wf);
}

/** Open ranges (every address) in an IP list, for "Needs attention". */
function openRanges(list: IpList): string[] {
  return openRangesOf(literalIpElements(list).map((e) => e.value));
}

function identity(wf: WorkflowModel): string {
  return `${wf.workflowName} (${code(wf.path)})`;
}

/** Which workflow an `oid`/`sub` claim value pins, if it is a workflow's principal id. */
function pinnedWorkflow(model: StackModel, value: string): WorkflowModel | undefined {
  return model.workflows.find((w) => value === `\${${w.principalIdRef}}`);
}

function policyRows(model: StackModel, wf: WorkflowModel): string[][] {
  return wf.policies.map((policy) => {
    const claim = (name: string) => policy.claims.find((c) => c.name === name)?.value;
    const pinnedValue = claim('oid') ?? claim('sub');
    const pinned = pinnedValue !== undefined ? pinnedWorkflow(model, pinnedValue) : undefined;
    const client = claim('appid') ?? claim('azp');
    const pin = pinned
      ? `${identity(pinned)} by ${claim('oid') !== undefined ? 'oid' : 'sub'}`
      : pinnedValue !== undefined
        ? `${code(describeValue(model, pinnedValue))} by oid`
        : client !== undefined
          ? `client ${code(describeValue(model, client))}`
          : '**none: any identity with a token for this audience**';
    const others = policy.claims
      .filter((c) => !['iss', 'aud', 'oid', 'sub'].includes(c.name) && !(pinned === undefined && pinnedValue === undefined && ['appid', 'azp'].includes(c.name)))
      .map((c) => `${c.name}=${code(describeValue(model, c.value))}`)
      .join(', ');
    const show = (value: string | undefined) => (value === undefined ? '**(missing)**' : code(describeValue(model, value)));
    return [policy.name, pin, show(claim('aud')), show(claim('iss')), others || '-'];
  });
}

function sasStance(wf: WorkflowModel): string {
  const request = wf.triggers.filter((t) => t.kind === 'request');
  if (request.length === 0) return 'no Request trigger in this stack';
  return request
    .map((t) =>
      t.bearerOnly
        ? `${code(t.triggerName)}: Bearer-only condition (SAS-only calls are skipped)`
        : `${code(t.triggerName)}: **SAS accepted**: the callback URL with \`sig\` invokes the trigger without a token`,
    )
    .join('; ');
}

function secureText(secureData: readonly string[]): string {
  const missing = ['inputs', 'outputs'].filter((p) => !secureData.includes(p));
  if (missing.length === 0) return 'secure inputs and outputs';
  return `**${missing.join(' and ')} not secured** (visible in run history)`;
}

function triggerSecureText(wf: WorkflowModel): string {
  const request = wf.triggers.filter((t) => t.kind === 'request');
  if (request.length === 0) return '-';
  return request
    .map((t) => {
      if (t.includesAuthorizationHeaders && !t.secureData.includes('outputs')) {
        return `${code(t.triggerName)}: **Authorization header in unsecured outputs** (tokens visible in run history)`;
      }
      return `${code(t.triggerName)}: ${t.secureData.length ? secureText(t.secureData) : 'no secure data'}${t.includesAuthorizationHeaders ? ' (Authorization header included in outputs)' : ''}`;
    })
    .join('; ');
}

function renderReceiver(view: StackView, wf: WorkflowModel, lines: string[], attention: string[]): void {
  const { model, bindings } = view;
  lines.push(`### Receiver ${wf.workflowName}`, '');
  lines.push(`- Construct: ${code(wf.path)} (${code(wf.address)})`);
  lines.push(`- Trigger IP ranges: ${describeIpRanges(model, wf.triggerIpRanges)}`);
  lines.push(`- SAS: ${sasStance(wf)}`);
  lines.push(`- Run history: ${describeContentRanges(model, wf.contentIpRanges)}`);
  lines.push(`- Trigger secure data: ${triggerSecureText(wf)}`);
  lines.push('');
  if (wf.policies.length === 0) {
    lines.push('**No authorization policy: no caller can present a token this receiver accepts (only SAS, if enabled).**', '');
    attention.push(`receiver ${wf.workflowName} has no authorization policy`);
  } else {
    lines.push('Allowed callers:', '');
    lines.push(...table(['Policy', 'Pinned caller', 'Audience (aud)', 'Issuer (iss)', 'Other claims'], policyRows(model, wf)), '');
  }
  if (Array.isArray(wf.triggerIpRanges) && wf.triggerIpRanges.length === 0) {
    attention.push(`receiver ${wf.workflowName} has an empty trigger IP list (HTTP-action callers get 401)`);
  }
  if (wf.triggers.some((t) => t.kind === 'request' && !t.bearerOnly)) attention.push(`receiver ${wf.workflowName} accepts SAS calls (no Bearer-only condition)`);
  if (wf.contentIpRanges === undefined) attention.push(`receiver ${wf.workflowName} does not restrict run-history access`);
  const openTrigger = wf.policies.length > 0 ? openRanges(wf.triggerIpRanges) : [];
  if (openTrigger.length) attention.push(`receiver ${wf.workflowName} admits every address on its token-protected trigger (${openTrigger.join(', ')})`);
  const verdicts = view.verdicts.filter((v) => calledWorkflow(v.call) === wf).sort((a, b) => byCaller(a.call, b.call));
  if (verdicts.length) {
    lines.push('Calls in this stack:', '');
    lines.push(
      ...table(
        ['Caller', 'Requested audience', 'Action secure data', 'Predicted'],
        verdicts.map((v) => {
          const call = v.call;
          const line = attentionFor(v, wf.workflowName);
          if (line) attention.push(line);
          const audience = call.requestedAudience ? code(describeValue(model, call.requestedAudience)) : call.carriesSas ? 'SAS' : '(none)';
          return [`${identity(call.caller)} action ${code(call.action.actionName)}`, audience, secureText(call.action.secureData), outcomeText(model, bindings, v)];
        }),
      ),
      '',
    );
  }
}

function byCaller(a: { caller: WorkflowModel; action: { actionName: string } }, b: { caller: WorkflowModel; action: { actionName: string } }): number {
  return a.caller.workflowName.localeCompare(b.caller.workflowName) || a.action.actionName.localeCompare(b.action.actionName);
}

function renderPolicyDocument(model: StackModel, api: ApiModel, document: ApiPolicyDocument, lines: string[], attention: string[]): void {
  const scope = document.scope === 'global' ? 'Global policy' : 'API policy';
  if (document.unreadable) {
    lines.push(`- ${scope} (${code(document.resource.address)}): **cannot be read**: ${document.unreadable}`);
    attention.push(`API ${api.apiName}: the ${scope.toLowerCase()} cannot be read (${document.unreadable})`);
    return;
  }
  if (document.validations.length === 0) {
    lines.push(`- ${scope} (${code(document.resource.address)}): validates no token`);
    return;
  }
  const list = (values: readonly string[], none: string) => (values.length ? values.map((x) => code(describeValue(model, x))).join(', ') : none);
  for (const v of document.validations) {
    lines.push(`- ${scope} (${code(document.resource.address)}): ${code(v.kind)}${v.failedValidationHttpCode ? ` (failure: HTTP ${v.failedValidationHttpCode})` : ''}`);
    if (v.kind === 'validate-azure-ad-token') {
      lines.push(`  - Issuer tenant: ${v.tenantId ? code(describeValue(model, v.tenantId)) : '**(missing)**'}`);
      lines.push(`  - Allowed clients (appid/azp): ${list(v.clientApplicationIds, '**any client of the tenant**')}`);
    } else {
      lines.push(`  - Issuers: ${list(v.issuers, '**any**')}; OpenID configuration: ${list(v.openIdConfigUrls, '(none)')}`);
    }
    lines.push(`  - Audiences: ${list(v.audiences, '**any**')}`);
    if (v.requiredClaims.length) {
      lines.push(`  - Required claims: ${v.requiredClaims.map((c) => `${c.name} (${c.match}) = ${c.values.map((x) => code(describeValue(model, x))).join(', ')}`).join('; ')}`);
    }
    if (v.kind === 'validate-azure-ad-token' && v.clientApplicationIds.length === 0) attention.push(`API ${api.apiName} admits any client of the tenant`);
  }
}

function renderApi(view: StackView, api: ApiModel, lines: string[], attention: string[]): void {
  const { model, bindings } = view;
  lines.push(`### API ${api.apiName} (${api.serviceLabel})`, '');
  lines.push(`- Construct: ${code(api.path)} (${code(api.address)})`);
  lines.push(`- Path: ${code(`/${api.apiPath}`)}; subscription key ${api.subscriptionRequired ? 'required' : 'not required'}`);
  const effective = api.effectivePolicies;
  if (api.globalPolicy && !effective.includes(api.globalPolicy)) {
    lines.push(`- Global policy (${code(api.globalPolicy.resource.address)}): **not applied** (the API policy has no \`<base />\` in \`<inbound>\`)`);
  }
  for (const document of effective) renderPolicyDocument(model, api, document, lines, attention);
  if (!effective.some((d) => d.validations.length > 0 || d.unreadable)) {
    lines.push('', `**${api.apiPolicy || api.globalPolicy ? 'No policy that applies to this API validates a token' : 'No API policy and no global policy'}: the API validates no token.**`);
    attention.push(`API ${api.apiName} validates no token`);
  }
  lines.push('');
  const verdicts = view.verdicts.filter((v) => v.call.target.kind === 'api' && v.call.target.api === api).sort((a, b) => byCaller(a.call, b.call));
  if (verdicts.length) {
    lines.push('Calls in this stack:', '');
    lines.push(
      ...table(
        ['Caller', 'Authentication', 'Requested audience', 'Action secure data', 'Predicted'],
        verdicts.map((v) => {
          const call = v.call;
          const line = attentionFor(v, `API ${api.apiName}`);
          if (line) attention.push(line);
          return [
            `${identity(call.caller)} action ${code(call.action.actionName)}`,
            call.authType ?? '(none)',
            call.requestedAudience ? code(describeValue(model, call.requestedAudience)) : '-',
            secureText(call.action.secureData),
            outcomeText(model, bindings, v),
          ];
        }),
      ),
      '',
    );
  }
}

/** Actions that carry a token or a secret: authenticated calls and Key Vault secret reads. */
function secretBearingRows(model: StackModel): string[][] {
  const rows: string[][] = [];
  for (const wf of [...model.workflows].sort((a, b) => a.workflowName.localeCompare(b.workflowName))) {
    for (const action of [...wf.actions].sort((a, b) => a.actionName.localeCompare(b.actionName))) {
      const auth = action.authentication;
      const readsSecret = readsKeyVaultSecret(action);
      if (!auth && !readsSecret) continue;
      const what = [auth ? `${auth.type} token` : '', readsSecret ? 'reads a Key Vault secret' : '', auth?.pfx ? 'certificate from a previous step' : '']
        .filter(Boolean)
        .join(', ');
      rows.push([`${wf.workflowName} / ${code(action.actionName)}`, what, secureText(action.secureData), describeContentRanges(model, wf.contentIpRanges)]);
    }
  }
  return rows;
}

function renderFindings(view: StackView, lines: string[], attention: string[], engineMissing: boolean): void {
  lines.push('### Rule findings', '');
  if (engineMissing) {
    lines.push('_Rules not run; rule findings are not part of this report._', '');
    return;
  }
  const findings = [...(view.findings ?? [])].sort(
    (a, b) =>
      Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.path.localeCompare(b.path) ||
      a.message.localeCompare(b.message),
  );
  if (findings.length === 0) {
    lines.push('No findings.', '');
    return;
  }
  for (const f of findings) {
    if (!f.suppressed) attention.push(`${f.severity} ${f.ruleId} on ${f.path}`);
  }
  lines.push(
    ...table(
      ['Severity', 'Rule', 'Resource', 'Message', 'Status'],
      findings.map((f) => [f.severity, f.ruleId, code(f.path), f.message, f.suppressed ? `suppressed: ${f.suppressed}` : '**open**']),
    ),
    '',
  );
}

// ---------------------------------------------------------------------------------------------------
// Mermaid

function mermaidLabel(value: string): string {
  return value.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;')).replace(/\|/g, '#124;');
}

type NodeRole = 'sender' | 'probe' | 'receiver' | 'api';

/** Node shapes: senders stadium, probes hexagon, receivers rectangle, APIs parallelogram. */
function nodeShape(id: string, role: NodeRole, label: string): string {
  const text = `"${mermaidLabel(label)}"`;
  switch (role) {
    case 'sender':
      return `    ${id}([${text}])`;
    case 'probe':
      return `    ${id}{{${text}}}`;
    case 'api':
      return `    ${id}[/${text}/]`;
    default:
      return `    ${id}[${text}]`;
  }
}

function roleOf(view: StackView, wf: WorkflowModel): NodeRole | undefined {
  if (view.receivers.includes(wf)) return 'receiver';
  const own = view.verdicts.filter((v) => v.call.caller === wf);
  if (own.length === 0) return undefined;
  return own.every((v) => v.call.intent.kind === 'deny' && v.call.intent.probe) ? 'probe' : 'sender';
}

function renderMermaid(views: readonly StackView[], lines: string[]): void {
  const nodeLines: string[] = [];
  const edgeLines: string[] = [];
  const refusedEdges: number[] = [];
  let edgeIndex = 0;
  views.forEach((view, s) => {
    const ids = new Map<string, string>();
    const node = (key: string, label: string, role: NodeRole) => {
      const id = `s${s}n${ids.size}`;
      ids.set(key, id);
      nodeLines.push(nodeShape(id, role, label));
    };
    nodeLines.push(`  subgraph s${s}["${mermaidLabel(view.model.name)}"]`);
    for (const wf of [...view.model.workflows].sort((a, b) => a.workflowName.localeCompare(b.workflowName))) {
      const role = roleOf(view, wf);
      if (role) node(wf.address, wf.workflowName, role);
    }
    for (const api of view.model.apis) node(api.address, `API ${api.apiName}`, 'api');
    nodeLines.push('  end');
    for (const v of [...view.verdicts].sort((a, b) => byCaller(a.call, b.call))) {
      const from = ids.get(v.call.caller.address)!;
      const to = ids.get(v.call.target.kind === 'workflow' ? v.call.target.workflow.address : v.call.target.api.address)!;
      const intent = v.call.intent.kind === 'deny' ? (v.call.intent.probe ? ' (probe)' : ' (deny test)') : '';
      if (v.outcome === 'accepted') {
        edgeLines.push(`  ${from} -->|"accepted: ${mermaidLabel(v.admittedBy ?? '')}${intent}"| ${to}`);
      } else if (v.outcome === 'undecided') {
        edgeLines.push(`  ${from} -->|"undecided"| ${to}`);
      } else {
        edgeLines.push(`  ${from} -.->|"refused: ${mermaidLabel(v.error ?? '')}${intent}"| ${to}`);
        refusedEdges.push(edgeIndex);
      }
      edgeIndex++;
    }
  });
  lines.push('```mermaid', 'flowchart LR', ...nodeLines, ...edgeLines);
  if (refusedEdges.length) lines.push(`  linkStyle ${refusedEdges.join(',')} stroke:#c00,color:#c00`);
  lines.push('```', '');
}

// ---------------------------------------------------------------------------------------------------

/** Builds the Markdown security report of synthesized stacks. Deterministic for the same input. */
export function renderReport(stacks: readonly SynthStack[], options: ReportOptions = {}): string {
  const findingsOf = options.rules === undefined ? (model: StackModel) => runRules(model) : options.rules ?? undefined;
  const views: StackView[] = [...stacks]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((stack) => {
      const model = buildStackModel(stack);
      return {
        model,
        bindings: simulatedBindings(model),
        receivers: model.workflows.filter((wf) => isReceiver(model, wf)).sort((a, b) => a.workflowName.localeCompare(b.workflowName)),
        verdicts: predictCalls(model),
        findings: findingsOf?.(model),
      };
    });

  const lines: string[] = [`# ${options.title ?? 'Security report'}`, ''];
  if (views.length === 0) {
    lines.push('No synthesized stacks found (run `npm run synth` first).', '');
    return lines.join('\n');
  }
  lines.push(
    'Generated from the synthesized Terraform JSON. Predictions use a simulated deployment (fake tenant, client and principal ids): they show whether the wiring is consistent, not that Azure is deployed.',
    '',
    '## Call graph',
    '',
    'Shapes: senders (rounded), probes (hexagons), receivers (rectangles), APIs (parallelograms). Solid edges: calls the simulation predicts to be accepted; dashed red edges: refused, labelled with the Azure error; (probe) and (deny test) mark calls meant to be refused.',
    '',
  );
  renderMermaid(views, lines);

  for (const view of views) {
    const body: string[] = [];
    const attention: string[] = [];
    for (const wf of view.receivers) renderReceiver(view, wf, body, attention);
    for (const api of view.model.apis) renderApi(view, api, body, attention);
    if (view.receivers.length === 0 && view.model.apis.length === 0) body.push('No receiving workflow and no API in this stack.', '');
    const secretRows = secretBearingRows(view.model);
    body.push('### Token- and secret-bearing actions', '');
    if (secretRows.length) {
      body.push(...table(['Workflow / action', 'Carries', 'Run history (action)', 'Run history (workflow access)'], secretRows), '');
      for (const row of secretRows) if (row[2].includes('not secured')) attention.push(`${row[0].replace(/`/g, '')} carries a token or secret without secure data`);
    } else {
      body.push('None.', '');
    }
    for (const wf of view.model.workflows) {
      const open = handlesTokensOrSecrets(wf) ? openRanges(wf.contentIpRanges) : [];
      if (open.length) attention.push(`${wf.workflowName} handles tokens or secrets but its run history admits every address (${open.join(', ')})`);
    }
    renderFindings(view, body, attention, findingsOf === undefined);

    lines.push(`## Stack ${view.model.name}`, '');
    lines.push(
      `${view.receivers.length} receiver(s), ${view.model.apis.length} API(s), ${view.model.calls.length} call(s) between them.`,
      '',
    );
    if (attention.length) {
      lines.push('**Needs attention:**', '', ...[...new Set(attention)].map((a) => `- ${a}`), '');
    } else {
      lines.push('Nothing needs attention.', '');
    }
    lines.push(...body);
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}
