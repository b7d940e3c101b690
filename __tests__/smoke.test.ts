// npm run smoke without Azure: a local HTTP server on 127.0.0.1 answers the ARM endpoints the tool calls
// (Microsoft.Logic triggers/run, runs list/get, run actions get) with the documented response shapes,
// including failures (404, 429 with Retry-After, a run that never finishes).
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { Testing } from 'cdktf';
import { parseConfig } from '../config/load';
import { LOGIC_APPS_OAUTH_STACK, LogicAppsOauthStack } from '../stacks/logic-apps-oauth-stack';
import { buildStackModel } from '../model/stack-model';
import {
  classifyAction,
  formatDetails,
  formatTable,
  planSmoke,
  ProgressEvent,
  runSmoke,
  RunOptions,
  SmokePlan,
  SmokeResult,
  SmokeCredentialError,
  verdictOf,
  armErrorMessage,
  SMOKE_RUN_ACTIONS,
} from '../tools/smoke/smoke';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDefaults } from './support/config';
import { editBody, resourceOf } from './support/stack-variants';

const SUB = '11111111-2222-4333-8444-555555555555';
const RG = 'rg-la-oauth-logic-apps-oauth';
const SEND = 'la-oauth-send';
const PROBE = 'la-oauth-receive-naughty';
const INTRUDER = 'la-oauth-intruder';
const ACTION = 'Call_1';
const STUB_TOKEN = 'stub-arm-token';

// ---- fake ARM ---------------------------------------------------------------------------------------

interface FakeWorkflow {
  /** Run status reported after `pollsUntilDone` GETs of the run (Infinity: never finishes). */
  finalStatus: string;
  pollsUntilDone: number;
  /** properties of the HTTP action once the run finished. */
  action: Record<string, unknown>;
  /** Send x-ms-workflow-run-id on triggers/run (else the tool must find the run in the list). */
  runIdHeader: boolean;
  /** Answer triggers/run with 429 + this Retry-After this many times first. */
  throttle?: { times: number; retryAfter: string };
}

interface Seen {
  method: string;
  path: string;
  apiVersion: string | null;
  authorization?: string;
  at: number;
}


