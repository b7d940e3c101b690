import { type ConfigInput, DEMO_NAME_PREFIX, DEMO_PUBLISHER_EMAIL, EXAMPLE_API_TENANT_ID } from './schema';

/**
 * An example tenant id, not a real tenant: the embedded default needs one so `npm run synth` writes the
 * apim-cross-tenant stack without credentials. A deploy with it fails closed (the aliased azuread provider
 * cannot sign in to a tenant that does not exist); override apimCrossTenant.apiTenantId (docs/apim.md).
 * Defined beside the schema, which refuses it together with protect.
 */
export { EXAMPLE_API_TENANT_ID };

/**
 * The embedded default, used when LOGIC_APPS_CONFIG is unset: a demo of all three scenarios that
 * synthesizes without any Azure credentials. In the call graph "send" calls "receive" and is allowed; a
 * "naughty" probe per receiver requests the wrong audience.
 */
export const DEFAULT_CONFIG: ConfigInput = {
  namePrefix: DEMO_NAME_PREFIX,
  location: 'westeurope',
  tags: { project: 'logic-apps-oauth', environment: 'demo' },
  protect: false,
  logicAppsOauth: {
    tokenVersion: 1,
    recurrence: { frequency: 'Day', interval: 1 },
    runHistoryIpRanges: ['0.0.0.0-0.0.0.0'],
    wrongAudienceProbe: true,
    workflows: [{ name: 'receive' }, { name: 'send' }],
    calls: [{ from: 'send', to: 'receive', allowed: true }],
  },
  apimManagedIdentity: {
    apiManagement: { skuName: 'Consumption_0', publisherName: 'Logic Apps OAuth demo', publisherEmail: DEMO_PUBLISHER_EMAIL },
    api: { name: 'logic-apps-api', path: 'logic-apps' },
    tokenVersion: 1,
    recurrence: { frequency: 'Day', interval: 1 },
  },
  apimCrossTenant: {
    apiTenantId: EXAMPLE_API_TENANT_ID,
    apiManagement: { skuName: 'Consumption_0', publisherName: 'Logic Apps OAuth demo', publisherEmail: DEMO_PUBLISHER_EMAIL },
    api: { name: 'logic-apps-api', path: 'logic-apps' },
    tokenVersion: 1,
    keyVault: { softDeleteRetentionDays: 90 },
    certificate: { name: 'logic-app-client', validityInMonths: 12, renewDaysBeforeExpiry: 30 },
    recurrence: { frequency: 'Day', interval: 1 },
  },
};
