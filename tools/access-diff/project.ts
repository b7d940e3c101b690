// StackAccess (./access.ts) from the stack model and its verdicts: nothing here reads cdk.tf.json; every
// fact comes from model/ (workflows, policies, IP lists, apps, grants, APIs with their effective policy,
// calls and their predicted verdicts), and values are described with model/describe.ts.
import { Bindings, simulatedBindings } from '../../model/entra';
import { isOpenRange } from '../../domain/ip-range';
import { normalizeLocation } from '../../domain/regions';
import { describeBound, describeReference, describeValue } from '../../model/describe';
import { literalIpElements } from '../../model/ip-lists';
import type { TokenValidationElement } from '../../model/policy-xml';
import { CallModel, IpList as ModelIpList, referencesIn, ResourceRef, StackModel, WorkflowModel } from '../../model/stack-model';
import { CallVerdict, predictCalls } from '../../model/verdict';
import type { ApiAccess, AudienceAccess, CallerRef, RequiredClaim, ResourceAccess, StackAccess, SuppressionAccess, Value, Verdict, WorkflowAccess } from './access';
import { intervalOf, IpEntry, IpList, NOBODY_RANGE } from './ip-coverage';

/**
 * Arguments whose change makes the provider replace the resource (ForceNew in the provider schema at our
 * pinned versions): azurerm v4.55.0 internal/services/logic/logic_app_workflow_resource.go (name;
 * location and resource_group_name through commonschema), internal/services/authorization/
 * role_assignment_resource.go; azuread v3.7.0 internal/services/serviceprincipals/
 * service_principal_resource.go (client_id), internal/services/approleassignments/
 * app_role_assignment_resource.go, internal/services/applications/application_identifier_uri_resource.go.
 */
const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  azurerm_logic_app_workflow: ['name', 'location', 'resource_group_name', 'integration_service_environment_id', 'workflow_schema', 'workflow_version'],
  azurerm_role_assignment: ['name', 'scope', 'role_definition_id', 'role_definition_name', 'principal_id', 'principal_type', 'condition', 'condition_version', 'description'],
  azuread_app_role_assignment: ['app_role_id', 'principal_object_id', 'resource_object_id'],
  azuread_service_principal: ['client_id'],
  azuread_application: ['template_id'],
  azuread_application_identifier_uri: ['application_id', 'identifier_uri'],
};

/** Trust-bearing: losing one of these (destroy, create) changes identities, client ids or grants. */
const TRUST_BEARING = new Set(['azurerm_logic_app_workflow', 'azuread_application', 'azuread_service_principal', 'azurerm_role_assignment', 'azuread_app_role_assignment']);

function value(model: StackModel, raw: string): Value {
  return { raw, text: describeValue(model, raw) };
}

function workflowByPrincipal(model: StackModel, raw: string): WorkflowModel | undefined {
  return model.workflows.find((w) => raw === `\${${w.principalIdRef}}`);
}

/** Whom a policy admits: the workflow its oid/sub pins, a client id, or any holder of a token for its aud. */
function policyCaller(model: StackModel, claims: ReadonlyArray<{ name: string; value: string }>): CallerRef {
  const claim = (name: string) => claims.find((c) => c.name === name)?.value;
  const pin = claim('oid') ?? claim('sub');
  if (pin !== undefined) {
    const wf = workflowByPrincipal(model, pin);
    return wf ? { id: wf.address, name: wf.workflowName } : { id: `principal ${pin}`, name: `principal ${describeValue(model, pin)}` };
  }
  const client = claim('appid') ?? claim('azp');
  if (client !== undefined) return { id: `client ${client}`, name: `client ${describeValue(model, client)}` };
  const aud = claim('aud');
  return { id: `any token holder ${aud ?? ''}`, name: aud === undefined ? 'any identity with a token of the tenant' : `any identity with a token for ${describeValue(model, aud)}` };
}