function armError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': 'req-1', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function runResource(wf: string, run: { name: string; gets: number; startTime: string }, status: string) {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/${wf}/runs/${run.name}`,
    name: run.name,
    type: 'Microsoft.Logic/workflows/runs',
    properties: {
      startTime: run.startTime,
      ...(status === 'Running' ? {} : { endTime: new Date().toISOString() }),
      status,
      correlation: { clientTrackingId: run.name },
      workflow: { id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/${wf}/versions/v1`, name: 'v1', type: 'Microsoft.Logic/workflows/versions' },
      trigger: { name: 'Recurrence', startTime: run.startTime, status: 'Succeeded', scheduledTime: run.startTime },
      outputs: {},
    },
  };
}

function statusOf(w: FakeWorkflow, run: { gets: number }): string {
  return run.gets >= w.pollsUntilDone ? w.finalStatus : 'Running';
}

// Action outcomes as the run action reports them.
const SUCCEEDED = { status: 'Succeeded', code: 'OK' };
const MISMATCH = {
  status: 'Failed',
  code: 'Unauthorized',
  error: { code: 'MisMatchingOAuthClaims', message: 'One or more claims either missing or does not match with the open authentication access control policy.' },
};
const NO_ROLE = {
  status: 'Failed',
  code: 'BadRequest',
  error: {
    code: 'BadRequest',
    message: "Http request failed as there is an error getting AD OAuth token: 'AADSTS501051: Application is not assigned to a role for the application'.",
  },
};
const UNAUTHORIZED_ONLY = { status: 'Failed', code: 'Unauthorized' };

/** A local ARM endpoint on 127.0.0.1 with its own workflows, runs and request log. */
class FakeArm {
  readonly workflows = new Map<string, FakeWorkflow>();
  readonly runs = new Map<string, Array<{ name: string; gets: number; startTime: string }>>();
  seen: Seen[] = [];
  counter = 0;
  endpoint = '';
  private readonly server: Server = createServer((req, res) => this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Replaces the deployed workflows (defaults: succeeds after one poll, run id in the header). */
  scenario(workflows: Record<string, Partial<FakeWorkflow>>): this {
    this.workflows.clear();
    this.runs.clear();
    this.seen = [];
    for (const [name, w] of Object.entries(workflows)) {
      this.workflows.set(name, { finalStatus: 'Succeeded', pollsUntilDone: 1, action: SUCCEEDED, runIdHeader: true, ...w });
    }
    return this;
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.seen.push({
      method: req.method ?? '',
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version'),
      authorization: req.headers.authorization,
      at: Date.now(),
    });
    const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Logic\/workflows\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m || m[1] !== SUB) return armError(res, 404, 'SubscriptionNotFound', `The subscription '${m?.[1]}' could not be found.`);
    const [, , rg, wfName, rest = ''] = m;
    const w = this.workflows.get(wfName);
    if (rg !== RG || !w) {
      return armError(
        res,
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Logic/workflows/${wfName}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    const runs = this.runs.get(wfName) ?? [];
    this.runs.set(wfName, runs);

    if (req.method === 'POST' && /^\/triggers\/[^/]+\/run$/.test(rest)) {
      if (w.throttle && w.throttle.times > 0) {
        w.throttle.times -= 1;
        return armError(res, 429, 'TooManyRequests', 'The request was throttled.', { 'Retry-After': w.throttle.retryAfter });
      }
      const run = { name: `0858${String(++this.counter).padStart(20, '0')}CU00`, gets: 0, startTime: new Date().toISOString() };
      runs.unshift(run); // newest first, as ARM lists them
      res.writeHead(202, { ...(w.runIdHeader ? { 'x-ms-workflow-run-id': run.name } : {}), 'content-length': '0' });
      return res.end();
    }
    if (req.method === 'GET' && rest === '/runs') {
      const top = Number(url.searchParams.get('$top') ?? runs.length);
      return json(res, { value: runs.slice(0, top).map((r) => runResource(wfName, r, statusOf(w, r))) });
    }
    const runMatch = /^\/runs\/([^/]+)(?:\/actions\/([^/]+))?$/.exec(rest);
    const run = runMatch && runs.find((r) => r.name === runMatch[1]);
    if (req.method === 'GET' && runMatch && !run) return armError(res, 404, 'WorkflowRunNotFound', `The workflow run '${runMatch[1]}' could not be found.`);
    if (req.method === 'GET' && run && !runMatch![2]) {
      run.gets += 1;
      return json(res, runResource(wfName, run, statusOf(w, run)));
    }
    if (req.method === 'GET' && run && runMatch![2]) {
      if (runMatch![2] !== ACTION) return armError(res, 404, 'WorkflowRunActionNotFound', `The workflow run action '${runMatch![2]}' could not be found.`);
      return json(res, {
        id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/${wfName}/runs/${run.name}/actions/${ACTION}`,
        name: ACTION,
        type: 'Microsoft.Logic/workflows/runs/actions',
        properties: {
          startTime: run.startTime,
          endTime: new Date().toISOString(),
          correlation: { actionTrackingId: 'a1b2c3', clientTrackingId: run.name },
          trackingId: 'a1b2c3',
          ...w.action,
        },
      });
    }
    return armError(res, 400, 'BadRequest', `unexpected ${req.method} ${url.pathname}`);
  }
}

// ---- setup -----------------------------------------------------------------------------------------

const stubCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: STUB_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

/** The fake ARM the tests share (they run one after the other); a concurrent test starts its own. */
const fake = new FakeArm();
let plan: SmokePlan;
let synthesized: string;

beforeAll(async () => {
  await fake.start();
  // The default logic-apps-oauth stack plus one sender with allowed=false: not pinned, no app role.
  // Only this stack is synthesized (the whole app takes a second more and adds nothing here).
  const config = parseConfig(withDefaults((c) => {
    c.logicAppsOauth.workflows.push({ name: 'intruder' });
    c.logicAppsOauth.calls.push({ from: 'intruder', to: 'receive', allowed: false });
  }));
  const stack = new LogicAppsOauthStack(Testing.app(), LOGIC_APPS_OAUTH_STACK, config);
  synthesized = Testing.synth(stack);
  plan = planSmoke([buildStackModel({ name: LOGIC_APPS_OAUTH_STACK, json: JSON.parse(synthesized) })]);
});

