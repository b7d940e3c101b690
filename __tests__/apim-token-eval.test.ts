import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import { issuerFor, TokenVersion } from '../domain/tokens';
import { APIM_CROSS_TENANT_STACK } from '../stacks/apim-cross-tenant-stack';
import { APIM_MANAGED_IDENTITY_STACK } from '../stacks/apim-managed-identity-stack';
import { AzureAdTokenPolicy, evaluateApimToken, parseValidateAzureAdToken, VALIDATE_AZURE_AD_TOKEN_ORDER } from '../model/api-admission';
import type { TokenClaims } from '../model/trigger-admission';
import { withDefaults } from './support/config';
import { synthApp } from './support/synth';
import { KeyPair, tenantKeys } from './support/tokens';

// The synthesized APIM policy evaluated with validate-azure-ad-token semantics against RS256 tokens
// minted with jose in the shape Entra issues to app-only callers (v1: appid, v2: azp).

const HOME_TENANT = '11111111-1111-4111-8111-111111111111';
const API_TENANT = '22222222-2222-4222-8222-222222222222';
const API_CLIENT_ID = '33333333-3333-4333-8333-333333333333';
const CALLER_CLIENT_ID = '44444444-4444-4444-8444-444444444444';
const CALLER_OBJECT_ID = '55555555-5555-4555-8555-555555555555';
const OTHER_CLIENT_ID = '66666666-6666-4666-8666-666666666666';
const NOW = 1_700_000_100;

let keys: KeyPair;
beforeAll(async () => {
  keys = await tenantKeys();
});

function synthPolicy(stack: string, patch: (c: Record<string, any>) => void = () => undefined): AzureAdTokenPolicy {
  const json = synthApp(withDefaults(patch)).json[stack] as Record<string, any>;
  const policy = Object.values(json.resource.azurerm_api_management_api_policy)[0] as { xml_content: string };
  return parseValidateAzureAdToken(policy.xml_content);
}

/** The Terraform expression inside a policy value like `api://${azuread_application.X.client_id}`. */
function reference(value: string): string {
  const match = /\$\{([^}]+)\}/.exec(value);
  if (!match) throw new Error(`no reference in ${value}`);
  return match[1];
}

/** What Terraform would resolve the policy's references to, for a deployment in `tenant`. */
function bindingsFor(policy: AzureAdTokenPolicy, tenant: string): Record<string, string> {
  return {
    [reference(policy.tenantId)]: tenant,
    [reference(policy.audiences[0])]: API_CLIENT_ID,
    [reference(policy.clientApplicationIds[0])]: CALLER_CLIENT_ID,
  };
}

/** Claims of an app-only access token as Entra issues them (Microsoft identity platform claims reference). */
function appOnlyClaims(version: TokenVersion, tenant: string, aud: string, clientId: string): TokenClaims {
  const common = { aud, iss: issuerFor(version, tenant), iat: NOW - 100, nbf: NOW - 100, exp: NOW + 3500, oid: CALLER_OBJECT_ID, sub: CALLER_OBJECT_ID, tid: tenant, roles: ['LogicApps.Invoke'] };
  return version === 1
    ? { ...common, appid: clientId, appidacr: '2', idp: issuerFor(1, tenant), ver: '1.0' }
    : { ...common, azp: clientId, azpacr: '2', idtyp: 'app', ver: '2.0' };
}

/** Mints, verifies and decodes, as the gateway does before checking claims. */
async function presented(claims: TokenClaims): Promise<TokenClaims> {
  const jwt = await new SignJWT({ ...claims } as Record<string, unknown>).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' }).sign(keys.privateKey);
  await jwtVerify(jwt, keys.publicKey, { currentDate: new Date(NOW * 1000) });
  return decodeJwt(jwt);
}

