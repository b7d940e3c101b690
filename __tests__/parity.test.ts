// Provider and Azure parity (docs/parity.md): for every value we write that azurerm 4.55.0 or Azure checks,
// the config schema refuses exactly what the provider or Azure refuses. Each boundary is tested on both
// sides by example, and a property generates values around it whose verdict is known from how they were
// built (or from the provider's own regex, copied verbatim), then checks parseConfig agrees. Validation
// through parseConfig proves the same as a synth here: main.ts synthesizes only what parseConfig accepts,
// and the constructs receive the parsed value (a location display name normalized, as azurerm does).
import fc from 'fast-check';
import { ConfigError, parseConfig } from '../config/load';
import { withDefaults } from './support/config';
import { addressToBigInt, bigIntToAddress, parseIpRange } from '../domain/ip-range';
import { RECURRENCE_MAX_INTERVAL, RecurrenceFrequency, stepNameProblem } from '../domain/parity';
import { AZURE_REGIONS, PUBLIC_REGIONS } from '../domain/regions';
import { buildStackModel } from '../model/stack-model';
import { runRules } from '../rules/engine';
import { RULES } from '../rules/pack';

// Where each checked value sits in the config (one place to follow a schema reshape).
const AT = {
  skuName: ['apimManagedIdentity', 'apiManagement', 'skuName'],
  apiPath: ['apimManagedIdentity', 'api', 'path'],
  workspaceId: ['logAnalyticsWorkspaceId'],
  ipRange: ['logicAppsOauth', 'runHistoryIpRanges'],
  certificate: ['apimCrossTenant', 'certificate'],
  recurrence: ['logicAppsOauth', 'recurrence'],
  tags: ['tags'],
  location: ['location'],
} as const;

const field = (path: readonly (string | number)[]) =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

const SCENARIOS = ['logicAppsOauth', 'apimManagedIdentity', 'apimCrossTenant'];

/**
 * Parses the default config with `value` at `path`: undefined when accepted, else the one-line error.
 * Only the scenario section the path is in is kept (logicAppsOauth for top-level fields): the others
 * would be validated on every run for nothing.
 */
function verdict(path: readonly string[], value: unknown): string | undefined {
  const keep = SCENARIOS.includes(path[0]) ? path[0] : 'logicAppsOauth';
  const raw = withDefaults((c) => {
    for (const section of SCENARIOS) if (section !== keep) delete c[section];
    let cur = c;
    for (const key of path.slice(0, -1)) cur = cur[key];
    cur[path[path.length - 1]] = value;
  });
  try {
    parseConfig(raw);
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.message).not.toContain('\n');
    return err.message;
  }
}

function expectVerdict(path: readonly string[], value: unknown, accepted: boolean, errorField = field(path)): void {
  const message = verdict(path, value);
  if (accepted) expect(message).toBeUndefined();
  else expect(message).toMatch(new RegExp(`^config error: ${errorField.replace(/[.[\]]/g, '\\$&')}(?=[ :.[]|$)`));
}

const RUNS = { numRuns: 150 };

// ---- APIM sku_name ----

// internal/services/apimanagement/validate/api_management_sku.go at v4.55.0, verbatim.
const PROVIDER_SKU = /^Consumption_0$|^Basic_(1|2)$|^BasicV2_([1-9]|10)|^Developer_1$|^Premium_([1-9][0-9]{0,1})$|^PremiumV2_([1-9]|1[0-9]|2[0-9]|30)$|^Standard_[1-4]$|^StandardV2_([1-9]|10)$/;
// The one place we are stricter: the provider's BasicV2 branch has no "$" ("BasicV2_10x", "BasicV2_100").
const AZURE_SKU = (sku: string) => PROVIDER_SKU.test(sku) && (!sku.startsWith('BasicV2_') || /^BasicV2_([1-9]|10)$/.test(sku));

