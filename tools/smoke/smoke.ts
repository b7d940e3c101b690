// Post-deploy smoke test: runs each sender's trigger through Azure Resource Manager, waits for the run,
// reads the HTTP action's outcome and compares it with what the synthesized stack says must happen.
// The expectation is derived, not hard-coded: it is the call's verdict (model/verdict.ts), the same one
// the rules, the report and check-token use.
// The ARM endpoint, the credential, the clock-related knobs and the output are injectable so the whole
// flow is tested against a local HTTP server (see __tests__/smoke.test.ts).
import { LogicManagementClient } from '@azure/arm-logic';
import type { TokenCredential } from '@azure/identity';
import { describeValue } from '../../model/describe';
import type { CallModel, StackModel, TriggerModel, WorkflowModel } from '../../model/stack-model';
import { CallVerdict, predictCalls } from '../../model/verdict';

export const DEFAULT_ENDPOINT = 'https://management.azure.com';

/**
 * The subscription from the environment: ARM_SUBSCRIPTION_ID (what Terraform, the README and CI export)
 * or AZURE_SUBSCRIPTION_ID (Azure SDK / CLI convention); the first one set wins.
 */
export function subscriptionFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ARM_SUBSCRIPTION_ID || env.AZURE_SUBSCRIPTION_ID || undefined;
}
/** The api-version the tool sends for Microsoft.Logic workflows (triggers/run, runs, run actions). */
export const LOGIC_API_VERSION = '2016-06-01';
export const RUN_ID_HEADER = 'x-ms-workflow-run-id';

// Pipeline types, taken from the SDK client itself (no direct dependency on @azure/core-rest-pipeline).
type PipelinePolicy = Parameters<LogicManagementClient['pipeline']['addPolicy']>[0];
type PipelineRequest = Parameters<PipelinePolicy['sendRequest']>[0];
type SendRequest = Parameters<PipelinePolicy['sendRequest']>[1];

// ---------------------------------------------------------------------------------------------------
// Expectations (from the synthesized JSON only)
// ---------------------------------------------------------------------------------------------------

export type Expected =
  | { readonly kind: 'accepted'; readonly detail: string }
  /** The receiver refuses the call (error as the Logic Apps trigger reports it). */
  | { readonly kind: 'refused'; readonly error: string; readonly detail: string }
  /** Entra refuses the token, so the HTTP action fails before calling the receiver. */
  | { readonly kind: 'token-refused'; readonly error: string; readonly detail: string };

/** One HTTP call of a sender workflow into a receiver workflow of the same stack. */
export interface SmokeCall {
  readonly actionName: string;
  /** The called workflow's name. */
  readonly target: string;
  readonly expected: Expected;
}

/** One sender workflow: its trigger is run once, then each of its calls is checked. */
export interface SmokeWorkflow {
  readonly stack: string;
  readonly resourceGroup: string;
  readonly workflow: string;
  readonly triggerName: string;
  readonly calls: readonly SmokeCall[];
}

export interface SmokePlan {
  readonly workflows: readonly SmokeWorkflow[];
  /** Calls that cannot be checked (no workflow target, unresolvable names ...), one line each. */
  readonly skipped: readonly string[];
}

const AADSTS: Record<string, string> = {
  AppRoleAssignmentRequired: 'AADSTS501051',
  AudienceNotFound: 'AADSTS500011',
};

/** What the stack says must happen to a call: its verdict, in the terms the run action shows. */
export function expectedOutcome(verdict: CallVerdict): Expected | undefined {
  const detail = verdict.reasons.filter((r) => !r.unresolved).map((r) => (r.claim ? `${r.policy ? `${r.policy}: ` : ''}${r.claim} does not match` : r.summary));
  if (verdict.outcome === 'undecided') return undefined;
  if (verdict.outcome === 'accepted') return { kind: 'accepted', detail: verdict.admittedBy ?? 'accepted' };
  const first = verdict.reasons.find((r) => !r.unresolved)!;
  if (first.stage === 'token') return { kind: 'token-refused', error: first.code, detail: first.summary };
  // An API answers its failed-validation-httpcode: the run action shows the status, not the reason.
  const error = first.stage === 'api' ? String(first.httpStatus ?? 401) : first.code;
  return { kind: 'refused', error, detail: [...new Set(detail)].join('; ') || first.summary };
}

