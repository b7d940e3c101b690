// The model of one synthesized stack (cdk.tf.json): workflows with their triggers, actions, policies and
// IP lists; app registrations, app-role grants; API Management APIs with their effective policy (the
// API policy and, where it inherits, the service's global policy); and every outbound HTTP action sorted
// into calls (to a workflow trigger or an API) and Key Vault secret reads. It reads only the Terraform
// JSON (resource types and arguments, plus the annotations under "//"), so it works on the output of any
// cdktf app that uses the same azurerm/azuread resource types. Everything else (rules, report,
// check-token, smoke) reads stacks through this model.
import { ANNOTATION_KEY, ResourceAnnotations } from '../domain/annotations';
import { BEARER_ONLY_CONDITION, INCLUDE_AUTHORIZATION_HEADERS } from '../domain/workflow-conditions';
import { KEY_VAULT_AUDIENCE } from '../domain/tokens';
import { readPolicyDocument, TokenValidationElement } from './policy-xml';
import type { SynthStack, TerraformValue, TfJson } from './synth-output';
import type { TriggerPolicy } from './trigger-admission';

export type { SynthStack, TerraformValue, TfJson };

/** A Terraform resource (or data source) in the synthesized JSON. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  /** `type.name` (`data.type.name` for data sources), as in plan output and `${...}` references. */
  readonly address: string;
  /** The construct path, when cdktf recorded it; else the address. */
  readonly path: string;
  readonly config: TerraformValue;
  readonly annotations: ResourceAnnotations;
}

/** A trigger of a workflow (custom, HTTP request or recurrence resource). */
export interface TriggerModel extends ResourceRef {
  readonly triggerName: string;
  /** Address of the workflow the trigger belongs to. */
  readonly workflow: string;
  /** Parsed definition (custom triggers), or undefined. */
  readonly definition?: TerraformValue;
  readonly kind: 'request' | 'recurrence' | 'other';
  /** The trigger carries the Bearer-only condition (domain/workflow-conditions.ts). */
  readonly bearerOnly: boolean;
  readonly includesAuthorizationHeaders: boolean;
  readonly secureData: readonly string[];
}

/** An action of a workflow (custom or HTTP action resource), with its parsed definition. */
export interface ActionModel extends ResourceRef {
  readonly actionName: string;
  /** Address of the workflow the action belongs to. */
  readonly workflow: string;
  readonly definition?: TerraformValue;
  readonly actionType?: string;
  readonly uri?: string;
  readonly authentication?: TerraformValue;
  readonly secureData: readonly string[];
}

/**
 * An access-control IP list as written: a literal list, a Terraform expression computing one
 * (`${distinct(concat(...))}`), or undefined when the section is absent (no restriction).
 */
export type IpList = readonly string[] | string | undefined;

/** A Logic Apps workflow with its access control, authorization policies, identity, triggers and actions. */
export interface WorkflowModel extends ResourceRef {
  readonly workflowName: string;
  /** Trigger IP ranges; undefined when there is no trigger access control. */
  readonly triggerIpRanges: IpList;
  /** Run-history (access_control.content) IP ranges; undefined when not restricted. */
  readonly contentIpRanges: IpList;
  /** Every access_control section with its IP list (trigger, content, action, workflow_management). */
  readonly accessControl: Readonly<Record<string, IpList>>;
  readonly policies: readonly TriggerPolicy[];
  readonly hasSystemIdentity: boolean;
  /** Expression of the identity's object id (the `oid` of its tokens), without `${}`. */
  readonly principalIdRef: string;
  readonly triggers: readonly TriggerModel[];
  readonly actions: readonly ActionModel[];
}

/** An app registration: what tokens for it look like. */
export interface AppModel extends ResourceRef {
  readonly displayName: string;
  readonly tokenVersion: 1 | 2;
  /** `${<app>.client_id}` */
  readonly clientIdRef: string;
  /** Identifier URIs from the app itself and from azuread_application_identifier_uri resources. */
  readonly identifierUris: readonly string[];
  /** The azuread provider (alias) the app is created with: it decides the tenant. */
  readonly provider: string;
  readonly servicePrincipals: readonly ResourceRef[];
}