afterAll(() => fake.stop());

function only(...names: string[]): SmokePlan {
  return { workflows: plan.workflows.filter((w) => names.includes(w.workflow)), skipped: [] };
}

async function smoke(
  p: SmokePlan,
  options: { timeoutMs?: number; strict?: boolean; events?: ProgressEvent[]; startDeadline?: RunOptions['startDeadline'] } = {},
  arm: FakeArm = fake,
): Promise<SmokeResult> {
  return runSmoke(
    p,
    { credential: stubCredential, subscriptionId: SUB, endpoint: arm.endpoint, retryDelayInMs: 10, maxRetryDelayInMs: 50, maxRetries: 3 },
    {
      subscriptionId: SUB,
      timeoutMs: options.timeoutMs ?? 10_000,
      pollIntervalMs: 10,
      strict: options.strict,
      onProgress: (e) => options.events?.push(e),
      startDeadline: options.startDeadline,
    },
  );
}

/**
 * A deadline that fires once `ms` have passed AND the fake ARM has answered what the test is about (`answered`),
 * plus a few turns of the event loop for the client to read that answer (the fake ARM runs in this process).
 * On a loaded machine a plain timer could fire before the first answer and test another message.
 */
function deadlineOnceAnswered(answered: () => boolean): NonNullable<RunOptions['startDeadline']> {
  return (ms, onDeadline) => {
    const started = Date.now();
    let turns = 0;
    const poll = setInterval(() => {
      if (Date.now() - started < ms || !answered()) return;
      if (++turns < 5) return;
      clearInterval(poll);
      onDeadline();
    }, 20);
    return () => clearInterval(poll);
  };
}

function row(result: SmokeResult, workflow: string) {
  const r = result.rows.find((x) => x.workflow === workflow);
  if (!r) throw new Error(`no row for ${workflow}`);
  return r;
}

// ---- tests -----------------------------------------------------------------------------------------

describe('plan: expectations derived from the synthesized stack', () => {
  test('allowed sender accepted, wrong-audience probe refused by the receiver, ungranted sender refused a token', () => {
    expect(plan.skipped).toEqual([]);
    const summary = plan.workflows.map((w) => ({
      workflow: w.workflow,
      resourceGroup: w.resourceGroup,
      trigger: w.triggerName,
      calls: w.calls.map((c) => ({ action: c.actionName, target: c.target, kind: c.expected.kind, error: 'error' in c.expected ? c.expected.error : undefined })),
    }));
    expect(summary).toEqual([
      { workflow: INTRUDER, resourceGroup: RG, trigger: 'Recurrence', calls: [{ action: ACTION, target: 'la-oauth-receive', kind: 'token-refused', error: 'AppRoleAssignmentRequired' }] },
      { workflow: PROBE, resourceGroup: RG, trigger: 'Recurrence', calls: [{ action: ACTION, target: 'la-oauth-receive', kind: 'refused', error: 'MisMatchingOAuthClaims' }] },
      { workflow: SEND, resourceGroup: RG, trigger: 'Recurrence', calls: [{ action: ACTION, target: 'la-oauth-receive', kind: 'accepted', error: undefined }] },
    ]);
  });

  test('calls it cannot check are listed as skipped, with Terraform values in words (never raw ${...})', () => {
    const json = JSON.parse(synthesized);
    editBody(resourceOf(json, 'azurerm_logic_app_action_custom', 'Sender-send_Call-1'), (d) => (d.inputs.uri = 'https://${azurerm_linux_function_app.Orders.default_hostname}/api/orders'));
    resourceOf(json, 'azurerm_logic_app_workflow', 'Probe-receive').resource_group_name = '${azurerm_resource_group.Other.id}';
    const skipped = planSmoke([buildStackModel({ name: LOGIC_APPS_OAUTH_STACK, json })]).skipped;
    expect(skipped).toEqual([
      'logic-apps-oauth: la-oauth-send/Call_1: calls https://{default hostname of azurerm_linux_function_app.Orders}/api/orders (not a workflow or API of this stack; not checked)',
      'logic-apps-oauth: la-oauth-receive-naughty: resource group name is not a literal ({id of azurerm_resource_group.Other})',
    ]);
  });
});

