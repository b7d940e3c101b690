import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../config/load';
import { DEFAULT_CONFIG } from '../config/default';
import { configJsonSchemaText, JSON_SCHEMA_FILE } from '../config/json-schema';
import { ipRangeProblem } from '../domain/ip-range';
import { withDefaults } from './support/config';

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

const receivers = (rs: unknown[]) => withDefaults((c) => (c.logicAppsOauth.receivers = rs));

describe('configuration errors: one line naming the field, the value and the fix', () => {
  test.each<[string, unknown, RegExp]>([
    [
      'workflow name outside the provider pattern',
      receivers([{ name: 'my receiver!' }]),
      /^config error: logicAppsOauth\.receivers\[0\]\.name = "my receiver!": .*\^\[-\(\)_\.A-Za-z0-9\]\{1,80\}\$.*use 1-80 letters/,
    ],
    [
      'workflow name over 80 characters once prefixed',
      receivers([{ name: 'r'.repeat(80) }]),
      /^config error: logicAppsOauth\.receivers\[0\]\.name = "r+\.\.\.: workflow name "la-oauth-r+" is 89 characters; the limit is 80: shorten the name or namePrefix/,
    ],
    [
      'a bare IP suggests /32',
      receivers([{ name: 'r', extraTriggerIpRanges: ['203.0.113.7'] }]),
      /^config error: logicAppsOauth\.receivers\[0\]\.extraTriggerIpRanges\[0\] = "203\.0\.113\.7": .*write "203\.0\.113\.7\/32"$/,
    ],
    [
      'an IP range that is neither CIDR nor a-b',
      withDefaults((c) => (c.logicAppsOauth.runHistoryIpRanges = ['10.0.0.0/33'])),
      /^config error: logicAppsOauth\.runHistoryIpRanges\[0\] = "10\.0\.0\.0\/33": not an IP range: the prefix length "\/33" must be a whole number from 0 to 32 for an IPv4 address$/,
    ],
    [
      'a reversed a-b range',
      receivers([{ name: 'r', extraTriggerIpRanges: ['10.0.0.9-10.0.0.1'] }]),
      /= "10\.0\.0\.9-10\.0\.0\.1": not an IP range: the range start must not be above its end; write "10\.0\.0\.1-10\.0\.0\.9"$/,
    ],
    [
      'duplicate names',
      receivers([{ name: 'a', senders: [{ name: 'x' }] }, { name: 'b', senders: [{ name: 'x' }] }]),
      /^config error: logicAppsOauth\.receivers\[1\]\.senders\[0\]\.name = "x": duplicate workflow name "la-oauth-x" \(also at logicAppsOauth\.receivers\[0\]\.senders\[0\]\.name\); give each/,
    ],
    [
      'a sender named like the probe of a receiver',
      receivers([{ name: 'a', senders: [{ name: 'a-naughty' }] }]),
      /duplicate workflow name "la-oauth-a-naughty"/,
    ],
    [
      'more than 5 allowed senders on one receiver',
      receivers([{ name: 'r', senders: [1, 2, 3, 4, 5, 6].map((i) => ({ name: `s${i}` })) }]),
      /^config error: logicAppsOauth\.receivers\[0\]\.senders = .*: receiver "r" allows 6 senders; Logic Apps allows 5 authorization policies per workflow: split them over more receivers/,
    ],
    [
      'a claim value over 150 characters',
      withDefaults((c) => (c.logicAppsOauth.audience = { identifierUri: `api://${'x'.repeat(145)}` })),
      /^config error: logicAppsOauth\.audience\.identifierUri = "api:\/\/x+\.\.\.: a claim value is at most 150 characters .*InvalidOAuthClaimValue.*shorten the identifier URI/,
    ],
    [
      'unknown keys',
      withDefaults((c) => (c.logicAppsOauth.recievers = [])),
      /^config error: logicAppsOauth: unknown key "recievers"; remove it or use one of: tokenVersion, .*receivers/,
    ],
    [
      'a receiver with callers but no allowed sender and no IP range (empty trigger IP list)',
      receivers([{ name: 'r', senders: [{ name: 's', allowed: false }] }]),
      /^config error: logicAppsOauth\.receivers\[0\]\.senders = \[.*\]: receiver "r" allows no sender, so its trigger IP list would be empty .*: allow a sender or add extraTriggerIpRanges$/,
    ],
    ['wrong types', withDefaults((c) => (c.logicAppsOauth.tokenVersion = '2')), /^config error: logicAppsOauth\.tokenVersion = "2": tokenVersion must be 1 or 2/],
    ['wrong types (boolean)', withDefaults((c) => (c.protect = 'yes')), /^config error: protect = "yes": expected boolean, got string; change the value's type/],
    ['wrong types (array)', withDefaults((c) => (c.logicAppsOauth.receivers = {})), /^config error: logicAppsOauth\.receivers = \{\}: expected array, got object/],
    ['a missing required field', receivers([{ senders: [] }]), /^config error: logicAppsOauth\.receivers\[0\]\.name is required; add it \(string\)/],
    ['an invalid enum', withDefaults((c) => (c.logicAppsOauth.recurrence = { frequency: 'Daily' })), /= "Daily": must be one of "Second", "Minute", "Hour", "Day", "Week", "Month"/],
    ['a bad name prefix', withDefaults((c) => (c.namePrefix = 'LA_OAUTH')), /^config error: namePrefix = "LA_OAUTH": namePrefix is 2-20 lowercase/],
    ['an empty run-history list', withDefaults((c) => (c.logicAppsOauth.runHistoryIpRanges = [])), /runHistoryIpRanges = \[\]: .*use \["0\.0\.0\.0-0\.0\.0\.0"\] to block all reads/],
    [
      'a bad workspace id',
      withDefaults((c) => (c.logAnalyticsWorkspaceId = 'logs')),
      /^config error: logAnalyticsWorkspaceId = "logs": not a Log Analytics workspace id; copy the workspace's Resource ID \(\/subscriptions\/<subscription id>\/resourceGroups\/<group>\/providers\/Microsoft\.OperationalInsights\/workspaces\/<name>\), in exactly this case$/,
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

  test('exactly 5 allowed senders (plus refused ones) is fine', () => {
    const senders = [1, 2, 3, 4, 5].map((i) => ({ name: `s${i}` })).concat([{ name: 'x', allowed: false } as never]);
    expect(() => parseConfig(receivers([{ name: 'r', senders }]))).not.toThrow();
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

  test('the embedded default is used without LOGIC_APPS_CONFIG', () => {
    expect(loadConfig({})).toEqual(parseConfig(DEFAULT_CONFIG));
  });

  test('LOGIC_APPS_CONFIG names an override file', () => {
    const file = join(dir, 'override.json');
    writeFileSync(file, JSON.stringify({ namePrefix: 'contoso', logicAppsOauth: { tokenVersion: 2 } }));
    const config = loadConfig({ LOGIC_APPS_CONFIG: file });
    expect(config.namePrefix).toBe('contoso');
    expect(config.logicAppsOauth.tokenVersion).toBe(2);
    expect(config.logicAppsOauth.receivers).toEqual([{ name: 'receive', senders: [{ name: 'send', allowed: true }], extraTriggerIpRanges: [] }]);
  });

  test('a missing file and a malformed file are one-line errors', () => {
    expect(() => loadConfig({ LOGIC_APPS_CONFIG: join(dir, 'nope.json') })).toThrow(/^config error: LOGIC_APPS_CONFIG=".*nope\.json" cannot be read \(ENOENT\); point it at a JSON file or unset it$/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "namePrefix": ');
    expect(() => loadConfig({ LOGIC_APPS_CONFIG: bad })).toThrow(/^config error: .*bad\.json is not valid JSON \(.*\); fix the syntax$/);
  });

  test('the production example is valid and protects trust-bearing resources', () => {
    const config = loadConfig({ LOGIC_APPS_CONFIG: 'config/examples/production.json' });
    expect(config.protect).toBe(true);
    expect(config.backend?.useAzureadAuth).toBe(true);
  });

  test('the published JSON Schema is generated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  test('main.ts: bad config exits 1 with one line on stderr, no stack trace and no output', () => {
    const file = join(dir, 'bad-ip.json');
    const outdir = join(dir, 'out');
    writeFileSync(file, JSON.stringify({ logicAppsOauth: { receivers: [{ name: 'r', extraTriggerIpRanges: ['10.1.2.3'] }] } }));
    const result = spawnSync(process.execPath, ['scripts/run-ts.cjs', 'main.ts'], {
      env: { ...process.env, LOGIC_APPS_CONFIG: file, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'config error: logicAppsOauth.receivers[0].extraTriggerIpRanges[0] = "10.1.2.3": not an IP range: a bare address is rejected by azurerm; write "10.1.2.3/32"',
    );
    expect(existsSync(outdir)).toBe(false);
  });
});
