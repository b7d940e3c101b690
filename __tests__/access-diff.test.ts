// The access diff (`npm run report -- --base`): pairs of apps that differ in one access-relevant argument
// give exactly the expected lines; pairs of configs give what a config change does; diff(A, B) and
// diff(B, A) are mirror images and diff(A, A) is empty; the CLI's exit codes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildStackModel } from '../model/stack-model';
import type { SynthStack } from '../model/synth-output';
import type { StackAccess } from '../tools/access-diff/access';
import { accessDiffOf, runAccessDiff } from '../tools/access-diff/command';
import { AccessDiff, diffAccess, mirrorSeverity } from '../tools/access-diff/diff';
import { stackAccess } from '../tools/access-diff/project';
import { changeRow, NO_ACCESS_CHANGES, renderAccessDiff } from '../tools/access-diff/render';
import { runReport } from '../tools/report/command';
import { accessApp, AccessKnobs, SECURE } from './support/access-app';
import { withDefaults } from './support/config';
import { synthApp } from './support/synth';
import { runInProcess } from './support/in-process';

const ROOT = join(__dirname, '..');

function rows(base: SynthStack[], head: SynthStack[]): string[] {
  return accessDiffOf(base, head).changes.map(changeRow);
}

/** Change identity without the wording: what the mirror property compares. */
function signatures(diff: AccessDiff, mirrored: boolean): string[] {
  return diff.changes
    .map((c) => [c.stack, mirrored ? mirrorSeverity(c.severity) : c.severity, c.kind, c.subject.type, c.subject.id, c.caller?.id ?? '-'].join(' | '))
    .sort();
}

function expectMirror(a: readonly StackAccess[], b: readonly StackAccess[]): void {
  const ab = diffAccess(a, b);
  const ba = diffAccess(b, a);
  expect(signatures(ba, false)).toEqual(signatures(ab, true));
  expect(ba.replacements.map((r) => r.stack).sort()).toEqual(ab.replacements.map((r) => r.stack).sort());
  expect(ba.replacements.length).toBe(ab.replacements.length);
}

const ORDERS = 'orders';
const row = (severity: string, subject: string, caller: string, text: string) =>
  `| ${severity === 'widens' ? '**widens**' : severity} | ${ORDERS} | ${subject} | ${caller} | ${text} |`;
const RECEIVER = 'receiver orders-intake';
const API = 'API orders-api (apim-orders)';
const TOKEN_HOLDER = 'any identity with a token for api://{client id of orders-audience}';

