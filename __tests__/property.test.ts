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
import { Config, formatPath } from '../config/schema';
import { LOGIC_APPS_OAUTH_STACK, LogicAppsOauthStack } from '../stacks/logic-apps-oauth-stack';
import { APIM_MANAGED_IDENTITY_STACK, ApimManagedIdentityStack } from '../stacks/apim-managed-identity-stack';
import { APIM_CROSS_TENANT_STACK, ApimCrossTenantStack } from '../stacks/apim-cross-tenant-stack';
import { blockingFindings, formatFinding } from '../rules/engine';
import { evaluateStack } from '../rules/guard';

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
      result = blockingFindings(evaluateStack(stack).findings).map(formatFinding);
      stackResults.set(key, result);
      synthesized++;
      synthMs += performance.now() - started;
    }
    errors.push(...result);
  }
  return errors;
}

// ---- valid configurations: small domains, so memoization keeps the full synth affordable ----

const RECEIVER_SHAPES = [
  [{ name: 'receive', senders: [{ name: 'send', allowed: true }], extraTriggerIpRanges: [] }],
  [
    {
      name: 'orders',
      senders: [
        { name: 'billing', allowed: true },
        { name: 'shipping' },
        { name: 'intruder', allowed: false },
      ],
      extraTriggerIpRanges: ['203.0.113.0/24'],
    },
  ],
  [{ name: 'lonely', extraTriggerIpRanges: ['198.51.100.0/24'] }],
  [
    { name: 'r1', senders: [{ name: 's1' }] },
    { name: 'r2', senders: [{ name: 's2', allowed: false }], extraTriggerIpRanges: ['10.0.0.0/8', '192.0.2.1-192.0.2.9', '2001:db8::/32'] },
  ],
  [{ name: 'busy', senders: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name })) }],
];

// "production" switches protect, a custom identifier URI, remote state on and the wrong-audience probe off,
// like config/examples/production.json; the demo side is the opposite. Tied to keep the number of
// distinct stacks (and so of synths) small: the property's time is almost all synth.
const validConfig = fc
  .record({
    tokenVersion: fc.constantFrom(1, 2),
    receivers: fc.nat({ max: RECEIVER_SHAPES.length - 1 }),
    production: fc.boolean(),
    crossTenant: fc.boolean(),
  })
  .map((k) => {
    const c = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    const knobs = { ...k, probe: !k.production, protect: k.production, backend: k.production, identifierUri: k.production ? 'https://contoso.example/logic-apps' : undefined };
    c.protect = knobs.protect;
    c.logicAppsOauth.tokenVersion = k.tokenVersion;
    c.logicAppsOauth.wrongAudienceProbe = knobs.probe;
    c.logicAppsOauth.receivers = JSON.parse(JSON.stringify(RECEIVER_SHAPES[k.receivers]));
    if (knobs.identifierUri) c.logicAppsOauth.audience = { identifierUri: knobs.identifierUri };
    c.apimManagedIdentity.tokenVersion = k.tokenVersion;
    if (k.crossTenant) c.apimCrossTenant.tokenVersion = k.tokenVersion;
    else delete c.apimCrossTenant;
    if (knobs.backend) c.backend = { resourceGroupName: 'rg-state', storageAccountName: 'stlaoauth', containerName: 'tfstate' };
    return c as Record<string, any>;
  });

// ---- invalid values: each breaks exactly one field; the error must name it ----

