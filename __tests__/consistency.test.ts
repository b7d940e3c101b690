// One answer per call: for every call of every stack, the rules (LA001/LA004/LA005/LA006), the security
// report, check-token and the smoke plan agree with the call's verdict (model/verdict.ts) and so with
// each other. Run over the default, token-v2 and production configs and hand-made variants of the synthesized JSON that our constructs do not write (token
// validation in the global policy, validate-jwt, several policies, a caller without a grant, an empty
// IP list, a trailing "/" on the audience). For the hand-made variants the expected outcome is also
// written out here, independently of the model. Every valid config the property test generates is
// checked the same way in property.test.ts (on the stacks it synthesizes anyway).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../config/default';
import { simulatedBindings } from '../model/entra';
import { buildStackModel, TfJson } from '../model/stack-model';
import { predictCalls } from '../model/verdict';
import { renderReport } from '../tools/report/render';
import { checkToken, EXIT, stateFromBindings } from '../tools/check-token/check-token';
import { EXAMPLE_GRAPH, TWO_SENDERS_V2, withDefaults } from './support/config';
import { expectAgreement, NOW, unsignedJwt } from './support/agreement';
import { editBody, moveValidationToGlobal, resourceOf, useValidateJwt } from './support/stack-variants';
import { synthApp } from './support/synth';

/** The stacks of a config, from the shared synth (one synth per config per test run). */
function stacksOf(raw: unknown): Array<{ name: string; json: TfJson }> {
  const out = synthApp(raw);
  return Object.keys(out.json).sort().map((name) => ({ name, json: out.json[name] }));
}

