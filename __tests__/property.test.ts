// Property test over the configuration: every generated config either synthesizes with no open rule
// error, or is rejected by parseConfig with a one-line ConfigError naming the field. Nothing else
// (no uncaught exception, no construct error, no partial output).
//
// What each generated config goes through (see RUNS):
// - every one: parseConfig (the zod schema and the cross-field checks), exactly as main.ts does;
// - every one that parses: each stack it enables is built with the real stack class, prepared, resolved to
//   Terraform JSON in memory (stack.toTerraform(), nothing is written) and checked by runRules; the result
//   is memoized per stack on the parsed config minus the other stacks' sections, because identical input
//   gives identical output (synth is deterministic, tested in logic-apps-oauth.test.ts).
// Files are never written here; the guarded synth that writes nothing on error is tested in rules.test.ts.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { buildApp } from '../app';
import { ConfigError, parseConfig } from '../config/load';
import { DEFAULT_CONFIG } from '../config/default';
import { EXAMPLE_GRAPH, ownValues } from './support/config';
import { Config, formatPath } from '../config/schema';
import { LOGIC_APPS_OAUTH_STACK, LogicAppsOauthStack } from '../stacks/logic-apps-oauth-stack';
import { APIM_MANAGED_IDENTITY_STACK, ApimManagedIdentityStack } from '../stacks/apim-managed-identity-stack';
import { APIM_CROSS_TENANT_STACK, ApimCrossTenantStack } from '../stacks/apim-cross-tenant-stack';
import { blockingFindings, formatFinding } from '../rules/engine';
import { evaluateStack } from '../rules/guard';
import { buildStackModel, TfJson } from '../model/stack-model';
import { AccessDiff, diffAccess, mirrorSeverity } from '../tools/access-diff/diff';
import { stackAccess } from '../tools/access-diff/project';
import { expectAgreement } from './support/agreement';
import { AZURE_REGIONS, normalizeLocation } from '../domain/regions';

// App() creates its outdir (empty); evaluateApp writes nothing into it.
const IN_MEMORY = join(tmpdir(), 'la-oauth-in-memory');

const RUNS = 10_000;

type Section = 'logicAppsOauth' | 'apimManagedIdentity' | 'apimCrossTenant';
const STACKS: Array<{ id: string; section: Section; build: (scope: Construct, id: string, config: Config) => TerraformStack }> = [
  { id: LOGIC_APPS_OAUTH_STACK, section: 'logicAppsOauth', build: (s, id, c) => new LogicAppsOauthStack(s, id, c) },
  { id: APIM_MANAGED_IDENTITY_STACK, section: 'apimManagedIdentity', build: (s, id, c) => new ApimManagedIdentityStack(s, id, c) },
  { id: APIM_CROSS_TENANT_STACK, section: 'apimCrossTenant', build: (s, id, c) => new ApimCrossTenantStack(s, id, c) },
];
const enabled = (config: Config, section: Section) => config[section] !== undefined;

/** Open rule errors of one stack of a parsed config, memoized on the config slice the stack reads. */
const stackResults = new Map<string, string[]>();
/** Every distinct stack of a valid generated config, for the agreement test after the property. */
const validStacks: Array<{ name: string; json: TfJson }> = [];
let synthesized = 0;
let synthMs = 0;
function openErrors(config: Config): string[] {
  const errors: string[] = [];
  for (const spec of STACKS) {
    if (!enabled(config, spec.section)) continue;
    const slice: Record<string, unknown> = { ...config };
    for (const other of STACKS) if (other !== spec) delete slice[other.section];
    const key = `${spec.id}:${JSON.stringify(slice)}`;
    let result = stackResults.get(key);
    if (!result) {
      const started = performance.now();
      const stack = spec.build(new App({ outdir: IN_MEMORY }), spec.id, config);
      stack.prepareStack();
      const evaluated = evaluateStack(stack);
      result = blockingFindings(evaluated.findings).map(formatFinding);
      stackResults.set(key, result);
      validStacks.push({ name: spec.id, json: evaluated.json });
      synthesized++;
      synthMs += performance.now() - started;
    }
    errors.push(...result);
  }
  return errors;
}

