import { ConfigError, parseConfig } from '../config/load';
import { DEFAULT_CONFIG, EXAMPLE_API_TENANT_ID } from '../config/default';

/** The default config with one change; returns the one-line error (or fails when there is none). */
function errorFor(patch: (config: Record<string, any>) => void): string {
  const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
  patch(raw);
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^config error: /);
    return message;
  }
  throw new Error('expected a config error');
}

describe('defaults', () => {
  test('the embedded default fills both sections', () => {
    const config = parseConfig(DEFAULT_CONFIG);
    expect(config.apimManagedIdentity?.apiManagement.skuName).toBe('Consumption_0');
    expect(config.apimManagedIdentity?.api.path).toBe('logic-apps');
    expect(config.apimCrossTenant?.apiTenantId).toBe(EXAMPLE_API_TENANT_ID);
  });

  test('an override without the APIM sections builds neither APIM stack', () => {
    const config = parseConfig({ namePrefix: 'contoso', logicAppsOauth: { workflows: [{ name: 'a' }, { name: 'b' }], calls: [{ from: 'a', to: 'b' }] } });
    expect(config.apimManagedIdentity).toBeUndefined();
    expect(config.apimCrossTenant).toBeUndefined();
  });

  test('an empty apimManagedIdentity section asks for the stack and takes its defaults', () => {
    const config = parseConfig({ namePrefix: 'contoso', apimManagedIdentity: {} });
    expect(config.apimManagedIdentity).toEqual({
      apiManagement: { skuName: 'Consumption_0', publisherName: 'Logic Apps OAuth demo', publisherEmail: 'apim-admin@example.com' },
      api: { name: 'logic-apps-api', path: 'logic-apps' },
      tokenVersion: 1,
      recurrence: { frequency: 'Day', interval: 1 },
    });
    expect(config.logicAppsOauth).toBeUndefined();
  });
});

describe('API tenant id', () => {
  test('missing', () => {
    expect(errorFor((c) => delete c.apimCrossTenant.apiTenantId)).toBe(
      'config error: apimCrossTenant.apiTenantId is required; add it (string)',
    );
  });

  test.each(['contoso.onmicrosoft.com', 'aaaaaaaa-bbbb-4ccc-8ddd', '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}', 'gggggggg-bbbb-4ccc-8ddd-eeeeeeeeeeee'])(
    'malformed: %s',
    (value) => {
      expect(errorFor((c) => (c.apimCrossTenant.apiTenantId = value))).toBe(
        `config error: apimCrossTenant.apiTenantId = "${value}": apiTenantId must be a GUID (8-4-4-4-12 hex digits); use the Directory (tenant) ID of the API's tenant`,
      );
    },
  );

  test('the nil GUID', () => {
    expect(errorFor((c) => (c.apimCrossTenant.apiTenantId = '00000000-0000-0000-0000-000000000000'))).toMatch(
      /apimCrossTenant\.apiTenantId = "00000000-0000-0000-0000-000000000000": apiTenantId is the nil GUID; use the Directory \(tenant\) ID/,
    );
  });

  test('not a string', () => {
    expect(errorFor((c) => (c.apimCrossTenant.apiTenantId = 42))).toMatch(/^config error: apimCrossTenant\.apiTenantId = 42: expected string, got number/);
  });
});

