// A read-only model of synthesized cdktf output (cdk.tf.json): who calls whom, with which token, and what
// each receiver admits. It reads only the Terraform JSON (resource types and arguments), so it works on
// the output of any cdktf app that uses the same azurerm/azuread resource types. The rules, the security
// report and the token check all build on it.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATION_KEY, ResourceAnnotations } from '../constructs/annotations';
import { BEARER_ONLY_CONDITION, INCLUDE_AUTHORIZATION_HEADERS } from '../constructs/workflow-definition';
import type { TriggerPolicy } from './token-eval';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TfJson {
  readonly resource?: Record<string, Record<string, Json>>;
  readonly data?: Record<string, Record<string, Json>>;
  readonly output?: Record<string, Json>;
  readonly provider?: Record<string, Json[]>;
}

export interface SynthStack {
  readonly name: string;
  readonly json: TfJson;
}

/** A Terraform resource in the synthesized JSON. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  /** `type.name`, as in plan output and `${...}` references. */
  readonly address: string;
  /** The construct path, when cdktf recorded it. */
  readonly path: string;
  readonly config: Json;
  readonly annotations: ResourceAnnotations;
}

export interface TriggerModel extends ResourceRef {
  readonly triggerName: string;
  readonly workflow: string;
  /** Parsed definition (custom triggers), or undefined. */
  readonly definition?: Json;
  readonly kind: 'request' | 'recurrence' | 'other';
  readonly bearerOnly: boolean;
  readonly includesAuthorizationHeaders: boolean;
  readonly secureData: readonly string[];
}

export interface ActionModel extends ResourceRef {
  readonly actionName: string;
  readonly workflow: string;
  readonly definition?: Json;
  readonly actionType?: string;
  readonly uri?: string;
  readonly authentication?: Json;
  readonly secureData: readonly string[];
}

export interface WorkflowModel extends ResourceRef {
  readonly workflowName: string;
  /** Trigger IP ranges: a list, a Terraform expression computing one, or undefined (no trigger block). */
  readonly triggerIpRanges?: readonly string[] | string;
  readonly contentIpRanges?: readonly string[] | string;
  readonly policies: readonly TriggerPolicy[];
  readonly hasSystemIdentity: boolean;
  /** Expression of the identity's object id (the `oid` of its tokens). */
  readonly principalIdRef: string;
  readonly triggers: TriggerModel[];
  readonly actions: ActionModel[];
}

/** An app registration: what tokens for it look like. */
export interface AppModel extends ResourceRef {
  readonly displayName: string;
  readonly tokenVersion: 1 | 2;
  readonly clientIdRef: string;
  /** Identifier URIs from the app itself and from azuread_application_identifier_uri resources. */
  readonly identifierUris: readonly string[];
  readonly provider: string;
  readonly servicePrincipals: ResourceRef[];
}

/** An HTTP action of one workflow that calls another workflow's trigger. */
export interface CallModel {
  readonly action: ActionModel;
  readonly caller: WorkflowModel;
  /** The called workflow, when the URI references one of this stack's workflows. */
  readonly target?: WorkflowModel;
  readonly authType?: string;
  readonly requestedAudience?: string;
  /** The URI carries a SAS signature or is built from a trigger callback URL. */
  readonly carriesSas: boolean;
}

export interface StackModel {
  readonly name: string;
  readonly json: TfJson;
  readonly resources: ResourceRef[];
  readonly workflows: WorkflowModel[];
  readonly apps: AppModel[];
  readonly calls: CallModel[];
  readonly byAddress: ReadonlyMap<string, ResourceRef>;
}

/** Reads cdktf.out/stacks/<stack>/cdk.tf.json (or a directory holding stacks/ or cdk.tf.json files). */
export function readSynthDir(dir = 'cdktf.out'): SynthStack[] {
  const stacksDir = existsSync(join(dir, 'stacks')) ? join(dir, 'stacks') : dir;
  if (existsSync(join(stacksDir, 'cdk.tf.json'))) {
    return [{ name: stacksDir.split('/').filter(Boolean).pop() ?? 'stack', json: readJson(join(stacksDir, 'cdk.tf.json')) }];
  }
  return readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(stacksDir, entry.name, 'cdk.tf.json')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, json: readJson(join(stacksDir, name, 'cdk.tf.json')) }));
}

function readJson(file: string): TfJson {
  return JSON.parse(readFileSync(file, 'utf8')) as TfJson;
}

/** Every `${type.name...}` resource or data reference in a string. */
export function referencesIn(value: string): Array<{ address: string; attribute: string; expression: string }> {
  const refs: Array<{ address: string; attribute: string; expression: string }> = [];
  const re = /\$\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    const inner = /((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)/.exec(m[1]);
    if (inner) refs.push({ address: inner[1], attribute: inner[2], expression: m[1] });
  }
  return refs;
}

function parseBody(body: unknown): Json | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function secureDataOf(definition: Json): string[] {
  const props = definition?.runtimeConfiguration?.secureData?.properties;
  return Array.isArray(props) ? props.map(String) : [];
}

/** The single block of a Terraform block list (cdktf writes some blocks as lists, some as objects). */
export function asSingle(block: Json): Json {
  return Array.isArray(block) ? block[0] : block;
}