test('plan: a receiver that calls onward is not run through ARM (no Bearer token: the run would be skipped); its caller is', () => {
  const config = parseConfig({
    namePrefix: 'la-oauth',
    logicAppsOauth: { workflows: [{ name: 'receive' }, { name: 'send' }, { name: 'billing' }], calls: [{ from: 'send', to: 'receive' }, { from: 'receive', to: 'billing' }] },
  });
  const stack = new LogicAppsOauthStack(Testing.app(), LOGIC_APPS_OAUTH_STACK, config);
  const relayPlan = planSmoke([buildStackModel({ name: LOGIC_APPS_OAUTH_STACK, json: JSON.parse(Testing.synth(stack)) })]);
  expect(relayPlan.workflows.map((w) => [w.workflow, w.triggerName])).toEqual([[SEND, 'Recurrence']]);
  expect(relayPlan.skipped).toEqual([
    `${LOGIC_APPS_OAUTH_STACK}: la-oauth-receive: its calls run when its callers call it (a run started through ARM carries no Bearer token and is skipped); not checked`,
  ]);
});

describe('classifying run actions', () => {
  test.each([
    [SUCCEEDED, 'accepted', undefined],
    [MISMATCH, 'refused', 'MisMatchingOAuthClaims'],
    [{ status: 'Failed', code: 'Unauthorized', retryHistory: [{ code: 'Unauthorized', error: { error: { code: 'MisMatchingOAuthClaims' } } }] }, 'refused', 'MisMatchingOAuthClaims'],
    [NO_ROLE, 'token-refused', 'AppRoleAssignmentRequired'],
    [UNAUTHORIZED_ONLY, 'refused', undefined],
    [{ status: 'Failed', code: 'InternalServerError' }, 'failed', undefined],
  ])('%j -> %s %s', (action, kind, error) => {
    const actual = classifyAction(action);
    expect(actual.kind).toBe(kind);
    expect('error' in actual ? actual.error : undefined).toBe(error);
  });

  test('verdicts: exact match passes, a hidden refusal code is pass* (FAIL when strict), anything else FAILs', () => {
    const probe = { kind: 'refused', error: 'MisMatchingOAuthClaims', detail: '' } as const;
    expect(verdictOf(probe, { kind: 'refused', error: 'MisMatchingOAuthClaims' })).toBe('pass');
    expect(verdictOf(probe, { kind: 'refused', code: 'Unauthorized' })).toBe('pass*');
    expect(verdictOf(probe, { kind: 'refused', code: 'Unauthorized' }, true)).toBe('FAIL');
    expect(verdictOf(probe, { kind: 'accepted' })).toBe('FAIL');
    expect(verdictOf(probe, { kind: 'refused', error: 'DirectApiAuthorizationRequired' })).toBe('FAIL');
    expect(verdictOf({ kind: 'accepted', detail: '' }, { kind: 'unknown', summary: 'x', message: 'x' })).toBe('ERROR');
  });
});