describe.each(['apimManagedIdentity', 'apimCrossTenant'])('%s', (section) => {
  test.each(['admin', 'admin@', '@contoso.com', 'admin@contoso', 'a b@contoso.com'])('bad publisher email: %s', (value) => {
    expect(errorFor((c) => (c[section].apiManagement.publisherEmail = value))).toBe(
      `config error: ${section}.apiManagement.publisherEmail = "${value}": publisherEmail must be an email address like "apim-admin@contoso.com"; API Management sends notifications there`,
    );
  });

  test.each(['Consumption', 'consumption_0', 'Free_1', 'Premium'])('bad SKU: %s', (value) => {
    expect(errorFor((c) => (c[section].apiManagement.skuName = value))).toBe(
      `config error: ${section}.apiManagement.skuName = "${value}": sku_name is <tier>_<capacity>, one of Consumption_0, Developer_1, Basic_1..2, Standard_1..4, Premium_1..99, BasicV2_1..10, StandardV2_1..10, PremiumV2_1..30`,
    );
  });

  test.each([
    ['Consumption_1', 'the Consumption tier has capacity 0 only: write "Consumption_0"'],
    ['Developer_2', 'the Developer tier has capacity 1 only: write "Developer_1"'],
    ['Basic_0', 'the Basic tier takes a capacity from 1 to 2: write e.g. "Basic_1"'],
    ['Basic_3', 'the Basic tier takes a capacity from 1 to 2: write e.g. "Basic_2"'],
  ])('SKU capacity outside the tier: %s', (value, problem) => {
    expect(errorFor((c) => (c[section].apiManagement.skuName = value))).toBe(`config error: ${section}.apiManagement.skuName = "${value}": ${problem}`);
  });

  test.each(['Consumption_0', 'Developer_1', 'Basic_1', 'Standard_2', 'Premium_1', 'StandardV2_1'])('good SKU: %s', (value) => {
    const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    raw[section].apiManagement.skuName = value;
    expect((parseConfig(raw) as Record<string, any>)[section].apiManagement.skuName).toBe(value);
  });

  test.each([
    ['/orders', 'an API path starts with a letter, digit, "_" or "."; e.g. "orders/v1"'],
    ['orders/', 'an API path ends with a letter, digit, "_" or "-" (not "/", "." or ":"); e.g. "orders/v1"'],
    ['orders v1', 'an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove " "'],
    ['orders?x=1', 'an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove "?"'],
    ['orders#x', 'an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove "#"'],
    ['bestellungen-ä', 'an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove "ä"'],
    ['a%20b', 'an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove "%"'],
    ['a.b_c~d-e', 'an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove "~"'],
  ])('API path the provider refuses: %s', (value, problem) => {
    expect(errorFor((c) => (c[section].api.path = value))).toBe(`config error: ${section}.api.path = ${JSON.stringify(value)}: ${problem}`);
  });

  test.each(['orders', 'orders/v1', 'a.b_c-d', 'orders//v1', 'v1:beta', ''])('good API path: %s', (value) => {
    const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    raw[section].api.path = value;
    expect((parseConfig(raw) as Record<string, any>)[section].api.path).toBe(value);
  });

  test('unknown key in the strict section', () => {
    expect(errorFor((c) => (c[section].apiManagement.sku = 'Developer_1'))).toMatch(
      new RegExp(`^config error: ${section}\\.apiManagement: unknown key "sku"; remove it or use one of: name, skuName, publisherName, publisherEmail$`),
    );
  });

  test('serviceUrl must be https', () => {
    expect(errorFor((c) => (c[section].api.serviceUrl = 'http://backend.contoso.com'))).toBe(
      `config error: ${section}.api.serviceUrl = "http://backend.contoso.com": serviceUrl must use https`,
    );
  });
});

describe('cross-tenant certificate and vault', () => {
  test('renewal at most validity_in_months x 27 days before expiry (Key Vault)', () => {
    expect(
      errorFor((c) => (c.apimCrossTenant.certificate = { validityInMonths: 1, renewDaysBeforeExpiry: 28 })),
    ).toBe(
      'config error: apimCrossTenant.certificate.renewDaysBeforeExpiry = 28: Key Vault allows at most validity_in_months x 27 = 27 days before expiry for 1 month(s); use at most 27 or a longer validity',
    );
    const raw = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    raw.apimCrossTenant.certificate = { validityInMonths: 1, renewDaysBeforeExpiry: 27 };
    expect(parseConfig(raw).apimCrossTenant?.certificate.renewDaysBeforeExpiry).toBe(27);
  });

  test('soft delete retention is 7-90 days', () => {
    expect(errorFor((c) => (c.apimCrossTenant.keyVault.softDeleteRetentionDays = 3))).toBe(
      'config error: apimCrossTenant.keyVault.softDeleteRetentionDays = 3: softDeleteRetentionDays is 7-90',
    );
  });

  test('a namePrefix that makes an invalid default vault name asks for keyVault.name', () => {
    expect(errorFor((c) => (c.namePrefix = 'contoso-'))).toBe(
      'config error: namePrefix = "contoso-": the default Key Vault name "kv-contoso-" is not a valid vault name; set apimCrossTenant.keyVault.name (3-24 letters, digits or "-", no "--")',
    );
  });

  test('an explicit vault name is validated', () => {
    expect(errorFor((c) => (c.apimCrossTenant.keyVault.name = 'kv--bad'))).toMatch(
      /^config error: apimCrossTenant\.keyVault\.name = "kv--bad": a Key Vault name is 3-24 letters/,
    );
  });
});
