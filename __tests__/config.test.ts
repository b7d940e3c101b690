import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../config/load';
import { DEFAULT_CONFIG } from '../config/default';
import { configJsonSchemaText, JSON_SCHEMA_FILE } from '../config/json-schema';
import { ipRangeProblem } from '../domain/ip-range';
import { EXAMPLE_GRAPH, ownValues, withDefaults } from './support/config';
import { callGraph } from '../config/graph';
import { administratorWarnings } from '../config/administrators';
import { ConfigSchema, LogicAppsOauthSchema } from '../config/schema';
import { runSynth } from '../run-synth';
import { runInProcess } from './support/in-process';

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

/** The default config with its logic-apps-oauth graph replaced. */
const graph = (workflows: unknown[], calls: unknown[] = [], more: Record<string, unknown> = {}) =>
  withDefaults((c) => Object.assign(c.logicAppsOauth, { workflows, calls, ...more }));
const names = (...ns: string[]) => ns.map((name) => ({ name }));
const GATEWAY = { publisherName: 'Contoso', publisherEmail: 'platform-team@contoso.com' };

describe('configuration errors: one line naming the field, the value and the fix', () => {
  test.each<[string, unknown, RegExp]>([
    [
      'workflow name outside the provider pattern',
      graph(names('my receiver!')),
      /^config error: logicAppsOauth\.workflows\[0\]\.name = "my receiver!": .*\^\[-\(\)_\.A-Za-z0-9\]\{1,80\}\$.*use 1-80 letters/,
    ],
    [
      'workflow name over 80 characters once prefixed',
      graph([{ name: 'r'.repeat(80), extraTriggerIpRanges: ['10.0.0.0/8'] }]),
      /^config error: logicAppsOauth\.workflows\[0\]\.name = "r+\.\.\.: workflow name "la-oauth-r+" is 89 characters; the limit is 80: shorten the name or namePrefix/,
    ],
    [
      'a bare IP suggests /32',
      graph([{ name: 'r', extraTriggerIpRanges: ['203.0.113.7'] }]),
      /^config error: logicAppsOauth\.workflows\[0\]\.extraTriggerIpRanges\[0\] = "203\.0\.113\.7": .*write "203\.0\.113\.7\/32"$/,
    ],
    [
      'an IP range that is neither CIDR nor a-b',
      withDefaults((c) => (c.logicAppsOauth.runHistoryIpRanges = ['10.0.0.0/33'])),
      /^config error: logicAppsOauth\.runHistoryIpRanges\[0\] = "10\.0\.0\.0\/33": not an IP range: the prefix length "\/33" must be a whole number from 0 to 32 for an IPv4 address$/,
    ],
    [
      'a reversed a-b range',
      graph([{ name: 'r', extraTriggerIpRanges: ['10.0.0.9-10.0.0.1'] }]),
      /= "10\.0\.0\.9-10\.0\.0\.1": not an IP range: the range start must not be above its end; write "10\.0\.0\.1-10\.0\.0\.9"$/,
    ],
    [
      'a workflow declared twice',
      graph(names('a', 'x', 'x'), [{ from: 'x', to: 'a' }]),
      /^config error: logicAppsOauth\.workflows\[2\]\.name = "x": duplicate workflow name "la-oauth-x" \(also at logicAppsOauth\.workflows\[1\]\.name\); declare each workflow once/,
    ],
    [
      'a workflow named like the probe of a receiver',
      graph(names('a', 'a-naughty'), [{ from: 'a-naughty', to: 'a' }]),
      /^config error: logicAppsOauth\.workflows\[0\]\.name = "a": duplicate workflow name "la-oauth-a-naughty"/,
    ],
    [
      'a call from an undeclared workflow',
      graph(names('orders'), [{ from: 'shop', to: 'orders' }]),
      /^config error: logicAppsOauth\.calls\[0\]\.from = "shop": no workflow named "shop"; declare it in logicAppsOauth\.workflows \(declared: orders\)$/,
    ],
    [
      'a call to an undeclared target',
      graph(names('orders', 'shop'), [{ from: 'shop', to: 'orders' }, { from: 'shop', to: 'invoices' }]),
      /^config error: logicAppsOauth\.calls\[1\]\.to = "invoices": no workflow or API named "invoices"; declare it in logicAppsOauth\.workflows or logicAppsOauth\.apis \(declared: orders, shop\)$/,
    ],
    [
      'a call from an API',
      graph(names('orders', 'shop'), [{ from: 'shop', to: 'stock' }, { from: 'stock', to: 'orders' }], { apis: [{ name: 'stock' }], apiManagement: GATEWAY }),
      /^config error: logicAppsOauth\.calls\[1\]\.from = "stock": "stock" is an API; only workflows call: put a workflow in from$/,
    ],
    [
      'a workflow calling itself',
      graph(names('a'), [{ from: 'a', to: 'a' }]),
      /^config error: logicAppsOauth\.calls\[0\]\.from = "a": workflow "a" calls itself; a call goes to another workflow or an API$/,
    ],
    [
      'the same call twice (one action per target)',
      graph(names('orders', 'shop'), [{ from: 'shop', to: 'orders' }, { from: 'shop', to: 'orders', allowed: false }]),
      /^config error: logicAppsOauth\.calls\[1\] = \{.*\}: a second call shop -> orders \(also at logicAppsOauth\.calls\[0\]\); a caller holds one action per target: remove one$/,
    ],
    [
      'two receivers calling each other',
      graph(names('shop', 'a', 'b'), [{ from: 'shop', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'a' }]),
      /^config error: logicAppsOauth\.calls\[2\] = \{"from":"b","to":"a"\}: the calls a -> b -> a form a loop: a receiver that calls onward is created after its targets' triggers, and Terraform cannot order a loop \(nor should runs call each other forever\); remove one of these calls$/,
    ],
    [
      'a longer loop, also through a refused call',
      graph(names('shop', 'a', 'b', 'c'), [{ from: 'shop', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a', allowed: false }]),
      /^config error: logicAppsOauth\.calls\[3\] = .*: the calls a -> b -> c -> a form a loop: /,
    ],
    [
      'a workflow on no call',
      graph(names('orders', 'shop', 'idle'), [{ from: 'shop', to: 'orders' }]),
      /^config error: logicAppsOauth\.workflows\[2\] = \{"name":"idle"\}: workflow "idle" is on no call; add a call from or to it in logicAppsOauth\.calls, or remove it$/,
    ],
    [
      'a receiver with six allowed callers: names the receiver and its callers',
      graph(names('orders', 's1', 's2', 's3', 's4', 's5', 's6'), [1, 2, 3, 4, 5, 6].map((i) => ({ from: `s${i}`, to: 'orders' }))),
      /^config error: logicAppsOauth\.workflows\[0\] = \{"name":"orders"\}: receiver "orders" allows 6 callers \(s1, s2, s3, s4, s5, s6\); Logic Apps allows 5 authorization policies per workflow: split the callers over more receivers$/,
    ],
    [
      'a receiver with callers but no allowed one and no IP range (empty trigger IP list)',
      graph(names('r', 's'), [{ from: 's', to: 'r', allowed: false }]),
      /^config error: logicAppsOauth\.workflows\[0\] = \{"name":"r"\}: receiver "r" allows no caller, so its trigger IP list would be empty .*: allow a caller or add extraTriggerIpRanges$/,
    ],
    [
      'apis without an API Management instance',
      graph(names('shop'), [{ from: 'shop', to: 'stock' }], { apis: [{ name: 'stock' }] }),
      /^config error: logicAppsOauth\.apiManagement: apis need an API Management instance: add apiManagement with publisherName and publisherEmail$/,
    ],
    [
      'an API Management instance without a publisher email',
      graph(names('shop'), [{ from: 'shop', to: 'stock' }], { apis: [{ name: 'stock' }], apiManagement: { publisherName: 'Contoso' } }),
      /^config error: logicAppsOauth\.apiManagement\.publisherEmail is required; add it \(string\)$/,
    ],
    [
      'an API without a caller',
      graph(names('orders', 'shop'), [{ from: 'shop', to: 'orders' }], { apis: [{ name: 'stock' }], apiManagement: GATEWAY }),
      /^config error: logicAppsOauth\.apis\[0\] = \{"name":"stock"\}: API "stock" has no caller; add a call to it in logicAppsOauth\.calls, or remove it$/,
    ],
    [
      'an API named like a workflow',
      graph(names('orders', 'shop'), [{ from: 'shop', to: 'orders' }], { apis: [{ name: 'orders' }], apiManagement: GATEWAY }),
      /^config error: logicAppsOauth\.apis\[0\]\.name = "orders": API "orders" has the name of a workflow, so calls cannot tell them apart; rename one$/,
    ],
    [
      'two APIs on one path',
      graph(names('shop'), [{ from: 'shop', to: 'a' }, { from: 'shop', to: 'b' }], { apis: [{ name: 'a', path: 'v1' }, { name: 'b', path: 'v1' }], apiManagement: GATEWAY }),
      /^config error: logicAppsOauth\.apis\[1\]\.path = "v1": path "v1" is also the path of API "a"; give each API its own path on the gateway$/,
    ],
    [
      'a claim value over 150 characters',
      withDefaults((c) => (c.logicAppsOauth.audience = { identifierUri: `api://${'x'.repeat(145)}` })),
      /^config error: logicAppsOauth\.audience\.identifierUri = "api:\/\/x+\.\.\.: a claim value is at most 150 characters .*InvalidOAuthClaimValue.*shorten the identifier URI/,
    ],
    [
      'unknown keys',
      withDefaults((c) => (c.logicAppsOauth.workflow = [])),
      /^config error: logicAppsOauth: unknown key "workflow"; remove it or use one of: tokenVersion, .*workflows, calls, apis, apiManagement$/,
    ],
    [
      'a string where the number 1 or 2 is expected',
      withDefaults((c) => (c.logicAppsOauth.tokenVersion = '2')),
      /^config error: logicAppsOauth\.tokenVersion = "2": expected number 1 or 2, got string; write 1 or 2$/,
    ],
    ['a number outside 1 or 2', withDefaults((c) => (c.apimManagedIdentity.tokenVersion = 3)), /^config error: apimManagedIdentity\.tokenVersion = 3: must be one of 1, 2$/],
    ['wrong types (boolean)', withDefaults((c) => (c.protect = 'yes')), /^config error: protect = "yes": expected boolean, got string; change the value's type$/],
    ['a quoted boolean', withDefaults((c) => (c.protect = 'True')), /^config error: protect = "True": expected boolean, got string; write true without quotes$/],
    [
      'a workflow given by its name alone',
      graph(['orders', { name: 'shop' }], [{ from: 'shop', to: 'orders' }]),
      /^config error: logicAppsOauth\.workflows\[0\] = "orders": expected object, got string; write \{"name": "orders"\}$/,
    ],
    [
      'a quoted number',
      withDefaults((c) => (c.logicAppsOauth.recurrence = { frequency: 'Hour', interval: ' 6' })),
      /^config error: logicAppsOauth\.recurrence\.interval = " 6": expected number, got string; write 6 without quotes$/,
    ],
    ['wrong types (array)', withDefaults((c) => (c.logicAppsOauth.calls = {})), /^config error: logicAppsOauth\.calls = \{\}: expected array, got object/],
    ['a missing required field', graph([{ extraTriggerIpRanges: [] }]), /^config error: logicAppsOauth\.workflows\[0\]\.name is required; add it \(string\)/],
    [
      'a section without workflows (an earlier file that relied on the demo receivers)',
      { logicAppsOauth: { tokenVersion: 2 } },
      /^config error: logicAppsOauth\.workflows is required: declare the workflows of your call graph and the calls between them \(the demo's "receive" and "send" are not implied\); see config\/examples\/production\.json$/,
    ],
    ['an invalid enum', withDefaults((c) => (c.logicAppsOauth.recurrence = { frequency: 'Daily' })), /= "Daily": must be one of "Second", "Minute", "Hour", "Day", "Week", "Month"/],
    ['a bad name prefix', withDefaults((c) => (c.namePrefix = 'LA_OAUTH')), /^config error: namePrefix = "LA_OAUTH": namePrefix is 2-20 lowercase/],
    ['an empty run-history list', withDefaults((c) => (c.logicAppsOauth.runHistoryIpRanges = [])), /runHistoryIpRanges = \[\]: .*use \["0\.0\.0\.0-0\.0\.0\.0"\] to block all reads/],
    [
      'a bad workspace id',
      withDefaults((c) => (c.logAnalyticsWorkspaceId = 'logs')),
      /^config error: logAnalyticsWorkspaceId = "logs": not a Log Analytics workspace id; copy the workspace's Resource ID \(\/subscriptions\/<subscription id>\/resourceGroups\/<group>\/providers\/Microsoft\.OperationalInsights\/workspaces\/<name>\), in exactly this case$/,
    ],
    [
      'no scenario asked for',
      { namePrefix: 'contoso' },
      /^config error: \(top level\) = \{"namePrefix":"contoso"\}: no scenario asked for, so there is nothing to build; add one or more of logicAppsOauth, apimManagedIdentity, apimCrossTenant \(or ciIdentities\)/,
    ],
    [
      'protect with the demo name prefix',
      withDefaults((c) => (c.protect = true)),
      /^config error: protect = true: protect would keep the embedded demo default's namePrefix "la-oauth" from being destroyed; set your own namePrefix in the override file, or leave protect off for the demo$/,
    ],
    [
      'protect with the demo publisher email',
      withDefaults((c) => ((c.protect = true), (c.namePrefix = 'contoso'))),
      /^config error: protect = true: .*apimManagedIdentity\.apiManagement\.publisherEmail "apim-admin@example\.com".*set your own apimManagedIdentity\.apiManagement\.publisherEmail/,
    ],
    [
      'protect with the example API tenant',
      withDefaults((c) => {
        c.protect = true;
        c.namePrefix = 'contoso';
        delete c.apimManagedIdentity;
        c.apimCrossTenant.apiManagement.publisherEmail = 'platform-team@contoso.com';
      }),
      /^config error: protect = true: .*apimCrossTenant\.apiTenantId "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee".*set your own apimCrossTenant\.apiTenantId/,
    ],
  ])('%s', (_name, raw, expected) => {
    const message = errorOf(raw);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  test('several problems: the first is shown, the rest counted', () => {
    const message = errorOf(withDefaults((c) => ((c.namePrefix = 1), (c.location = 2))));
    expect(message).toMatch(/^config error: namePrefix = 1: .*\(and 1 more problem\)$/);
  });

  test('exactly 5 allowed callers (plus refused ones) is fine', () => {
    const calls = [1, 2, 3, 4, 5].map((i) => ({ from: `s${i}`, to: 'r' })).concat([{ from: 'x', to: 'r', allowed: false } as never]);
    expect(() => parseConfig(graph(names('r', 's1', 's2', 's3', 's4', 's5', 'x'), calls))).not.toThrow();
  });

  test('protect with your own values is accepted', () => {
    expect(parseConfig(withDefaults((c) => (ownValues(c), (c.protect = true)))).protect).toBe(true);
  });
});

describe('the call graph', () => {
  test('one caller to several receivers and APIs, and a receiver with several callers', () => {
    const config = parseConfig(withDefaults((c) => Object.assign(c.logicAppsOauth, EXAMPLE_GRAPH)));
    const g = callGraph(config.logicAppsOauth!);
    expect(g.receivers.map((r) => [r.workflow.name, r.calls.map((c) => `${c.from}${c.allowed ? '' : ' (refused)'}`)])).toEqual([
      ['orders', ['shop', 'crm', 'intruder (refused)']],
      ['invoices', ['shop']],
    ]);
    expect(g.callers.map((c) => [c.workflow.name, c.calls.map((k) => k.to)])).toEqual([
      ['shop', ['orders', 'invoices', 'stock', 'prices']],
      ['crm', ['orders', 'stock']],
      ['intruder', ['orders']],
    ]);
    expect(g.apis.map((a) => [a.api.name, a.api.path ?? a.api.name, a.calls.map((c) => c.from)])).toEqual([
      ['stock', 'stock', ['shop', 'crm']],
      ['prices', 'prices/v2', ['shop']],
    ]);
    expect(config.logicAppsOauth!.apiManagement).toEqual({ skuName: 'Consumption_0', ...EXAMPLE_GRAPH.apiManagement });
  });

  test('a receiver may call onward (a chain shop -> orders -> billing, and orders -> an API)', () => {
    const config = parseConfig(
      graph(names('orders', 'shop', 'billing'), [{ from: 'shop', to: 'orders' }, { from: 'orders', to: 'billing' }, { from: 'orders', to: 'stock' }], {
        apis: [{ name: 'stock' }],
        apiManagement: GATEWAY,
      }),
    );
    const g = callGraph(config.logicAppsOauth!);
    expect(g.receivers.map((r) => [r.workflow.name, r.calls.map((c) => c.from)])).toEqual([
      ['orders', ['shop']],
      ['billing', ['orders']],
    ]);
    expect(g.callers.map((c) => c.workflow.name)).toEqual(['shop']);
    expect(g.apis.map((a) => a.calls.map((c) => c.from))).toEqual([['orders']]);
  });

  test('a receiver without calls needs extraTriggerIpRanges (listed, even empty, it is a receiver)', () => {
    const config = parseConfig(graph([{ name: 'lonely', extraTriggerIpRanges: ['198.51.100.0/24'] }], [], { wrongAudienceProbe: false }));
    expect(callGraph(config.logicAppsOauth!).receivers.map((r) => r.workflow.name)).toEqual(['lonely']);
  });

  test('the probe is off unless asked for in the graph format', () => {
    expect(parseConfig({ logicAppsOauth: { workflows: names('a', 'b'), calls: [{ from: 'a', to: 'b' }] } }).logicAppsOauth?.wrongAudienceProbe).toBe(false);
  });
});

/** An earlier-format file: receivers listing their senders. */
const EARLIER = {
  namePrefix: 'fabrikam',
  logicAppsOauth: {
    tokenVersion: 2,
    wrongAudienceProbe: false,
    receivers: [
      { name: 'orders', senders: [{ name: 'shop' }, { name: 'crm', allowed: true }], extraTriggerIpRanges: ['203.0.113.0/24'] },
      { name: 'invoices', senders: [{ name: 'erp' }, { name: 'intruder', allowed: false }] },
    ],
  },
};
const SAME_AS_GRAPH = {
  namePrefix: 'fabrikam',
  logicAppsOauth: {
    tokenVersion: 2,
    wrongAudienceProbe: false,
    workflows: [{ name: 'orders', extraTriggerIpRanges: ['203.0.113.0/24'] }, ...names('shop', 'crm'), { name: 'invoices', extraTriggerIpRanges: [] }, ...names('erp', 'intruder')],
    calls: [
      { from: 'shop', to: 'orders' },
      { from: 'crm', to: 'orders' },
      { from: 'erp', to: 'invoices' },
      { from: 'intruder', to: 'invoices', allowed: false },
    ],
  },
};
const earlier = (patch: (section: Record<string, any>) => void) => {
  const copy = JSON.parse(JSON.stringify(EARLIER));
  patch(copy.logicAppsOauth);
  return copy;
};

describe('the earlier format (receivers with senders)', () => {
  test('is read as the same workflows, calls and settings, with a one-line notice showing the current shape', () => {
    const notices: string[] = [];
    expect(parseConfig(EARLIER, notices)).toEqual(parseConfig(SAME_AS_GRAPH));
    expect(notices).toEqual([
      'notice: logicAppsOauth.receivers is the earlier format; it is read as before. The current format declares each workflow once and each call as an edge: ' +
        '"workflows": [{"name": "orders"}, {"name": "shop"}, {"name": "crm"}, ...], "calls": [{"from": "shop", "to": "orders"}, {"from": "crm", "to": "orders"}, ...] (README.md, Configuration)',
    ]);
    expect(parseConfig(SAME_AS_GRAPH, notices) && notices).toHaveLength(1);
  });

  test('keeps its defaults: the demo receivers are not implied, the probe is on unless set', () => {
    const config = parseConfig(earlier((s) => delete s.wrongAudienceProbe));
    expect(config.logicAppsOauth?.wrongAudienceProbe).toBe(true);
  });

  test('a sender listed under two receivers is one workflow calling both', () => {
    const config = parseConfig(earlier((s) => s.receivers[1].senders.push({ name: 'shop' })));
    const g = callGraph(config.logicAppsOauth!);
    expect(g.callers.find((c) => c.workflow.name === 'shop')?.calls.map((c) => c.to)).toEqual(['orders', 'invoices']);
    expect(config.logicAppsOauth!.workflows.filter((w) => w.name === 'shop')).toHaveLength(1);
  });

  test.each<[string, (s: Record<string, any>) => void, RegExp]>([
    ['a bad sender name', (s) => (s.receivers[0].senders[1].name = 'c r m'), /^config error: logicAppsOauth\.receivers\[0\]\.senders\[1\]\.name = "c r m": a sender name must match/],
    ['an unknown key', (s) => (s.receivers[1].sendrs = []), /^config error: logicAppsOauth\.receivers\[1\]: unknown key "sendrs"; remove it or use one of: name, senders, extraTriggerIpRanges$/],
    ['not a list', (s) => (s.receivers = {}), /^config error: logicAppsOauth\.receivers = \{\}: expected array, got object/],
    [
      'six allowed senders',
      (s) => (s.receivers[0].senders = [1, 2, 3, 4, 5, 6].map((i) => ({ name: `s${i}` }))),
      /^config error: logicAppsOauth\.receivers\[0\] = .*: receiver "orders" allows 6 callers \(s1, s2, s3, s4, s5, s6\); Logic Apps allows 5/,
    ],
    [
      'a receiver declared twice',
      (s) => (s.receivers[1].name = 'orders'),
      /^config error: logicAppsOauth\.receivers\[1\]\.name = "orders": duplicate workflow name "fabrikam-orders" \(also at logicAppsOauth\.receivers\[0\]\.name\)/,
    ],
    ['a sender that is its own receiver', (s) => (s.receivers[0].senders[0].name = 'orders'), /^config error: logicAppsOauth\.receivers\[0\]\.senders\[0\]\.name = "orders": workflow "orders" calls itself/],
    [
      'a bare IP',
      (s) => (s.receivers[0].extraTriggerIpRanges = ['10.1.2.3']),
      /^config error: logicAppsOauth\.receivers\[0\]\.extraTriggerIpRanges\[0\] = "10\.1\.2\.3": not an IP range: a bare address is rejected by azurerm; write "10\.1\.2\.3\/32"$/,
    ],
    [
      'both formats at once',
      (s) => (s.workflows = []),
      /^config error: logicAppsOauth: receivers \(the earlier format\) and workflows\/calls \(the current one\) together; keep workflows and calls, and move each sender of receivers into calls$/,
    ],
  ])('errors name the earlier paths: %s', (_name, patch, expected) => {
    const message = errorOf(earlier(patch));
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });
});

describe('IP ranges', () => {
  test.each(['10.0.0.0/8', '203.0.113.7/32', '0.0.0.0-0.0.0.0', '10.0.0.1-10.0.0.9', '2001:db8::/32', '::1/128'])('%s is accepted', (r) => {
    expect(ipRangeProblem(r)).toBeUndefined();
  });
  test.each(['10.0.0.1', '256.0.0.0/8', '10.0.0.0/', 'any', '2001:db8::1', '2001:db8::/129', '10.0.0.0/8 '])('%s is rejected', (r) => {
    expect(ipRangeProblem(r)).toBeDefined();
  });
});

describe('loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'la-oauth-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };

  test('the embedded default is used without LOGIC_APPS_CONFIG, and says so', () => {
    expect(loadConfig({})).toEqual({ config: parseConfig(DEFAULT_CONFIG), source: 'embedded demo default', notices: [] });
  });

  test('LOGIC_APPS_CONFIG names an override file: only what it asks for, nothing of the demo', () => {
    const file = write('override.json', { namePrefix: 'contoso', logicAppsOauth: { tokenVersion: 2, workflows: names('orders', 'shop'), calls: [{ from: 'shop', to: 'orders' }] } });
    const { config, source, notices } = loadConfig({ LOGIC_APPS_CONFIG: file });
    expect(source).toBe(file);
    expect(notices).toEqual([]);
    expect(config.namePrefix).toBe('contoso');
    expect(config.logicAppsOauth?.tokenVersion).toBe(2);
    expect(config.logicAppsOauth?.workflows).toEqual(names('orders', 'shop'));
    expect(config.logicAppsOauth?.wrongAudienceProbe).toBe(false);
    expect([config.apimManagedIdentity, config.apimCrossTenant]).toEqual([undefined, undefined]);
  });

  test('a missing file is a one-line error', () => {
    expect(() => loadConfig({ LOGIC_APPS_CONFIG: join(dir, 'nope.json') })).toThrow(/^config error: LOGIC_APPS_CONFIG=".*nope\.json" cannot be read \(ENOENT\); point it at a JSON file or unset it$/);
  });

  test.each<[string, string, string]>([
    ['a missing value at the end', '{\n  "namePrefix": ', 'the JSON ends too early at the end of the file'],
    ['a missing colon on line 3', '{\n  "namePrefix": "contoso",\n  "protect" true\n}', "unexpected token 't' at line 3 column 13"],
    ['a trailing comma', '{\n  "namePrefix": "contoso",\n}', 'expected double-quoted property name at line 3 column 1'],
    ['text after the document', '{}\n\n  x', 'unexpected non-whitespace character after JSON at line 3 column 3'],
    ['an unquoted key at line 1 column 1', 'namePrefix: "contoso"', 'unquoted text namePrefix (JSON needs double quotes around keys and strings) at line 1 column 1'],
    ['an unquoted value', '{\n  "namePrefix": contoso\n}', 'unquoted text contoso (JSON needs double quotes around keys and strings) at line 2 column 17'],
    ['a missing closing quote', '{\n  "namePrefix": "contoso,\n  "protect": true\n}', 'a string is not closed before the end of the line (a missing closing quote?) at line 2 column 26'],
    ['a trailing comma in a list', '{\n  "tags": { "a": "b" },\n  "x": [1, 2,]\n}', "unexpected token ']' at line 3 column 14"],
  ])('JSON syntax errors give line and column: %s', (_name, text, where) => {
    const file = write('syntax.json', text);
    expect(() => loadConfig({ LOGIC_APPS_CONFIG: file })).toThrow(new ConfigError(`config error: ${file} is not valid JSON: ${where}; fix the syntax there`));
  });

  test('the production example is valid, a small graph, and protects trust-bearing resources', () => {
    const { config } = loadConfig({ LOGIC_APPS_CONFIG: 'config/examples/production.json' });
    expect(config.protect).toBe(true);
    expect(config.backend?.useAzureadAuth).toBe(true);
    const g = callGraph(config.logicAppsOauth!);
    // One caller with two receivers, one receiver with two callers, one API.
    expect(g.callers.some((c) => c.calls.filter((k) => g.receivers.some((r) => r.workflow.name === k.to)).length === 2)).toBe(true);
    expect(g.receivers.some((r) => r.calls.length === 2)).toBe(true);
    expect(g.apis).toHaveLength(1);
  });

  test('the published JSON Schema is generated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  // Which cases spawn: the synth's logic runs in this process (runSynth with an env and output sinks; its
  // exit code, stdout, stderr and the files left: support/in-process.ts), without a child process's
  // start-up. The successful synth of an earlier-format file goes through the real entry in a child process
  // (`node scripts/run-ts.cjs main.ts`, what `npm run synth` runs): exit status 0 and the notice and success
  // lines on the real stdout, nothing on stderr. A refused file through a real process: hostile-config.test.ts.
  const synthEnv = (env: Record<string, string>) => ({ ...process.env, LOGIC_APPS_CONFIG: '', ...env });
  const main = (env: Record<string, string>) => runInProcess(({ stdout, stderr }) => runSynth(synthEnv(env), { stdout: stdout.line, stderr: stderr.line }));
  const mainProcess = (env: Record<string, string>) => spawnSync(process.execPath, ['scripts/run-ts.cjs', 'main.ts'], { env: synthEnv(env), encoding: 'utf8' });

  test('main.ts: bad config exits 1 with one line on stderr, no stack trace and no output', () => {
    const file = write('bad-ip.json', { logicAppsOauth: { workflows: [{ name: 'r', extraTriggerIpRanges: ['10.1.2.3'] }] } });
    const outdir = join(dir, 'out');
    const result = main({ LOGIC_APPS_CONFIG: file, CDKTF_OUTDIR: outdir });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(
      'config error: logicAppsOauth.workflows[0].extraTriggerIpRanges[0] = "10.1.2.3": not an IP range: a bare address is rejected by azurerm; write "10.1.2.3/32"',
    );
    expect(existsSync(outdir)).toBe(false);
  });

  test('main.ts: a successful synth prints one line naming the file and the stacks written (and the notice of an earlier-format file); stacks of an earlier synth are removed', () => {
    const file = write('earlier.json', EARLIER);
    const outdir = join(dir, 'out-earlier');
    // An earlier synth of the demo left its API Management stack there: this synth removes it.
    mkdirSync(join(outdir, 'stacks', 'apim-managed-identity'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'apim-managed-identity', 'cdk.tf.json'), '{}');
    const result = mainProcess({ LOGIC_APPS_CONFIG: file, CDKTF_OUTDIR: outdir });
    expect(result.status).toBe(0);
    // Notices go to stdout too: the cdktf CLI labels every stderr line [ERROR] (synth-errors.ts).
    expect(result.stderr).toBe('');
    const [notice, line, ...rest] = result.stdout.split('\n');
    expect(notice).toMatch(/^notice: logicAppsOauth\.receivers is the earlier format; /);
    expect([line, ...rest]).toEqual([`synthesized logic-apps-oauth from ${file} into ${outdir}/stacks`, '']);
    expect(readdirSync(join(outdir, 'stacks'))).toEqual(['logic-apps-oauth']);
  });

  test('main.ts: without LOGIC_APPS_CONFIG the line says the embedded demo default was used', () => {
    const result = main({ CDKTF_OUTDIR: join(dir, 'out-default') });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    // Notices (suppressed findings, warnings) would come first, on stdout; then the success line.
    expect(result.stdout.split('\n').slice(-2)).toEqual([
      `synthesized logic-apps-oauth, apim-managed-identity, apim-cross-tenant from embedded demo default into ${join(dir, 'out-default')}/stacks`,
      '',
    ]);
  });
});

describe('README matches the configuration', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration\n'), readme.indexOf('## Deploy\n'));

  test('the call graph example is valid and is the graph it describes', () => {
    const json = /### The call graph[\s\S]*?```json\n([\s\S]*?)```/.exec(section)?.[1];
    const g = callGraph(parseConfig(JSON.parse(json!)).logicAppsOauth!);
    expect(g.receivers.map((r) => [r.workflow.name, r.calls.map((c) => c.from)])).toEqual([
      ['orders', ['shop', 'crm']],
      ['invoices', ['shop']],
    ]);
    expect(g.apis.map((a) => [a.api.name, a.calls.map((c) => c.from)])).toEqual([['stock', ['erp']]]);
  });

  test('the reference names every field of the logic-apps-oauth section and the top level', () => {
    const shape = (schema: unknown) => Object.keys((schema as { shape: object }).shape);
    const fields = [
      ...shape(ConfigSchema).filter((k) => k !== '$schema'), // the scenario sections in the table of scenarios
      ...shape(LogicAppsOauthSchema).filter((k) => k !== 'audience').map((k) => `logicAppsOauth.${k}${['workflows', 'calls', 'apis'].includes(k) ? '[]' : ''}`),
      'logicAppsOauth.audience.displayName',
      'logicAppsOauth.audience.identifierUri',
    ];
    const documented = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(fields.sort());
  });

  test('the notice shown is the one an earlier-format file gets', () => {
    const notices: string[] = [];
    parseConfig({ logicAppsOauth: { receivers: [{ name: 'orders', senders: names('shop', 'crm') }, { name: 'invoices', senders: names('erp') }] } }, notices);
    expect(section).toContain(`\n${notices[0]}\n`);
  });
});

test('the production example synthesizes without warnings (explicit app owners with protect)', () => {
  expect(administratorWarnings(loadConfig({ LOGIC_APPS_CONFIG: 'config/examples/production.json' }).config)).toEqual([]);
});

describe('messages stay short for huge input (one readable line, not a screenful)', () => {
  const message = (raw: unknown) => {
    try {
      parseConfig(raw);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    throw new Error('accepted');
  };

  test('thousands of unknown keys: the first five and how many more', () => {
    const raw = withDefaults((c) => {
      for (let i = 0; i < 5000; i++) c[`k${i}`] = 1;
    });
    const line = message(raw);
    expect(line).toMatch(/^config error: \(top level\): unknown keys "k0", "k1", "k2", "k3", "k4" \(and 4995 more\); remove them or use one of: namePrefix, /);
    expect(line.length).toBeLessThan(400);
  });

  test('a huge key is cut, in the unknown-key list and in a field path', () => {
    const key = 'x'.repeat(100_000);
    const unknown = message(withDefaults((c) => (c[key] = 1)));
    expect(unknown).toMatch(/^config error: \(top level\): unknown key "x{55}\.\.\."; remove it/);
    expect(unknown.length).toBeLessThan(400);
    const tag = message(withDefaults((c) => (c.tags = { [key]: 'v' })));
    expect(tag).toMatch(/^config error: tags\["x{55}\.\.\."\] = "v": a tag name is at most 512 bytes/);
    expect(tag.length).toBeLessThan(400);
  });
});