/** An app-role assignment: `principal` may call the app of `resourceServicePrincipal` with role `role`. */
export interface GrantModel extends ResourceRef {
  /** The principal's object id as written (`${...principal_id}` for a workflow identity). */
  readonly principalObjectId: string;
  /** Address of the service principal (enterprise application) the role belongs to, when referenced. */
  readonly resourceServicePrincipal?: string;
  readonly appRoleId: string;
}

/** One policy document that applies to an API. */
export interface ApiPolicyDocument {
  readonly resource: ResourceRef;
  readonly scope: 'global' | 'api' | 'operation';
  readonly xml?: string;
  readonly validations: readonly TokenValidationElement[];
  /** The inbound section has `<base />` (the parent scope's policy runs too). */
  readonly inheritsParent: boolean;
  /** Why the document cannot be read: XML error, a computed value, or an xml_link. */
  readonly unreadable?: string;
}

/** An API Management API with the policy documents that apply to it. */
export interface ApiModel extends ResourceRef {
  readonly apiName: string;
  readonly apiPath: string;
  /** The API Management service resource, when referenced. */
  readonly service?: ResourceRef;
  readonly serviceLabel: string;
  readonly subscriptionRequired: boolean;
  readonly protocols: readonly string[];
  /** The API-scope policy (azurerm_api_management_api_policy). */
  readonly apiPolicy?: ApiPolicyDocument;
  /** The service's global policy (azurerm_api_management_policy). */
  readonly globalPolicy?: ApiPolicyDocument;
  readonly operationPolicies: readonly ApiPolicyDocument[];
  /**
   * The documents every call of the API passes, in execution order: the global policy (when there is no
   * API policy, or the API policy inherits with `<base />`), then the API policy.
   */
  readonly effectivePolicies: readonly ApiPolicyDocument[];
}

/** Why a call is in the stack: to be admitted, or to be refused (a deny test). */
export type CallIntent =
  | { readonly kind: 'admit' }
  /** `probe`: the caller asks for another audience on purpose; otherwise a caller that is not admitted. */
  | { readonly kind: 'deny'; readonly reason: string; readonly probe: boolean };

/** What a call reaches: a workflow trigger, or an API Management API. */
export type CallTarget =
  | { readonly kind: 'workflow'; readonly workflow: WorkflowModel; readonly trigger?: TriggerModel }
  | { readonly kind: 'api'; readonly api: ApiModel };

/** An HTTP action of a workflow that calls a workflow trigger or an API of this stack. */
export interface CallModel {
  /** `<caller workflow name>/<action name>`: unique within a stack. */
  readonly id: string;
  readonly action: ActionModel;
  readonly caller: WorkflowModel;
  readonly target: CallTarget;
  /** How the target was found: recorded by the construct (annotation) or read from the URI. */
  readonly targetFrom: 'annotation' | 'uri';
  readonly authType?: string;
  /** The audience the action asks Entra for (as written). */
  readonly requestedAudience?: string;
  /** The action's authentication object as written. */
  readonly authentication?: TerraformValue;
  /** The URI carries a SAS signature or is built from a trigger callback URL. */
  readonly carriesSas: boolean;
  readonly intent: CallIntent;
}

/** An HTTP action that reads a Key Vault secret with the workflow's identity. */
export interface SecretReadModel {
  readonly action: ActionModel;
  readonly caller: WorkflowModel;
  readonly uri: string;
}

/** The model of one synthesized stack: everything the rules and the commands read. Built by buildStackModel. */
export interface StackModel {
  readonly name: string;
  readonly json: TfJson;
  readonly resources: readonly ResourceRef[];
  readonly byAddress: ReadonlyMap<string, ResourceRef>;
  readonly workflows: readonly WorkflowModel[];
  readonly apps: readonly AppModel[];
  readonly grants: readonly GrantModel[];
  readonly apis: readonly ApiModel[];
  /** Calls into a workflow trigger or an API of this stack. */
  readonly calls: readonly CallModel[];
  readonly secretReads: readonly SecretReadModel[];
  /** Outbound HTTP actions that are neither a call of this stack nor a secret read (other targets). */
  readonly otherHttpActions: readonly ActionModel[];
}

// ---------------------------------------------------------------------------------------------------
// JSON helpers

/** One `${...}` reference to a resource attribute. */
export interface Reference {
  /** `type.name` or `data.type.name`. */
  readonly address: string;
  /** The attribute path after the address (`identity[0].principal_id`). */
  readonly attribute: string;
  /** The whole expression inside `${...}`. */
  readonly expression: string;
}