describe('apim-managed-identity policy (token v1, same tenant)', () => {
  let policy: AzureAdTokenPolicy;
  let bindings: Record<string, string>;
  const AUD = `api://${API_CLIENT_ID}`;
  beforeAll(() => {
    policy = synthPolicy(APIM_MANAGED_IDENTITY_STACK);
    bindings = bindingsFor(policy, HOME_TENANT);
  });

  test('the parsed policy has the documented child order and pins one client', () => {
    const order = VALIDATE_AZURE_AD_TOKEN_ORDER.filter((name) => policy.childOrder.includes(name));
    expect(policy.childOrder).toEqual(order);
    expect(policy.clientApplicationIds).toHaveLength(1);
    expect(policy.failedValidationHttpCode).toBe(401);
  });

  test('a token from the pinned identity with the right audience and issuer passes', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, AUD, CALLER_CLIENT_ID));
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({ accepted: true, clientId: CALLER_CLIENT_ID });
  });

  test('wrong client id fails with WrongClientApplicationId (appid), expected vs actual', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, AUD, OTHER_CLIENT_ID));
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({
      accepted: false,
      status: 401,
      failures: [{ reason: 'WrongClientApplicationId', claim: 'appid', expected: [CALLER_CLIENT_ID], actual: OTHER_CLIENT_ID }],
    });
  });

  test('wrong tenant issuer fails with WrongTenantIssuer', async () => {
    const token = await presented(appOnlyClaims(1, API_TENANT, AUD, CALLER_CLIENT_ID));
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({
      accepted: false,
      status: 401,
      failures: [
        {
          reason: 'WrongTenantIssuer',
          claim: 'iss',
          expected: [`https://sts.windows.net/${HOME_TENANT}/`, `https://login.microsoftonline.com/${HOME_TENANT}/v2.0`],
          actual: `https://sts.windows.net/${API_TENANT}/`,
        },
      ],
    });
  });

  test('wrong audience fails with WrongAudience', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, 'https://management.azure.com/', CALLER_CLIENT_ID));
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({
      accepted: false,
      status: 401,
      failures: [{ reason: 'WrongAudience', claim: 'aud', expected: [AUD], actual: 'https://management.azure.com/' }],
    });
  });

  test('the client id alone is not an audience (v1 tokens carry exactly the requested string)', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, API_CLIENT_ID, CALLER_CLIENT_ID));
    const outcome = evaluateApimToken(policy, token, { bindings, now: NOW });
    expect(outcome.accepted).toBe(false);
    if (!outcome.accepted) expect(outcome.failures.map((f) => f.reason)).toEqual(['WrongAudience']);
  });

  test('a token without the app role fails with MissingRequiredClaim on roles', async () => {
    const { roles: _dropped, ...claims } = appOnlyClaims(1, HOME_TENANT, AUD, CALLER_CLIENT_ID) as Record<string, unknown>;
    const outcome = evaluateApimToken(policy, await presented(claims), { bindings, now: NOW });
    expect(outcome).toEqual({
      accepted: false,
      status: 401,
      failures: [{ reason: 'MissingRequiredClaim', claim: 'roles', expected: ['LogicApps.Invoke'], actual: undefined }],
    });
  });

  test('an expired token fails with TokenExpired', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, AUD, CALLER_CLIENT_ID));
    const outcome = evaluateApimToken(policy, token, { bindings, now: NOW + 7200 });
    expect(outcome.accepted).toBe(false);
    if (!outcome.accepted) expect(outcome.failures.map((f) => f.reason)).toEqual(['TokenExpired']);
  });

  test('every failing check is reported, each with its own reason', async () => {
    const token = await presented(appOnlyClaims(1, API_TENANT, 'https://management.azure.com/', OTHER_CLIENT_ID));
    const outcome = evaluateApimToken(policy, token, { bindings, now: NOW });
    expect(outcome.accepted).toBe(false);
    if (!outcome.accepted) expect(outcome.failures.map((f) => f.reason)).toEqual(['WrongTenantIssuer', 'WrongAudience', 'WrongClientApplicationId']);
  });

  test('unbound Terraform references are reported, never silently accepted', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, AUD, CALLER_CLIENT_ID));
    const outcome = evaluateApimToken(policy, token, { now: NOW });
    expect(outcome.accepted).toBe(false);
    if (!outcome.accepted) expect(new Set(outcome.failures.map((f) => f.reason))).toEqual(new Set(['UnresolvedPolicyValue']));
  });
});

describe('apim-managed-identity policy with token version 2', () => {
  let policy: AzureAdTokenPolicy;
  let bindings: Record<string, string>;
  beforeAll(() => {
    policy = synthPolicy(APIM_MANAGED_IDENTITY_STACK, (c) => (c.apimManagedIdentity.tokenVersion = 2));
    bindings = bindingsFor(policy, HOME_TENANT);
  });

  test('a v2 token (aud = client id, azp = caller, v2 issuer) from the pinned identity passes', async () => {
    const token = await presented(appOnlyClaims(2, HOME_TENANT, API_CLIENT_ID, CALLER_CLIENT_ID));
    expect(token.appid).toBeUndefined();
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({ accepted: true, clientId: CALLER_CLIENT_ID });
  });

  test('a v2 token from another client fails on azp', async () => {
    const token = await presented(appOnlyClaims(2, HOME_TENANT, API_CLIENT_ID, OTHER_CLIENT_ID));
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({
      accepted: false,
      status: 401,
      failures: [{ reason: 'WrongClientApplicationId', claim: 'azp', expected: [CALLER_CLIENT_ID], actual: OTHER_CLIENT_ID }],
    });
  });
});