// ---- valid configurations: generated call graphs, from a small pool so memoization keeps the synth affordable ----

type Graph = { workflows: Array<Record<string, unknown>>; calls: Array<Record<string, unknown>>; apis?: Array<Record<string, unknown>>; apiManagement?: Record<string, unknown> };
const GATEWAY = { publisherName: 'Contoso', publisherEmail: 'platform-team@contoso.com' };

/**
 * A valid graph by construction: 1-3 receivers, 1-4 callers, 0-2 APIs; every caller calls 1+ targets, every
 * receiver allows 1-5 callers or lists extra IP ranges, every API has a caller; some calls are refused probes.
 */
const validGraph: fc.Arbitrary<Graph> = fc
  .record({
    receivers: fc.integer({ min: 1, max: 3 }),
    callers: fc.integer({ min: 1, max: 4 }),
    apis: fc.integer({ min: 0, max: 2 }),
    seed: fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), { minLength: 12, maxLength: 12 }),
  })
  .map(({ receivers, callers, apis, seed }) => {
    const r = Array.from({ length: receivers }, (_, i) => `recv-${i}`);
    const c = Array.from({ length: callers }, (_, i) => `call-${i}`);
    const a = Array.from({ length: apis }, (_, i) => `api-${i}`);
    const targets = [...r, ...a];
    const calls: Array<{ from: string; to: string; allowed?: boolean }> = [];
    const bit = (n: number, k: number) => seed[n % seed.length][k];
    c.forEach((from, i) => {
      targets.forEach((to, j) => {
        if (j === i % targets.length || bit(i * 5 + j, 0)) calls.push(bit(i + j * 3, 1) && bit(i * 7 + j, 2) ? { from, to, allowed: false } : { from, to });
      });
    });
    // Every target has a caller; a receiver left without an allowed one lists an IP range instead.
    targets.forEach((to, j) => {
      if (!calls.some((k) => k.to === to)) calls.push({ from: c[j % callers], to });
    });
    const workflows: Array<Record<string, unknown>> = r.map((name, i) => {
      const allowed = calls.some((k) => k.to === name && k.allowed !== false);
      return allowed && !bit(i, 2) ? { name } : { name, extraTriggerIpRanges: ['203.0.113.0/24'] };
    });
    workflows.push(...c.map((name) => ({ name })));
    return {
      workflows,
      calls,
      ...(apis ? { apis: a.map((name, i) => ({ name, ...(i === 1 ? { path: `${name}/v2`, tokenVersion: 2 } : {}) })), apiManagement: GATEWAY } : {}),
    };
  });