/** Every `${type.name...}` resource or data reference in a string. */
export function referencesIn(value: string): Reference[] {
  const refs: Reference[] = [];
  const re = /\$\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    const inner = /((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)/.exec(m[1]);
    if (inner) refs.push({ address: inner[1], attribute: inner[2], expression: m[1] });
  }
  return refs;
}

/** The value holds a `${...}` Terraform expression. */
export function isUnresolved(value: string): boolean {
  return /\$\{[^}]+\}/.test(value);
}

function parseBody(body: unknown): TerraformValue | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined; // not JSON (a computed body): the step is read from its other arguments only
  }
}

function secureDataOf(definition: TerraformValue): string[] {
  const props = definition?.runtimeConfiguration?.secureData?.properties;
  return Array.isArray(props) ? props.map(String) : [];
}

/** The single block of a Terraform block list (cdktf writes some blocks as lists, some as objects). */
export function asSingle(block: TerraformValue): TerraformValue {
  return Array.isArray(block) ? block[0] : block;
}

/** A value or list as a list (undefined and null as an empty list). */
export function asList<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every string anywhere inside a JSON value, in document order. */
export function stringsIn(value: TerraformValue, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

function refersTo(value: unknown, address: string): boolean {
  return typeof value === 'string' && referencesIn(value).some((ref) => ref.address === address);
}

/** `value` references `address`, or equals the literal `literal` (a name written out). */
function designates(value: unknown, address: string, literal: unknown): boolean {
  return refersTo(value, address) || (literal !== undefined && typeof value === 'string' && value === String(literal));
}

/** The workflow receives tokens (policies, Authorization header in outputs) or sends or reads them. */
export function handlesTokensOrSecrets(wf: WorkflowModel): boolean {
  return wf.policies.length > 0 || wf.triggers.some((t) => t.includesAuthorizationHeaders) || wf.actions.some((a) => a.authentication !== undefined);
}

const ACCESS_SECTIONS = ['trigger', 'content', 'action', 'workflow_management'] as const;

// ---------------------------------------------------------------------------------------------------

/** Builds the model of one synthesized stack. */
export function buildStackModel(stack: SynthStack): StackModel {
  const resources: ResourceRef[] = [];
  const byAddress = new Map<string, ResourceRef>();
  const byPath = new Map<string, ResourceRef>();
  const add = (type: string, name: string, config: TerraformValue, prefix = '') => {
    const meta = config?.['//'] ?? {};
    const ref: ResourceRef = {
      type,
      name,
      address: `${prefix}${type}.${name}`,
      path: meta.metadata?.path ?? `${prefix}${type}.${name}`,
      config,
      annotations: meta[ANNOTATION_KEY] ?? {},
    };
    resources.push(ref);
    byAddress.set(ref.address, ref);
    if (meta.metadata?.path) byPath.set(meta.metadata.path, ref);
  };
  for (const [type, items] of Object.entries(stack.json.resource ?? {})) {
    for (const [name, config] of Object.entries(items)) add(type, name, config);
  }
  for (const [type, items] of Object.entries(stack.json.data ?? {})) {
    for (const [name, config] of Object.entries(items)) add(type, name, config, 'data.');
  }

  // Resources by type, and triggers and actions by workflow, each grouped once: at 500 calls a filter per
  // lookup was quadratic (~0.2 s of the synth).
  const byType = new Map<string, ResourceRef[]>();
  for (const r of resources) {
    if (r.address.startsWith('data.')) continue;
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  }
  const ofType = (type: string): ResourceRef[] => [...(byType.get(type) ?? [])];
  const workflowOf = (logicAppId: unknown) => {
    const ref = typeof logicAppId === 'string' ? referencesIn(logicAppId)[0] : undefined;
    return ref?.address ?? String(logicAppId);
  };
  const simpleTrigger = (r: ResourceRef, kind: TriggerModel['kind']): TriggerModel => ({
    ...r,
    triggerName: r.config.name,
    workflow: workflowOf(r.config.logic_app_id),
    kind,
    bearerOnly: false,
    includesAuthorizationHeaders: false,
    secureData: [],
  });

  const triggers: TriggerModel[] = [
    ...ofType('azurerm_logic_app_trigger_custom').map((r) => {
      const definition = parseBody(r.config.body);
      const conditions: TerraformValue[] = asList(definition?.conditions);
      return {
        ...r,
        triggerName: r.config.name,
        workflow: workflowOf(r.config.logic_app_id),
        definition,
        kind: definition?.type === 'Request' ? ('request' as const) : definition?.type === 'Recurrence' ? ('recurrence' as const) : ('other' as const),
        bearerOnly: conditions.some((c) => c?.expression === BEARER_ONLY_CONDITION),
        includesAuthorizationHeaders: String(definition?.operationOptions ?? '').includes(INCLUDE_AUTHORIZATION_HEADERS),
        secureData: secureDataOf(definition),
      };
    }),
    ...ofType('azurerm_logic_app_trigger_http_request').map((r) => simpleTrigger(r, 'request')),
    ...ofType('azurerm_logic_app_trigger_recurrence').map((r) => simpleTrigger(r, 'recurrence')),
  ];

  const actions: ActionModel[] = [
    ...ofType('azurerm_logic_app_action_custom').map((r) => {
      const definition = parseBody(r.config.body);
      return {
        ...r,
        actionName: r.config.name,
        workflow: workflowOf(r.config.logic_app_id),
        definition,
        actionType: definition?.type,
        uri: typeof definition?.inputs?.uri === 'string' ? definition.inputs.uri : undefined,
        authentication: definition?.inputs?.authentication,
        secureData: secureDataOf(definition),
      };
    }),
    ...ofType('azurerm_logic_app_action_http').map((r) => ({
      ...r,
      actionName: r.config.name,
      workflow: workflowOf(r.config.logic_app_id),
      actionType: 'Http',
      uri: r.config.uri,
      authentication: undefined,
      secureData: [],
    })),
  ];

  const triggersOf = groupBy(triggers, (t) => t.workflow);
  const actionsOf = groupBy(actions, (a) => a.workflow);
  const workflows: WorkflowModel[] = ofType('azurerm_logic_app_workflow').map((r) => {
    const access = asSingle(r.config.access_control);
    const accessControl: Record<string, IpList> = {};
    for (const section of ACCESS_SECTIONS) {
      const block = asSingle(access?.[section]);
      if (block === undefined) continue;
      // azurerm sends [] for a block without ranges (the "only other Logic Apps" trap).
      accessControl[section] = block.allowed_caller_ip_address_range ?? [];
    }
    const trigger = asSingle(access?.trigger);
    const policies: TriggerPolicy[] = asList<TerraformValue>(trigger?.open_authentication_policy).map((p) => ({
      name: String(p.name),
      claims: asList<TerraformValue>(p.claim).map((c) => ({ name: String(c.name), value: String(c.value) })),
    }));
    const identity = asSingle(r.config.identity);
    return {
      ...r,
      workflowName: r.config.name,
      triggerIpRanges: accessControl.trigger,
      contentIpRanges: access?.content === undefined ? undefined : (asSingle(access.content)?.allowed_caller_ip_address_range ?? []),
      accessControl,
      policies,
      hasSystemIdentity: String(identity?.type ?? '').includes('SystemAssigned'),
      principalIdRef: `${r.address}.identity[0].principal_id`,
      triggers: triggersOf.get(r.address) ?? [],
      actions: actionsOf.get(r.address) ?? [],
    };
  });
  const workflowByAddress = new Map(workflows.map((w) => [w.address, w]));

  const identifierUriResources = ofType('azuread_application_identifier_uri');
  const servicePrincipals = ofType('azuread_service_principal');
  const apps: AppModel[] = ofType('azuread_application').map((r) => {
    const uris = [
      ...asList<string>(r.config.identifier_uris),
      ...identifierUriResources.filter((u) => refersTo(u.config.application_id, r.address)).map((u) => String(u.config.identifier_uri)),
    ];
    return {
      ...r,
      displayName: r.config.display_name,
      tokenVersion: Number(asSingle(r.config.api)?.requested_access_token_version ?? 1) === 2 ? 2 : 1,
      clientIdRef: `\${${r.address}.client_id}`,
      identifierUris: uris,
      provider: String(r.config.provider ?? 'azuread'),
      servicePrincipals: servicePrincipals.filter((sp) => refersTo(sp.config.client_id, r.address)),
    };
  });

  const grants: GrantModel[] = ofType('azuread_app_role_assignment').map((r) => ({
    ...r,
    principalObjectId: String(r.config.principal_object_id ?? ''),
    resourceServicePrincipal: referencesIn(String(r.config.resource_object_id ?? '')).find((ref) => ref.address.startsWith('azuread_service_principal.'))
      ?.address,
    appRoleId: String(r.config.app_role_id ?? ''),
  }));

  const apis = readApis(ofType);

  const calls: CallModel[] = [];
  const secretReads: SecretReadModel[] = [];
  const otherHttpActions: ActionModel[] = [];
  for (const action of actions) {
    if (action.actionType !== 'Http' || !action.uri) continue;
    const caller = workflowByAddress.get(action.workflow);
    if (!caller) continue;
    const found = callTargetOf(action, { byPath, workflowByAddress, triggers, apis });
    const auth = action.authentication;
    if (found) {
      calls.push({
        id: `${caller.workflowName}/${action.actionName}`,
        action,
        caller,
        target: found.target,
        targetFrom: found.from,
        authType: auth?.type,
        requestedAudience: typeof auth?.audience === 'string' ? auth.audience : undefined,
        authentication: auth,
        carriesSas: /[?&]sig=/.test(action.uri) || referencesIn(action.uri).some((ref) => ref.attribute === 'callback_url'),
        intent: intentOf(action, found.target),
      });
    } else if (isSecretRead(action)) {
      secretReads.push({ action, caller, uri: action.uri });
    } else {
      otherHttpActions.push(action);
    }
  }

  return { name: stack.name, json: stack.json, resources, byAddress, workflows, apps, grants, apis, calls, secretReads, otherHttpActions };
}

const SECRET_URI = /vault\.azure\.net|\.vault_uri\}|\.secret_id\}|\.versionless_secret_id\}|\/secrets\//i;