describe('APIM sku_name', () => {
  test.each([
    ['Consumption_0', true], ['Consumption_1', false], ['Developer_1', true], ['Developer_2', false],
    ['Basic_2', true], ['Basic_3', false], ['Standard_4', true], ['Standard_5', false],
    ['Premium_99', true], ['Premium_100', false], ['Premium_0', false],
    ['BasicV2_10', true], ['BasicV2_11', false], ['BasicV2_100', false], ['StandardV2_10', true], ['StandardV2_11', false],
    ['PremiumV2_30', true], ['PremiumV2_31', false], ['Premium_01', false], ['premium_1', false],
    // Names of Object.prototype's members are no tiers.
    ['constructor_1', false], ['toString_0', false], ['hasOwnProperty_1', false],
  ])('%s accepted: %s', (sku, accepted) => {
    expect(AZURE_SKU(sku)).toBe(accepted);
    expectVerdict(AT.skuName, sku, accepted);
  });

  test('property: tiers x capacities around each tier\'s range agree with the provider regex', () => {
    const tier = fc.constantFrom('Consumption', 'Developer', 'Basic', 'Standard', 'Premium', 'BasicV2', 'StandardV2', 'PremiumV2', 'Free', 'premium');
    const capacity = fc.oneof(fc.integer({ min: -1, max: 12 }), fc.integer({ min: 28, max: 32 }), fc.integer({ min: 98, max: 101 }));
    const suffix = fc.constantFrom('', '', '', '0', 'x', ' ');
    fc.assert(
      fc.property(tier, capacity, suffix, (t, n, s) => {
        const sku = `${t}_${n}${s}`;
        expectVerdict(AT.skuName, sku, AZURE_SKU(sku));
      }),
      RUNS,
    );
  });
});

// ---- APIM API path ----

// validate/api_management.go ApiManagementApiPath at v4.55.0; Go's \w is [0-9A-Za-z_] and "-" after a
// class escape is literal, which JS only allows without the u flag.
const PROVIDER_PATH = /^(?:|[\w]|[\w.][\w\-/.:]{0,398}[\w-])$/;

describe('APIM API path', () => {
  test.each([
    ['', true], ['a', true], ['-', false], ['.', false], ['.a', true], ['a.', false], ['a-', true], ['-a', false],
    ['a/b', true], ['a/', false], ['/a', false], ['a:b', true], ['a:', false], ['a~b', false], ['a b', false],
    ['a'.repeat(400), true], ['a'.repeat(401), false],
  ])('%j accepted: %s', (path, accepted) => {
    expect(PROVIDER_PATH.test(path)).toBe(accepted);
    expectVerdict(AT.apiPath, path, accepted);
  });

  test('property: strings over the boundary characters, and lengths around 400, agree with the provider regex', () => {
    const char = fc.constantFrom('a', 'Z', '0', '_', '-', '.', ':', '/', '~', ' ', '%', 'é');
    const short = fc.array(char, { maxLength: 6 }).map((cs) => cs.join(''));
    const long = fc.tuple(fc.integer({ min: 397, max: 402 }), char).map(([n, c]) => 'a'.repeat(n - 1) + c);
    fc.assert(fc.property(fc.oneof(short, long), (path) => expectVerdict(AT.apiPath, path, PROVIDER_PATH.test(path))), RUNS);
  });
});

// ---- Log Analytics workspace id ----

