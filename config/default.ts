import type { ConfigInput } from './schema';

/**
 * An example tenant id, not a real tenant: the embedded default needs one so `npm run synth` writes the
 * apim-cross-tenant stack without credentials. A deploy with it fails closed (the aliased azuread provider
 * cannot sign in to a tenant that does not exist); override apimCrossTenant.apiTenantId (docs/apim.md).
 */
export const EXAMPLE_API_TENANT_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

/**
 * The embedded default: synthesizes without any Azure credentials or override file.
 * Mirrors seed 000: "send" is allowed, a "naughty" probe requests the wrong audience.
 */
export const DEFAULT_CONFIG: ConfigInput = {
  namePrefix: 'la-oauth',
  location: 'westeurope',
  tags: { project: 'logic-apps-oauth', environment: 'demo' },
  protect: false,
  logicAppsOauth: {
    tokenVersion: 1,
    recurrence: { frequency: 'Day', interval: 1 },
    runHistoryIpRanges: ['0.0.0.0-0.0.0.0'],
    wrongAudienceProbe: true,
    receivers: [{ name: 'receive', senders: [{ name: 'send', allowed: true }], extraTriggerIpRanges: [] }],
  },
  apimManagedIdentity: {
    apiManagement: { skuName: 'Consumption_0', publisherName: 'Logic Apps OAuth demo', publisherEmail: 'apim-admin@example.com' },
    api: { name: 'logic-apps-api', path: 'logic-apps' },
    tokenVersion: 1,
    recurrence: { frequency: 'Day', interval: 1 },
  },
  apimCrossTenant: {
    apiTenantId: EXAMPLE_API_TENANT_ID,
    apiManagement: { skuName: 'Consumption_0', publisherName: 'Logic Apps OAuth demo', publisherEmail: 'apim-admin@example.com' },
    api: { name: 'logic-apps-api', path: 'logic-apps' },
    tokenVersion: 1,
    keyVault: { softDeleteRetentionDays: 90 },
    certificate: { name: 'logic-app-client', validityInMonths: 12, renewDaysBeforeExpiry: 30 },
    recurrence: { frequency: 'Day', interval: 1 },
  },
};