/**
 * The HTTP action reads a Key Vault secret: it asks for a Key Vault token, or its URI is a vault's (a
 * vault host, a vault_uri / secret_id reference, or a /secrets/ path).
 */
export function readsKeyVaultSecret(action: ActionModel): boolean {
  const audience = String(action.authentication?.audience ?? '').replace(/\/+$/, '').toLowerCase();
  return audience === KEY_VAULT_AUDIENCE || (action.actionType === 'Http' && SECRET_URI.test(action.uri ?? ''));
}

function isSecretRead(action: ActionModel): boolean {
  return readsKeyVaultSecret(action);
}

function readPolicy(resource: ResourceRef, scope: ApiPolicyDocument['scope']): ApiPolicyDocument {
  const xml = resource.config.xml_content;
  if (typeof xml !== 'string') {
    return { resource, scope, validations: [], inheritsParent: true, unreadable: resource.config.xml_link ? 'the policy is loaded from xml_link' : 'no xml_content' };
  }
  if (/\$\{[a-z_]+\(/.test(xml)) {
    return { resource, scope, xml, validations: [], inheritsParent: true, unreadable: 'xml_content is computed by a Terraform function' };
  }
  try {
    const reading = readPolicyDocument(xml);
    return { resource, scope, xml, validations: reading.validations, inheritsParent: reading.inheritsParent };
  } catch (err) {
    return { resource, scope, xml, validations: [], inheritsParent: true, unreadable: `the XML does not parse: ${(err as Error).message.split('\n')[0]}` };
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function readApis(ofType: (type: string) => ResourceRef[]): ApiModel[] {
  const services = ofType('azurerm_api_management');
  const apiPolicies = ofType('azurerm_api_management_api_policy');
  const globalPolicies = ofType('azurerm_api_management_policy');
  const operationPolicies = ofType('azurerm_api_management_api_operation_policy');
  return ofType('azurerm_api_management_api')
    .map((r): ApiModel => {
      const service = services.find((s) => designates(r.config.api_management_name, s.address, s.config.name));
      const sameService = (p: ResourceRef) =>
        service ? designates(p.config.api_management_name, service.address, service.config.name) : p.config.api_management_name === r.config.api_management_name;
      const ofApi = (p: ResourceRef) => sameService(p) && designates(p.config.api_name, r.address, r.config.name);
      const apiPolicyResource = apiPolicies.find(ofApi);
      const globalResource = service ? globalPolicies.find((p) => refersTo(p.config.api_management_id, service.address)) : undefined;
      const apiPolicy = apiPolicyResource ? readPolicy(apiPolicyResource, 'api') : undefined;
      const globalPolicy = globalResource ? readPolicy(globalResource, 'global') : undefined;
      const effectivePolicies = [
        ...(globalPolicy && (!apiPolicy || apiPolicy.inheritsParent) ? [globalPolicy] : []),
        ...(apiPolicy ? [apiPolicy] : []),
      ];
      return {
        ...r,
        apiName: String(r.config.name),
        apiPath: String(r.config.path ?? ''),
        service,
        serviceLabel: service ? String(service.config.name ?? service.address) : String(r.config.api_management_name ?? '?'),
        subscriptionRequired: r.config.subscription_required !== false,
        protocols: asList<string>(r.config.protocols).map((p) => String(p).toLowerCase()),
        apiPolicy,
        globalPolicy,
        operationPolicies: operationPolicies.filter(ofApi).map((p) => readPolicy(p, 'operation')),
        effectivePolicies,
      };
    })
    .sort((a, b) => a.apiName.localeCompare(b.apiName) || a.address.localeCompare(b.address));
}

interface TargetIndex {
  readonly byPath: ReadonlyMap<string, ResourceRef>;
  readonly workflowByAddress: ReadonlyMap<string, WorkflowModel>;
  readonly triggers: readonly TriggerModel[];
  readonly apis: readonly ApiModel[];
}

function requestTriggerOf(workflow: WorkflowModel, uri: string): TriggerModel | undefined {
  const name = /\/triggers\/([^/?]+)\//.exec(uri)?.[1];
  const requestTriggers = workflow.triggers.filter((t) => t.kind === 'request');
  return requestTriggers.find((t) => t.triggerName === name) ?? requestTriggers[0];
}

/** The call's target: as recorded by the construct, else read from the URI's references. */
function callTargetOf(action: ActionModel, index: TargetIndex): { target: CallTarget; from: CallModel['targetFrom'] } | undefined {
  const uri = action.uri ?? '';
  const asTarget = (address: string | undefined): CallTarget | undefined => {
    const workflow = address ? index.workflowByAddress.get(address) : undefined;
    if (workflow) return { kind: 'workflow', workflow, trigger: requestTriggerOf(workflow, uri) };
    const api = address ? index.apis.find((a) => a.address === address) : undefined;
    return api ? { kind: 'api', api } : undefined;
  };
  const recorded = action.annotations.callTarget;
  if (recorded !== undefined) {
    // The path of the target construct; its main resource is the construct itself or its `Resource` child.
    const target = asTarget((index.byPath.get(recorded) ?? index.byPath.get(`${recorded}/Resource`))?.address);
    if (target) return { target, from: 'annotation' };
  }
  const refs = referencesIn(uri);
  for (const ref of refs) {
    const direct = asTarget(ref.address) ?? asTarget(index.triggers.find((t) => t.address === ref.address)?.workflow);
    if (direct) return { target: direct, from: 'uri' };
  }
  const viaService = index.apis.filter((api) => api.service && refs.some((ref) => ref.address === api.service!.address));
  const byPath = viaService.filter((api) => api.apiPath && new RegExp(`/${api.apiPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|\\?|$)`).test(uri));
  const api = byPath[0] ?? (viaService.length === 1 ? viaService[0] : undefined);
  return api ? { target: { kind: 'api', api }, from: 'uri' } : undefined;
}

function targetAudiences(target: CallTarget): string[] {
  if (target.kind === 'workflow') return target.workflow.policies.flatMap((p) => p.claims.filter((c) => c.name === 'aud').map((c) => c.value));
  return target.api.effectivePolicies.flatMap((d) => d.validations.flatMap((v) => v.audiences));
}

function intentOf(action: ActionModel, target: CallTarget): CallIntent {
  const { expectedRefusal, externalAudience } = action.annotations;
  const requested = action.authentication?.audience;
  // A probe asks, on purpose, for an audience its target does not accept.
  const probe = externalAudience !== undefined && externalAudience.audience === requested && !targetAudiences(target).includes(String(requested));
  if (expectedRefusal !== undefined) return { kind: 'deny', reason: expectedRefusal, probe };
  if (probe) return { kind: 'deny', reason: externalAudience.reason, probe: true };
  return { kind: 'admit' };
}