// A fixed pool (the same every run): a few generated graphs plus the shapes that matter most.
const GRAPHS: Graph[] = [
  { workflows: [{ name: 'receive' }, { name: 'send' }], calls: [{ from: 'send', to: 'receive' }] },
  // One caller to several receivers and APIs; a receiver with several callers; refused calls.
  { ...EXAMPLE_GRAPH, workflows: EXAMPLE_GRAPH.workflows.map((w) => (w.name === 'orders' ? { ...w, extraTriggerIpRanges: ['203.0.113.0/24'] } : w)) },
  { workflows: [{ name: 'lonely', extraTriggerIpRanges: ['198.51.100.0/24', '10.0.0.0/8', '192.0.2.1-192.0.2.9', '2001:db8::/32'] }], calls: [] },
  { workflows: [{ name: 'busy' }, ...['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }))], calls: ['a', 'b', 'c', 'd', 'e'].map((from) => ({ from, to: 'busy' })) },
  ...fc.sample(validGraph, { numRuns: 3, seed: 14 }),
];

// "production" switches protect, a custom identifier URI, remote state on and the wrong-audience probe off,
// like config/examples/production.json; the demo side is the opposite. Tied to keep the number of
// distinct stacks (and so of synths) small: the property's time is almost all synth.
// Each combination of the knobs is built once, as JSON text; every case parses its own copy of it (a fresh
// object, as a deep copy would give, for a fraction of the cost: the property makes 10,000 of them).
const validJson = new Map<string, string>();
const validConfigJson = fc
  .record({
    tokenVersion: fc.constantFrom(1, 2),
    graph: fc.nat({ max: GRAPHS.length - 1 }),
    production: fc.boolean(),
    crossTenant: fc.boolean(),
  })
  .map((k) => {
    const key = JSON.stringify(k);
    let json = validJson.get(key);
    if (json === undefined) {
      json = JSON.stringify(buildValidConfig(k));
      validJson.set(key, json);
    }
    return json;
  });
const validConfig = validConfigJson.map((json) => JSON.parse(json) as Record<string, any>);

function buildValidConfig(k: { tokenVersion: number; graph: number; production: boolean; crossTenant: boolean }): Record<string, any> {
  const c = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
  const knobs = { ...k, probe: !k.production, protect: k.production, backend: k.production, identifierUri: k.production && k.tokenVersion === 2 ? 'https://contoso.example/logic-apps' : undefined };
  if (knobs.protect) ownValues(c);
  c.protect = knobs.protect;
  c.logicAppsOauth.tokenVersion = k.tokenVersion;
  c.logicAppsOauth.wrongAudienceProbe = knobs.probe;
  Object.assign(c.logicAppsOauth, JSON.parse(JSON.stringify(GRAPHS[k.graph])));
  if (knobs.identifierUri) c.logicAppsOauth.audience = { identifierUri: knobs.identifierUri };
  c.apimManagedIdentity.tokenVersion = k.tokenVersion;
  if (k.crossTenant) c.apimCrossTenant.tokenVersion = k.tokenVersion;
  else delete c.apimCrossTenant;
  if (knobs.backend) c.backend = { resourceGroupName: 'rg-state', storageAccountName: 'stlaoauth', containerName: 'tfstate' };
  return c as Record<string, any>;
}

// ---- invalid values: each breaks exactly one field; the error must name it ----

type Path = Array<string | number>;
type Raw = Record<string, any>;
interface Mutation {
  readonly path: Path;
  /** The field the error must name (default: path; a function for fields that depend on the graph). */
  readonly field?: string | ((raw: Raw) => string);
  readonly value: fc.Arbitrary<unknown>;
  /** Applies the value when setting it at path is not the whole change (graph edits). */
  readonly apply?: (raw: Raw, value: any) => void;
  /** The field is only checked when the cross-tenant section is present (e.g. the default vault name). */
  readonly needsCrossTenant?: boolean;
}

const notMatching = (re: RegExp) => fc.string({ maxLength: 30 }).filter((s) => !re.test(s));
const badIpRange = fc.oneof(
  fc.ipV4(), // a bare address: Azure wants /32
  fc.tuple(fc.ipV4(), fc.integer({ min: 33, max: 99 })).map(([ip, bits]) => `${ip}/${bits}`),
  fc.constant('10.0.0.9-10.0.0.1'),
  notMatching(/^[0-9a-fA-F:./-]+$/).filter((s) => s.length > 0),
);
const notBoolean = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([]));
// "contoso-" (the shortest prefix used) + 73 characters is 81: over the 80-character workflow name limit.
const longName = fc.integer({ min: 73, max: 120 }).map((n) => 'n'.repeat(n));

/** The graph's first call, adding a caller of the first workflow (always a receiver) when there is none. */
function firstCall(raw: Raw): Raw {
  const section = raw.logicAppsOauth;
  if (!section.calls.length) {
    section.workflows.push({ name: 'extra-caller' });
    section.calls.push({ from: 'extra-caller', to: section.workflows[0].name });
  }
  return section.calls[0];
}
const LA = (...path: Path): Path => ['logicAppsOauth', ...path];

const MUTATIONS: Mutation[] = [
  { path: ['namePrefix'], value: notMatching(/^[a-z][a-z0-9-]{1,19}$/) },
  // A valid prefix whose default Key Vault name "kv-<prefix>" is not a valid vault name.
  { path: ['namePrefix'], needsCrossTenant: true, value: fc.constantFrom('ab-', 'a--b', 'kv'.padEnd(20, '-')) },
  // Not a region even as azurerm normalizes it (a display name such as "West Europe" is one).
  { path: ['location'], value: fc.oneof(fc.constantFrom('West-Europe', 'West\tEurope', 'northeurop', 'westeurope2'), notMatching(/^[a-z0-9]+$/)).filter((l) => !AZURE_REGIONS.has(normalizeLocation(l))) },
  { path: ['tags'], value: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.oneof(fc.integer(), fc.boolean()), { minKeys: 1, maxKeys: 2 }) },
  { path: ['protect'], value: notBoolean },
  // Named as `unknown key "surprise"`, or as `surprise.__proto__` when fc.anything() makes a "__proto__" key.
  { path: ['surprise'], field: 'surprise', value: fc.anything({ maxDepth: 1 }) },
  { path: LA('tokenVersion'), value: fc.oneof(fc.integer().filter((n) => n !== 1 && n !== 2), fc.constant('1')) },
  { path: LA('workflows'), value: fc.constant([]) },
  { path: LA('workflows', 0, 'name'), value: notMatching(/^[-()_.A-Za-z0-9]+$/) },
  { path: LA('workflows', 0, 'name'), value: longName, apply: (raw, v) => renameWorkflow(raw, 0, v) },
  {
    // A second declaration of the first workflow's name.
    path: LA('workflows'),
    field: (raw) => formatPath(LA('workflows', raw.logicAppsOauth.workflows.length - 1, 'name')),
    value: fc.constant(null),
    apply: (raw) => raw.logicAppsOauth.workflows.push({ name: raw.logicAppsOauth.workflows[0].name }),
  },
  { path: LA('calls', 0, 'from'), value: fc.constantFrom('ghost', 'nobody'), apply: (raw, v) => (firstCall(raw).from = v) },
  { path: LA('calls', 0, 'to'), value: fc.constantFrom('ghost', 'nowhere'), apply: (raw, v) => (firstCall(raw).to = v) },
  { path: LA('calls', 0, 'from'), value: fc.constant(null), apply: (raw) => (firstCall(raw).from = firstCall(raw).to) },
  { path: LA('calls', 0, 'allowed'), value: notBoolean, apply: (raw, v) => (firstCall(raw).allowed = v) },
  {
    // The same call twice: a caller holds one action per target.
    path: LA('calls'),
    field: (raw) => formatPath(LA('calls', raw.logicAppsOauth.calls.length - 1)),
    value: fc.boolean(),
    apply: (raw, allowed) => raw.logicAppsOauth.calls.push({ ...firstCall(raw), allowed }),
  },
  {
    // Six to nine allowed callers of the first workflow (a receiver): the 5-policy limit.
    path: LA('workflows', 0),
    value: fc.integer({ min: 6, max: 9 }),
    apply: (raw, n) => {
      const section = raw.logicAppsOauth;
      const receiver = section.workflows[0].name;
      const already = new Set(section.calls.filter((c: Raw) => c.to === receiver && c.allowed !== false).map((c: Raw) => c.from));
      for (let i = 0; already.size < n; i++) {
        section.workflows.push({ name: `many-${i}` });
        section.calls.push({ from: `many-${i}`, to: receiver });
        already.add(`many-${i}`);
      }
    },
  },
  {
    // The first workflow (a receiver) calls back one of its callers: a loop, named at the call added last.
    path: LA('calls'),
    field: (raw) => formatPath(LA('calls', raw.logicAppsOauth.calls.length - 1)),
    value: fc.constant(null),
    apply: (raw) => {
      const section = raw.logicAppsOauth;
      const receiver = section.workflows[0].name;
      let back = section.calls.find((c: Raw) => c.to === receiver)?.from;
      if (back === undefined) {
        back = 'loop-caller';
        section.workflows.push({ name: back });
        section.calls.push({ from: back, to: receiver });
      }
      section.calls.push({ from: receiver, to: back });
    },
  },
  { path: LA('workflows', 0, 'extraTriggerIpRanges'), field: formatPath(LA('workflows', 0, 'extraTriggerIpRanges', 0)), value: badIpRange.map((r) => [r]) },
  { path: LA('runHistoryIpRanges'), value: fc.constant([]) },
  { path: LA('runHistoryIpRanges'), field: 'logicAppsOauth.runHistoryIpRanges[0]', value: badIpRange.map((r) => [r]) },
  { path: LA('audience', 'identifierUri'), value: fc.oneof(fc.constant('ftp://x'), fc.integer({ min: 145, max: 200 }).map((n) => `api://${'x'.repeat(n)}`)) },
  { path: ['administrators', 'appOwners'], value: fc.oneof(fc.constant([]), fc.constant(['not-a-guid']), fc.constant('00000000-0000-0000-0000-000000000000')) },
  { path: LA('probeAudience'), value: fc.constantFrom('not a url', '', 'management.azure.com') },
  // The default frequency is Day: Logic Apps allows 1-500 days.
  { path: LA('recurrence', 'interval'), value: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 501 }), fc.constant(1.5)) },
  { path: LA('recurrence', 'frequency'), value: notMatching(/^(Second|Minute|Hour|Day|Week|Month)$/) },
  { path: ['apimManagedIdentity', 'apiManagement', 'skuName'], value: fc.constantFrom('Consumption_1', 'Developer', 'Premium_0', 'free', 'Basic_3', 'Standard_5', 'BasicV2_11', 'PremiumV2_31') },
  { path: ['apimManagedIdentity', 'apiManagement', 'publisherEmail'], value: fc.constantFrom('nobody', 'a@', '') },
  { path: ['apimManagedIdentity', 'api', 'path'], value: fc.constantFrom('/leading', 'trailing/', 'a b', 'a~b', '-a', 'a.') },
  { path: ['apimCrossTenant', 'apiTenantId'], value: fc.oneof(fc.constant('00000000-0000-0000-0000-000000000000'), notMatching(/^[0-9a-f-]{36}$/i)) },
  { path: ['apimCrossTenant', 'keyVault', 'softDeleteRetentionDays'], value: fc.oneof(fc.integer({ max: 6 }), fc.integer({ min: 91 })) },
  { path: ['apimCrossTenant', 'certificate', 'renewDaysBeforeExpiry'], value: fc.integer({ min: 12 * 27 + 1, max: 5000 }) },
  { path: ['backend'], field: 'backend.storageAccountName', value: fc.constant({ resourceGroupName: 'rg', storageAccountName: 'Not-Valid', containerName: 'tfstate' }) },
  { path: ['logAnalyticsWorkspaceId'], value: fc.constantFrom('workspace', '/subscriptions/x', '/subscriptions/s/resourcegroups/rg/providers/Microsoft.OperationalInsights/workspaces/w') },
];

