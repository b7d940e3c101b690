// The call graph as synthesized: one workflow per declared workflow, one action per call, each target
// admitting exactly its allowed callers; and an earlier-format file gives the same Terraform JSON.
import { readFileSync } from 'node:fs';
import { LOGIC_APPS_OAUTH_STACK } from '../stacks/logic-apps-oauth-stack';
import { renderReport } from '../tools/report/render';
import { EXAMPLE_GRAPH } from './support/config';
import { synthApp } from './support/synth';

const GRAPH = { namePrefix: 'contoso', logicAppsOauth: EXAMPLE_GRAPH };

type Resources = Record<string, Record<string, any>>;
const output = synthApp(GRAPH);
const resources = output.json[LOGIC_APPS_OAUTH_STACK].resource as Resources;
const ids = (type: string) => Object.keys(resources[type] ?? {}).map((id) => id.replace(/_[0-9A-F]{8}$/, '')).sort();
const byPrefix = (type: string, prefix: string) => Object.entries(resources[type]).find(([id]) => id.startsWith(`${prefix}_`))![1];
const address = (type: string, prefix: string) => `${type}.${Object.keys(resources[type]).find((id) => id.startsWith(`${prefix}_`))}`;

test('only the scenario asked for is built', () => {
  expect(Object.keys(output.json)).toEqual([LOGIC_APPS_OAUTH_STACK]);
});

test('one workflow per declared workflow (a caller of several targets is one identity)', () => {
  expect(ids('azurerm_logic_app_workflow')).toEqual(['Receiver-invoices', 'Receiver-orders', 'Sender-crm', 'Sender-intruder', 'Sender-shop']);
});

test('a caller holds one action per target: receivers and APIs', () => {
  const calls = ids('azurerm_logic_app_action_custom').filter((id) => id.startsWith('Sender-'));
  // Action ids and names are numbered per caller (Call-<n> / Call_<n>), never derived from target names.
  expect(calls).toEqual([
    'Sender-crm_Call-1',
    'Sender-crm_Call-2',
    'Sender-intruder_Call-1',
    'Sender-shop_Call-1',
    'Sender-shop_Call-2',
    'Sender-shop_Call-3',
    'Sender-shop_Call-4',
  ]);
  const targets = (sender: string) =>
    Object.entries(resources.azurerm_logic_app_action_custom)
      .filter(([id]) => id.startsWith(`Sender-${sender}_Call-`))
      .map(([, a]) => JSON.parse(a.body).inputs.uri as string)
      .map((uri) => /azurerm_logic_app_workflow\.Receiver-([a-z]+)_|\/(stock|prices)(?:\/v2)?\/invoke$/.exec(uri)!.slice(1).find(Boolean))
      .sort();
  expect(targets('shop')).toEqual(['invoices', 'orders', 'prices', 'stock']);
  expect(targets('crm')).toEqual(['orders', 'stock']);
});

test('Call_<n> counts the caller\'s edges in the order of calls, not the order of workflows or apis', () => {
  // invoices and prices are declared after orders and stock, but shop calls them first.
  const { json } = synthApp({
    namePrefix: 'contoso',
    logicAppsOauth: {
      workflows: [{ name: 'orders' }, { name: 'invoices' }, { name: 'shop' }],
      calls: [
        { from: 'shop', to: 'invoices' },
        { from: 'shop', to: 'prices' },
        { from: 'shop', to: 'orders' },
        { from: 'shop', to: 'stock' },
      ],
      apis: [{ name: 'stock' }, { name: 'prices' }],
      apiManagement: { publisherName: 'Contoso', publisherEmail: 'platform-team@contoso.com' },
    },
  });
  const actions = Object.values((json[LOGIC_APPS_OAUTH_STACK].resource as Resources).azurerm_logic_app_action_custom);
  const target = (name: string) => {
    const uri = JSON.parse(actions.find((a) => a.name === name)!.body).inputs.uri as string;
    return /azurerm_logic_app_workflow\.Receiver-([a-z]+)_|\/(stock|prices)\/invoke$/.exec(uri)!.slice(1).find(Boolean);
  };
  expect(['Call_1', 'Call_2', 'Call_3', 'Call_4'].map(target)).toEqual(['invoices', 'prices', 'orders', 'stock']);
});