type Path = Array<string | number>;
const SAME_AS_RECEIVER = Symbol('the receiver\'s own name (duplicate workflow name)');
interface Mutation {
  readonly path: Path;
  /** The field the error must name (default: path). */
  readonly field?: string;
  readonly value: fc.Arbitrary<unknown>;
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
// "la-oauth-" + 72 characters is 81: over the 80-character workflow name limit.
const longName = fc.integer({ min: 72, max: 120 }).map((n) => 'n'.repeat(n));

const MUTATIONS: Mutation[] = [
  { path: ['namePrefix'], value: notMatching(/^[a-z][a-z0-9-]{1,19}$/) },
  // A valid prefix whose default Key Vault name "kv-<prefix>" is not a valid vault name.
  { path: ['namePrefix'], needsCrossTenant: true, value: fc.constantFrom('ab-', 'a--b', 'kv'.padEnd(20, '-')) },
  { path: ['location'], value: fc.oneof(fc.constantFrom('West Europe', 'northeurop', 'westeurope2'), notMatching(/^[a-z0-9]+$/)) },
  { path: ['tags'], value: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.oneof(fc.integer(), fc.boolean()), { minKeys: 1, maxKeys: 2 }) },
  { path: ['protect'], value: notBoolean },
  { path: ['surprise'], field: '"surprise"', value: fc.anything({ maxDepth: 1 }) },
  { path: ['logicAppsOauth', 'tokenVersion'], value: fc.oneof(fc.integer().filter((n) => n !== 1 && n !== 2), fc.constant('1')) },
  { path: ['logicAppsOauth', 'receivers'], value: fc.constant([]) },
  { path: ['logicAppsOauth', 'receivers', 0, 'name'], value: notMatching(/^[-()_.A-Za-z0-9]+$/) },
  { path: ['logicAppsOauth', 'receivers', 0, 'name'], value: longName },
  { path: ['logicAppsOauth', 'receivers', 0, 'senders', 0, 'name'], value: fc.constant(SAME_AS_RECEIVER) },
  { path: ['logicAppsOauth', 'receivers', 0, 'senders', 0, 'allowed'], value: notBoolean },
  { path: ['logicAppsOauth', 'receivers', 0, 'senders'], value: fc.integer({ min: 6, max: 9 }).map((n) => Array.from({ length: n }, (_, i) => ({ name: `s${i}` }))) },
  { path: ['logicAppsOauth', 'receivers', 0, 'extraTriggerIpRanges'], field: 'logicAppsOauth.receivers[0].extraTriggerIpRanges[0]', value: badIpRange.map((r) => [r]) },
  { path: ['logicAppsOauth', 'runHistoryIpRanges'], value: fc.constant([]) },
  { path: ['logicAppsOauth', 'runHistoryIpRanges'], field: 'logicAppsOauth.runHistoryIpRanges[0]', value: badIpRange.map((r) => [r]) },
  { path: ['logicAppsOauth', 'audience', 'identifierUri'], value: fc.oneof(fc.constant('ftp://x'), fc.integer({ min: 145, max: 200 }).map((n) => `api://${'x'.repeat(n)}`)) },
  { path: ['logicAppsOauth', 'probeAudience'], value: fc.constantFrom('not a url', '', 'management.azure.com') },
  // The default frequency is Day: Logic Apps allows 1-500 days.
  { path: ['logicAppsOauth', 'recurrence', 'interval'], value: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 501 }), fc.constant(1.5)) },
  { path: ['logicAppsOauth', 'recurrence', 'frequency'], value: notMatching(/^(Second|Minute|Hour|Day|Week|Month)$/) },
  { path: ['apimManagedIdentity', 'apiManagement', 'skuName'], value: fc.constantFrom('Consumption_1', 'Developer', 'Premium_0', 'free', 'Basic_3', 'Standard_5', 'BasicV2_11', 'PremiumV2_31') },
  { path: ['apimManagedIdentity', 'apiManagement', 'publisherEmail'], value: fc.constantFrom('nobody', 'a@', '') },
  { path: ['apimManagedIdentity', 'api', 'path'], value: fc.constantFrom('/leading', 'trailing/', 'a b', 'a~b', '-a', 'a.') },
  { path: ['apimCrossTenant', 'apiTenantId'], value: fc.oneof(fc.constant('00000000-0000-0000-0000-000000000000'), notMatching(/^[0-9a-f-]{36}$/i)) },
  { path: ['apimCrossTenant', 'keyVault', 'softDeleteRetentionDays'], value: fc.oneof(fc.integer({ max: 6 }), fc.integer({ min: 91 })) },
  { path: ['apimCrossTenant', 'certificate', 'renewDaysBeforeExpiry'], value: fc.integer({ min: 12 * 27 + 1, max: 5000 }) },
  { path: ['backend'], field: 'backend.storageAccountName', value: fc.constant({ resourceGroupName: 'rg', storageAccountName: 'Not-Valid', containerName: 'tfstate' }) },
  { path: ['logAnalyticsWorkspaceId'], value: fc.constantFrom('workspace', '/subscriptions/x', '/subscriptions/s/resourcegroups/rg/providers/Microsoft.OperationalInsights/workspaces/w') },
];