/** Renames workflow i and every call end that names it (so only the name itself is wrong). */
function renameWorkflow(raw: Raw, i: number, name: string): void {
  const section = raw.logicAppsOauth;
  const old = section.workflows[i].name;
  section.workflows[i].name = name;
  for (const call of section.calls) {
    if (call.from === old) call.from = name;
    if (call.to === old) call.to = name;
  }
}

function setAt(target: Raw, path: Path, value: unknown): void {
  let cur: any = target;
  path.slice(0, -1).forEach((key, i) => {
    if (cur[key] === undefined || cur[key] === null || typeof cur[key] !== 'object') cur[key] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[key];
  });
  cur[path[path.length - 1]] = value;
}

// Junk anywhere: any JSON-ish value at any known path. It may happen to be valid; then it must synth.
const JUNK_PATHS: Path[] = [
  ...MUTATIONS.filter((m) => !m.apply).map((m) => m.path),
  LA(),
  LA('workflows', 0),
  LA('calls'),
  LA('calls', 0),
  LA('apis'),
  LA('apiManagement'),
  LA('wrongAudienceProbe'),
  ['apimManagedIdentity'],
  ['apimCrossTenant'],
  ['apimCrossTenant', 'certificate'],
];

type Case =
  | { kind: 'valid'; raw: Raw }
  | { kind: 'invalid'; raw: Raw; field: string }
  | { kind: 'junk'; raw: Raw; field: string };