test('each receiver pins exactly its allowed callers (by oid), in call order', () => {
  const pinned = (receiver: string) => {
    const workflow = byPrefix('azurerm_logic_app_workflow', `Receiver-${receiver}`);
    return workflow.access_control.trigger.open_authentication_policy.map((p: any) => [
      p.name,
      p.claim.find((c: any) => c.name === 'oid').value,
    ]);
  };
  const oid = (caller: string) => `\${${address('azurerm_logic_app_workflow', `Sender-${caller}`)}.identity[0].principal_id}`;
  expect(pinned('orders')).toEqual([
    ['allow-contoso-shop', oid('shop')],
    ['allow-contoso-crm', oid('crm')],
  ]);
  expect(pinned('invoices')).toEqual([['allow-contoso-shop', oid('shop')]]);
});

test('each API admits exactly its allowed callers; a refused call is neither pinned nor granted', () => {
  const admitted = (api: string) =>
    [...byPrefix('azurerm_api_management_api_policy', `Api-${api}_Policy`).xml_content.matchAll(/<application-id>\$\{data\.azuread_service_principal\.Api-[a-z]+_Caller-(Sender-[a-z]+)_/g)].map(
      (m) => m[1],
    );
  expect(admitted('stock')).toEqual(['Sender-shop']);
  expect(admitted('prices')).toEqual(['Sender-shop']);
  expect(ids('azuread_app_role_assignment')).toEqual([
    'ApiAudience-prices_Grant-Sender-shop',
    'ApiAudience-stock_Grant-Sender-shop',
    'Audience_Grant-Sender-crm',
    'Audience_Grant-Sender-shop',
  ]);
  expect(byPrefix('azurerm_api_management_api', 'Api-prices').path).toBe('prices/v2');
  expect(byPrefix('azurerm_api_management', 'ApiManagement')).toMatchObject({ name: 'contoso-apim', publisher_email: 'platform-team@contoso.com' });
});

test('an earlier-format file synthesizes the same Terraform JSON as its call graph', () => {
  const earlier = synthApp({
    namePrefix: 'contoso',
    logicAppsOauth: {
      receivers: [
        { name: 'orders', senders: [{ name: 'shop' }, { name: 'crm' }, { name: 'intruder', allowed: false }] },
        { name: 'invoices', senders: [{ name: 'shop' }] },
      ],
    },
  });
  const graph = synthApp({
    namePrefix: 'contoso',
    logicAppsOauth: {
      wrongAudienceProbe: true,
      workflows: [{ name: 'orders', extraTriggerIpRanges: [] }, { name: 'shop' }, { name: 'crm' }, { name: 'intruder' }, { name: 'invoices', extraTriggerIpRanges: [] }],
      calls: [
        { from: 'shop', to: 'orders' },
        { from: 'crm', to: 'orders' },
        { from: 'intruder', to: 'orders', allowed: false },
        { from: 'shop', to: 'invoices' },
      ],
    },
  });
  expect(earlier.files).toEqual(graph.files);
});

test('the production example: its report shows the small graph, every call accepted, nothing to fix', () => {
  const raw = JSON.parse(readFileSync('config/examples/production.json', 'utf8'));
  const { json } = synthApp(raw);
  const report = renderReport(Object.entries(json).map(([name, stack]) => ({ name, json: stack })), { rules: null });
  expect(report).toContain('2 receiver(s), 1 API(s), 4 call(s) between them.');
  expect(report).toContain('Nothing needs attention.');
  const edges = report.split('\n').filter((line) => / -[-.]+>\|/.test(line));
  expect(edges.map((line) => line.replace(/s0n\d+/g, 'n').trim())).toEqual([
    'n -->|"accepted: policy allow-contoso-prd-crm-sync"| n',
    'n -->|"accepted: API policy validate-azure-ad-token"| n',
    'n -->|"accepted: policy allow-contoso-prd-shop-checkout"| n',
    'n -->|"accepted: policy allow-contoso-prd-shop-checkout"| n',
  ]);
});

test('a receiver that calls onward: its own actions and grants, pinned by its targets, its trigger created after both', () => {
  const relay = synthApp({
    namePrefix: 'contoso',
    logicAppsOauth: {
      workflows: [{ name: 'orders' }, { name: 'shop' }, { name: 'billing' }],
      calls: [
        { from: 'shop', to: 'orders' },
        { from: 'orders', to: 'billing' },
        { from: 'orders', to: 'stock' },
      ],
      apis: [{ name: 'stock' }],
      apiManagement: EXAMPLE_GRAPH.apiManagement,
    },
  });
  const json = relay.json[LOGIC_APPS_OAUTH_STACK];
  const res = json.resource as Resources;
  const find = (type: string, prefix: string) => Object.entries(res[type]).find(([id]) => id.startsWith(`${prefix}_`))!;
  const addr = (type: string, prefix: string) => `${type}.${find(type, prefix)[0]}`;
  expect(Object.keys(res.azurerm_logic_app_workflow).map((id) => id.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(['Receiver-billing', 'Receiver-orders', 'Sender-shop']);
  const call = (n: number) => JSON.parse(find('azurerm_logic_app_action_custom', `Receiver-orders_Call-${n}`)[1].body);
  expect(call(1).inputs.uri).toContain(addr('azurerm_logic_app_workflow', 'Receiver-billing'));
  expect(call(2).inputs.uri).toMatch(/\/stock\/invoke$/);
  for (const n of [1, 2]) {
    expect(call(n).inputs.authentication.type).toBe('ManagedServiceIdentity');
    expect(call(n).runtimeConfiguration).toEqual({ secureData: { properties: ['inputs', 'outputs'] } });
  }
  const oid = `\${${addr('azurerm_logic_app_workflow', 'Receiver-orders')}.identity[0].principal_id}`;
  const billing = find('azurerm_logic_app_workflow', 'Receiver-billing')[1];
  expect(billing.access_control.trigger.open_authentication_policy.map((p: any) => p.claim.find((c: any) => c.name === 'oid').value)).toEqual([oid]);
  expect(Object.keys(res.azuread_app_role_assignment).map((id) => id.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
    'ApiAudience-stock_Grant-Receiver-orders',
    'Audience_Grant-Receiver-orders',
    'Audience_Grant-Sender-shop',
  ]);
  // The Request trigger comes after the onward actions and the wait after the grants; callers' actions after the trigger.
  expect(find('azurerm_logic_app_trigger_custom', 'Receiver-orders_Trigger')[1].depends_on).toEqual([
    addr('azurerm_logic_app_action_custom', 'Receiver-orders_Call-1'),
    addr('azurerm_logic_app_action_custom', 'Receiver-orders_Call-2'),
    addr('time_sleep', 'Receiver-orders_GrantsPropagated'),
  ]);
  expect(find('time_sleep', 'Receiver-orders_GrantsPropagated')[1].depends_on.sort()).toEqual(
    [addr('azuread_app_role_assignment', 'ApiAudience-stock_Grant-Receiver-orders'), addr('azuread_app_role_assignment', 'Audience_Grant-Receiver-orders')].sort(),
  );
  expect(find('azurerm_logic_app_action_custom', 'Sender-shop_Call-1')[1].depends_on).toContain(addr('azurerm_logic_app_trigger_custom', 'Receiver-orders_Trigger'));
  // A receiver that does not call onward is unchanged: its trigger depends on nothing.
  expect(find('azurerm_logic_app_trigger_custom', 'Receiver-billing_Trigger')[1].depends_on).toBeUndefined();
  const report = renderReport([{ name: LOGIC_APPS_OAUTH_STACK, json }], { rules: null });
  expect(report).toContain('2 receiver(s), 1 API(s), 3 call(s) between them.');
  expect(report).toContain('Nothing needs attention.');
  expect(report.split('\n').filter((line) => / -[-.]+>\|/.test(line)).map((line) => line.replace(/s0n\d+/g, 'n').trim())).toEqual([
    'n -->|"accepted: policy allow-contoso-orders"| n',
    'n -->|"accepted: API policy validate-azure-ad-token"| n',
    'n -->|"accepted: policy allow-contoso-shop"| n',
  ]);
});