describe('construct-level pairs: each kind of change gives its exact line and severity', () => {
  const secure = accessApp();

  const CASES: Array<[string, Partial<AccessKnobs>, string[], Partial<AccessKnobs>?]> = [
    ['identical apps', {}, []],
    [
      'a pin removed (oid): widens to any token holder',
      { pinOid: false },
      [row('widens', RECEIVER, TOKEN_HOLDER, 'policy allow-billing-export admits more: drops oid = {principal id of billing-export}')],
    ],
    [
      'a caller admitted: its policy and its outbound IPs widen',
      { admitPartner: true },
      [
        row('widens', RECEIVER, 'partner-sync', 'admitted by new policy allow-partner-sync (iss = https://sts.windows.net/{tenant id of provider azuread}/, aud = api://{client id of orders-audience}, oid = {principal id of partner-sync})'),
        row('widens', RECEIVER, 'partner-sync', 'trigger IP list admits outbound IPs of partner-sync'),
      ],
    ],
    [
      'a new call that is refused is neutral, with the reason',
      { partnerCalls: true },
      [row('neutral', RECEIVER, 'partner-sync', 'new call (Call_orders_intake), predicted refused: MisMatchingOAuthClaims (policy allow-billing-export: oid expected {principal id of billing-export}, got {principal id of partner-sync})')],
    ],
    [
      'a new call that is accepted widens',
      { admitPartner: true, partnerCalls: true },
      [
        row('widens', RECEIVER, 'partner-sync', 'admitted by new policy allow-partner-sync (iss = https://sts.windows.net/{tenant id of provider azuread}/, aud = api://{client id of orders-audience}, oid = {principal id of partner-sync})'),
        row('widens', RECEIVER, 'partner-sync', 'new call (Call_orders_intake), predicted accepted (policy allow-partner-sync)'),
        row('widens', RECEIVER, 'partner-sync', 'trigger IP list admits outbound IPs of partner-sync'),
      ],
    ],
    ['callers\' outbound IPs written as a for expression instead of formatlist: the same addresses', { forExpressionIps: true }, []],
    [
      'a caller admitted, IPs written as a for expression',
      { admitPartner: true },
      [
        row('widens', RECEIVER, 'partner-sync', 'admitted by new policy allow-partner-sync (iss = https://sts.windows.net/{tenant id of provider azuread}/, aud = api://{client id of orders-audience}, oid = {principal id of partner-sync})'),
        row('widens', RECEIVER, 'partner-sync', 'trigger IP list admits outbound IPs of partner-sync'),
      ],
      { forExpressionIps: true },
    ],
    ['an IP range added', { extraTriggerRanges: ['203.0.113.0/24'] }, [row('widens', RECEIVER, '-', 'trigger IP list admits 203.0.113.0/24')]],
    ['an open IP range added', { extraTriggerRanges: ['0.0.0.0/0'] }, [row('widens', RECEIVER, '-', 'trigger IP list admits 0.0.0.0/0 (every address)')]],
    [
      'an IP range broadened',
      { extraTriggerRanges: ['10.1.0.0/16'] },
      [row('widens', RECEIVER, '-', 'trigger IP list admits 10.1.0.0/16 (broadened from 10.1.0.0/24)')],
      { extraTriggerRanges: ['10.1.0.0/24'] },
    ],
    [
      'an IP range rewritten to the same addresses is neutral',
      { extraTriggerRanges: ['10.1.0.0-10.1.0.255'] },
      [row('neutral', RECEIVER, '-', 'trigger IP list rewritten: 10.1.0.0-10.1.0.255, outbound IPs of billing-export (was 10.1.0.0/24, outbound IPs of billing-export); they admit the same addresses')],
      { extraTriggerRanges: ['10.1.0.0/24'] },
    ],
    [
      'an empty trigger IP list: the caller loses access and its call flips to refused',
      { emptyTriggerIpList: true },
      [
        row('narrows', RECEIVER, 'billing-export', 'trigger IP list no longer admits outbound IPs of billing-export'),
        row('narrows', RECEIVER, 'billing-export', 'verdict flips to refused: EmptyTriggerIpList (the trigger IP list is empty ("only other Logic Apps"): an HTTP-action caller gets 401); was accepted (policy allow-billing-export)'),
      ],
    ],
    ['run history opened to every address', { runHistory: undefined }, [row('widens', RECEIVER, '-', 'run-history IP list: no IP restriction any more, any address is admitted (was nobody)')]],
    ['run history opened to a range', { runHistory: ['10.0.0.0/8'] }, [row('widens', RECEIVER, '-', 'run-history IP list admits 10.0.0.0/8')]],
    ['SAS opened (Bearer-only condition removed)', { bearerOnly: false }, [row('widens', RECEIVER, '-', 'trigger manual lost its Bearer-only condition: its SAS callback URL (sig) now invokes it without a token')]],
    [
      'secure outputs dropped',
      { secureData: ['inputs'] },
      [
        row('widens', 'workflow billing-export', '-', 'action Call_orders_intake: outputs no longer secured (token or secret visible in run history)'),
        row('widens', RECEIVER, '-', 'trigger manual: outputs no longer secured (token or secret visible in run history)'),
      ],
    ],
    [
      'a rule suppression added, named by the workflow and the action it is on',
      { suppression: 'run history is read by the on-call team' },
      [row('widens', 'workflow billing-export', '-', 'action Call_orders_intake: rule LA023 suppressed: run history is read by the on-call team')],
    ],
    [
      'a grant revoked: the call flips to refused with the Entra error',
      { grantSender: false },
      [
        row('narrows', 'audience orders-audience', 'billing-export', 'app role Orders.Invoke revoked (cached tokens stay valid up to ~24 h)'),
        row('narrows', RECEIVER, 'billing-export', 'verdict flips to refused: AppRoleAssignmentRequired (billing-export has no app role on orders-audience (AADSTS501051)); was accepted (policy allow-billing-export)'),
      ],
    ],
    ['app role assignment no longer required', { assignmentRequired: false }, [row('widens', 'audience orders-audience', '-', 'app role assignment no longer required: Entra issues tokens for it to any identity of the tenant')]],
    [
      'tags are neutral',
      { tags: { team: 'orders', cost: 'cc-42' } },
      ['workflow billing-export', RECEIVER, 'workflow partner-sync', 'workflow reporting'].map((subject) => row('neutral', subject, '-', 'tags: +cost=cc-42')),
    ],
    ['a rename is neutral', { receiverName: 'orders-intake-v2' }, [row('neutral', 'receiver orders-intake-v2', '-', 'renamed from orders-intake')]],
    ['a construct id change is no access change', { receiverId: 'OrdersReceiver' }, []],
    [
      'a receiver renamed (new name and construct id) is a rename, not a removed and a new receiver',
      { receiverName: 'orders-intake-v2', receiverId: 'OrdersReceiver' },
      [row('neutral', 'receiver orders-intake-v2', '-', 'renamed from orders-intake')],
    ],
    [
      'a receiver renamed while a caller is admitted: the rename, and that caller',
      { receiverName: 'orders-intake-v2', receiverId: 'OrdersReceiver', admitPartner: true },
      [
        row('widens', 'receiver orders-intake-v2', 'partner-sync', 'admitted by new policy allow-partner-sync (iss = https://sts.windows.net/{tenant id of provider azuread}/, aud = api://{client id of orders-audience}, oid = {principal id of partner-sync})'),
        row('widens', 'receiver orders-intake-v2', 'partner-sync', 'trigger IP list admits outbound IPs of partner-sync'),
        row('neutral', 'receiver orders-intake-v2', '-', 'renamed from orders-intake'),
      ],
    ],
    [
      'a Key Vault secret read broadened to the whole vault',
      { secretRead: 'vault' },
      [row('widens', 'role Key Vault Secrets User', 'reporting', 'scope broadened to {id of rg-access}/providers/Microsoft.KeyVault/vaults/kv-orders (was {id of rg-access}/providers/Microsoft.KeyVault/vaults/kv-orders/secrets/orders-cert)')],
    ],
    ['a role assignment removed', { secretRead: 'none' }, [row('narrows', 'role Key Vault Secrets User', 'reporting', 'revoked on {id of rg-access}/providers/Microsoft.KeyVault/vaults/kv-orders/secrets/orders-cert')]],
    ['token validation removed', { apiValidation: false }, [row('widens', API, '-', 'token validation removed (was validate-azure-ad-token): anyone who reaches the gateway is admitted')]],
    ['client pin removed', { apiPinClient: false }, [row('widens', API, '-', 'any client application admitted (was {client id of the identity of reporting})')]],
    ['a client application admitted: the caller is the workflow whose identity it is', { apiClientPartner: true }, [row('widens', API, 'partner-sync', 'client application {client id of the identity of partner-sync} admitted')]],
    ['audience check removed', { apiAudiences: [] }, [row('widens', API, '-', 'any audience admitted (was api://{client id of orders-audience})')]],
    ['a required claim added', { apiRequiredRoles: ['Orders.Invoke'] }, [row('narrows', API, '-', 'required claim added: roles any of Orders.Invoke')]],
    ['a subscription key required', { apiSubscriptionRequired: true }, [row('narrows', API, '-', 'subscription key now required')]],
  ];

  // Objects, not rows: jest takes a test function with more parameters than a row has for a done-callback test.
  test.each(CASES.map(([name, knobs, expected, baseKnobs]) => ({ name, knobs, expected, baseKnobs })))('$name', ({ knobs, expected, baseKnobs }) => {
    const base = baseKnobs ? accessApp(baseKnobs) : secure;
    const head = accessApp({ ...baseKnobs, ...knobs });
    expect(rows([base], [head])).toEqual(expected);
    // The reverse change: the same lines with the opposite severity.
    expectMirror([stackAccess(buildStackModel(base))], [stackAccess(buildStackModel(head))]);
  });

  test('the reverse of a widening is the matching narrowing, worded for that direction', () => {
    expect(rows([accessApp({ pinOid: false })], [secure])).toEqual([
      row('narrows', RECEIVER, TOKEN_HOLDER, 'policy allow-billing-export admits less: requires oid = {principal id of billing-export}'),
    ]);
    expect(rows([accessApp({ bearerOnly: false })], [secure])).toEqual([row('narrows', RECEIVER, '-', 'trigger manual got the Bearer-only condition: SAS-only calls are skipped')]);
    expect(rows([accessApp({ apiValidation: false })], [secure])).toEqual([
      row('narrows', API, '-', 'token validation added (validate-azure-ad-token: clients {client id of the identity of reporting}, audiences api://{client id of orders-audience})'),
    ]);
    expect(rows([accessApp({ suppression: 'why' })], [secure])).toEqual([row('narrows', 'workflow billing-export', '-', 'action Call_orders_intake: suppression of rule LA023 removed (was: why)')]);
  });

  test('replacements: a rename or construct id change of a trust-bearing resource, and what follows it', () => {
    expect(accessDiffOf([secure], [accessApp({ receiverName: 'orders-intake-v2' })]).replacements).toEqual([
      { stack: ORDERS, type: 'azurerm_logic_app_workflow', name: 'orders-intake-v2', address: 'azurerm_logic_app_workflow.Receiver', reason: 'name orders-intake-v2 (was orders-intake)' },
    ]);
    expect(accessDiffOf([secure], [accessApp({ receiverId: 'OrdersReceiver' })]).replacements).toEqual([
      {
        stack: ORDERS,
        type: 'azurerm_logic_app_workflow',
        name: 'orders-intake',
        address: 'azurerm_logic_app_workflow.OrdersReceiver',
        reason: 'address changed from azurerm_logic_app_workflow.Receiver (construct id)',
      },
    ]);
    expect(accessDiffOf([secure], [accessApp({ receiverName: 'orders-intake-v2', receiverId: 'OrdersReceiver' })]).replacements).toEqual([
      {
        stack: ORDERS,
        type: 'azurerm_logic_app_workflow',
        name: 'orders-intake-v2',
        address: 'azurerm_logic_app_workflow.OrdersReceiver',
        reason: 'address changed from azurerm_logic_app_workflow.Receiver (construct id); name orders-intake-v2 (was orders-intake)',
      },
    ]);
    // An Azure role assignment's scope is ForceNew: the assignment is replaced.
    expect(accessDiffOf([secure], [accessApp({ secretRead: 'vault' })]).replacements).toEqual([
      {
        stack: ORDERS,
        type: 'azurerm_role_assignment',
        name: 'azurerm_role_assignment.ReportingSecretRead',
        address: 'azurerm_role_assignment.ReportingSecretRead',
        reason: 'scope {id of rg-access}/providers/Microsoft.KeyVault/vaults/kv-orders (was {id of rg-access}/providers/Microsoft.KeyVault/vaults/kv-orders/secrets/orders-cert)',
      },
    ]);
    // Nothing trust-bearing changes with a tag.
    expect(accessDiffOf([secure], [accessApp({ tags: { team: 'billing' } })]).replacements).toEqual([]);
  });

  test('rendering: "No access changes" for identical input, a table and the marked call graph otherwise', () => {
    expect(renderAccessDiff(accessDiffOf([secure], [secure]))).toBe(`# Access changes\n\n${NO_ACCESS_CHANGES}\n`);
    const text = renderAccessDiff(accessDiffOf([accessApp({ partnerCalls: true })], [accessApp({ admitPartner: true })]));
    expect(text).toContain('Compared with the base: 2 changes widen, 1 neutral.');
    expect(text).toContain('| Severity | Stack | Receiver, API or other | Caller | Change |');
    const graph = text.slice(text.indexOf('```mermaid'));
    expect(graph).toMatch(/d0n\d+ -\.->\|"removed"\| d0n\d+/);
    expect(graph).toMatch(/d0n\d+ -->\|"accepted"\| d0n\d+/);
    expect(graph).toMatch(/linkStyle \d+ stroke:#888,stroke-dasharray:4 4,color:#888/);
    const added = renderAccessDiff(accessDiffOf([secure], [accessApp({ admitPartner: true, partnerCalls: true })]));
    expect(added).toMatch(/d0n\d+ ==>\|"added, accepted"\| d0n\d+/);
    expect(added).toMatch(/linkStyle \d+ stroke:#1a7f37/);
    const flipped = renderAccessDiff(accessDiffOf([secure], [accessApp({ grantSender: false })]));
    expect(flipped).toMatch(/d0n\d+ ==>\|"now refused: AppRoleAssignmentRequired"\| d0n\d+/);
  });
  // Mermaid's grammar (checked offline with mermaid 12's parser, too large a dependency for the tests):
  // node ids declared once, in their stack's subgraph, before any edge; every label quoted without a raw
  // quote; each linkStyle index the position of an edge line of that kind, counted over all stacks.
  test('the graph of several stacks: declared node ids, quoted labels, linkStyle indexes that point at the right edges', () => {
    const two = (knobs: Partial<AccessKnobs>, second: Partial<AccessKnobs>) => [accessApp(knobs), { ...accessApp(second), name: 'orders "eu" | b' }];
    const text = renderAccessDiff(accessDiffOf(two({ partnerCalls: true }, {}), two({ admitPartner: true }, { admitPartner: true, partnerCalls: true, receiverName: 'orders(intake).v_2' })));
    const lines = text.slice(text.indexOf('```mermaid') + 11, text.lastIndexOf('```')).trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    const declared = new Set<string>();
    const edges: string[] = [];
    const styles: Array<[number[], string]> = [];
    let depth = 0;
    for (const line of lines.slice(1)) {
      let m: RegExpExecArray | null;
      if ((m = /^ {2}subgraph (d\d+)\["([^"]*)"\]$/.exec(line))) depth++;
      else if (line === '  end') depth--;
      else if ((m = /^ {4}(d\d+n\d+)(?:\["[^"]*"\]|\[\/"[^"]*"\/\])$/.exec(line))) {
        expect(depth).toBe(1);
        expect(declared.has(m[1])).toBe(false);
        declared.add(m[1]);
      } else if ((m = /^ {2}(d\d+n\d+) (-->|-\.->|==>)\|"[^"|]*"\| (d\d+n\d+)$/.exec(line))) {
        expect(depth).toBe(0);
        expect(declared.has(m[1]) && declared.has(m[3])).toBe(true);
        edges.push(line);
      } else if ((m = /^ {2}linkStyle ([\d,]+) (stroke:.+)$/.exec(line))) styles.push([m[1].split(',').map(Number), m[2]]);
      else throw new Error(`not a line of the graph's grammar: ${line}`);
    }
    expect(depth).toBe(0);
    expect(text).toContain('subgraph d1["orders #quot;eu#quot; #124; b"]');
    const styled = (color: string) => styles.filter(([, style]) => style.includes(color)).flatMap(([at]) => at).map((i) => edges[i]);
    expect(styled('#1a7f37')).toEqual([expect.stringMatching(/ ==>\|"added, accepted"\| /)]);
    expect(styled('#888')).toEqual([expect.stringMatching(/ -\.->\|"removed"\| /)]);
    expect(styles.flatMap(([at]) => at).every((i) => i < edges.length)).toBe(true);
    // The second stack's added edge is styled at its index after the first stack's edges.
    expect(styled('#1a7f37')[0]).toMatch(/^ {2}d1n/);
  });
});

// ---- configs: what a change of the configuration file does ----

describe('config pairs', () => {
  // One helper per config shape, so the pairs read as intent.
  const addCaller = (c: Record<string, any>, name: string, allowed = true) => {
    c.logicAppsOauth.workflows.push({ name });
    c.logicAppsOauth.calls.push({ from: name, to: 'receive', allowed });
  };
  const receiver = (c: Record<string, any>) => c.logicAppsOauth.workflows.find((w: { name: string }) => w.name === 'receive');
  // The Logic Apps scenario only: the API Management scenarios do not change here, and each synth is a third.
  const logicApps = (patch: (c: Record<string, any>) => void) =>
    withDefaults((c) => {
      delete c.apimManagedIdentity;
      delete c.apimCrossTenant;
      patch(c);
    });
  const CONFIGS = {
    default: logicApps(() => undefined),
    billingAllowed: logicApps((c) => addCaller(c, 'billing')),
    billingRefusedWithRanges: logicApps((c) => {
      addCaller(c, 'billing', false);
      receiver(c).extraTriggerIpRanges = ['203.0.113.0/24'];
      c.logicAppsOauth.runHistoryIpRanges = ['10.0.0.0/8'];
    }),
    renamedAndTagged: logicApps((c) => {
      c.namePrefix = 'la-orders';
      c.tags = { ...c.tags, owner: 'platform' };
    }),
    tokenV2: logicApps((c) => (c.logicAppsOauth.tokenVersion = 2)),
    receiverRenamed: logicApps((c) => {
      receiver(c).name = 'intake';
      for (const call of c.logicAppsOauth.calls) if (call.to === 'receive') call.to = 'intake';
    }),
  };
  type Name = keyof typeof CONFIGS;
  const stacks = new Map<Name, SynthStack[]>();
  const of = (name: Name): SynthStack[] => {
    let s = stacks.get(name);
    if (!s) {
      const out = synthApp(CONFIGS[name]);
      s = Object.entries(out.json).map(([stack, json]) => ({ name: stack, json }));
      stacks.set(name, s);
    }
    return s;
  };
  const la = (severity: string, subject: string, caller: string, text: string) =>
    `| ${severity === 'widens' ? '**widens**' : severity} | logic-apps-oauth | ${subject} | ${caller} | ${text} |`;
  const AUD = 'audience la-oauth-logic-apps-audience';
  const RECV = 'receiver la-oauth-receive';

  test('identical configs: no access changes', () => {
    expect(renderAccessDiff(accessDiffOf(of('default'), of('default')))).toBe(`# Access changes\n\n${NO_ACCESS_CHANGES}\n`);
  });

  test('a sender allowed to call a receiver: admitted, granted, its IPs admitted, its call accepted', () => {
    expect(rows(of('default'), of('billingAllowed'))).toEqual([
      la('widens', AUD, 'la-oauth-billing', 'granted app role LogicApps.Invoke: Entra issues it tokens for this audience'),
      la('widens', RECV, 'la-oauth-billing', 'admitted by new policy allow-la-oauth-billing (iss = https://sts.windows.net/{tenant id of provider azuread}/, aud = api://{client id of la-oauth-logic-apps-audience}, oid = {principal id of la-oauth-billing})'),
      la('widens', RECV, 'la-oauth-billing', 'new call (Call_1), predicted accepted (policy allow-la-oauth-billing)'),
      la('widens', RECV, 'la-oauth-billing', 'trigger IP list admits outbound IPs of la-oauth-billing'),
    ]);
  });

  test('the README example is this diff, row for row', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    const start = readme.findIndex((l) => l.startsWith('<!-- access-diff-example:'));
    expect(start).toBeGreaterThan(0);
    const end = readme.indexOf('', start);
    expect(readme.slice(start + 3, end)).toEqual(rows(of('default'), of('billingAllowed')));
  });

  test('that sender disallowed while ranges open: narrows for the caller, widens for the ranges', () => {
    const lines = rows(of('billingAllowed'), of('billingRefusedWithRanges'));
    expect(lines.filter((l) => l.includes('| **widens** |'))).toEqual([
      la('widens', 'workflow la-oauth-billing', '-', 'run-history IP list admits 10.0.0.0/8'),
      la('widens', RECV, '-', 'run-history IP list admits 10.0.0.0/8'),
      la('widens', RECV, '-', 'trigger IP list admits 203.0.113.0/24'),
      la('widens', 'workflow la-oauth-receive-naughty', '-', 'run-history IP list admits 10.0.0.0/8'),
      la('widens', 'workflow la-oauth-send', '-', 'run-history IP list admits 10.0.0.0/8'),
    ]);
    expect(lines.filter((l) => l.startsWith('| narrows |'))).toEqual([
      la('narrows', AUD, 'la-oauth-billing', 'app role LogicApps.Invoke revoked (cached tokens stay valid up to ~24 h)'),
      la('narrows', RECV, 'la-oauth-billing', 'no longer admitted: policy allow-la-oauth-billing removed (iss = https://sts.windows.net/{tenant id of provider azuread}/, aud = api://{client id of la-oauth-logic-apps-audience}, oid = {principal id of la-oauth-billing})'),
      la('narrows', RECV, 'la-oauth-billing', 'trigger IP list no longer admits outbound IPs of la-oauth-billing'),
      la('narrows', RECV, 'la-oauth-billing', 'verdict flips to refused: AppRoleAssignmentRequired (la-oauth-billing has no app role on la-oauth-logic-apps-audience (AADSTS501051)); was accepted (policy allow-la-oauth-billing)'),
    ]);
  });

  test('a name prefix and a tag change: renames and tags only, and every workflow is replaced', () => {
    const diff = accessDiffOf(of('default'), of('renamedAndTagged'));
    expect(new Set(diff.changes.map((c) => `${c.severity} ${c.kind}`))).toEqual(new Set(['neutral rename', 'neutral tags', 'neutral admission']));
    expect(diff.changes.map(changeRow)).toEqual(
      expect.arrayContaining([
        la('neutral', 'receiver la-orders-receive', '-', 'renamed from la-oauth-receive'),
        // The policy is named after the caller: renamed with it, it admits the same tokens.
        la('neutral', 'receiver la-orders-receive', '-', 'authorization policies rewritten; they admit the same tokens'),
      ]),
    );
    const replaced = diff.replacements.filter((r) => r.stack === 'logic-apps-oauth').map((r) => `${r.type} ${r.name}`);
    expect(replaced).toEqual(expect.arrayContaining(['azurerm_logic_app_workflow la-orders-receive', 'azurerm_logic_app_workflow la-orders-send']));
    // The sender's grant names its principal: a new workflow identity replaces the grant too.
    const grant = diff.replacements.find((r) => r.stack === 'logic-apps-oauth' && r.type === 'azuread_app_role_assignment');
    expect(grant?.reason).toBe('principal_object_id follows la-orders-send, which is replaced');
  });

  test('a receiver renamed: one neutral rename, its wrong-audience probe renamed with it, the workflow replaced', () => {
    const diff = accessDiffOf(of('default'), of('receiverRenamed'));
    const probe = 'predicted refused: MisMatchingOAuthClaims (policy allow-la-oauth-send: aud expected api://{client id of la-oauth-logic-apps-audience}, got https://management.azure.com/), a declared probe';
    expect(diff.changes.map(changeRow)).toEqual([
      la('neutral', 'receiver la-oauth-intake', '-', 'renamed from la-oauth-receive'),
      la('neutral', 'receiver la-oauth-intake', 'la-oauth-intake-naughty', `new call (Call_1), ${probe}`),
      la('neutral', RECV, 'la-oauth-receive-naughty', `call removed (Call_1), was ${probe}`),
    ]);
    expect(diff.replacements.map((r) => `${r.type} ${r.name}: ${r.reason}`)).toEqual([
      expect.stringMatching(/^azurerm_logic_app_workflow la-oauth-intake: address changed from azurerm_logic_app_workflow\.Receiver-receive_\w+ \(construct id\); name la-oauth-intake \(was la-oauth-receive\)$/),
    ]);
  });

  test('a location written as its display name ("West Europe") replaces nothing (azurerm compares it normalized); another region does', () => {
    const withLocation = (location: string): SynthStack[] =>
      of('default').map((s) => {
        const json = JSON.parse(JSON.stringify(s.json));
        // As a construct user writes it: a literal location on each workflow (the stacks reference the group's).
        for (const r of Object.values(json.resource?.azurerm_logic_app_workflow ?? {}) as Array<{ location?: string }>) r.location = location;
        return { name: s.name, json };
      });
    expect(accessDiffOf(withLocation('westeurope'), withLocation('West Europe')).replacements).toEqual([]);
    expect(accessDiffOf(withLocation('westeurope'), withLocation('northeurope')).replacements.map((r) => r.reason)).toContain('location northeurope (was westeurope)');
  });

  test('token version 2: the policy admits v2 tokens instead of v1 ones', () => {
    const lines = rows(of('default'), of('tokenV2'));
    expect(lines).toContain(la('neutral', AUD, '-', 'access token version 2 (was 1): issuer and aud of its tokens change'));
    expect(lines).toContain(
      la('widens', RECV, 'la-oauth-send', 'policy allow-la-oauth-send admits more: iss = https://login.microsoftonline.com/{tenant id of provider azuread}/v2.0 (was https://sts.windows.net/{tenant id of provider azuread}/); aud = {client id of la-oauth-logic-apps-audience} (was api://{client id of la-oauth-logic-apps-audience})'),
    );
  });

  test('every ordered pair of these configs is a mirror image; a config against itself is empty', () => {
    const names = Object.keys(CONFIGS) as Name[];
    const access = new Map(names.map((n) => [n, of(n).map((s) => stackAccess(buildStackModel(s)))]));
    for (const a of names) {
      const self = diffAccess(access.get(a)!, access.get(a)!);
      expect(self.changes).toEqual([]);
      expect(self.replacements).toEqual([]);
      for (const b of names) if (a < b) expectMirror(access.get(a)!, access.get(b)!);
    }
  });
});

// ---- property: fuzzed apps ----

const knobsArb: fc.Arbitrary<Partial<AccessKnobs>> = fc.record(
  {
    receiverName: fc.constantFrom('orders-intake', 'orders-intake-v2'),
    receiverId: fc.constantFrom('Receiver', 'OrdersReceiver'),
    pinOid: fc.boolean(),
    admitPartner: fc.boolean(),
    partnerCalls: fc.boolean(),
    extraTriggerRanges: fc.subarray(['10.1.0.0/24', '10.1.0.0/16', '10.1.0.0-10.1.0.255', '203.0.113.0/24', '2001:db8::/32', '0.0.0.0/0']),
    emptyTriggerIpList: fc.boolean(),
    forExpressionIps: fc.boolean(),
    runHistory: fc.constantFrom<string[] | undefined>(['0.0.0.0-0.0.0.0'], ['10.0.0.0/8'], ['10.0.0.0/16', '192.0.2.0/24'], undefined),
    bearerOnly: fc.boolean(),
    secureData: fc.subarray<'inputs' | 'outputs'>(['inputs', 'outputs']),
    grantSender: fc.boolean(),
    assignmentRequired: fc.boolean(),
    suppression: fc.constantFrom(undefined, 'reason one', 'reason two'),
    tags: fc.constantFrom<Record<string, string>>({ team: 'orders' }, { team: 'billing' }, {}),
    tokenVersion: fc.constantFrom<1 | 2>(1, 2),
    secretRead: fc.constantFrom<'secret' | 'vault' | 'none'>('secret', 'vault', 'none'),
    apiValidation: fc.boolean(),
    apiPinClient: fc.boolean(),
    apiClientPartner: fc.boolean(),
    apiAudiences: fc.subarray([SECURE.apiAudiences[0], 'https://orders.contoso.example']),
    apiRequiredRoles: fc.subarray(['Orders.Invoke', 'Orders.Read']),
    apiSubscriptionRequired: fc.boolean(),
  },
  { requiredKeys: [] },
);

// 2 runs x 8 apps: 16 synths of ~30 ms and 56 unordered pairs (both directions each), ~0.5 s of CPU.
test('property: for fuzzed apps A and B, diff(B, A) mirrors diff(A, B) and diff(A, A) is empty', () => {
  fc.assert(
    fc.property(fc.array(knobsArb, { minLength: 8, maxLength: 8 }), (pool) => {
      const access = pool.map((knobs) => [stackAccess(buildStackModel(accessApp(knobs)))]);
      for (let i = 0; i < access.length; i++) {
        const self = diffAccess(access[i], access[i]);
        if (self.changes.length || self.replacements.length) throw new Error(`diff(A, A) not empty: ${self.changes.map(changeRow).join('\n')}`);
        for (let j = i + 1; j < access.length; j++) expectMirror(access[i], access[j]);
      }
    }),
    { numRuns: 2 },
  );
});

// ---- the command ----

describe('npm run report -- --base', () => {
  let dir: string;
  const write = (name: string, stacks: SynthStack[]) => {
    const out = join(dir, name);
    mkdirSync(join(out, 'stacks'), { recursive: true });
    const manifest: Record<string, unknown> = {};
    for (const s of stacks) {
      mkdirSync(join(out, 'stacks', s.name), { recursive: true });
      writeFileSync(join(out, 'stacks', s.name, 'cdk.tf.json'), JSON.stringify(s.json));
      manifest[s.name] = { name: s.name, synthesizedStackPath: `stacks/${s.name}/cdk.tf.json` };
    }
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ stacks: manifest }));
    return out;
  };
  const capture = () => {
    const io = { out: '', err: [] as string[] };
    return { io, sink: { stdout: (t: string) => (io.out += t), stderr: (l: string) => io.err.push(l) } };
  };
  let secureDir: string;
  let openDir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-diff-'));
    secureDir = write('secure', [accessApp()]);
    openDir = write('open', [accessApp({ pinOid: false })]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exit 0 by default, also when something widens; the access changes come before the full report', () => {
    const { io, sink } = capture();
    expect(runAccessDiff({ base: secureDir, head: openDir }, sink)).toBe(0);
    expect(io.out.indexOf('# Access changes')).toBe(0);
    expect(io.out.indexOf('# Security report')).toBeGreaterThan(io.out.indexOf(TOKEN_HOLDER));
    expect(io.err).toEqual([]);
  });

  test('--fail-on widen: exit 1 when a change widens, 0 when none does (narrowing only)', () => {
    const widened = capture();
    expect(runAccessDiff({ base: secureDir, head: openDir, failOn: 'widen', changesOnly: true }, widened.sink)).toBe(1);
    expect(widened.io.err).toEqual(['report: 1 change widens access (--fail-on widen); see "Access changes"']);
    expect(widened.io.out).not.toContain('# Security report');
    const narrowed = capture();
    expect(runAccessDiff({ base: openDir, head: secureDir, failOn: 'widen', changesOnly: true }, narrowed.sink)).toBe(0);
    expect(narrowed.io.out).toContain('| narrows |');
  });

  test('exit 2 with one line: a missing base, a directory without a synth, an unknown --fail-on', () => {
    // A stack file that is not a stack object, and hand-edited JSON the model cannot read: exit 2, not 1
    // (which --fail-on widen and CI read as "widens") nor a stack trace.
    const notObject = write('not-object', []);
    mkdirSync(join(notObject, 'stacks', 'orders'), { recursive: true });
    writeFileSync(join(notObject, 'stacks', 'orders', 'cdk.tf.json'), 'null');
    writeFileSync(join(notObject, 'manifest.json'), JSON.stringify({ stacks: { orders: { name: 'orders', synthesizedStackPath: 'stacks/orders/cdk.tf.json' } } }));
    const broken = write('broken', [{ name: 'orders', json: { resource: { azurerm_logic_app_workflow: { Receiver: null } } } }]);
    for (const [options, message] of [
      [{ base: secureDir, head: notObject }, /^report: cannot read the head synth in .*not-object: cannot read .*cdk\.tf\.json: not a synthesized stack \(expected a JSON object, got null\)/],
      [{ base: secureDir, head: broken, failOn: 'widen' }, /^report: cannot compare .*secure with .*broken: /],
      [{ base: secureDir, head: openDir, out: join(dir, 'no-such-dir', 'diff.md') }, /^report: cannot write .*no-such-dir.diff\.md: ENOENT/],
      [{ base: join(dir, 'nope'), head: secureDir }, /^report: base directory .*nope does not exist \(synthesize the base first, .*\)$/],
      [{ base: secureDir, head: join(dir, 'nope') }, /^report: .*nope does not exist \(run `npm run synth` first, .*\)$/],
      [{ base: dir, head: secureDir }, /^report: cannot read the base synth in .*: .*manifest\.json not found: run `npm run synth` first/],
      [{ base: secureDir, head: openDir, failOn: 'narrow' }, /^report: --fail-on narrow is not known; use --fail-on widen/],
    ] as const) {
      const { io, sink } = capture();
      expect(runAccessDiff(options, sink)).toBe(2);
      expect(io.err).toHaveLength(1);
      expect(io.err[0]).toMatch(message);
      expect(io.out).toBe('');
    }
  });

  // Which cases spawn: none. `npm run report -- --base` is runReport (tools/report/command.ts), called here
  // in process with the same arguments (exit code, stdout, stderr, the --out file; support/in-process.ts).
  // The report entry's process boundary (exit status, real stdout and stderr) is checked by one child
  // process in report.test.ts: the same entry file, whatever the arguments.
  test('through npm run report: --base, --fail-on widen, --out', () => {
    const out = join(dir, 'diff.md');
    const report = (args: string[]) => runInProcess(({ stdout, stderr }) => runReport(args, { stdout: stdout.text, stderr: stderr.line }));
    const run = report(['--base', secureDir, openDir, '--fail-on', 'widen', '--changes-only', '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(readFileSync(out, 'utf8'));
    expect(run.stdout).toContain(row('widens', RECEIVER, TOKEN_HOLDER, 'policy allow-billing-export admits more: drops oid = {principal id of billing-export}'));
    const bad = report(['--changes-only']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