const CROSS_TENANT_JSON = JSON.stringify(DEFAULT_CONFIG.apimCrossTenant);

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { weight: 2, arbitrary: validConfig.map((raw): Case => ({ kind: 'valid', raw })) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(validConfigJson, fc.nat({ max: MUTATIONS.length - 1 }).chain((i) => fc.tuple(fc.constant(MUTATIONS[i]), MUTATIONS[i].value)))
      .map(([base, [mutation, value]]): Case => {
        const raw = JSON.parse(base); // a copy: generated values are reused while shrinking, never mutate them
        if ((mutation.needsCrossTenant || mutation.path[0] === 'apimCrossTenant') && !raw.apimCrossTenant) {
          raw.apimCrossTenant = JSON.parse(CROSS_TENANT_JSON);
          if (raw.protect) ownValues(raw);
        }
        if (mutation.apply) mutation.apply(raw, value);
        else setAt(raw, mutation.path, value);
        const field = typeof mutation.field === 'function' ? mutation.field(raw) : mutation.field ?? formatPath(mutation.path);
        return { kind: 'invalid', raw, field };
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validConfigJson, fc.constantFrom(...JUNK_PATHS), fc.anything({ maxDepth: 2, maxKeys: 3 }))
      .map(([base, path, value]): Case => {
        const raw = JSON.parse(base);
        if (path[0] === 'apimCrossTenant' && path.length > 1 && !raw.apimCrossTenant) {
          raw.apimCrossTenant = JSON.parse(CROSS_TENANT_JSON);
          if (raw.protect) ownValues(raw);
        }
        setAt(raw, path, value);
        return { kind: 'junk', raw, field: formatPath(path) };
      }),
  },
);

