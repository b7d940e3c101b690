import { LOGIC_APPS_OAUTH_STACK } from '../stacks/logic-apps-oauth-stack';
import { Bindings, issueManagedIdentityToken, simulatedBindings } from '../model/entra';
import { CallModel, StackModel } from '../model/stack-model';
import { evaluateTrigger, TokenClaims } from '../model/trigger-admission';
import { withDefaults } from './support/config';
import { modelOf, synthApp } from './support/synth';
import { KeyPair, mintToken, tenantKeys, verifiedClaims } from './support/tokens';

// End to end without Azure: the synthesized stack -> what Entra would issue each caller (simulated from
// the app registrations) -> an RS256 token minted with that shape -> the receiver's synthesized policies
// evaluated with Logic Apps' semantics (AND within a policy, OR across).

let keys: KeyPair;
beforeAll(async () => {
  keys = await tenantKeys();
});

function setup(raw?: unknown): { model: StackModel; bindings: Bindings } {
  const model = modelOf(synthApp(raw), LOGIC_APPS_OAUTH_STACK);
  return { model, bindings: simulatedBindings(model) };
}

function callOf(model: StackModel, caller: string): CallModel {
  const call = model.calls.find((c) => c.caller.workflowName === caller);
  if (!call) throw new Error(`no call from ${caller}`);
  return call;
}

async function presented(model: StackModel, call: CallModel, bindings: Bindings, patch: Partial<TokenClaims> = {}) {
  const issued = issueManagedIdentityToken(model, { caller: call.caller, requestedAudience: call.requestedAudience }, bindings);
  if (!issued.issued) throw new Error(`Entra refused ${call.caller.workflowName}: ${issued.message}`);
  const jwt = await mintToken({ ...issued.claims, ...patch }, keys.privateKey);
  return verifiedClaims(jwt, keys.publicKey);
}

function evaluate(call: CallModel, bindings: Bindings, token?: TokenClaims, sasSignature = false) {
  if (call.target.kind !== 'workflow') throw new Error(`${call.id} does not call a workflow`);
  const target = call.target.workflow;
  return evaluateTrigger(target.policies, { token, sasSignature }, { bindings, bearerOnly: target.triggers[0].bearerOnly });
}

describe('token v1 (default config)', () => {
  let model: StackModel;
  let bindings: Bindings;
  beforeAll(() => ({ model, bindings } = setup()));

  test('the allowed sender is accepted by its own policy', async () => {
    const call = callOf(model, 'la-oauth-send');
    const token = await presented(model, call, bindings);
    expect(token.ver).toBe('1.0');
    expect(token.roles).toEqual(['LogicApps.Invoke']);
    expect(evaluate(call, bindings, token)).toEqual({ accepted: true, policy: 'allow-la-oauth-send' });
  });

  test('the naughty probe (wrong audience) is refused with MisMatchingOAuthClaims on aud', async () => {
    const call = callOf(model, 'la-oauth-receive-naughty');
    const token = await presented(model, call, bindings);
    expect(token.aud).toBe('https://management.azure.com/');
    const outcome = evaluate(call, bindings, token);
    expect(outcome.accepted).toBe(false);
    if (outcome.accepted) return;
    expect(outcome.error).toBe('MisMatchingOAuthClaims');
    expect(outcome.failures.map((f) => f.claim)).toEqual(['aud', 'oid']);
    expect(outcome.failures[0]).toMatchObject({ expected: expect.stringMatching(/^api:\/\//), actual: 'https://management.azure.com/' });
  });

  test('another identity with the right audience is refused on oid', async () => {
    const call = callOf(model, 'la-oauth-send');
    const other = '11111111-2222-4333-8444-555555555555';
    const token = await presented(model, call, bindings, { oid: other, sub: other });
    const outcome = evaluate(call, bindings, token);
    expect(outcome).toMatchObject({ accepted: false, error: 'MisMatchingOAuthClaims' });
    if (!outcome.accepted) expect(outcome.failures).toEqual([expect.objectContaining({ claim: 'oid', actual: other })]);
  });

  test('a token from another tenant is refused on iss', async () => {
    const call = callOf(model, 'la-oauth-send');
    const token = await presented(model, call, bindings, { iss: 'https://sts.windows.net/99999999-0000-4000-8000-000000000000/' });
    expect(evaluate(call, bindings, token)).toMatchObject({ accepted: false, error: 'MisMatchingOAuthClaims' });
  });

  test('a v2-shaped token for the same app is refused (issuer form must match the token version)', async () => {
    const call = callOf(model, 'la-oauth-send');
    const good = await presented(model, call, bindings);
    const v2iss = `https://login.microsoftonline.com/${good.tid}/v2.0`;
    expect(evaluate(call, bindings, { ...good, iss: v2iss })).toMatchObject({ accepted: false, error: 'MisMatchingOAuthClaims' });
  });

  test('token plus SAS signature is refused with DirectApiRequestHasMoreThanOneAuthorization', async () => {
    const call = callOf(model, 'la-oauth-send');
    const token = await presented(model, call, bindings);
    expect(evaluate(call, bindings, token, true)).toMatchObject({ accepted: false, error: 'DirectApiRequestHasMoreThanOneAuthorization' });
  });

  test('no token and no SAS is refused with DirectApiAuthorizationRequired; SAS alone is skipped by the Bearer-only condition', () => {
    const call = callOf(model, 'la-oauth-send');
    expect(evaluate(call, bindings)).toMatchObject({ accepted: false, error: 'DirectApiAuthorizationRequired' });
    expect(evaluate(call, bindings, undefined, true)).toMatchObject({ accepted: false, error: 'SkippedByTriggerCondition' });
  });

  test('a tampered token fails signature verification before any claim is compared', async () => {
    const call = callOf(model, 'la-oauth-send');
    const issued = issueManagedIdentityToken(model, { caller: call.caller, requestedAudience: call.requestedAudience }, bindings);
    if (!issued.issued) throw new Error('not issued');
    const jwt = await mintToken(issued.claims, keys.privateKey);
    const [h, , s] = jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...issued.claims, oid: 'attacker' })).toString('base64url');
    await expect(verifiedClaims(`${h}.${forged}.${s}`, keys.publicKey)).rejects.toThrow(/signature/);
  });
});

