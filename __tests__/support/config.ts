import { DEFAULT_CONFIG } from '../../config/default';

// Kept apart from ./synth so that a test of the configuration alone does not load cdktf and the providers.

/** A deep copy of the default config with changes applied (configs are plain JSON). */
export function withDefaults(patch: (config: Record<string, any>) => void): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
  patch(copy);
  return copy;
}

/** Replaces the demo default's example values (refused with protect: true) by an organisation's own. */
export function ownValues(config: Record<string, any>): void {
  config.namePrefix = 'contoso';
  for (const section of ['apimManagedIdentity', 'apimCrossTenant']) {
    if (config[section]) config[section].apiManagement.publisherEmail = 'platform-team@contoso.com';
  }
  if (config.apimCrossTenant) config.apimCrossTenant.apiTenantId = '7f0c3a5e-2b1d-4e8f-9a6c-0d4b2e1f3c5a';
}

/**
 * A call graph (logicAppsOauth fields) with one caller (shop) to two receivers and two APIs, a receiver
 * (orders) with two allowed callers and a refused one, and a refused call to an API.
 */
export const EXAMPLE_GRAPH = {
  workflows: [{ name: 'orders' }, { name: 'invoices' }, { name: 'shop' }, { name: 'crm' }, { name: 'intruder' }],
  calls: [
    { from: 'shop', to: 'orders' },
    { from: 'shop', to: 'invoices' },
    { from: 'shop', to: 'stock' },
    { from: 'shop', to: 'prices' },
    { from: 'crm', to: 'orders' },
    { from: 'crm', to: 'stock', allowed: false },
    { from: 'intruder', to: 'orders', allowed: false },
  ],
  apis: [{ name: 'stock' }, { name: 'prices', path: 'prices/v2', tokenVersion: 2 }],
  apiManagement: { publisherName: 'Contoso', publisherEmail: 'platform-team@contoso.com' },
};

/** Token version 2, one receiver (orders, with an extra range) called by two allowed senders and one refused. */
export const TWO_SENDERS_V2 = withDefaults((c) => {
  c.logicAppsOauth.tokenVersion = 2;
  c.logicAppsOauth.workflows = [{ name: 'orders', extraTriggerIpRanges: ['203.0.113.0/24'] }, { name: 'billing' }, { name: 'shipping' }, { name: 'intruder' }];
  c.logicAppsOauth.calls = [
    { from: 'billing', to: 'orders' },
    { from: 'shipping', to: 'orders' },
    { from: 'intruder', to: 'orders', allowed: false },
  ];
});