function isReference(value: unknown): boolean {
  return typeof value !== 'string' || /\$\{/.test(value);
}

/** The literal resource group name of a workflow (a literal, or a reference to a resource group's literal name). */
export function resourceGroupOf(model: StackModel, workflow: WorkflowModel): string | undefined {
  const raw = workflow.config.resource_group_name;
  if (typeof raw !== 'string') return undefined;
  if (!isReference(raw)) return raw;
  const m = /^\$\{((?:data\.)?azurerm_resource_group\.[A-Za-z0-9_-]+)\.name\}$/.exec(raw);
  const name = m ? model.byAddress.get(m[1])?.config?.name : undefined;
  return typeof name === 'string' && !isReference(name) ? name : undefined;
}

/** The trigger the tool runs: the workflow's Recurrence trigger, else its only trigger. */
function triggerToRun(workflow: WorkflowModel): TriggerModel | undefined {
  return workflow.triggers.find((t) => t.kind === 'recurrence') ?? (workflow.triggers.length === 1 ? workflow.triggers[0] : undefined);
}

/** Every sender workflow with calls into a workflow or an API of its stack, with the expected outcome of each call. */
export function planSmoke(models: readonly StackModel[]): SmokePlan {
  const workflows: SmokeWorkflow[] = [];
  const skipped: string[] = [];
  for (const model of models) {
    const byCaller = new Map<WorkflowModel, Array<{ call: CallModel; expected: Expected }>>();
    for (const verdict of predictCalls(model)) {
      const { call } = verdict;
      const expected = expectedOutcome(verdict);
      if (!expected) {
        skipped.push(`${model.name}: ${call.id}: the outcome depends on values the simulation cannot know (${verdict.reasons.map((r) => r.summary).join('; ')})`);
        continue;
      }
      byCaller.set(call.caller, [...(byCaller.get(call.caller) ?? []), { call, expected }]);
    }
    for (const action of model.otherHttpActions) {
      const caller = model.workflows.find((w) => w.address === action.workflow);
      skipped.push(`${model.name}: ${caller?.workflowName ?? action.workflow}/${action.actionName}: calls ${describeValue(model, String(action.uri))} (not a workflow or API of this stack; not checked)`);
    }
    for (const [caller, calls] of byCaller) {
      const label = `${model.name}: ${caller.workflowName}`;
      const resourceGroup = resourceGroupOf(model, caller);
      const trigger = triggerToRun(caller);
      if (isReference(caller.workflowName)) skipped.push(`${model.name}: ${describeValue(model, String(caller.workflowName))}: workflow name is not a literal`);
      else if (!resourceGroup) skipped.push(`${label}: resource group name is not a literal (${describeValue(model, String(caller.config.resource_group_name))})`);
      else if (trigger?.kind === 'request') {
        // A receiver that calls onward: ARM's trigger run carries no Authorization header, so the Bearer-only
        // condition would skip the run; its calls run in the runs its callers start.
        skipped.push(`${label}: its calls run when its callers call it (a run started through ARM carries no Bearer token and is skipped); not checked`);
      } else if (!trigger || isReference(trigger.triggerName)) skipped.push(`${label}: no Recurrence trigger (or no single trigger) to run`);
      else {
        workflows.push({
          stack: model.name,
          resourceGroup,
          workflow: caller.workflowName,
          triggerName: trigger.triggerName,
          calls: calls
            .map(({ call, expected }) => ({
              actionName: call.action.actionName,
              target: call.target.kind === 'workflow' ? call.target.workflow.workflowName : `API ${call.target.api.apiName}`,
              expected,
            }))
            .sort((a, b) => a.actionName.localeCompare(b.actionName)),
        });
      }
    }
  }
  workflows.sort((a, b) => a.stack.localeCompare(b.stack) || a.workflow.localeCompare(b.workflow));
  return { workflows, skipped };
}

// ---------------------------------------------------------------------------------------------------
// Observed outcome (from the run action as ARM reports it)
// ---------------------------------------------------------------------------------------------------

/** The parts of a run action (workflows/runs/actions/<name>) the verdict reads. */
export interface ActionObservation {
  readonly status?: string;
  readonly code?: string;
  readonly error?: unknown;
  readonly retryHistory?: ReadonlyArray<{ code?: string; error?: unknown }>;
}

export type Actual =
  | { readonly kind: 'accepted'; readonly code?: string }
  /** The receiver refused; `error` is undefined when only the HTTP status (Unauthorized/Forbidden) is visible. */
  | { readonly kind: 'refused'; readonly error?: string; readonly code?: string }
  | { readonly kind: 'token-refused'; readonly error?: string; readonly aadsts?: string }
  /** Failed otherwise; `cause` names a known failure (e.g. the certificate credential) with what to try. */
  | { readonly kind: 'failed'; readonly status: string; readonly code?: string; readonly cause?: string }
  /** No outcome could be read: ARM error, not found, timeout (summary for the table, message for details). */
  | { readonly kind: 'unknown'; readonly summary: string; readonly message: string };

/** What the smoke test says when a certificate sign-in fails on the credential itself. */
export const CERTIFICATE_CREDENTIAL_CAUSE =
  'the certificate credential was not accepted: Logic Apps could not load the Key Vault PFX with password "" (unverified); ' +
  'try removing "password" from the call\'s authentication (docs/apim.md, "Certificate password")';

const RECEIVER_ERRORS = ['MisMatchingOAuthClaims', 'DirectApiRequestHasMoreThanOneAuthorization', 'DirectApiAuthorizationRequired'];

function texts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => texts(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => texts(v, out));
  return out;
}