// Terraform references in an IP list expression: `formatlist("%s/32", <workflow>.workflow_outbound_ip_addresses)`,
// or `[for val in <workflow>.workflow_outbound_ip_addresses: ...]` and any other bare reference.
const FORMATLIST = /formatlist\("%s\/(\d+)",\s*((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)\)/g;
const BARE_REFERENCE = /(?<![\w".-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_[\].]*)/g;

function ipList(model: StackModel, list: ModelIpList): IpList {
  if (list === undefined) return { any: true };
  // Literal ranges only: other quoted strings of an expression (a regexall pattern, a format string) admit nothing.
  const entries: IpEntry[] = literalIpElements(list)
    .filter((e) => e.value === NOBODY_RANGE || intervalOf(e.value) !== undefined)
    .map((e) => ({ value: e.value, text: isOpenRange(e.value) ? `${e.value} (every address)` : e.value }));
  const items = typeof list === 'string' ? [list] : list;
  for (const item of items) {
    for (const inner of item.match(/\$\{[\s\S]*\}/g) ?? []) {
      const expression = inner.slice(2, -1);
      const refs: Array<{ address: string; attribute: string; suffix: string }> = [];
      // Each address as /32 (formatlist), or a bare address as /32 and a range as it is (a for expression):
      // both admit exactly the addresses, so both read the same. Another prefix length is kept.
      for (const m of expression.matchAll(FORMATLIST)) refs.push({ address: m[2], attribute: m[3], suffix: m[1] === '32' ? '' : ` (/${m[1]})` });
      const rest = expression.replace(FORMATLIST, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const m of rest.matchAll(BARE_REFERENCE)) refs.push({ address: m[1], attribute: m[2], suffix: '' });
      for (const ref of refs) {
        const wf = model.workflows.find((w) => w.address === ref.address);
        entries.push({
          value: `${ref.address}.${ref.attribute}${ref.suffix}`,
          text: `${describeReference(model, ref.address, ref.attribute)}${ref.suffix}`,
          ...(wf && /outbound_ip_addresses$/.test(ref.attribute) ? { caller: { id: wf.address, name: wf.workflowName } } : {}),
        });
      }
    }
  }
  return { any: false, entries };
}

function isReceiver(model: StackModel, wf: WorkflowModel): boolean {
  return wf.triggers.some((t) => t.kind === 'request') || wf.policies.length > 0 || model.calls.some((c) => c.target.kind === 'workflow' && c.target.workflow === wf);
}

function unsecured(secureData: readonly string[], properties: readonly string[]): string[] {
  return properties.filter((p) => !secureData.includes(p));
}

function workflowAccess(model: StackModel, wf: WorkflowModel): WorkflowAccess {
  const secretReads = new Set(model.secretReads.map((r) => r.action.address));
  const tags = typeof wf.config.tags === 'object' && wf.config.tags !== null ? (wf.config.tags as Record<string, unknown>) : {};
  return {
    id: wf.address,
    name: wf.workflowName,
    path: wf.path,
    tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)])),
    receiver: isReceiver(model, wf),
    policies: wf.policies.map((p) => ({
      name: p.name,
      claims: p.claims.map((c) => ({ name: c.name, value: value(model, c.value) })),
      caller: policyCaller(model, p.claims),
    })),
    triggerIps: ipList(model, wf.triggerIpRanges),
    runHistoryIps: ipList(model, wf.contentIpRanges),
    requestTriggers: wf.triggers.filter((t) => t.kind === 'request').map((t) => ({ name: t.triggerName, bearerOnly: t.bearerOnly })),
    sensitiveSteps: [
      ...wf.actions
        .filter((a) => a.authentication !== undefined || secretReads.has(a.address))
        .map((a) => ({ name: a.actionName, kind: 'action' as const, exposed: unsecured(a.secureData, ['inputs', 'outputs']) })),
      ...wf.triggers
        .filter((t) => t.includesAuthorizationHeaders)
        .map((t) => ({ name: t.triggerName, kind: 'trigger' as const, exposed: unsecured(t.secureData, ['outputs']) })),
    ],
  };
}

/** Every value of one dimension that all validations must admit: the intersection (empty = any). */
function intersect(lists: ReadonlyArray<readonly string[]>): string[] | undefined {
  const constrained = lists.filter((l) => l.length > 0);
  if (constrained.length === 0) return [];
  const [first, ...rest] = constrained;
  const common = first.filter((v) => rest.every((l) => l.includes(v)));
  return common.length ? [...new Set(common)] : undefined;
}