const CROSS_FIELD =
  /duplicate workflow name|workflow name ".*" is \d+ characters|Key Vault name|authorization policies per workflow|allows no caller|is on no call|no workflow named|no workflow or API named|calls itself|a second call|form a loop|has no caller|has the name of a workflow|apis need|protect would keep|no scenario asked for/;
const counts = { valid: 0, rejected: 0, junkValid: 0 };

test(`${RUNS} generated configs: each synthesizes with all rules passing, or is rejected naming the field`, () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      let config: Config;
      try {
        config = parseConfig(c.raw);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err; // an uncaught exception fails the property
        // Plain checks, not expect(): this runs 10,000 times.
        if (c.kind === 'valid') throw new Error(`rejected a valid config: ${err.message}`);
        if (!err.message.startsWith('config error: ') || err.message.includes('\n')) throw new Error(`not a one-line config error: ${err.message}`);
        const named = err.message.includes(c.field) || (c.kind === 'junk' && CROSS_FIELD.test(err.message));
        if (!named) throw new Error(`error does not name ${c.field}: ${err.message}`);
        counts.rejected++;
        return;
      }
      if (c.kind === 'invalid') throw new Error(`accepted an invalid ${c.field}: ${JSON.stringify(c.raw).slice(0, 300)}`);
      if (c.kind === 'junk') counts.junkValid++;
      counts.valid++;
      const errors = openErrors(config);
      if (errors.length) throw new Error(`rule errors for a valid config:\n${errors.join('\n')}`);
    }),
    { numRuns: RUNS },
  );
  expect(counts.valid + counts.rejected).toBe(RUNS);
  expect(counts.valid).toBeGreaterThan(RUNS / 10);
  expect(counts.rejected).toBeGreaterThan(RUNS / 2);
  // The memo keeps the run affordable; if this grows, the generator's valid space grew (time it again).
  if (process.env.PROPERTY_STATS) console.log({ ...counts, synthesized, synthMs: Math.round(synthMs), distinctStacks: stackResults.size, keys: [...stackResults.keys()].map((k) => k.slice(0, 60)) });
  expect(synthesized).toBeLessThan(300);
});