/** Classifies a finished HTTP action: succeeded, refused by the receiver, refused a token by Entra, or failed otherwise. */
export function classifyAction(action: ActionObservation): Actual {
  const status = action.status ?? 'NotSpecified';
  if (status === 'Succeeded') return { kind: 'accepted', code: action.code };
  const all = texts([action.code, action.error, action.retryHistory]).join('\n');
  const receiverError = RECEIVER_ERRORS.find((e) => all.includes(e));
  if (receiverError) return { kind: 'refused', error: receiverError, code: action.code };
  // An ActiveDirectoryOAuth call with credentialType Certificate whose PFX Logic Apps could not load. The
  // empty password for Key Vault's PFX is not verified against Azure (docs/apim.md), so name it when seen.
  const certificateLoad = /\b(pfx|pkcs ?#?12|password)\b/i.test(all) || /certificate.*(invalid|could not|cannot|failed to load)/i.test(all);
  if (certificateLoad && !/AADSTS\d+/.test(all)) {
    return { kind: 'failed', status, code: action.code, cause: CERTIFICATE_CREDENTIAL_CAUSE };
  }
  const aadsts = /AADSTS\d+/.exec(all)?.[0];
  if (aadsts || /(AD OAuth token|ManagedServiceIdentity|managed identity)/i.test(all)) {
    const error = Object.keys(AADSTS).find((k) => AADSTS[k] === aadsts);
    return { kind: 'token-refused', error, aadsts };
  }
  if (/^(Unauthorized|Forbidden|401|403)$/.test(action.code ?? '')) return { kind: 'refused', code: action.code };
  return { kind: 'failed', status, code: action.code };
}

export type Verdict = 'pass' | 'pass*' | 'FAIL' | 'ERROR';

/**
 * pass: as expected. pass*: refused as expected, but the exact error code is not visible (secure
 * outputs hide the response body; `strict` turns this into FAIL). FAIL: a surprise. ERROR: no outcome.
 */
export function verdictOf(expected: Expected, actual: Actual, strict = false): Verdict {
  if (actual.kind === 'unknown') return 'ERROR';
  if (expected.kind !== actual.kind) return 'FAIL';
  if (expected.kind === 'accepted') return 'pass';
  const error = actual.kind === 'refused' || actual.kind === 'token-refused' ? actual.error : undefined;
  if (error === expected.error) return 'pass';
  if (error === undefined) return strict ? 'FAIL' : 'pass*';
  return 'FAIL';
}

export function describeExpected(e: Expected): string {
  if (e.kind === 'accepted') return 'accepted';
  if (e.kind === 'refused') return `refused: ${e.error}`;
  return `no token: ${e.error}${AADSTS[e.error] ? ` (${AADSTS[e.error]})` : ''}`;
}

export function describeActual(a: Actual): string {
  switch (a.kind) {
    case 'accepted':
      return 'Succeeded';
    case 'refused':
      return a.error ? `refused: ${a.error}` : `refused: ${a.code} (error code not visible)`;
    case 'token-refused':
      return `no token: ${a.error ?? a.aadsts ?? 'token acquisition failed'}${a.error && a.aadsts ? ` (${a.aadsts})` : ''}`;
    case 'failed':
      return `${a.status}${a.code ? `: ${a.code}` : ''}${a.cause ? ` (${a.cause})` : ''}`;
    case 'unknown':
      return `no result: ${a.summary}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// ARM client
// ---------------------------------------------------------------------------------------------------

export interface ClientOptions {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  /** ARM endpoint; http:// is accepted only for loopback addresses (tests). */
  readonly endpoint?: string;
  /** Retries of throttled (429, Retry-After honoured) and transient requests. */
  readonly maxRetries?: number;
  readonly retryDelayInMs?: number;
  readonly maxRetryDelayInMs?: number;
}

/** The token scope for an ARM endpoint (the public cloud's for a loopback test server). */
export function armScope(endpoint = DEFAULT_ENDPOINT): string {
  const base = isLoopbackHttp(endpoint) ? DEFAULT_ENDPOINT : endpoint.replace(/\/+$/, '');
  return `${base}/.default`;
}

function isLoopbackHttp(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * Bearer auth for a loopback http endpoint: the SDK's bearer policy refuses non-https URLs (rightly),
 * so a local test server gets the credential's token through this minimal policy instead.
 */
function loopbackBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
  return {
    name: 'smokeLoopbackBearerPolicy',
    async sendRequest(request: PipelineRequest, next: SendRequest) {
      const token = await credential.getToken(scope, { abortSignal: request.abortSignal });
      if (!token) throw new Error('the credential returned no token');
      request.headers.set('Authorization', `Bearer ${token.token}`);
      return next(request);
    },
  };
}

/** The last ARM response per workflow (after each single attempt), so a timeout during a Retry-After wait says so. */
export interface ResponseLog {
  readonly last: Map<string, { status: number; retryAfter?: string }>;
}

function responseKey(resourceGroup: string, workflow: string): string {
  return `${resourceGroup}/${workflow}`.toLowerCase();
}

function responseRecorder(log: ResponseLog): PipelinePolicy {
  return {
    name: 'smokeResponseRecorder',
    async sendRequest(request: PipelineRequest, next: SendRequest) {
      const response = await next(request);
      const m = /\/resourceGroups\/([^/?]+)\/providers\/Microsoft\.Logic\/workflows\/([^/?]+)/i.exec(request.url);
      if (m) {
        log.last.set(responseKey(decodeURIComponent(m[1]), decodeURIComponent(m[2])), { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined });
      }
      return response;
    },
  };
}

export function createLogicClient(options: ClientOptions, responseLog?: ResponseLog): LogicManagementClient {
  const endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const url = new URL(endpoint);
  const insecure = isLoopbackHttp(endpoint);
  if (url.protocol !== 'https:' && !insecure) {
    throw new SmokeUsageError(`ARM endpoint ${endpoint} must use https (http is accepted only for 127.0.0.1/localhost)`);
  }
  const client = new LogicManagementClient(options.credential, options.subscriptionId, {
    endpoint,
    $host: endpoint,
    apiVersion: LOGIC_API_VERSION,
    allowInsecureConnection: insecure,
    retryOptions: {
      maxRetries: options.maxRetries ?? 4,
      retryDelayInMs: options.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: options.maxRetryDelayInMs ?? 30_000,
    },
    userAgentOptions: { userAgentPrefix: 'logic-apps-oauth-smoke' },
  });
  if (insecure) {
    client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
    client.pipeline.addPolicy(loopbackBearerPolicy(options.credential, armScope(endpoint)), { phase: 'Sign' });
  }
  if (responseLog) client.pipeline.addPolicy(responseRecorder(responseLog), { afterPhase: 'Retry' });
  return client;
}

// ---------------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------------

export class SmokeUsageError extends Error {}

export interface RunOptions {
  readonly subscriptionId: string;
  /** Per sender workflow: trigger, find the run, wait for it and read its actions within this time. */
  readonly timeoutMs: number;
  readonly pollIntervalMs?: number;
  /** Treat "refused, but the error code is not visible" as a failure. */
  readonly strict?: boolean;
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Starts a workflow's `timeoutMs` deadline and returns its cancel function.
   * @default setTimeout. Tests pass one that fires only once their fake ARM has answered what the test
   * is about, so a slow machine cannot reach the deadline before the first answer.
   */
  readonly startDeadline?: (ms: number, onDeadline: () => void) => () => void;
}

function startTimer(ms: number, onDeadline: () => void): () => void {
  const timer = setTimeout(onDeadline, ms);
  return () => clearTimeout(timer);
}

export interface ProgressEvent {
  readonly stack: string;
  readonly workflow: string;
  readonly phase: 'triggering' | 'finding run' | 'waiting' | 'reading actions' | 'done';
  readonly runId?: string;
  readonly status?: string;
  readonly elapsedMs: number;
}

export interface SmokeRow {
  readonly stack: string;
  readonly resourceGroup: string;
  readonly workflow: string;
  readonly actionName: string;
  readonly target: string;
  readonly expected: Expected;
  readonly actual: Actual;
  readonly verdict: Verdict;
  readonly runId?: string;
}

export interface SmokeResult {
  readonly rows: readonly SmokeRow[];
  readonly skipped: readonly string[];
  /** 0 all as expected, 1 a surprise, 3 an outcome could not be read (ARM error, timeout). */
  readonly exitCode: number;
}

const NON_TERMINAL = new Set(['Running', 'Waiting', 'Paused', 'NotSpecified', 'Suspended', '']);

class Timeout extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Timeout());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Timeout());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface RestLike {
  statusCode?: number;
  code?: string;
  message?: string;
  name?: string;
}

/**
 * Azure RBAC actions the smoke test needs beyond reading workflows, runs and run actions (Logic App
 * Operator reads everything of Microsoft.Logic): running a trigger. No read-only built-in role holds it (Logic App
 * Operator only reads, enables and disables); docs/smoke-role.json is this list as a custom role.
 */
export const SMOKE_RUN_ACTIONS = ['Microsoft.Logic/workflows/triggers/run/action'] as const;

/** One line naming the workflow and resource group, for an ARM error. */
export function armErrorMessage(err: unknown, wf: SmokeWorkflow, subscriptionId: string): string {
  const e = (err ?? {}) as RestLike;
  if (/CredentialUnavailableError|AggregateAuthenticationError|AuthenticationRequiredError|AuthenticationError/.test(e.name ?? '')) {
    return `no Azure credentials for ARM (${(e.message ?? '').split('\n')[0]}): run \`az login\` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (or OIDC) for DefaultAzureCredential`;
  }
  const where = `workflow ${wf.workflow} in resource group ${wf.resourceGroup} (subscription ${subscriptionId})`;
  const code = e.code ? ` [${e.code}]` : '';
  switch (e.statusCode) {
    case 404:
      return e.code === 'ResourceGroupNotFound'
        ? `resource group ${wf.resourceGroup} not found (subscription ${subscriptionId})${code}: deploy the stack ${wf.stack} first or check --subscription`
        : `${where} not found${code}: deploy the stack ${wf.stack} first or check --subscription`;
    case 401:
    case 403:
      return `not authorized on ${where}${code}: the signed-in identity needs Logic App Operator (reads runs) and ${SMOKE_RUN_ACTIONS.join(', ')} (runs the trigger; custom role docs/smoke-role.json) on the resource group`;
    case 429:
      return `ARM kept throttling requests for ${where} (429)${code}; retry later`;
    default:
      return `ARM error for ${where}: ${e.statusCode ? `HTTP ${e.statusCode} ` : ''}${(e.message ?? String(err)).split('\n')[0]}${code}`;
  }
}

function armErrorSummary(err: unknown): string {
  const e = (err ?? {}) as RestLike;
  if (e.statusCode === 404) return e.code === 'ResourceGroupNotFound' ? 'resource group not found' : 'workflow not found';
  if (e.statusCode === 401 || e.statusCode === 403) return `not authorized (${e.statusCode})`;
  if (e.statusCode === 429) return 'throttled (429)';
  return e.statusCode ? `ARM error ${e.statusCode}${e.code ? ` ${e.code}` : ''}` : 'ARM request failed';
}

async function newestRunNames(client: LogicManagementClient, wf: SmokeWorkflow, signal: AbortSignal, top = 5): Promise<string[]> {
  const names: string[] = [];
  for await (const run of client.workflowRuns.list(wf.resourceGroup, wf.workflow, { top, abortSignal: signal })) {
    if (run.name) names.push(run.name);
    if (names.length >= top) break;
  }
  return names;
}

/** Runs one sender's trigger and reads each of its HTTP actions. */
async function checkWorkflow(
  client: LogicManagementClient,
  wf: SmokeWorkflow,
  options: RunOptions,
  responseLog: ResponseLog,
): Promise<SmokeRow[]> {
  const started = Date.now();
  const poll = options.pollIntervalMs ?? 5000;
  const controller = new AbortController();
  const cancelDeadline = (options.startDeadline ?? startTimer)(options.timeoutMs, () => controller.abort());
  const signal = controller.signal;
  let runId: string | undefined;
  let status: string | undefined;
  const state: { phase: ProgressEvent['phase'] } = { phase: 'triggering' };
  const progress = (p: ProgressEvent['phase']) => {
    state.phase = p;
    options.onProgress?.({ stack: wf.stack, workflow: wf.workflow, phase: p, runId, status, elapsedMs: Date.now() - started });
  };
  const rows = (actualOf: (call: SmokeCall) => Actual): SmokeRow[] =>
    wf.calls.map((call) => {
      const actual = actualOf(call);
      return {
        stack: wf.stack,
        resourceGroup: wf.resourceGroup,
        workflow: wf.workflow,
        actionName: call.actionName,
        target: call.target,
        expected: call.expected,
        actual,
        verdict: verdictOf(call.expected, actual, options.strict),
        runId,
      };
    });
  try {
    progress('triggering');
    // Runs that exist before ours, so a run listed afterwards is recognised as ours (when ARM sends no run id).
    const before = new Set(await newestRunNames(client, wf, signal));
    await client.workflowTriggers.run(wf.resourceGroup, wf.workflow, wf.triggerName, {
      abortSignal: signal,
      onResponse: (raw) => {
        runId = raw.headers.get(RUN_ID_HEADER) ?? undefined;
      },
    });
    progress('finding run');
    while (!runId) {
      runId = (await newestRunNames(client, wf, signal)).find((name) => !before.has(name));
      if (!runId) await sleep(poll, signal);
    }
    progress('waiting');
    for (;;) {
      const run = await client.workflowRuns.get(wf.resourceGroup, wf.workflow, runId, { abortSignal: signal });
      status = run.status ?? '';
      progress('waiting');
      if (!NON_TERMINAL.has(status)) break;
      await sleep(poll, signal);
    }
    progress('reading actions');
    const observed = new Map<string, Actual>();
    for (const call of wf.calls) {
      try {
        const action = await client.workflowRunActions.get(wf.resourceGroup, wf.workflow, runId, call.actionName, { abortSignal: signal });
        observed.set(call.actionName, classifyAction(action));
      } catch (err) {
        if ((err as RestLike).statusCode !== 404) throw err;
        observed.set(call.actionName, {
          kind: 'unknown',
          summary: 'action not in run',
          message: `run ${runId} (${status}) has no action ${call.actionName}: the deployed workflow differs from the synthesized one`,
        });
      }
    }
    progress('done');
    return rows((call) => observed.get(call.actionName)!);
  } catch (err) {
    const aborted = signal.aborted || err instanceof Timeout || (err as RestLike).name === 'AbortError';
    let message: string;
    let summary: string;
    if (aborted) {
      summary = 'timed out';
      const throttled = responseLog.last.get(responseKey(wf.resourceGroup, wf.workflow));
      const seconds = (options.timeoutMs / 1000).toString();
      if (throttled?.status === 429) {
        summary = 'throttled (429), timed out';
        message = `gave up after ${seconds} s (--timeout) while ARM throttled requests for ${wf.workflow} (429, Retry-After ${throttled.retryAfter ?? '?'} s)`;
      } else if (runId) {
        message = `timed out after ${seconds} s (--timeout): run ${runId} of ${wf.workflow} is still ${status || 'not started'}`;
      } else {
        message = `timed out after ${seconds} s (--timeout) ${state.phase === 'finding run' ? `waiting for the run of ${wf.workflow} to appear` : `triggering ${wf.workflow}`}`;
      }
    } else {
      message = armErrorMessage(err, wf, options.subscriptionId);
      summary = armErrorSummary(err);
    }
    return rows(() => ({ kind: 'unknown', summary, message }));
  } finally {
    cancelDeadline();
  }
}

export class SmokeCredentialError extends Error {}

/** Gets one ARM token up front, so missing credentials give one clear message instead of a table of errors. */
export async function preflightCredential(options: ClientOptions): Promise<void> {
  try {
    const token = await options.credential.getToken(armScope(options.endpoint));
    if (!token) throw new Error('the credential returned no token');
  } catch (err) {
    throw new SmokeCredentialError(
      `no Azure credentials for ARM (${String((err as Error)?.message ?? err).split('\n')[0]}): ` +
        'run `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (or OIDC) for DefaultAzureCredential',
    );
  }
}

/** Triggers every planned sender (concurrently), waits for the runs and compares outcomes with expectations. */
export async function runSmoke(plan: SmokePlan, clientOptions: ClientOptions, options: RunOptions): Promise<SmokeResult> {
  const responseLog: ResponseLog = { last: new Map() };
  const client = createLogicClient(clientOptions, responseLog);
  await preflightCredential(clientOptions);
  const results = await Promise.all(plan.workflows.map((wf) => checkWorkflow(client, wf, options, responseLog)));
  const rows = results.flat();
  const exitCode = rows.some((r) => r.verdict === 'FAIL') ? 1 : rows.some((r) => r.verdict === 'ERROR') ? 3 : 0;
  return { rows, skipped: plan.skipped, exitCode };
}

// ---------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------

function pad(cells: string[][]): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`);
}

/** The result table (Markdown), one block per stack, then skipped calls and problems. */
export function formatTable(result: SmokeResult): string {
  const lines: string[] = [];
  const stacks = [...new Set(result.rows.map((r) => r.stack))];
  for (const stack of stacks) {
    const rows = result.rows.filter((r) => r.stack === stack);
    lines.push(`Stack ${stack} (resource group ${[...new Set(rows.map((r) => r.resourceGroup))].join(', ')})`, '');
    const header = ['workflow', 'target', 'expected', 'actual', 'verdict'];
    const body = rows.map((r) => [
      r.workflow + (rows.filter((o) => o.workflow === r.workflow).length > 1 ? ` (${r.actionName})` : ''),
      r.target,
      describeExpected(r.expected),
      describeActual(r.actual),
      r.verdict,
    ]);
    const [head, ...rest] = pad([header, ...body]);
    lines.push(head, `|${head.slice(1, -1).replace(/[^|]/g, '-')}|`, ...rest, '');
  }
  for (const skip of result.skipped) lines.push(`skipped: ${skip}`);
  const notes = result.rows.filter((r) => r.verdict === 'pass*');
  if (notes.length) {
    lines.push(
      'pass*: refused as expected, but only the HTTP status is visible (secure outputs hide the response body); --strict makes this a failure.',
    );
  }
  const counts = (['pass', 'pass*', 'FAIL', 'ERROR'] as const)
    .map((v) => [v, result.rows.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  lines.push(`${result.rows.length} call(s): ${counts.join(', ') || 'none'}`);
  return lines.join('\n');
}

/** Details worth a line after the table: why each expectation holds, and the unknown outcomes. */
export function formatDetails(result: SmokeResult): string {
  return result.rows
    .filter((r) => r.verdict !== 'pass')
    .map(
      (r) =>
        `${r.workflow}/${r.actionName}: expected ${describeExpected(r.expected)} (${r.expected.detail}); ` +
        `got ${r.actual.kind === 'unknown' ? r.actual.message : describeActual(r.actual)}${r.runId ? ` [run ${r.runId}]` : ''}`,
    )
    .join('\n');
}
