// Secrets and state: nothing secret in any synthesized stack (cdk.tf.json is committed to CI logs,
// plan files and state), and every output that could carry a secret is sensitive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../config/default';
import { isSecretAttribute } from '../rules/helpers';
import { referencesIn, TfJson } from '../model/stack-model';
import { withDefaults } from './support/config';
import { synthApp } from './support/synth';

const PRODUCTION = join(__dirname, '..', 'config', 'examples', 'production.json');
const CONFIGS: Array<[string, unknown]> = [
  ['default', DEFAULT_CONFIG],
  ['token v2, several senders', withDefaults((c) => {
    c.logicAppsOauth.tokenVersion = 2;
    c.apimManagedIdentity.tokenVersion = 2;
    c.apimCrossTenant.tokenVersion = 2;
    c.logicAppsOauth.workflows = [{ name: 'orders' }, { name: 'billing' }, { name: 'intruder' }];
    c.logicAppsOauth.calls = [{ from: 'billing', to: 'orders' }, { from: 'intruder', to: 'orders', allowed: false }];
  })],
  // A missing example file fails here (readFileSync throws); it is never skipped.
  ['config/examples/production.json', JSON.parse(readFileSync(PRODUCTION, 'utf8'))],
];

const SECRET_MATERIAL: Array<[RegExp, string]> = [
  [/sig=/, 'a SAS signature'],
  [/callback_url/, 'a trigger callback URL (the full SAS URL)'],
  [/-----BEGIN/, 'PEM material'],
  [/\bMII[A-Za-z0-9+/=]{40,}/, 'base64 DER/PFX material'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ/, 'a JWT'],
  [/(AccountKey|SharedAccessKey|sv=\d{4}-\d\d-\d\d&.*sig)=/, 'an account or SAS key'],
];
const SECRET_KEY = /^(password|client_secret|clientSecret|secret|private_key|private_key_pem|pfx|value_wo|sas)$/i;
const SECRET_RESOURCE_TYPES = ['azuread_application_password', 'azuread_service_principal_password', 'azurerm_key_vault_secret', 'tls_private_key', 'random_password'];

/** Keys with a literal, non-empty value, in the JSON and inside workflow bodies (JSON strings). */
function literalSecretKeys(value: unknown, path: string, out: string[]): void {
  if (typeof value === 'string') {
    if (/^\s*[[{]/.test(value)) {
      try {
        literalSecretKeys(JSON.parse(value), `${path}(json)`, out);
      } catch {
        /* not JSON */
      }
    }
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const here = `${path}.${key}`;
    if (SECRET_KEY.test(key) && typeof v === 'string' && v !== '' && !v.startsWith('@') && !/^\$\{[^}]+\}$/.test(v)) out.push(`${here} = ${v.slice(0, 20)}`);
    literalSecretKeys(v, here, out);
  }
}

describe.each(CONFIGS)('%s', (_label, raw) => {
  let stacks: Map<string, TfJson>;
  beforeAll(() => {
    stacks = new Map(Object.entries(synthApp(raw).json));
  });

  test('every stack the config asks for is synthesized', () => {
    const asked = ['logicAppsOauth', 'apimManagedIdentity', 'apimCrossTenant'].filter((s) => (raw as Record<string, unknown>)[s] !== undefined);
    expect(stacks.size).toBe(asked.length);
  });

  test('no SAS signature, callback URL, key, PFX or token material in any stack', () => {
    for (const [name, json] of stacks) {
      const text = JSON.stringify(json);
      for (const [re, what] of SECRET_MATERIAL) {
        if (re.test(text)) throw new Error(`stack ${name} contains ${what} (${re})`);
      }
    }
  });

  test('no password or client secret: no secret resources, no literal secret values', () => {
    for (const [name, json] of stacks) {
      for (const type of SECRET_RESOURCE_TYPES) expect([name, type, json.resource?.[type]]).toEqual([name, type, undefined]);
      const found: string[] = [];
      literalSecretKeys(json, name, found);
      expect(found).toEqual([]);
    }
  });

  test('outputs that could carry a secret are sensitive', () => {
    for (const [name, json] of stacks) {
      for (const [outputName, output] of Object.entries(json.output ?? {})) {
        const refs = referencesIn(JSON.stringify(output.value ?? ''));
        const secret = refs.find((ref) => isSecretAttribute(ref.address, ref.attribute));
        if (secret && output.sensitive !== true) throw new Error(`${name} output "${outputName}" carries \${${secret.expression}} and is not sensitive`);
      }
    }
  });
});

test('the secret detector itself catches what it must (so the checks above are not vacuous)', () => {
  const found: string[] = [];
  literalSecretKeys({ a: { body: JSON.stringify({ inputs: { authentication: { password: 'hunter2', pfx: "@body('x')" } } }) }, client_secret: 'abc' }, 's', found);
  expect(found).toEqual(['s.a.body(json).inputs.authentication.password = hunter2', 's.client_secret = abc']);
  expect(isSecretAttribute('azurerm_logic_app_trigger_http_request.t', 'callback_url')).toBe(true);
  expect(isSecretAttribute('azurerm_key_vault_secret.s', 'value')).toBe(true);
  expect(isSecretAttribute('azuread_application.a', 'client_id')).toBe(false);
});