describe('logAnalyticsWorkspaceId (parsed case-sensitively like workspaces.ParseWorkspaceID)', () => {
  const good = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-1';
  test.each([
    [good, true],
    [good.slice(1), true], // the leading "/" is optional
    [`${good}/`, true], // one trailing "/" is tolerated by the parser
    [`${good}//`, false],
    [`${good}/extra`, false],
    [good.replace('resourceGroups', 'resourcegroups'), false],
    [good.replace('Microsoft.OperationalInsights', 'microsoft.operationalinsights'), false],
    [good.replace('workspaces', 'Workspaces'), false],
    [good.replace('Microsoft.OperationalInsights/workspaces', 'Microsoft.Storage/storageAccounts'), false],
    [good.replace('rg-logs', ''), false],
    ['/subscriptions/x', false],
  ])('%s accepted: %s', (id, accepted) => expectVerdict(AT.workspaceId, id, accepted));

  test('property: each segment right, re-cased or emptied; optional leading and trailing "/"', () => {
    const STATIC = ['subscriptions', null, 'resourceGroups', null, 'providers', 'Microsoft.OperationalInsights', 'workspaces', null] as const;
    const segment = (s: string | null, i: number) =>
      fc.constantFrom('ok', 'ok', 'ok', 'recase', 'empty').map((how) => {
        const value = s ?? `v${i}`;
        const text = how === 'ok' ? value : how === 'empty' ? '' : value === value.toUpperCase() ? value.toLowerCase() : value.toUpperCase();
        return { text, ok: how === 'ok' || (how === 'recase' && s === null && text !== '') };
      });
    fc.assert(
      fc.property(fc.tuple(...STATIC.map(segment)), fc.boolean(), fc.constantFrom('', '/', '//', '/more'), (segments, lead, tail) => {
        const id = (lead ? '/' : '') + segments.map((s) => s.text).join('/') + tail;
        expectVerdict(AT.workspaceId, id, segments.every((s) => s.ok) && (tail === '' || tail === '/'));
      }),
      { numRuns: 80 },
    );
  });
});

// ---- IP ranges (IsCIDR = Go net.ParseCIDR, IsIPv4Range) plus our host-bit refusal ----

describe('IP ranges', () => {
  const at = (range: string, accepted: boolean) => expectVerdict(AT.ipRange, [range], accepted, `${field(AT.ipRange)}[0]`);
  test.each([
    ['10.0.0.0/8', true], ['10.0.0.0/32', true], ['10.0.0.0/33', false], ['0.0.0.0/0', true],
    ['255.255.255.255/32', true], ['256.0.0.0/8', false], ['010.0.0.0/8', false], ['10.0.0.0/08', false],
    ['203.0.113.5/28', false], ['203.0.113.0/28', true], ['203.0.113.16/28', true], ['203.0.113.8/29', true],
    ['10.0.0.1', false], ['10.0.0.1-10.0.0.1', true], ['10.0.0.2-10.0.0.1', false], ['10.0.0.1-10.0.0.2-10.0.0.3', false],
    ['2001:db8::/32', true], ['2001:db8::/128', true], ['2001:db8::/129', false], ['2001:db8::1/64', false],
    [':::/64', false], ['1:2:3:4:5:6:7:8:9/64', false], ['1:2:3:4:5:6:7:8/128', true], ['fe80::%eth0/64', false],
    ['::ffff:10.0.0.0/104', true], ['::1-::2', true], ['::2-::1', false], ['10.0.0.1-::1', false], ['2001:db8::1', false],
  ])('%s accepted: %s', (range, accepted) => at(range, accepted));

  test('host bits: the message names the network address and the single-address form', () => {
    expect(verdict(AT.ipRange, ['203.0.113.5/28'])).toBe(
      'config error: logicAppsOauth.runHistoryIpRanges[0] = "203.0.113.5/28": not an IP range: "203.0.113.5/28" has host bits set (Azure would admit all of 203.0.113.0/28); write "203.0.113.0/28" for the network or "203.0.113.5/32" for the one address',
    );
  });

  const v4 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => BigInt(n));
  const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  const mask = (bits: number, prefix: number) => ((1n << BigInt(bits - Math.min(prefix, bits))) - 1n);

  test('property: IPv4 CIDR around the prefix limit and the host bits', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 34 }), fc.boolean(), (addr, prefix, network) => {
        const a = network ? addr & ~mask(32, prefix) : addr;
        const accepted = prefix <= 32 && (a & mask(32, prefix)) === 0n;
        at(`${bigIntToAddress(a, 4)}/${prefix}`, accepted);
      }),
      RUNS,
    );
  });

  test('property: IPv4 octets around 255', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 250, max: 260 }), { minLength: 4, maxLength: 4 }), (octets) => {
        at(`${octets.join('.')}/32`, octets.every((o) => o <= 255));
      }),
      { numRuns: 60 },
    );
  });

  test('property: a-b ranges around start = end, both families', () => {
    fc.assert(
      fc.property(fc.oneof(v4.map((a) => [4, a] as const), v6.map((a) => [6, a] as const)), fc.integer({ min: -2, max: 2 }), ([family, a], delta) => {
        const max = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
        const b = a + BigInt(delta);
        if (b < 0n || b > max) return;
        at(`${bigIntToAddress(a, family)}-${bigIntToAddress(b, family)}`, a <= b);
      }),
      RUNS,
    );
  });

  test('property: IPv6 CIDR around the prefix limit, the host bits and the group count', () => {
    fc.assert(
      fc.property(v6, fc.integer({ min: 0, max: 130 }), fc.boolean(), fc.constantFrom(8, 8, 8, 7, 9), (addr, prefix, network, groups) => {
        const a = network ? addr & ~mask(128, prefix) : addr;
        const full = Array.from({ length: 8 }, (_, i) => ((a >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
        const text = groups === 8 ? full.join(':') : groups === 7 ? full.slice(1).join(':') : [...full, '1'].join(':');
        const accepted = groups === 8 && prefix <= 128 && (a & mask(128, prefix)) === 0n;
        at(`${text}/${prefix}`, accepted);
      }),
      RUNS,
    );
  });

  test('the integer form round-trips through the canonical text', () => {
    fc.assert(fc.property(v6, (a) => expect(addressToBigInt(bigIntToAddress(a, 6), 6)).toBe(a)), RUNS);
    expect(parseIpRange('::ffff:10.0.0.0/104').range).toMatchObject({ family: 6, prefix: 104 });
  });
});

// ---- Key Vault days_before_expiry <= validity_in_months * 27 ----

describe('certificate renewDaysBeforeExpiry (Key Vault: 1 .. validity_in_months x 27)', () => {
  const at = (validityInMonths: number, renewDaysBeforeExpiry: number, accepted: boolean) =>
    expectVerdict(AT.certificate, { validityInMonths, renewDaysBeforeExpiry }, accepted, `${field(AT.certificate)}.renewDaysBeforeExpiry`);
  test.each([
    [1, 27, true], [1, 28, false], [12, 324, true], [12, 325, false], [120, 3240, true], [120, 3241, false], [12, 1, true], [12, 0, false],
  ])('%i months, %i days accepted: %s', (m, d, accepted) => at(m, d, accepted));

  test('property: days around months x 27', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: -2, max: 2 }), (months, delta) => {
        const days = months * 27 + delta;
        at(months, days, days >= 1 && days <= months * 27);
      }),
      RUNS,
    );
  });
});

