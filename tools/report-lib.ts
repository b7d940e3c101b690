// The security report: who may call whom, as a reviewer reads it in a pull request. Pure function of
// the synthesized stacks (plus the rule engine), so tests call it directly and the output is
// deterministic (sorted, no timestamps, no machine paths).
import { buildStackModel, CallModel, referencesIn, StackModel, SynthStack, TriggerModel, WorkflowModel } from './synth-model';
import { Bindings, issueClientCredentialsToken, issueManagedIdentityToken, providerOf, simulatedBindings } from './entra-sim';
import { evaluateTrigger } from './token-eval';
import { apiCallsOf, ApiCallModel, ApiModel, apisOf } from './report-apim';
import { evaluateApiToken } from './report-apim-eval';
import { Finding, loadRuleEngine, RuleEngine } from './report-rules';

export interface ReportOptions {
  /**
   * The rule engine; `null` means "none" (the report says so). Defaults to rules/engine.ts when it
   * exists.
   */
  readonly rules?: RuleEngine | null;
  /** Title of the report. @default "Security report" */
  readonly title?: string;
}

/** What the simulation predicts for one call. */
export interface Prediction {
  readonly accepted: boolean;
  /** Azure error name (or short reason) when refused. */
  readonly error?: string;
  /** Human detail: the accepting policy, or the failing claims. */
  readonly detail: string;
  /** The call is a declared probe (external audience with a reason): refusal is the intent. */
  readonly probe?: string;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly prediction: Prediction;
}

// ---------------------------------------------------------------------------------------------------
// Readable Terraform expressions

function resourceLabel(model: StackModel, address: string): string {
  const ref = model.byAddress.get(address);
  const name = ref?.config?.name ?? ref?.config?.display_name;
  return typeof name === 'string' && !name.includes('${') ? name : address;
}

/** One `${...}` reference in words: "principal id of la-oauth-send". */
export function describeReference(model: StackModel, address: string, attribute: string): string {
  const type = address.replace(/^data\./, '').split('.')[0];
  const label = resourceLabel(model, address);
  if (type === 'azuread_client_config') {
    const provider = providerOf(model.byAddress.get(address)?.config, 'azuread');
    if (attribute === 'tenant_id') return `tenant id of provider ${provider}`;
    if (attribute === 'object_id') return `object id of the deploying principal (${provider})`;
    if (attribute === 'client_id') return `client id of the deploying principal (${provider})`;
  }
  if (type === 'azurerm_logic_app_workflow') {
    if (/^identity\[0\]\.principal_id$/.test(attribute)) return `principal id of ${label}`;
    if (attribute === 'workflow_outbound_ip_addresses') return `outbound IPs of ${label}`;
    if (attribute === 'connector_outbound_ip_addresses') return `connector outbound IPs of ${label}`;
    if (attribute === 'access_endpoint') return `access endpoint of ${label}`;
  }
  if (type === 'azuread_application' && attribute === 'client_id') return `client id of ${label}`;
  if (type === 'azuread_service_principal' && attribute === 'object_id') return `object id of enterprise app ${label}`;
  if (type === 'azuread_service_principal' && attribute === 'client_id') {
    const objectId = referencesIn(String(model.byAddress.get(address)?.config?.object_id ?? ''))[0];
    if (objectId?.address.startsWith('azurerm_logic_app_workflow.') && objectId.attribute === 'identity[0].principal_id') {
      return `client id of the identity of ${resourceLabel(model, objectId.address)}`;
    }
    return `client id of enterprise app ${label}`;
  }
  if (type === 'azurerm_api_management' && attribute === 'gateway_url') return `gateway URL of ${label}`;
  return `${attribute.replace(/\[0\]/g, '').replace(/_/g, ' ')} of ${label}`;
}

/** A string with `${...}` references rewritten as `{description}`. */
export function describeValue(model: StackModel, value: string): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
    const refs = referencesIn(whole);
    if (refs.length === 1 && refs[0].expression.trim() === `${refs[0].address}.${refs[0].attribute}`) {
      return `{${describeReference(model, refs[0].address, refs[0].attribute)}}`;
    }
    return `{${describeExpression(model, expr)}}`;
  });
}