/** The workflow whose managed identity a client id is (`data.azuread_service_principal` of its principal id). */
function clientCaller(model: StackModel, raw: string): CallerRef | undefined {
  const refs = referencesIn(raw);
  if (refs.length !== 1 || raw !== `\${${refs[0].expression}}` || refs[0].attribute !== 'client_id' || !refs[0].address.startsWith('data.azuread_service_principal.')) return undefined;
  const wf = workflowByPrincipal(model, String(model.byAddress.get(refs[0].address)?.config?.object_id ?? ''));
  return wf ? { id: wf.address, name: wf.workflowName } : undefined;
}

function apiAccess(model: StackModel, api: StackModel['apis'][number]): ApiAccess {
  const label = `${api.apiName} (${api.serviceLabel})`;
  const documents = api.effectivePolicies;
  const elements: TokenValidationElement[] = documents.flatMap((d) => d.validations);
  const unreadable = documents.filter((d) => d.unreadable);
  if (elements.length === 0 && unreadable.length === 0) return { id: api.address, name: api.apiName, label, subscriptionRequired: api.subscriptionRequired };
  // Every validation of the effective policy must pass: each dimension admits what all of them admit.
  const dim = (pick: (e: TokenValidationElement) => readonly string[]) => {
    const common = intersect(elements.map(pick));
    // No common value: nothing passes every validation; keep one impossible value so the side admits none.
    return (common ?? ['(none: the validations admit no common value)']).map((raw) => value(model, raw));
  };
  const requiredClaims: RequiredClaim[] = elements.flatMap((e) => e.requiredClaims.map((c) => ({ name: c.name, match: c.match, values: c.values.map((v) => value(model, v)) })));
  return {
    id: api.address,
    name: api.apiName,
    label,
    subscriptionRequired: api.subscriptionRequired,
    validation: {
      kind: [...elements.map((e) => e.kind), ...unreadable.map((d) => `unreadable ${d.scope} policy`)].join(' + '),
      tenants: dim((e) => (e.tenantId ? [e.tenantId] : [])),
      clients: dim((e) => e.clientApplicationIds).map((v) => {
        const caller = clientCaller(model, v.raw);
        return caller ? { ...v, caller } : v;
      }),
      audiences: dim((e) => e.audiences),
      issuers: dim((e) => e.issuers),
      requiredClaims,
    },
  };
}

function audienceAccess(model: StackModel, app: StackModel['apps'][number]): AudienceAccess {
  const sps = new Set(app.servicePrincipals.map((sp) => sp.address));
  const roles: Array<{ id?: unknown; value?: unknown }> = Array.isArray(app.config.app_role) ? app.config.app_role : [];
  return {
    id: app.address,
    name: app.displayName,
    tokenVersion: app.tokenVersion,
    // Without an enterprise application the app issues no token to anyone (like a required assignment nobody has).
    assignmentRequired: app.servicePrincipals.length === 0 || app.servicePrincipals.some((sp) => sp.config.app_role_assignment_required === true),
    grants: model.grants
      .filter((g) => g.resourceServicePrincipal !== undefined && sps.has(g.resourceServicePrincipal))
      .map((g) => {
        const wf = workflowByPrincipal(model, g.principalObjectId);
        return {
          principal: value(model, g.principalObjectId),
          caller: wf ? { id: wf.address, name: wf.workflowName } : { id: `principal ${g.principalObjectId}`, name: `principal ${describeValue(model, g.principalObjectId)}` },
          role: String(roles.find((r) => r.id === g.appRoleId)?.value ?? describeValue(model, g.appRoleId)),
        };
      }),
  };
}

function verdictOf(model: StackModel, bindings: Bindings, v: CallVerdict): Verdict {
  const probe = v.call.intent.kind === 'deny' ? v.call.intent.probe || undefined : undefined;
  if (v.outcome === 'accepted') return { accepted: true, detail: v.admittedBy ?? 'accepted', ...(probe ? { probe } : {}) };
  const decisive = v.outcome === 'refused' ? v.reasons.filter((r) => !r.unresolved) : v.reasons;
  const first = decisive[0];
  const detail = !first
    ? v.outcome
    : first.claim === undefined
      ? first.summary
      : `${first.policy ? `${first.policy}: ` : ''}${first.claim} expected ${(first.original ?? first.expected ?? []).map((x) => describeValue(model, x)).join(' | ')}, got ${first.actual === undefined ? '(absent)' : describeBound(model, bindings, first.actual)}`;
  return { accepted: false, error: v.outcome === 'undecided' ? 'undecided' : v.error, detail, ...(probe ? { probe } : {}) };
}