// ---- Recurrence interval per frequency ----

describe('recurrence interval (Logic Apps caps per frequency)', () => {
  const at = (frequency: string, interval: number, accepted: boolean) =>
    expectVerdict(AT.recurrence, { frequency, interval }, accepted, `${field(AT.recurrence)}.interval`);
  test.each(Object.entries(RECURRENCE_MAX_INTERVAL))('%s: 1 and %i accepted, 0 and one more refused', (frequency, max) => {
    at(frequency, 1, true);
    at(frequency, max, true);
    at(frequency, 0, false);
    at(frequency, max + 1, false);
  });

  test('900 days (accepted before) is refused', () => at('Day', 900, false));

  test('property: intervals around each cap', () => {
    const frequency = fc.constantFrom(...(Object.keys(RECURRENCE_MAX_INTERVAL) as RecurrenceFrequency[]));
    fc.assert(
      fc.property(frequency, fc.integer({ min: -2, max: 2 }), fc.boolean(), (f, delta, nearZero) => {
        const interval = (nearZero ? 1 : RECURRENCE_MAX_INTERVAL[f]) + delta;
        at(f, interval, interval >= 1 && interval <= RECURRENCE_MAX_INTERVAL[f]);
      }),
      RUNS,
    );
  });
});

// ---- Tags ----