test('every distinct stack of the valid generated configs: rules, report, check-token and smoke agree on every call', async () => {
  expect(validStacks.length).toBeGreaterThan(10);
  let calls = 0;
  for (const stack of validStacks) calls += (await expectAgreement(stack)).length;
  expect(calls).toBeGreaterThan(validStacks.length);
});

test('access diff of the valid generated configs: diff(B, A) mirrors diff(A, B) for stacks of two configs, diff(A, A) is empty', () => {
  // Each stack against the next distinct stack of the same name (another generated config): the pairs come
  // from the property above, so no synth is added here.
  const access = validStacks.map((s) => ({ name: s.name, access: stackAccess(buildStackModel(s)) }));
  const signatures = (diff: AccessDiff, mirrored: boolean) =>
    diff.changes.map((c) => [c.stack, mirrored ? mirrorSeverity(c.severity) : c.severity, c.kind, c.subject.type, c.subject.id, c.caller?.id ?? '-'].join(' | ')).sort();
  let pairs = 0;
  let changes = 0;
  access.forEach((a, i) => {
    const self = diffAccess([a.access], [a.access]);
    expect([...self.changes, ...self.replacements]).toEqual([]);
    const b = access.slice(i + 1).find((x) => x.name === a.name);
    if (!b) return;
    const ab = diffAccess([a.access], [b.access]);
    const ba = diffAccess([b.access], [a.access]);
    expect(signatures(ba, false)).toEqual(signatures(ab, true));
    expect(ba.replacements.length).toBe(ab.replacements.length);
    pairs++;
    changes += ab.changes.length;
  });
  expect(pairs).toBeGreaterThan(5);
  expect(changes).toBeGreaterThan(pairs); // the configs differ in access, not only in text
});

test('the property builds the same stacks as buildApp', () => {
  const config = parseConfig(DEFAULT_CONFIG);
  const app = buildApp(config, { outdir: IN_MEMORY });
  const built = app.node.findAll().filter((c) => TerraformStack.isStack(c)).map((s) => s.node.id).sort();
  expect(built).toEqual(STACKS.filter((s) => enabled(config, s.section)).map((s) => s.id).sort());
});

// ---- any graph, parse only: accepted exactly when a plain reading of the graph rules says it is valid ----

const WORKFLOW_NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const API_NAMES = ['x', 'y'];
type AnyGraph = {
  workflows: Array<{ name: string; ranges: boolean }>;
  apis: string[];
  calls: Array<{ from: string; to: string; allowed: boolean }>;
  probe: boolean;
};
/** The value once in `n` draws, otherwise null. */
const rarely = <T>(value: fc.Arbitrary<T>, n: number) => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: value });
// Mostly graphs of callers calling receivers and APIs (so both sides of the limits are reached), plus
// now and then a stray call or a second declaration anywhere.
const anyGraph: fc.Arbitrary<AnyGraph> = fc
  .record({
    // Three callers to one receiver on average, so that receivers with six or more callers come up.
    workflows: fc.uniqueArray(fc.record({ name: fc.constantFrom(...WORKFLOW_NAMES), calls: fc.constantFrom(true, true, true, false), ranges: fc.boolean() }), {
      minLength: 1,
      maxLength: 10,
      selector: (w) => w.name,
    }),
    apis: fc.uniqueArray(fc.constantFrom(...API_NAMES), { maxLength: 2 }),
    picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.boolean()), { maxLength: 24 }),
    stray: rarely(fc.record({ from: fc.constantFrom(...WORKFLOW_NAMES, 'x', 'ghost'), to: fc.constantFrom(...WORKFLOW_NAMES, ...API_NAMES, 'ghost'), allowed: fc.boolean() }), 4),
    twice: rarely(fc.constantFrom(...WORKFLOW_NAMES), 8),
    probe: fc.boolean(),
  })
  .map(({ workflows, apis, picks, stray, twice, probe }) => {
    const callers = workflows.filter((w) => w.calls).map((w) => w.name);
    const targets = [...workflows.filter((w) => !w.calls).map((w) => w.name), ...apis];
    const calls: AnyGraph['calls'] = [];
    // Each caller calls the target at its index, then a few more picked at random.
    const all: Array<[number, number, boolean, boolean]> = [...callers.map((_, i): [number, number, boolean, boolean] => [i, i, false, false]), ...picks];
    for (const [i, j, refused, refusedToo] of callers.length && targets.length ? all : []) {
      const call = { from: callers[i % callers.length], to: targets[j % targets.length], allowed: !(refused && refusedToo) };
      if (!calls.some((c) => c.from === call.from && c.to === call.to)) calls.push(call);
    }
    if (stray) calls.push(stray);
    const declared = workflows.map(({ name, ranges }) => ({ name, ranges: ranges && !callers.includes(name) }));
    if (twice) declared.push({ name: twice, ranges: false });
    return { workflows: declared, apis, calls, probe };
  });