describe('token v2, two allowed senders and one not allowed', () => {
  let model: StackModel;
  let bindings: Bindings;
  beforeAll(
    () =>
      ({ model, bindings } = setup(
        withDefaults((c) => {
          c.logicAppsOauth.tokenVersion = 2;
          c.logicAppsOauth.workflows = [{ name: 'orders' }, { name: 'billing' }, { name: 'shipping' }, { name: 'intruder' }];
          c.logicAppsOauth.calls = [
            { from: 'billing', to: 'orders' },
            { from: 'shipping', to: 'orders' },
            { from: 'intruder', to: 'orders', allowed: false },
          ];
        }),
      )),
  );

  test.each(['la-oauth-billing', 'la-oauth-shipping'])('%s is accepted with a v2 token (aud = client id, azp)', async (name) => {
    const call = callOf(model, name);
    const token = await presented(model, call, bindings);
    expect(token).toMatchObject({ ver: '2.0', idtyp: 'app' });
    expect(token.iss).toMatch(/^https:\/\/login\.microsoftonline\.com\/[0-9a-f-]{36}\/v2\.0$/);
    expect(token.aud).toMatch(/^[0-9a-f-]{36}$/);
    expect(evaluate(call, bindings, token)).toEqual({ accepted: true, policy: `allow-${name}` });
  });

  test('each allowed sender is admitted only by its own policy', async () => {
    const billing = callOf(model, 'la-oauth-billing');
    const token = await presented(model, billing, bindings);
    const shippingOnly = (billing.target.kind === 'workflow' ? billing.target.workflow.policies : []).filter((p) => p.name === 'allow-la-oauth-shipping');
    expect(shippingOnly).toHaveLength(1);
    const outcome = evaluateTrigger(shippingOnly, { token }, { bindings });
    expect(outcome).toMatchObject({ accepted: false, error: 'MisMatchingOAuthClaims' });
    if (!outcome.accepted) expect(outcome.failures.map((f) => f.claim)).toEqual(['oid']);
  });

  test('the sender that is not allowed gets no token from Entra (no app role: AADSTS501051)', () => {
    const result = issueManagedIdentityToken(model, callOf(model, 'la-oauth-intruder'), bindings);
    expect(result).toMatchObject({ issued: false, error: 'AppRoleAssignmentRequired' });
  });

  test('and if it had a token with the right audience, the receiver refuses it on oid', async () => {
    const allowed = callOf(model, 'la-oauth-billing');
    const intruder = callOf(model, 'la-oauth-intruder');
    const oid = bindings[intruder.caller.principalIdRef];
    const token = await presented(model, allowed, bindings, { oid, sub: oid });
    const outcome = evaluate(intruder, bindings, token);
    expect(outcome).toMatchObject({ accepted: false, error: 'MisMatchingOAuthClaims' });
  });
});