describe('tags (azurerm tags.Validate: 50 tags, 512/256 UTF-8 bytes; Azure: forbidden name characters)', () => {
  const tagsOf = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v']));
  test.each([
    ['50 tags', tagsOf(50), true],
    ['51 tags', tagsOf(51), false],
    ['a 512-byte name', { ['n'.repeat(512)]: 'v' }, true],
    ['a 513-byte name', { ['n'.repeat(513)]: 'v' }, false],
    ['a 256-byte value', { t: 'v'.repeat(256) }, true],
    ['a 257-byte value', { t: 'v'.repeat(257) }, false],
    ['a 128-character value of 2-byte characters (256 bytes)', { t: 'é'.repeat(128) }, true],
    ['a 129-character value of 2-byte characters (258 bytes)', { t: 'é'.repeat(129) }, false],
    ['a name with "/"', { 'cost/center': 'v' }, false],
    ['a name with "%"', { 'a%b': 'v' }, false],
    ['a name with ":" and spaces', { 'cost center: team': 'v' }, true],
    ['an empty name', { '': 'v' }, false],
    ['an empty value', { t: '' }, true],
    ['names differing only in case', { Env: 'a', env: 'b' }, false],
  ])('%s accepted: %s', (_name, tags, accepted) => {
    const message = verdict(AT.tags, tags);
    if (accepted) expect(message).toBeUndefined();
    else expect(message).toMatch(/^config error: tags\b/);
  });

  test('property: counts, name and value byte lengths, and name characters around each limit', () => {
    const forbidden = '<>%&\\?/';
    fc.assert(
      fc.property(
        fc.integer({ min: 48, max: 52 }),
        fc.integer({ min: 510, max: 514 }),
        fc.integer({ min: 254, max: 258 }),
        fc.constantFrom('a', 'é', '<', '>', '%', '&', '\\', '?', '/', ':', ' '),
        (count, nameBytes, valueBytes, ch) => {
          // One long name (made of "n" plus, when it fits, the probe character) among count-1 short ones.
          const chBytes = Buffer.byteLength(ch);
          const longName = ch + 'n'.repeat(Math.max(0, nameBytes - chBytes));
          const tags: Record<string, string> = { [longName]: 'é'.repeat(Math.floor(valueBytes / 2)) + 'v'.repeat(valueBytes % 2) };
          for (let i = 1; i < count; i++) tags[`t${i}`] = 'v';
          const accepted = count <= 50 && Buffer.byteLength(longName) <= 512 && valueBytes <= 256 && !forbidden.includes(ch);
          const message = verdict(AT.tags, tags);
          if (accepted) expect(message).toBeUndefined();
          else expect(message).toMatch(/^config error: tags\b/);
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ---- Location ----

describe('location (Azure region names, domain/regions.ts)', () => {
  test.each([
    ['westeurope', true], ['northeurope', true], ['swedencentral', true], ['usgovvirginia', true],
    ['northeurop', false], ['europe', false], ['', false],
    // azurerm normalizes a location (go-azure-helpers resourcemanager/location/normalize.go: lower case,
    // spaces removed) and ARM takes display names, so "West Europe" deploys; only spaces are removed.
    ['West Europe', true], ['WESTEUROPE', true], ['West US 2', true], ['West\tEurope', false], ['West-Europe', false],
    // GA and access-restricted regions of learn.microsoft.com/azure/reliability/regions-list
    ['indiasouthcentral', true], ['southeastus', true], ['israelnorthwest', true], ['malaysiasouth', true],
  ])('%j accepted: %s', (location, accepted) => expectVerdict(AT.location, location, accepted));

  test('a display name is written as the region name azurerm stores (same synth as the name itself)', () => {
    const parsed = (location: string) => parseConfig(withDefaults((c) => (c.location = location))).location;
    expect(parsed('West Europe')).toBe('westeurope');
    expect(parsed('West US 2')).toBe('westus2');
    expect(verdict(AT.location, 'West\tEurope')).toMatch(/write the region name "westeurope"/);
  });

  test('a typo names the closest region', () => {
    expect(verdict(AT.location, 'northeurop')).toBe(
      'config error: location = "northeurop": not an Azure region name; did you mean "northeurope"? (a region added after this release: add it to domain/regions.ts)',
    );
  });

  test('property: every listed region is accepted, also re-cased with a space; one character dropped is accepted only if that is a region too', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PUBLIC_REGIONS), fc.nat(), (region, at) => {
        expectVerdict(AT.location, region, true);
        const i = at % region.length;
        // azurerm's normalization: upper case and spaces anywhere are the same region
        expectVerdict(AT.location, `${region.slice(0, i).toUpperCase()} ${region.slice(i)}`, true);
        const typo = region.slice(0, i) + region.slice(i + 1);
        expectVerdict(AT.location, typo, AZURE_REGIONS.has(typo));
      }),
      { numRuns: 40 },
    );
  });
});

// ---- Logic Apps action and trigger names ----

describe('action and trigger names (Logic Apps: at most 80 characters)', () => {
  test('80 accepted, 81 refused', () => {
    expect(stepNameProblem('a'.repeat(80))).toBeUndefined();
    expect(stepNameProblem('a'.repeat(81))).toMatch(/is 81 characters; Logic Apps allows 80/);
  });

  test('property: names around 80 characters, as actions and triggers in the JSON, agree with rule LA025', () => {
    const name = fc.integer({ min: 76, max: 84 }).chain((n) => fc.string({ minLength: n, maxLength: n, unit: 'grapheme-ascii' })).filter((n) => !n.includes('${')); // "${" is a Terraform expression, left to apply
    const type = fc.constantFrom('azurerm_logic_app_action_custom', 'azurerm_logic_app_action_http', 'azurerm_logic_app_trigger_custom', 'azurerm_logic_app_trigger_recurrence');
    fc.assert(
      fc.property(name, type, (n, t) => {
        const json = { resource: { [t]: { step: { name: n, logic_app_id: '${azurerm_logic_app_workflow.w.id}' } } } };
        const ids = runRules(buildStackModel({ name: 'parity', json }), RULES.filter((r) => r.id === 'LA025')).map((f) => f.ruleId);
        expect(ids).toEqual(n.length > 80 ? ['LA025'] : []);
        expect(stepNameProblem(n) === undefined).toBe(n.length <= 80);
      }),
      { numRuns: 100 },
    );
  });
});

// ---- the call graph's fields share the validators above ----

describe('logicAppsOauth call graph fields: the same rules, both sides', () => {
  /** The default graph plus an API on an API Management instance (and a call to it). */
  const withApi = (patch: (c: Record<string, any>) => void) =>
    withDefaults((c) => {
      c.logicAppsOauth.apis = [{ name: 'stock', path: 'stock/v1' }];
      c.logicAppsOauth.apiManagement = { name: 'contoso-apim', skuName: 'Consumption_0', publisherName: 'Contoso', publisherEmail: 'ops@contoso.com' };
      c.logicAppsOauth.workflows.push({ name: 'erp' });
      c.logicAppsOauth.calls.push({ from: 'erp', to: 'stock' });
      patch(c);
    });
  const errorOf = (raw: Record<string, any>) => {
    try {
      parseConfig(raw);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  test.each([
    ['apiManagement.skuName', (c: Record<string, any>) => (c.logicAppsOauth.apiManagement.skuName = 'StandardV2_10'), (c: Record<string, any>) => (c.logicAppsOauth.apiManagement.skuName = 'StandardV2_11')],
    ['apis[0].path', (c: Record<string, any>) => (c.logicAppsOauth.apis[0].path = 'stock:v1'), (c: Record<string, any>) => (c.logicAppsOauth.apis[0].path = 'stock~v1')],
    ['workflows[0].extraTriggerIpRanges[0]', (c: Record<string, any>) => (c.logicAppsOauth.workflows[0].extraTriggerIpRanges = ['203.0.113.0/28']), (c: Record<string, any>) => (c.logicAppsOauth.workflows[0].extraTriggerIpRanges = ['203.0.113.5/28'])],
  ])('logicAppsOauth.%s', (path, good, bad) => {
    expect(errorOf(withApi(good))).toBeUndefined();
    expect(errorOf(withApi(bad))).toMatch(new RegExp(`^config error: logicAppsOauth\\.${path.replace(/[.[\]]/g, '\\$&')} = `));
  });
});