/** The graph rules read straight from the README: is this graph deployable? */
function deployable(g: AnyGraph): boolean {
  const names = g.workflows.map((w) => w.name);
  if (new Set(names).size !== names.length) return false; // declared once
  const edges = g.calls.map((c) => `${c.from}>${c.to}`);
  if (new Set(edges).size !== edges.length) return false; // one action per target
  for (const c of g.calls) {
    if (!names.includes(c.from) || (!names.includes(c.to) && !g.apis.includes(c.to)) || c.from === c.to) return false;
  }
  for (const w of g.workflows) {
    const incoming = g.calls.filter((c) => c.to === w.name);
    const outgoing = g.calls.filter((c) => c.from === w.name);
    const receiver = incoming.length > 0 || w.ranges;
    if (!receiver && outgoing.length === 0) return false; // on no call
    const allowed = new Set(incoming.filter((c) => c.allowed).map((c) => c.from)).size;
    if (receiver && allowed > 5) return false;
    if (receiver && (incoming.length > 0 || g.probe) && allowed === 0 && !w.ranges) return false; // empty trigger IP list
  }
  // No loop of calls between workflows: peel off workflows that call no remaining workflow; a loop stays.
  let left = [...names];
  for (let peeled = true; peeled; ) {
    const next = left.filter((n) => g.calls.some((c) => c.from === n && left.includes(c.to)));
    peeled = next.length < left.length;
    left = next;
  }
  if (left.length > 0) return false;
  return g.apis.every((api) => g.calls.some((c) => c.to === api)); // an API has a caller
}

test('any generated graph is accepted exactly when it is deployable, and refused naming an entry of the graph', () => {
  let accepted = 0;
  let overLimit = 0;
  fc.assert(
    fc.property(anyGraph, (g) => {
      const raw = {
        logicAppsOauth: {
          wrongAudienceProbe: g.probe,
          workflows: g.workflows.map((w) => (w.ranges ? { name: w.name, extraTriggerIpRanges: ['198.51.100.0/24'] } : { name: w.name })),
          calls: g.calls,
          apis: g.apis.map((name) => ({ name })),
          ...(g.apis.length ? { apiManagement: { publisherName: 'Contoso', publisherEmail: 'platform-team@contoso.com' } } : {}),
        },
      };
      const expected = deployable(g);
      try {
        parseConfig(raw);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        if (expected) throw new Error(`refused a deployable graph: ${err.message}`);
        if (!/^config error: logicAppsOauth\.(workflows|calls|apis)\[\d+\]/.test(err.message) || err.message.includes('\n')) throw new Error(`not a one-line error naming an entry: ${err.message}`);
        if (/allows [6-9] callers/.test(err.message)) overLimit++;
        return;
      }
      if (!expected) throw new Error(`accepted a graph that cannot be deployed: ${JSON.stringify(g)}`);
      accepted++;
    }),
    { numRuns: 3000 },
  );
  if (process.env.PROPERTY_STATS) console.log({ accepted, overLimit });
  // The generator reaches the valid side and the 5-policy limit (both are likely, not certain, per run).
  expect(accepted).toBeGreaterThan(300);
  expect(overLimit).toBeGreaterThan(0);
});