describe('against a local ARM server', () => {
  test('all as expected: exit 0, table rows pass; token, api-version and run discovery (header and list)', async () => {
    fake.scenario({
      [SEND]: { pollsUntilDone: 3, action: SUCCEEDED, runIdHeader: true },
      [PROBE]: { finalStatus: 'Failed', action: MISMATCH, runIdHeader: false },
      [INTRUDER]: { finalStatus: 'Failed', action: NO_ROLE, runIdHeader: false },
    });
    const events: ProgressEvent[] = [];
    const result = await smoke(plan, { events });
    expect(result.rows.map((r) => [r.workflow, r.verdict])).toEqual([
      [INTRUDER, 'pass'],
      [PROBE, 'pass'],
      [SEND, 'pass'],
    ]);
    expect(result.exitCode).toBe(0);
    const cells = formatTable(result)
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .map((line) => line.slice(2, -2).split(' | ').map((c) => c.trim()));
    expect(cells).toEqual([
      ['workflow', 'target', 'expected', 'actual', 'verdict'],
      [INTRUDER, 'la-oauth-receive', 'no token: AppRoleAssignmentRequired (AADSTS501051)', 'no token: AppRoleAssignmentRequired (AADSTS501051)', 'pass'],
      [PROBE, 'la-oauth-receive', 'refused: MisMatchingOAuthClaims', 'refused: MisMatchingOAuthClaims', 'pass'],
      [SEND, 'la-oauth-receive', 'accepted', 'Succeeded', 'pass'],
    ]);
    expect(fake.seen.every((s) => s.authorization === `Bearer ${STUB_TOKEN}`)).toBe(true);
    expect(new Set(fake.seen.map((s) => s.apiVersion))).toEqual(new Set(['2016-06-01']));
    expect(fake.seen.filter((s) => s.method === 'POST').map((s) => s.path).sort()).toEqual(
      [INTRUDER, PROBE, SEND].map((w) => `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/${w}/triggers/Recurrence/run`),
    );
    // The send run was polled while Running, with progress events.
    expect(events.some((e) => e.workflow === SEND && e.phase === 'waiting' && e.status === 'Running')).toBe(true);
    expect(events.filter((e) => e.phase === 'done').map((e) => e.workflow).sort()).toEqual([INTRUDER, PROBE, SEND]);
  });

  test('a probe that succeeds is a surprise: FAIL, exit 1', async () => {
    fake.scenario({ [SEND]: {}, [PROBE]: { action: SUCCEEDED } });
    const result = await smoke(only(SEND, PROBE));
    expect(row(result, PROBE).verdict).toBe('FAIL');
    expect(row(result, SEND).verdict).toBe('pass');
    expect(result.exitCode).toBe(1);
    expect(formatDetails(result)).toContain(`${PROBE}/${ACTION}: expected refused: MisMatchingOAuthClaims`);
  });

  test('a refusal showing only Unauthorized is pass* (exit 0), and FAIL with strict', async () => {
    fake.scenario({ [PROBE]: { finalStatus: 'Failed', action: UNAUTHORIZED_ONLY } });
    const lenient = await smoke(only(PROBE));
    expect(row(lenient, PROBE).verdict).toBe('pass*');
    expect(lenient.exitCode).toBe(0);
    expect(formatTable(lenient)).toContain('refused: Unauthorized (error code not visible)');
    fake.scenario({ [PROBE]: { finalStatus: 'Failed', action: UNAUTHORIZED_ONLY } });
    expect((await smoke(only(PROBE), { strict: true })).exitCode).toBe(1);
  });

  test('404: a clear message naming the workflow and the resource group, exit 3', async () => {
    fake.scenario({ [PROBE]: {} }); // la-oauth-send is not deployed
    const result = await smoke(only(SEND));
    const r = row(result, SEND);
    expect(r.verdict).toBe('ERROR');
    expect(r.actual).toMatchObject({ kind: 'unknown', summary: 'workflow not found' });
    expect(formatDetails(result)).toContain(`workflow ${SEND} in resource group ${RG} (subscription ${SUB}) not found [ResourceNotFound]`);
    expect(result.exitCode).toBe(3);
  });

  test('missing credentials: one clear error before any ARM call', async () => {
    fake.scenario({ [SEND]: {} });
    const failing: TokenCredential = {
      async getToken() {
        throw Object.assign(new Error('ChainedTokenCredential authentication failed.'), { name: 'AggregateAuthenticationError' });
      },
    };
    await expect(
      runSmoke(only(SEND), { credential: failing, subscriptionId: SUB, endpoint: fake.endpoint }, { subscriptionId: SUB, timeoutMs: 500 }),
    ).rejects.toThrow(SmokeCredentialError);
    expect(fake.seen).toHaveLength(0);
  });
});