export function asList<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every string anywhere inside a JSON value, in document order. */
export function stringsIn(value: Json, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

/** Builds the model of one synthesized stack. */
export function buildStackModel(stack: SynthStack): StackModel {
  const resources: ResourceRef[] = [];
  const byAddress = new Map<string, ResourceRef>();
  const add = (type: string, name: string, config: Json, prefix = '') => {
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
    return ref;
  };
  for (const [type, items] of Object.entries(stack.json.resource ?? {})) {
    for (const [name, config] of Object.entries(items)) add(type, name, config);
  }
  for (const [type, items] of Object.entries(stack.json.data ?? {})) {
    for (const [name, config] of Object.entries(items)) add(type, name, config, 'data.');
  }

  const ofType = (type: string) => resources.filter((r) => r.type === type && !r.address.startsWith('data.'));
  const workflowOf = (logicAppId: unknown) => {
    const ref = typeof logicAppId === 'string' ? referencesIn(logicAppId)[0] : undefined;
    return ref?.address ?? String(logicAppId);
  };

  const triggers: TriggerModel[] = [
    ...ofType('azurerm_logic_app_trigger_custom').map((r) => {
      const definition = parseBody(r.config.body);
      const conditions: Json[] = asList(definition?.conditions);
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
    ...ofType('azurerm_logic_app_trigger_http_request').map((r) => ({
      ...r,
      triggerName: r.config.name,
      workflow: workflowOf(r.config.logic_app_id),
      kind: 'request' as const,
      bearerOnly: false,
      includesAuthorizationHeaders: false,
      secureData: [],
    })),
    ...ofType('azurerm_logic_app_trigger_recurrence').map((r) => ({
      ...r,
      triggerName: r.config.name,
      workflow: workflowOf(r.config.logic_app_id),
      kind: 'recurrence' as const,
      bearerOnly: false,
      includesAuthorizationHeaders: false,
      secureData: [],
    })),
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

  const workflows: WorkflowModel[] = ofType('azurerm_logic_app_workflow').map((r) => {
    const access = asSingle(r.config.access_control);
    const trigger = asSingle(access?.trigger);
    const content = asSingle(access?.content);
    const policies: TriggerPolicy[] = asList<Json>(trigger?.open_authentication_policy).map((p) => ({
      name: String(p.name),
      claims: asList<Json>(p.claim).map((c) => ({ name: String(c.name), value: String(c.value) })),
    }));
    const identity = asSingle(r.config.identity);
    return {
      ...r,
      workflowName: r.config.name,
      triggerIpRanges: trigger ? (trigger.allowed_caller_ip_address_range ?? []) : undefined,
      contentIpRanges: content?.allowed_caller_ip_address_range,
      policies,
      hasSystemIdentity: String(identity?.type ?? '').includes('SystemAssigned'),
      principalIdRef: `${r.address}.identity[0].principal_id`,
      triggers: triggers.filter((t) => t.workflow === r.address),
      actions: actions.filter((a) => a.workflow === r.address),
    };
  });
  const workflowByAddress = new Map(workflows.map((w) => [w.address, w]));

  const identifierUriResources = ofType('azuread_application_identifier_uri');
  const servicePrincipals = ofType('azuread_service_principal');
  const apps: AppModel[] = ofType('azuread_application').map((r) => {
    const clientIdRef = `\${${r.address}.client_id}`;
    const uris = [
      ...asList<string>(r.config.identifier_uris),
      ...identifierUriResources
        .filter((u) => referencesIn(String(u.config.application_id)).some((ref) => ref.address === r.address))
        .map((u) => String(u.config.identifier_uri)),
    ];
    const version = Number(asSingle(r.config.api)?.requested_access_token_version ?? 1) === 2 ? 2 : 1;
    return {
      ...r,
      displayName: r.config.display_name,
      tokenVersion: version,
      clientIdRef,
      identifierUris: uris,
      provider: String(r.config.provider ?? 'azuread'),
      servicePrincipals: servicePrincipals.filter((sp) =>
        referencesIn(String(sp.config.client_id)).some((ref) => ref.address === r.address),
      ),
    };
  });

  const calls: CallModel[] = [];
  for (const action of actions) {
    if (action.actionType !== 'Http' || !action.uri) continue;
    const caller = workflowByAddress.get(action.workflow);
    if (!caller) continue;
    const refs = referencesIn(action.uri);
    const targetRef = refs.find((ref) => ref.address.startsWith('azurerm_logic_app_workflow.'));
    const triggerRef = refs.find((ref) => ref.address.startsWith('azurerm_logic_app_trigger_'));
    const target =
      workflowByAddress.get(targetRef?.address ?? '') ??
      workflowByAddress.get(triggers.find((t) => t.address === triggerRef?.address)?.workflow ?? '');
    const auth = action.authentication;
    calls.push({
      action,
      caller,
      target,
      authType: auth?.type,
      requestedAudience: typeof auth?.audience === 'string' ? auth.audience : undefined,
      carriesSas: /[?&]sig=/.test(action.uri) || refs.some((ref) => ref.attribute === 'callback_url'),
    });
  }

  return { name: stack.name, json: stack.json, resources, workflows, apps, calls, byAddress };
}

/** The app registration a requested audience designates (identifier URI or client id), if any. */
export function appForAudience(model: StackModel, requested: string): AppModel | undefined {
  const norm = (s: string) => s.replace(/\/+$/, '');
  return model.apps.find(
    (app) => app.clientIdRef === requested || app.identifierUris.some((uri) => norm(uri) === norm(requested)),
  );
}