describe('named configs', () => {
  const production = JSON.parse(readFileSync(join(__dirname, '..', 'config', 'examples', 'production.json'), 'utf8'));

  test.each([
    ['default', DEFAULT_CONFIG],
    ['token v2 with a refused sender', TWO_SENDERS_V2],
    ['example call graph (receivers and APIs, refused calls to both)', { namePrefix: 'contoso', logicAppsOauth: EXAMPLE_GRAPH }],
    ['production example', production],
    ['a receiver that calls onward (shop -> orders -> billing)', withDefaults((c) => {
      c.logicAppsOauth.workflows = [{ name: 'shop' }, { name: 'orders' }, { name: 'billing' }];
      c.logicAppsOauth.calls = [{ from: 'shop', to: 'orders' }, { from: 'orders', to: 'billing' }];
    })],
  ])('%s: rules, report, check-token and smoke agree on every call', async (_name, raw) => {
    let calls = 0;
    for (const stack of stacksOf(raw)) calls += (await expectAgreement(stack)).length;
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  test('the intended outcomes of the default config: the sender and the API callers admitted, the probe refused', async () => {
    const outcomes = (await Promise.all(stacksOf(DEFAULT_CONFIG).map(expectAgreement))).flat().map((v) => `${v.call.id}: ${v.outcome}${v.asIntended ? '' : ' (UNINTENDED)'}`);
    expect(outcomes.sort()).toEqual([
      'la-oauth-apim-caller/Call_1: accepted',
      'la-oauth-apim-xt-caller/Call_1: accepted',
      'la-oauth-receive-naughty/Call_1: refused',
      'la-oauth-send/Call_1: accepted',
    ]);
  });
});

// ---- hand-made variants, with the outcome written out independently ----

type Variant = [name: string, stack: string, edit: (json: any) => void, expected: Record<string, string>];

const defaults = () => Object.fromEntries(stacksOf(DEFAULT_CONFIG).map((s) => [s.name, s.json]));
const API_CALL = 'la-oauth-apim-caller/Call_1';
const SEND = 'la-oauth-send/Call_1';
const PROBE = 'la-oauth-receive-naughty/Call_1';

const VARIANTS: Variant[] = [
  ['token validation moved to the global policy', 'apim-managed-identity', (j) => moveValidationToGlobal(j), { [API_CALL]: 'accepted' }],
  ['global policy with another audience', 'apim-managed-identity', (j) => moveValidationToGlobal(j, (x) => x.replace(/<audience>[^<]*<\/audience>/, '<audience>api://other</audience>')), { [API_CALL]: 'refused WrongAudience' }],
  ['global policy not inherited (no <base /> in the API policy)', 'apim-managed-identity', (j) => {
    moveValidationToGlobal(j, (x) => x.replace(/<audience>[^<]*<\/audience>/, '<audience>api://other</audience>'));
    const p = resourceOf(j, 'azurerm_api_management_api_policy');
    p.xml_content = p.xml_content.replace(/<inbound>\s*<base \/>/, '<inbound>');
  }, { [API_CALL]: 'accepted' }],
  ['validate-jwt instead of validate-azure-ad-token', 'apim-managed-identity', useValidateJwt, { [API_CALL]: 'accepted' }],
  ['validate-jwt with another audience', 'apim-managed-identity', (j) => {
    useValidateJwt(j);
    const p = resourceOf(j, 'azurerm_api_management_api_policy');
    p.xml_content = p.xml_content.replace(/<audience>[^<]*<\/audience>/, '<audience>api://other</audience>');
  }, { [API_CALL]: 'refused WrongAudience' }],
  ['several policies: the global one admits, the API one does not', 'apim-managed-identity', (j) => {
    const api = resourceOf(j, 'azurerm_api_management_api_policy').xml_content as string;
    moveValidationToGlobal(j);
    resourceOf(j, 'azurerm_api_management_api_policy').xml_content = api.replace(/<application-id>[^<]*<\/application-id>/, '<application-id>00000000-0000-4000-a000-000000000001</application-id>');
  }, { [API_CALL]: 'refused WrongClientApplicationId' }],
  ['a caller without a grant (API)', 'apim-managed-identity', (j) => delete j.resource.azuread_app_role_assignment, { [API_CALL]: 'refused AppRoleAssignmentRequired' }],
  ['a caller without a grant (receiver)', 'logic-apps-oauth', (j) => delete j.resource.azuread_app_role_assignment, { [SEND]: 'refused AppRoleAssignmentRequired', [PROBE]: 'refused MisMatchingOAuthClaims' }],
  ['an empty trigger IP list', 'logic-apps-oauth', (j) => (resourceOf(j, 'azurerm_logic_app_workflow', 'Receiver').access_control.trigger.allowed_caller_ip_address_range = []), { [SEND]: 'refused EmptyTriggerIpList', [PROBE]: 'refused EmptyTriggerIpList' }],
  ['a trailing "/" on the requested audience', 'logic-apps-oauth', (j) => editBody(resourceOf(j, 'azurerm_logic_app_action_custom', 'Sender-send_Call-1'), (d) => (d.inputs.authentication.audience += '/')), { [SEND]: 'refused MisMatchingOAuthClaims', [PROBE]: 'refused MisMatchingOAuthClaims' }],
  ['a trailing "/" on the API audience', 'apim-managed-identity', (j) => {
    const p = resourceOf(j, 'azurerm_api_management_api_policy');
    p.xml_content = p.xml_content.replace(/<audience>([^<]*)<\/audience>/, '<audience>$1/</audience>');
  }, { [API_CALL]: 'refused WrongAudience' }],
];

describe.each(VARIANTS)('hand-made variant: %s', (_name, stackName, edit, expected) => {
  test('the outcome is the one written here, and all four readers agree', async () => {
    const json = JSON.parse(JSON.stringify(defaults()[stackName]));
    edit(json);
    const verdicts = await expectAgreement({ name: stackName, json });
    const got = Object.fromEntries(verdicts.map((v) => [v.call.id, `${v.outcome}${v.outcome === 'refused' ? ` ${v.error}` : ''}`]));
    expect(got).toEqual(expected);
  });
});

test('the reviewer\'s case: with the validation in the global policy, check-token refuses aud "anything"', async () => {
  const json = JSON.parse(JSON.stringify(defaults()['apim-managed-identity']));
  moveValidationToGlobal(json);
  const stack = { name: 'apim-managed-identity', json };
  const model = buildStackModel(stack);
  const [verdict] = predictCalls(model);
  expect(verdict.outcome).toBe('accepted');
  const state = stateFromBindings(simulatedBindings(model));
  const result = await checkToken({ token: unsignedJwt({ ...verdict.token!, aud: 'anything' }), stacks: [stack], receiver: 'api:logic-apps-api', state, now: NOW });
  expect(result.exitCode).toBe(EXIT.refused);
  expect(result.lines).toContain('401 WrongAudience');
  const report = renderReport([stack], { rules: null });
  expect(report).not.toContain('the API validates no token');
  expect(report).toMatch(/- Global policy \(`azurerm_api_management_policy\.Global`\): `validate-azure-ad-token`/);
});
