// Terraform addresses are a contract: renaming a construct id renames the address, and Terraform then
// destroys the resource and creates a new one. For a workflow that is a new managed identity, so every
// policy, app-role assignment and API policy pinned to the old identity stops admitting it. This test
// compares every resource address of the default config with the committed manifest in
// __tests__/addresses/<stack>.txt; `protect` (prevent_destroy) is the second line of defence at apply.
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load';
import { DEFAULT_CONFIG } from '../config/default';
import { TfJson } from '../model/stack-model';
import { ownValues, withDefaults } from './support/config';
import { synthApp } from './support/synth';

const DIR = join(__dirname, 'addresses');
const UPDATE = process.env.UPDATE_ADDRESSES === '1';

// A Logic Apps action or trigger is also replaced when its `name` changes (ForceNew), so the manifest
// records that name too.
const COMPONENT = /^azurerm_logic_app_(action|trigger)_/;

function addresses(json: TfJson): string[] {
  return Object.entries(json.resource ?? {})
    .flatMap(([type, items]) =>
      Object.entries(items).map(([id, config]) =>
        COMPONENT.test(type) ? `${type}.${id} name=${(config as { name: string }).name}` : `${type}.${id}`,
      ),
    )
    .sort();
}

function synth(raw: unknown): Map<string, TfJson> {
  return new Map(Object.entries(synthApp(raw).json));
}

const stacks = synth(DEFAULT_CONFIG);

describe('address manifest (default config)', () => {
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    for (const file of readdirSync(DIR)) if (file.endsWith('.txt') && !stacks.has(file.replace(/\.txt$/, ''))) unlinkSync(join(DIR, file));
    for (const [name, json] of stacks) writeFileSync(join(DIR, `${name}.txt`), `${addresses(json).join('\n')}\n`);
  }

  test('every synthesized stack has a manifest, and every manifest a stack', () => {
    const manifests = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.txt')) : [];
    expect(manifests.map((f) => f.replace(/\.txt$/, '')).sort()).toEqual([...stacks.keys()].sort());
  });

  test.each([...stacks.keys()])('%s: resource addresses are unchanged', (name) => {
    const file = join(DIR, `${name}.txt`);
    const expected = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    const actual = addresses(stacks.get(name)!);
    const removed = expected.filter((a) => !actual.includes(a));
    const added = actual.filter((a) => !expected.includes(a));
    if (removed.length || added.length) {
      throw new Error(
        [
          `Terraform addresses of stack "${name}" changed (__tests__/addresses/${name}.txt).`,
          ...removed.map((a) => `  - ${a}`),
          ...added.map((a) => `  + ${a}`),
          'A renamed construct id renames the address: terraform destroys the old resource and creates a new one.',
          'For a workflow or app registration that is a NEW identity, and every policy, app-role assignment or API',
          'policy pinned to the old one breaks (MisMatchingOAuthClaims / 401) until it is re-pinned.',
          'For a workflow action or trigger (a changed address or name=), azurerm deletes the old one by rewriting the',
          'whole live workflow WITHOUT its identity block (logic_apps.go resourceLogicAppComponentRemove), which risks a',
          'new principal id for the workflow: the same breakage. Action and trigger names must never derive from names',
          'users change (docs/deploy.md, "Renames").',
          'If you renamed an id by accident, restore it. If the change is deliberate (new resource, or a planned',
          'replacement, or a rename with a `moved` block / resource.moveFromId), update the manifest and review it:',
          '  UPDATE_ADDRESSES=1 npx jest __tests__/addresses && git diff __tests__/addresses',
        ].join('\n'),
      );
    }
  });
});

describe('protect', () => {
  const protectedResources = (raw: unknown) =>
    [...synth(raw)].flatMap(([name, json]) =>
      Object.entries(json.resource ?? {}).flatMap(([type, items]) =>
        Object.entries(items)
          .filter(([, config]) => (config as any).lifecycle?.prevent_destroy === true)
          .map(([id]) => `${name} ${type}.${id}`),
      ),
    );

  test('off (the demo default): nothing is protected', () => {
    expect(parseConfig(DEFAULT_CONFIG).protect).toBe(false);
    expect(protectedResources(DEFAULT_CONFIG)).toEqual([]);
  });

  test('on: app registrations, enterprise applications, Key Vault and pinned workflows of every stack', () => {
    const found = protectedResources(withDefaults((c) => (ownValues(c), (c.protect = true))));
    const byType = (stack: string) => found.filter((f) => f.startsWith(`${stack} `)).map((f) => f.split(' ')[1].split('.')[0]).sort();
    expect(byType('logic-apps-oauth')).toEqual(['azuread_application', 'azuread_service_principal', 'azurerm_logic_app_workflow', 'azurerm_logic_app_workflow']);
    expect(byType('apim-managed-identity')).toEqual(['azuread_application', 'azuread_service_principal', 'azurerm_logic_app_workflow']);
    expect(byType('apim-cross-tenant')).toEqual([
      'azuread_application',
      'azuread_application',
      'azuread_service_principal',
      'azuread_service_principal',
      'azurerm_key_vault',
      'azurerm_logic_app_workflow',
    ]);
    // The workflows protected are exactly the pinned ones: the allowed sender, not the probe.
    expect(found.filter((f) => f.includes('azurerm_logic_app_workflow.Probe'))).toEqual([]);
  });

  test('config/examples/production.json turns it on, and every app registration and pinned workflow is protected', () => {
    const file = join(__dirname, '..', 'config', 'examples', 'production.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    expect(parseConfig(raw).protect).toBe(true);
    const json = synth(raw);
    const found = protectedResources(raw);
    for (const [name, stack] of json) {
      for (const type of ['azuread_application', 'azurerm_key_vault']) {
        for (const id of Object.keys(stack.resource?.[type] ?? {})) expect(found).toContain(`${name} ${type}.${id}`);
      }
      // Workflows whose identity is pinned somewhere (policy oid, app-role assignment, role assignment).
      const text = JSON.stringify(stack.resource ?? {});
      for (const id of Object.keys(stack.resource?.azurerm_logic_app_workflow ?? {})) {
        const ref = `azurerm_logic_app_workflow.${id}.identity[0].principal_id`;
        const pinned = text.split(ref).length - 1 > 0;
        if (pinned) expect(found).toContain(`${name} azurerm_logic_app_workflow.${id}`);
      }
    }
  });
});