// Tests that wait on the clock. Each runs on its own fake ARM, concurrently: jest-circus starts every
// test.concurrent of a file right after its top-level beforeAll and awaits them in order, so their waits
// (1 s for the Retry-After) overlap the tests above instead of idling the worker. The 0.5 s deadlines fire only
// after the fake ARM's first relevant answer (deadlineOnceAnswered), so a loaded machine cannot change the
// message under test; upper bounds are loose for the same reason (they tell a stop at the timeout from a hang).
describe('against a local ARM server: Retry-After and timeouts', () => {
  const arms: FakeArm[] = [];
  const ownArm = async (workflows: Record<string, Partial<FakeWorkflow>>) => {
    const arm = new FakeArm();
    arms.push(arm);
    return (await arm.start()).scenario(workflows);
  };
  afterAll(() => Promise.all(arms.map((arm) => arm.stop())));

  test.concurrent('429 with Retry-After: waits the given time and retries', async () => {
    const own = await ownArm({ [SEND]: { throttle: { times: 1, retryAfter: '1' } } });
    const result = await smoke(only(SEND), {}, own);
    expect(row(result, SEND).verdict).toBe('pass');
    const posts = own.seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(950);
  });

  test.concurrent('429 with a Retry-After beyond the timeout: stops at the timeout with a throttling message', async () => {
    const own = await ownArm({ [SEND]: { throttle: { times: 1000, retryAfter: '3600' } } });
    const started = Date.now();
    const throttled = () => own.seen.some((s) => s.method === 'POST');
    const result = await smoke(only(SEND), { timeoutMs: 500, startDeadline: deadlineOnceAnswered(throttled) }, own);
    expect(Date.now() - started).toBeLessThan(10_000); // not the 3600 s ARM asked for
    expect(row(result, SEND).actual).toMatchObject({ kind: 'unknown', summary: 'throttled (429), timed out' });
    expect(formatDetails(result)).toMatch(/gave up after 0\.5 s \(--timeout\) while ARM throttled requests for la-oauth-send \(429, Retry-After 3600 s\)/);
    expect(result.exitCode).toBe(3);
  });

  test.concurrent('a run that never finishes: stops at the timeout naming the run and its status, no hang', async () => {
    const own = await ownArm({ [SEND]: { pollsUntilDone: Infinity } });
    const started = Date.now();
    // A second GET of the run: the client polls one at a time, so it has read the first answer (Running).
    const runPolled = () => own.seen.filter((s) => s.method === 'GET' && /\/runs\/[^/]+$/.test(s.path)).length >= 2;
    const result = await smoke(only(SEND), { timeoutMs: 500, startDeadline: deadlineOnceAnswered(runPolled) }, own);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(10_000);
    expect(formatDetails(result)).toMatch(/timed out after 0\.5 s \(--timeout\): run 0858\d+CU00 of la-oauth-send is still Running/);
    expect(result.exitCode).toBe(3);
  });
});

// Logic App Operator reads workflows, runs and run actions but has no Microsoft.Logic/workflows/triggers/run/action
// (its built-in definition: read, enable, disable, validate), so the smoke identity needs the run action besides.
describe('the rights smoke needs', () => {
  const doc = (name: string) => readFileSync(join(__dirname, '..', 'docs', name), 'utf8');
  test('running a trigger: docs/smoke-role.json holds exactly that action', () => {
    expect([...SMOKE_RUN_ACTIONS]).toEqual(['Microsoft.Logic/workflows/triggers/run/action']);
    expect(JSON.parse(doc('smoke-role.json')).Actions).toEqual([...SMOKE_RUN_ACTIONS]);
  });
  test('a 403 names the missing action and the role file; permissions.md grants both roles to smoke', () => {
    const message = armErrorMessage({ statusCode: 403, code: 'AuthorizationFailed' }, { stack: 's', workflow: SEND, resourceGroup: RG, triggerName: 'Recurrence', calls: [] }, SUB);
    expect(message).toContain('Microsoft.Logic/workflows/triggers/run/action');
    expect(message).toContain('docs/smoke-role.json');
    const row = doc('permissions.md').split('\n').find((line) => line.startsWith('| **`npm run smoke`**'))!;
    expect(row).toContain('Logic App Operator');
    expect(row).toContain('smoke-role.json');
  });
});