function callTarget(call: CallModel): { id: string; name: string; kind: 'receiver' | 'API' } {
  return call.target.kind === 'workflow'
    ? { id: call.target.workflow.address, name: call.target.workflow.workflowName, kind: 'receiver' }
    : { id: call.target.api.address, name: `${call.target.api.apiName} (${call.target.api.serviceLabel})`, kind: 'API' };
}

function resourceName(config: Record<string, unknown> | undefined): string | undefined {
  const name = config?.name ?? config?.display_name;
  return typeof name === 'string' && !name.includes('${') ? name : undefined;
}

/** The workflow or API a suppressed resource is or belongs to, and which part of it the resource is. */
function suppressionOwner(model: StackModel, r: ResourceRef): Pick<SuppressionAccess, 'owner' | 'part'> {
  for (const wf of model.workflows) {
    const owner = { type: isReceiver(model, wf) ? ('receiver' as const) : ('workflow' as const), id: wf.address, name: wf.workflowName };
    if (wf.address === r.address) return { owner };
    const trigger = wf.triggers.find((t) => t.address === r.address);
    if (trigger) return { owner, part: `trigger ${trigger.triggerName}` };
    const action = wf.actions.find((a) => a.address === r.address);
    if (action) return { owner, part: `action ${action.actionName}` };
  }
  for (const api of model.apis) {
    const owner = { type: 'API' as const, id: api.address, name: `${api.apiName} (${api.serviceLabel})` };
    if (api.address === r.address) return { owner };
    if (api.apiPolicy?.resource.address === r.address) return { owner, part: 'API policy' };
  }
  return {};
}

/** What one stack grants, from its model. */
export function stackAccess(model: StackModel): StackAccess {
  const bindings = simulatedBindings(model);
  const verdicts = predictCalls(model);
  return {
    stack: model.name,
    workflows: model.workflows.map((wf) => workflowAccess(model, wf)),
    apis: model.apis.map((api) => apiAccess(model, api)),
    audiences: model.apps.map((app) => audienceAccess(model, app)),
    calls: verdicts.map((v) => {
      const target = callTarget(v.call);
      return {
        caller: { id: v.call.caller.address, name: v.call.caller.workflowName },
        target: { id: target.id, name: target.name },
        targetKind: target.kind,
        action: v.call.action.actionName,
        verdict: verdictOf(model, bindings, v),
      };
    }),
    roleAssignments: model.resources
      .filter((r) => r.type === 'azurerm_role_assignment')
      .map((r) => {
        const principal = String(r.config.principal_id ?? '');
        const wf = workflowByPrincipal(model, principal);
        return {
          id: r.address,
          principal: value(model, principal),
          caller: wf ? { id: wf.address, name: wf.workflowName } : { id: `principal ${principal}`, name: describeValue(model, principal) },
          role: String(r.config.role_definition_name ?? describeValue(model, String(r.config.role_definition_id ?? ''))),
          scope: value(model, String(r.config.scope ?? '')),
        };
      }),
    suppressions: model.resources.flatMap((r) =>
      (r.annotations.suppressions ?? []).map((s): SuppressionAccess => ({
        resource: { id: r.address, name: resourceName(r.config) ?? r.path },
        path: r.path,
        ...suppressionOwner(model, r),
        ruleId: s.id,
        reason: s.reason,
      })),
    ),
    resources: model.resources
      .filter((r) => !r.address.startsWith('data.'))
      .map((r): ResourceAccess => ({
        id: r.address,
        name: resourceName(r.config) ?? r.address,
        type: r.type,
        trustBearing: TRUST_BEARING.has(r.type),
        forceNew: Object.fromEntries(
          (FORCE_NEW[r.type] ?? [])
            .filter((attr) => r.config[attr] !== undefined)
            .map((attr) => [attr, value(model, forceNewText(attr, r.config[attr]))]),
        ),
      })),
  };
}

/**
 * A ForceNew argument as compared for replacement. A literal location is compared as azurerm compares it
 * (DiffSuppressFunc over location.Normalize: "West Europe" is "westeurope", no replacement).
 */
function forceNewText(attr: string, raw: unknown): string {
  if (typeof raw !== 'string') return JSON.stringify(raw);
  return attr === 'location' && !raw.includes('${') ? normalizeLocation(raw) : raw;
}