describe('apim-cross-tenant policy', () => {
  let policy: AzureAdTokenPolicy;
  let bindings: Record<string, string>;
  const AUD = `api://${API_CLIENT_ID}`;
  beforeAll(() => {
    policy = synthPolicy(APIM_CROSS_TENANT_STACK, (c) => (c.apimCrossTenant.apiTenantId = API_TENANT));
    // The tenant-id reference is the aliased provider's client config: Terraform resolves it to the API tenant.
    bindings = bindingsFor(policy, API_TENANT);
  });

  test('pins the client app (not a managed identity lookup)', () => {
    expect(policy.clientApplicationIds).toEqual(['${azuread_application.Client_4A7F64DF.client_id}']);
  });

  test('a token the API tenant issues to the certificate client passes', async () => {
    const token = await presented(appOnlyClaims(1, API_TENANT, AUD, CALLER_CLIENT_ID));
    expect(evaluateApimToken(policy, token, { bindings, now: NOW })).toEqual({ accepted: true, clientId: CALLER_CLIENT_ID });
  });

  test('a managed-identity token from the Logic App\'s home tenant fails: wrong tenant issuer and wrong client id', async () => {
    const token = await presented(appOnlyClaims(1, HOME_TENANT, AUD, OTHER_CLIENT_ID));
    const outcome = evaluateApimToken(policy, token, { bindings, now: NOW });
    expect(outcome.accepted).toBe(false);
    if (!outcome.accepted) {
      expect(outcome.failures).toEqual([
        expect.objectContaining({ reason: 'WrongTenantIssuer', actual: `https://sts.windows.net/${HOME_TENANT}/` }),
        expect.objectContaining({ reason: 'WrongClientApplicationId', expected: [CALLER_CLIENT_ID], actual: OTHER_CLIENT_ID }),
      ]);
    }
  });

  test('a token signed with another key is rejected before any claim check', async () => {
    const other = await tenantKeys('other-tenant');
    const jwt = await new SignJWT({ ...appOnlyClaims(1, API_TENANT, AUD, CALLER_CLIENT_ID) } as Record<string, unknown>)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(other.privateKey);
    await expect(jwtVerify(jwt, keys.publicKey, { currentDate: new Date(NOW * 1000) })).rejects.toThrow(/signature/);
  });
});

describe('parseValidateAzureAdToken', () => {
  test('reads attributes, lists and required claims from a hand-written policy', () => {
    const xml = `<policies><inbound><base /><validate-azure-ad-token tenant-id="t1" failed-validation-httpcode="403">
      <client-application-ids><application-id>c1</application-id><application-id>c2</application-id></client-application-ids>
      <audiences><audience>a1</audience></audiences>
      <required-claims><claim name="roles" match="all"><value>r1</value><value>r2</value></claim></required-claims>
    </validate-azure-ad-token></inbound></policies>`;
    expect(parseValidateAzureAdToken(xml)).toEqual({
      tenantId: 't1',
      failedValidationHttpCode: 403,
      clientApplicationIds: ['c1', 'c2'],
      backendApplicationIds: [],
      audiences: ['a1'],
      requiredClaims: [{ name: 'roles', match: 'all', values: ['r1', 'r2'] }],
      childOrder: ['client-application-ids', 'audiences', 'required-claims'],
    });
  });

  test('match="all" needs every value', () => {
    const policy = parseValidateAzureAdToken(
      '<validate-azure-ad-token tenant-id="t"><required-claims><claim name="roles" match="all"><value>r1</value><value>r2</value></claim></required-claims></validate-azure-ad-token>',
    );
    const outcome = evaluateApimToken(policy, { iss: issuerFor(1, 't'), aud: 'x', appid: 'c', roles: ['r1'] });
    expect(outcome.accepted).toBe(false);
    if (!outcome.accepted) expect(outcome.failures).toEqual([{ reason: 'MissingRequiredClaim', claim: 'roles', expected: ['r1', 'r2'], actual: '["r1"]' }]);
  });

  test('a policy without validate-azure-ad-token is an error naming the fix', () => {
    expect(() => parseValidateAzureAdToken('<policies><inbound><base /></inbound></policies>')).toThrow(
      'expected one validate-azure-ad-token element, found 0; the API policy must validate Entra tokens',
    );
  });
});