function setAt(target: Record<string, any>, path: Path, value: unknown): void {
  // A field of senders[0] needs a sender to exist (one receiver shape has none).
  if (path[3] === 'senders' && path.length > 5) {
    const receiver = target.logicAppsOauth.receivers[0];
    if (!receiver.senders?.length) receiver.senders = [{ name: 'first-sender' }];
  }
  let cur: any = target;
  path.slice(0, -1).forEach((key, i) => {
    if (cur[key] === undefined || cur[key] === null || typeof cur[key] !== 'object') cur[key] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[key];
  });
  cur[path[path.length - 1]] = value;
}

// Junk anywhere: any JSON-ish value at any known path. It may happen to be valid; then it must synth.
const JUNK_PATHS: Path[] = [
  ...MUTATIONS.map((m) => m.path),
  ['logicAppsOauth'],
  ['logicAppsOauth', 'receivers', 0],
  ['logicAppsOauth', 'wrongAudienceProbe'],
  ['apimManagedIdentity'],
  ['apimCrossTenant'],
  ['apimCrossTenant', 'certificate'],
];

type Case =
  | { kind: 'valid'; raw: Record<string, any> }
  | { kind: 'invalid'; raw: Record<string, any>; field: string }
  | { kind: 'junk'; raw: Record<string, any>; field: string };

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { weight: 2, arbitrary: validConfig.map((raw): Case => ({ kind: 'valid', raw })) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(validConfig, fc.nat({ max: MUTATIONS.length - 1 }).chain((i) => fc.tuple(fc.constant(MUTATIONS[i]), MUTATIONS[i].value)))
      .map(([base, [mutation, value]]): Case => {
        const raw = JSON.parse(JSON.stringify(base)); // generated values are reused while shrinking: never mutate them
        if ((mutation.needsCrossTenant || mutation.path[0] === 'apimCrossTenant') && !raw.apimCrossTenant) raw.apimCrossTenant = JSON.parse(JSON.stringify(DEFAULT_CONFIG.apimCrossTenant));
        setAt(raw, mutation.path, value === SAME_AS_RECEIVER ? raw.logicAppsOauth.receivers[0].name : value);
        return { kind: 'invalid', raw, field: mutation.field ?? formatPath(mutation.path) };
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validConfig, fc.constantFrom(...JUNK_PATHS), fc.anything({ maxDepth: 2, maxKeys: 3 }))
      .map(([base, path, value]): Case => {
        const raw = JSON.parse(JSON.stringify(base));
        if (path[0] === 'apimCrossTenant' && path.length > 1 && !raw.apimCrossTenant) raw.apimCrossTenant = JSON.parse(JSON.stringify(DEFAULT_CONFIG.apimCrossTenant));
        setAt(raw, path, value);
        return { kind: 'junk', raw, field: formatPath(path) };
      }),
  },
);

const CROSS_FIELD = /duplicate workflow name|workflow name ".*" is \d+ characters|Key Vault name|authorization policies per workflow|allows no sender/;
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

test('the property builds the same stacks as buildApp', () => {
  const config = parseConfig(DEFAULT_CONFIG);
  const app = buildApp(config, { outdir: IN_MEMORY });
  const built = app.node.findAll().filter((c) => TerraformStack.isStack(c)).map((s) => s.node.id).sort();
  expect(built).toEqual(STACKS.filter((s) => enabled(config, s.section)).map((s) => s.id).sort());
});