/** A computed Terraform expression in words (IP list helpers), or the expression itself. */
function describeExpression(model: StackModel, expr: string): string {
  const parts: string[] = [];
  const formatlist = /formatlist\("%s\/(\d+)",\s*((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)\)/g;
  let m: RegExpExecArray | null;
  while ((m = formatlist.exec(expr))) parts.push(`${describeReference(model, m[2], m[3])} (/${m[1]})`);
  // ReceiverWorkflow's per-element form: "/32" appended to bare addresses only, ranges kept.
  const perElement =
    /\[ for key, val in toset\(((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)\): length\(regexall\("\[\/-\]", val\)\) > 0 \? val : format\("%s\/(\d+)", val\)\]/g;
  while ((m = perElement.exec(expr))) parts.push(`${describeReference(model, m[1], m[2])} (/${m[3]} for bare addresses, ranges as they are)`);
  const withoutFormat = expr.replace(formatlist, '').replace(perElement, '');
  const literal = /"([0-9A-Fa-f:.]+(?:\/\d+|-[0-9A-Fa-f:.]+)?)"/g;
  while ((m = literal.exec(withoutFormat))) parts.push(m[1]);
  const bare = withoutFormat.replace(literal, '');
  for (const ref of referencesIn(`\${${bare}}`)) {
    if (!/^(distinct|concat|formatlist|flatten|tolist|toset)$/.test(ref.address.split('.')[0])) {
      parts.push(describeReference(model, ref.address, ref.attribute));
    }
  }
  return parts.length ? parts.join(', ') : expr;
}

/** Trigger IP ranges in words, with the "empty list" and "no restriction" cases spelled out. */
export function describeIpRanges(model: StackModel, ranges: readonly string[] | string | undefined): string {
  if (ranges === undefined) return '**any IP** (no trigger access control)';
  if (typeof ranges === 'string') {
    const inner = /^\$\{(.*)\}$/s.exec(ranges);
    return inner ? describeExpression(model, inner[1]) : describeValue(model, ranges);
  }
  if (ranges.length === 0) {
    return '**empty list: only other Logic Apps** (nested-workflow action); HTTP-action callers with a token get 401';
  }
  return ranges.map((r) => describeValue(model, r)).join(', ');
}

function describeContentRanges(ranges: readonly string[] | string | undefined): string {
  if (ranges === undefined) return '**not restricted**: run-history inputs and outputs readable from any IP';
  if (Array.isArray(ranges) && ranges.length === 1 && ranges[0] === '0.0.0.0-0.0.0.0') {
    return 'blocked (`0.0.0.0-0.0.0.0`: run-history inputs and outputs readable from nowhere)';
  }
  if (Array.isArray(ranges) && ranges.length === 0) return 'only other Logic Apps (empty list)';
  return `restricted to ${Array.isArray(ranges) ? ranges.map((r) => `\`${r}\``).join(', ') : `\`${ranges}\``}`;
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
// Predictions

function isProbe(call: { action: { annotations: { externalAudience?: { audience: string; reason: string } } } }): string | undefined {
  return call.action.annotations.externalAudience?.reason;
}

function triggerOf(call: CallModel): TriggerModel | undefined {
  const name = /\/triggers\/([^/?]+)\//.exec(call.action.uri ?? '')?.[1];
  const requestTriggers = call.target?.triggers.filter((t) => t.kind === 'request') ?? [];
  return requestTriggers.find((t) => t.triggerName === name) ?? requestTriggers[0];
}

interface FailureLike {
  readonly claim: string;
  readonly expected: string;
  readonly actual: string | undefined;
  readonly policy?: string;
  readonly unresolved?: boolean;
}

/** Failing claims; `original` gives the policy's unbound value so the text names resources, not fake ids. */
function failureText(model: StackModel, failures: readonly FailureLike[], original: (f: FailureLike) => string | undefined = () => undefined): string {
  return failures
    .map((f) => {
      const expected = describeValue(model, original(f) ?? f.expected);
      return `${f.policy ? `policy ${f.policy}: ` : ''}${f.claim} expected ${expected}, got ${f.actual ?? '(absent)'}${f.unresolved ? ' (unresolved)' : ''}`;
    })
    .join('; ');
}

/** Predicts a workflow-to-workflow call with the Entra simulation and the trigger semantics. */
export function predictCall(model: StackModel, call: CallModel, bindings: Bindings): Prediction {
  const probe = isProbe(call);
  if (!call.target) return { accepted: false, error: 'UnknownTarget', detail: 'the URI does not reference a workflow of this stack', probe };
  if (Array.isArray(call.target.triggerIpRanges) && call.target.triggerIpRanges.length === 0) {
    return { accepted: false, error: '401 (empty trigger IP list)', detail: 'the trigger admits only nested-workflow calls', probe };
  }
  const trigger = triggerOf(call);
  let token;
  if (call.authType === 'ManagedServiceIdentity') {
    const issued = issueManagedIdentityToken(model, call, bindings);
    if (!issued.issued) return { accepted: false, error: issued.error, detail: issued.message, probe };
    token = issued.claims;
  } else if (call.authType !== undefined) {
    return { accepted: false, error: 'NotSimulated', detail: `authentication type ${call.authType} is not simulated`, probe };
  }
  const outcome = evaluateTrigger(call.target.policies, { token, sasSignature: call.carriesSas }, { bindings, bearerOnly: trigger?.bearerOnly });
  if (outcome.accepted) {
    return { accepted: true, detail: outcome.policy === 'SAS' ? 'SAS signature (no token)' : `policy ${outcome.policy}`, probe };
  }
  const target = call.target;
  const original = (f: FailureLike) => target.policies.find((p) => p.name === f.policy)?.claims.find((c) => c.name === f.claim)?.value;
  // Show the closest policy (fewest failing claims) rather than every policy's failures.
  const byPolicy = new Map<string, FailureLike[]>();
  for (const f of outcome.failures) byPolicy.set(f.policy, [...(byPolicy.get(f.policy) ?? []), f]);
  const closest = [...byPolicy.values()].sort((a, b) => a.length - b.length)[0] ?? [];
  const others = byPolicy.size > 1 ? `; ${byPolicy.size - 1} other polic${byPolicy.size === 2 ? 'y fails' : 'ies fail'} too` : '';
  const detail =
    outcome.failures.length > 0
      ? `closest ${failureText(model, closest, original)}${others}`
      : outcome.error === 'MisMatchingOAuthClaims'
        ? 'the receiver has no authorization policy'
        : outcome.error === 'DirectApiRequestHasMoreThanOneAuthorization'
          ? 'the call carries both a SAS signature and a token'
          : outcome.error === 'DirectApiAuthorizationRequired'
            ? 'the call carries neither a token nor a SAS signature'
            : 'the Bearer-only condition skips calls without a token';
  return { accepted: false, error: outcome.error, detail, probe };
}

/** Predicts a call to an APIM API (managed identity only; other authentication is reported as such). */
export function predictApiCall(model: StackModel, call: ApiCallModel, bindings: Bindings): Prediction {
  const probe = isProbe(call);
  const issued =
    call.authType === 'ManagedServiceIdentity'
      ? issueManagedIdentityToken(model, { action: call.action, caller: call.caller, authType: call.authType, requestedAudience: call.requestedAudience, carriesSas: false }, bindings)
      : call.authType === 'ActiveDirectoryOAuth'
        ? issueClientCredentialsToken(model, call.authentication, bindings)
        : undefined;
  if (!issued) {
    return { accepted: false, error: 'NotSimulated', detail: call.authType ? `authentication type ${call.authType} is not simulated` : 'the call carries no token', probe };
  }
  if (!issued.issued) return { accepted: false, error: issued.error, detail: issued.message, probe };
  const outcome = evaluateApiToken(call.api, issued.claims, bindings);
  if (outcome.accepted) return { accepted: true, detail: outcome.detail, probe };
  const v = call.api.validation;
  const original = (f: FailureLike) =>
    f.claim === 'aud' ? v?.audiences.join(' | ') : f.claim === 'appid' || f.claim === 'azp' ? v?.clientApplicationIds.join(' | ') : f.claim === 'iss' && v?.tenantId ? `tenant ${v.tenantId}` : undefined;
  return { accepted: false, error: outcome.error, detail: failureText(model, outcome.failures, original), probe };
}

function outcomeText(p: Prediction): string {
  if (p.accepted) return `accepted (${p.detail})`;
  const base = `**refused: ${p.error}** (${p.detail})`;
  if (p.error === 'NotSimulated') return `not simulated (${p.detail})`;
  return p.probe ? `${base}; expected, probe: ${p.probe}` : base;
}

// ---------------------------------------------------------------------------------------------------
// Sections

interface StackView {
  readonly model: StackModel;
  readonly bindings: Bindings;
  readonly receivers: WorkflowModel[];
  readonly apis: ApiModel[];
  readonly apiCalls: ApiCallModel[];
  readonly findings?: Finding[];
}

function isReceiver(model: StackModel, wf: WorkflowModel): boolean {
  return wf.triggers.some((t) => t.kind === 'request') || wf.policies.length > 0 || model.calls.some((c) => c.target === wf);
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
  lines.push(`- Run history: ${describeContentRanges(wf.contentIpRanges)}`);
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
  const calls = model.calls.filter((c) => c.target === wf).sort(byCaller);
  if (calls.length) {
    lines.push('Calls in this stack:', '');
    lines.push(
      ...table(
        ['Caller', 'Requested audience', 'Action secure data', 'Predicted'],
        calls.map((call) => {
          const p = predictCall(model, call, bindings);
          if (!p.accepted && !p.probe && p.error !== 'NotSimulated') {
            attention.push(`${call.caller.workflowName} -> ${wf.workflowName} is refused: ${p.error}`);
          }
          const audience = call.requestedAudience ? code(describeValue(model, call.requestedAudience)) : call.carriesSas ? 'SAS' : '(none)';
          return [`${identity(call.caller)} action ${code(call.action.actionName)}`, audience, secureText(call.action.secureData), outcomeText(p)];
        }),
      ),
      '',
    );
  }
}

function byCaller(a: { caller: WorkflowModel; action: { actionName: string } }, b: { caller: WorkflowModel; action: { actionName: string } }): number {
  return a.caller.workflowName.localeCompare(b.caller.workflowName) || a.action.actionName.localeCompare(b.action.actionName);
}

function renderApi(view: StackView, api: ApiModel, lines: string[], attention: string[]): void {
  const { model, bindings } = view;
  lines.push(`### API ${api.apiName} (${api.serviceLabel})`, '');
  lines.push(`- Construct: ${code(api.path)} (${code(api.address)})`);
  lines.push(`- Path: ${code(`/${api.apiPath}`)}; subscription key ${api.subscriptionRequired ? 'required' : 'not required'}`);
  if (!api.policy) {
    lines.push('', '**No API policy: the API validates no token.**', '');
    attention.push(`API ${api.apiName} has no policy (no token validation)`);
  } else if (api.policyError) {
    lines.push('', `**API policy XML does not parse**: ${api.policyError}`, '');
    attention.push(`API ${api.apiName} policy XML does not parse`);
  } else if (!api.validation) {
    lines.push('', '**The API policy validates no token** (no validate-azure-ad-token or validate-jwt).', '');
    attention.push(`API ${api.apiName} validates no token`);
  } else {
    const v = api.validation;
    const list = (values: readonly string[], none: string) => (values.length ? values.map((x) => code(describeValue(model, x))).join(', ') : none);
    lines.push(`- Token validation: ${code(v.kind)}${v.failedValidationHttpCode ? ` (failure: HTTP ${v.failedValidationHttpCode})` : ''}`);
    if (v.kind === 'validate-azure-ad-token') {
      lines.push(`- Issuer tenant: ${v.tenantId ? code(describeValue(model, v.tenantId)) : '**(missing)**'}`);
      lines.push(`- Allowed clients (appid/azp): ${list(v.clientApplicationIds, '**any client of the tenant**')}`);
    } else {
      lines.push(`- Issuers: ${list(v.issuers, '**any**')}; OpenID configuration: ${list(v.openIdConfigUrls, '(none)')}`);
    }
    lines.push(`- Audiences: ${list(v.audiences, '**any**')}`);
    if (v.requiredClaims.length) {
      lines.push(`- Required claims: ${v.requiredClaims.map((c) => `${c.name} (${c.match}) = ${c.values.map((x) => code(describeValue(model, x))).join(', ')}`).join('; ')}`);
    }
    if (v.kind === 'validate-azure-ad-token' && v.clientApplicationIds.length === 0) attention.push(`API ${api.apiName} admits any client of the tenant`);
  }
  lines.push('');
  const calls = view.apiCalls.filter((c) => c.api === api).sort(byCaller);
  if (calls.length) {
    lines.push('Calls in this stack:', '');
    lines.push(
      ...table(
        ['Caller', 'Authentication', 'Requested audience', 'Action secure data', 'Predicted'],
        calls.map((call) => {
          const p = predictApiCall(model, call, bindings);
          if (!p.accepted && !p.probe && p.error !== 'NotSimulated') attention.push(`${call.caller.workflowName} -> API ${api.apiName} is refused: ${p.error}`);
          return [
            `${identity(call.caller)} action ${code(call.action.actionName)}`,
            call.authType ?? '(none)',
            call.requestedAudience ? code(describeValue(model, call.requestedAudience)) : '-',
            secureText(call.action.secureData),
            outcomeText(p),
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
      const readsSecret = /\/secrets\//.test(action.uri ?? '') || auth?.audience === 'https://vault.azure.net';
      if (!auth && !readsSecret) continue;
      const what = [auth ? `${auth.type} token` : '', readsSecret ? 'reads a Key Vault secret' : '', auth?.pfx ? 'certificate from a previous step' : '']
        .filter(Boolean)
        .join(', ');
      rows.push([`${wf.workflowName} / ${code(action.actionName)}`, what, secureText(action.secureData)]);
    }
  }
  return rows;
}

function renderFindings(view: StackView, lines: string[], attention: string[], engineMissing: boolean): void {
  lines.push('### Rule findings', '');
  if (engineMissing) {
    lines.push('_No rule engine found; rule findings are not part of this report._', '');
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

function renderMermaid(views: readonly StackView[], lines: string[]): void {
  const nodeLines: string[] = [];
  const edgeLines: string[] = [];
  const refusedEdges: number[] = [];
  let edgeIndex = 0;
  views.forEach((view, s) => {
    const ids = new Map<string, string>();
    const node = (key: string, label: string, shape: 'box' | 'api') => {
      let id = ids.get(key);
      if (!id) {
        id = `s${s}n${ids.size}`;
        ids.set(key, id);
        nodeLines.push(shape === 'api' ? `    ${id}[/"${mermaidLabel(label)}"/]` : `    ${id}["${mermaidLabel(label)}"]`);
      }
      return id;
    };
    const edges: Edge[] = [];
    const workflows = [...view.model.workflows].sort((a, b) => a.workflowName.localeCompare(b.workflowName));
    nodeLines.push(`  subgraph s${s}["${mermaidLabel(view.model.name)}"]`);
    for (const wf of workflows) {
      if (view.receivers.includes(wf) || view.model.calls.some((c) => c.caller === wf) || view.apiCalls.some((c) => c.caller === wf)) {
        node(wf.address, wf.workflowName, 'box');
      }
    }
    for (const api of view.apis) node(api.address, `API ${api.apiName}`, 'api');
    for (const call of [...view.model.calls].sort(byCaller)) {
      if (!call.target) continue;
      edges.push({ from: ids.get(call.caller.address)!, to: ids.get(call.target.address)!, prediction: predictCall(view.model, call, view.bindings) });
    }
    for (const call of [...view.apiCalls].sort(byCaller)) {
      edges.push({ from: ids.get(call.caller.address)!, to: ids.get(call.api.address)!, prediction: predictApiCall(view.model, call, view.bindings) });
    }
    nodeLines.push('  end');
    for (const edge of edges) {
      const p = edge.prediction;
      if (p.accepted) {
        edgeLines.push(`  ${edge.from} -->|"accepted: ${mermaidLabel(p.detail)}"| ${edge.to}`);
      } else if (p.error === 'NotSimulated') {
        edgeLines.push(`  ${edge.from} -->|"not simulated"| ${edge.to}`);
      } else {
        edgeLines.push(`  ${edge.from} -.->|"refused: ${mermaidLabel(p.error ?? '')}${p.probe ? ' (probe)' : ''}"| ${edge.to}`);
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
  const engine = options.rules === undefined ? loadRuleEngine() : options.rules ?? undefined;
  const views: StackView[] = [...stacks]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((stack) => {
      const model = buildStackModel(stack);
      const apis = apisOf(model);
      return {
        model,
        bindings: simulatedBindings(model),
        receivers: model.workflows.filter((wf) => isReceiver(model, wf)).sort((a, b) => a.workflowName.localeCompare(b.workflowName)),
        apis,
        apiCalls: apiCallsOf(model, apis),
        findings: engine?.runRules(model),
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
    'Solid edges: calls the simulation predicts to be accepted; dashed red edges: refused, labelled with the Azure error.',
    '',
  );
  renderMermaid(views, lines);

  for (const view of views) {
    const body: string[] = [];
    const attention: string[] = [];
    for (const wf of view.receivers) renderReceiver(view, wf, body, attention);
    for (const api of view.apis) renderApi(view, api, body, attention);
    if (view.receivers.length === 0 && view.apis.length === 0) body.push('No receiving workflow and no API in this stack.', '');
    const secretRows = secretBearingRows(view.model);
    body.push('### Token- and secret-bearing actions', '');
    if (secretRows.length) {
      body.push(...table(['Workflow / action', 'Carries', 'Run history'], secretRows), '');
      for (const row of secretRows) if (row[2].includes('not secured')) attention.push(`${row[0].replace(/`/g, '')} carries a token or secret without secure data`);
    } else {
      body.push('None.', '');
    }
    renderFindings(view, body, attention, engine === undefined);

    lines.push(`## Stack ${view.model.name}`, '');
    lines.push(
      `${view.receivers.length} receiver(s), ${view.apis.length} API(s), ${view.model.calls.filter((c) => c.target).length + view.apiCalls.length} call(s) between them.`,
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
