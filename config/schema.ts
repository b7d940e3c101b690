import { z } from 'zod';
import { ipRangeProblem } from '../domain/ip-range';
import {
  apimSkuProblem,
  apiPathProblem,
  daysBeforeExpiryProblem,
  locationProblem,
  logAnalyticsWorkspaceIdProblem,
  recurrenceIntervalProblem,
  TAG_LIMITS,
  tagNameProblem,
  tagValueProblem,
  tagSetProblem,
} from '../domain/parity';
import { checkGraph } from './graph';
import { AdministratorsSchema } from './administrators';
import { CiIdentitiesSchema } from './ci-identities';
import { identifierUriProblem } from '../domain/identifier-uri';
import { normalizeLocation } from '../domain/regions';

export { LIMITS } from './limits';
export { formatPath } from './path';
import { LIMITS } from './limits';
import { formatPath } from './path';

/** namePrefix of the embedded demo default (refused together with protect: true). */
export const DEMO_NAME_PREFIX = 'la-oauth';
/** Publisher email of the embedded demo default's API Management instances. */
export const DEMO_PUBLISHER_EMAIL = 'apim-admin@example.com';

const NAME_FIX = 'use 1-80 letters, digits, "-", "_", ".", "(" or ")"';

// ---- field schemas: one definition per field, so validators attach in one place ----

export const workflowNameField = (what: string) =>
  z.string().regex(/^[-()_.A-Za-z0-9]+$/, { error: `${what} must match ^[-()_.A-Za-z0-9]{1,80}$; ${NAME_FIX}` });

export const ipRangeField = z.string().superRefine((value, ctx) => {
  const problem = ipRangeProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `not an IP range: ${problem}` });
});

/** A string checked by one of the parity validators (domain/parity.ts): its problem is the message. */
const checked = (problemOf: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * Resource tags: Azure's and azurerm's limits on names, values and count (domain/parity.ts). Checked by
 * hand rather than with z.record: zod refuses a record with an own key "constructor" ("expected record"),
 * and a tag may well be named so.
 */
const tagsSchema = z
  .custom<Record<string, string>>(() => true) // the input type; every check is below, with its own message
  .transform((tags: unknown, ctx): Record<string, string> => {
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
      ctx.addIssue({ code: 'custom', message: 'tags is an object of tag names to string values, e.g. {"environment": "demo"}' });
      return z.NEVER;
    }
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(tags)) {
      const problem =
        tagNameProblem(name) ??
        (typeof value === 'string' ? tagValueProblem(value) : `a tag value is a string; write it in quotes ("${String(value)}")`);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      // defineProperty: a plain assignment of "__proto__" would set the prototype (checkStructure in load.ts refuses it first).
      Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
    }
    const found = tagSetProblem(Object.keys(tags));
    if (found) ctx.addIssue({ code: 'custom', path: found.name === undefined ? [] : [found.name], message: found.problem });
    return result;
  })
  .meta({
    type: 'object',
    maxProperties: TAG_LIMITS.count,
    propertyNames: { type: 'string', minLength: 1, pattern: '^[^<>%&\\\\?/]*$' },
    additionalProperties: { type: 'string' },
  })
  .default({});

/** Access token version of an app registration (api.requested_access_token_version). */
export const tokenVersionField = z.literal([1, 2]).default(1);

const FREQUENCIES = ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month'] as const;

/** Recurrence of a calling workflow; the interval cap depends on the frequency (domain/parity.ts). */
const recurrenceField = z
  .strictObject({
    frequency: z.enum(FREQUENCIES).default('Day'),
    interval: z.number().int().min(1).default(1),
  })
  .superRefine((value, ctx) => {
    const problem = recurrenceIntervalProblem(value.frequency, value.interval);
    if (problem) ctx.addIssue({ code: 'custom', path: ['interval'], message: problem });
  })
  .default({ frequency: 'Day', interval: 1 });

const KEY_VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const apimNameField = z.string().regex(/^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/, {
  error: 'an API Management name is 1-50 letters, digits or "-", starting with a letter and not ending with "-"',
});
export const apimSkuField = checked(apimSkuProblem);
export const publisherNameField = z.string().min(1).max(100);
export const publisherEmailField = z.email({
  error: 'publisherEmail must be an email address like "apim-admin@contoso.com"; API Management sends notifications there',
});
export const apiNameField = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, { error: 'an API name is 1-80 lowercase letters, digits or "-"' });
export const apiPathField = checked(apiPathProblem);
export const serviceUrlField = z
  .url({ error: 'serviceUrl must be an https URL of the backend, e.g. "https://backend.contoso.com/api"' })
  .regex(/^https:\/\//, { error: 'serviceUrl must use https' });

// ---- the Logic Apps call graph (stack logic-apps-oauth) ----

/**
 * Workflows of the logic-apps-oauth stack, probes included: they share one resource group, and Azure
 * Resource Manager holds at most 800 resources of one type per resource group
 * (https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/azure-subscription-service-limits#resource-group-limits).
 * The array bounds also make a huge file fail fast instead of running the graph checks for minutes.
 */
export const MAX_WORKFLOWS = 800;
/** Calls: every receiver admitting the Logic Apps maximum of callers, plus as many refused ones. */
export const MAX_CALLS = MAX_WORKFLOWS * LIMITS.policiesPerWorkflow;

function checkWorkflowCount(config: Config, ctx: z.RefinementCtx): void {
  const section = config.logicAppsOauth;
  if (!section?.wrongAudienceProbe) return;
  const targets = new Set(section.calls.map((c) => c.to));
  const receivers = section.workflows.filter((w) => w.extraTriggerIpRanges !== undefined || targets.has(w.name)).length;
  const total = section.workflows.length + receivers;
  if (total > MAX_WORKFLOWS) {
    ctx.addIssue({
      code: 'custom',
      path: ['logicAppsOauth', 'workflows'],
      message: `${section.workflows.length} workflows and ${receivers} wrong-audience probes make ${total}; one resource group holds at most ${MAX_WORKFLOWS} of a resource type: split them over several deployments (namePrefix), or set wrongAudienceProbe to false`,
    });
  }
}

export const WorkflowSchema = z
  .strictObject({
    name: workflowNameField('a workflow name').describe('Workflow name, appended to namePrefix. Declared once; calls refer to it.'),
    extraTriggerIpRanges: z
      .array(ipRangeField)
      .optional()
      .describe(
        'Receivers only: trigger IP ranges admitted besides the allowed callers\' outbound addresses (CIDR or a-b). ' +
          'Listing it (even empty) makes the workflow a receiver when no call goes to it.',
      ),
  })
  .describe(
    'A Logic App with its own system-assigned identity. It is a receiver (HTTP Request trigger that admits only Entra tokens of its ' +
      'allowed callers) when a call goes to it, otherwise a caller (recurrence trigger). A receiver may call onward too, in the runs its callers start.',
  );

export const CallSchema = z
  .strictObject({
    from: z.string().min(1).describe('The calling workflow (a name from workflows).'),
    to: z.string().min(1).describe('The receiving workflow (a name from workflows) or API (a name from apis).'),
    allowed: z
      .boolean()
      .default(true)
      .describe(
        'Whether the target admits this caller (pins its identity in a policy and grants it the app role). ' +
          'allowed=false keeps the call as a probe that must be refused.',
      ),
  })
  .describe('One call: the caller holds one HTTP action for the target and requests a token for the target\'s audience.');

export const GraphApiSchema = z
  .strictObject({
    name: apiNameField.describe('API name inside API Management; calls refer to it.'),
    path: apiPathField.optional().describe('@default the API name. URL suffix on the gateway: https://<gateway>/<path>/invoke'),
    serviceUrl: serviceUrlField.optional().describe('@default none: the policy answers 200 itself (return-response).'),
    tokenVersion: tokenVersionField.describe('Access token version the API\'s app registration issues.'),
  })
  .describe('An Entra-protected API on the API Management instance of apiManagement; its policy admits its allowed callers.');

export const GatewaySchema = z
  .strictObject({
    name: apimNameField.optional().describe('@default "<namePrefix>-apim". Globally unique (<name>.azure-api.net).'),
    skuName: apimSkuField.default('Consumption_0').describe('sku_name. Consumption_0 is created in minutes; the other tiers take 30-40+ minutes.'),
    publisherName: publisherNameField.describe('publisher_name: your organisation.'),
    publisherEmail: publisherEmailField.describe('publisher_email: receives API Management notifications.'),
  })
  .describe('The API Management instance that hosts apis (azurerm_api_management). Required when apis is not empty.');

export const LogicAppsOauthSchema = z
  .strictObject({
    tokenVersion: tokenVersionField.describe('Access token version the audience app issues (api.requested_access_token_version).'),
    audience: z
      .strictObject({
        displayName: z.string().min(1).max(120).optional().describe('@default "<namePrefix>-logic-apps-audience"'),
        identifierUri: z
          .string()
          .regex(/^(api|https):\/\/\S+$/, { error: 'an identifier URI starts with api:// or https://' })
          .max(LIMITS.claimValueLength, {
            error: `a claim value is at most ${LIMITS.claimValueLength} characters (Logic Apps InvalidOAuthClaimValue); shorten the identifier URI`,
          })
          .optional()
          .describe('@default "api://<client id>". With token version 1 this is the aud claim.'),
      })
      .default({})
      .describe('The enterprise application whose tokens the receivers accept.'),
    recurrence: recurrenceField.describe('How often each caller calls its targets.'),
    runHistoryIpRanges: z
      .array(ipRangeField)
      .min(1, { error: 'run-history IP ranges cannot be empty; use ["0.0.0.0-0.0.0.0"] to block all reads' })
      .default(['0.0.0.0-0.0.0.0'])
      .describe('Who may read run inputs/outputs (access_control.content). Default: nobody.'),
    wrongAudienceProbe: z
      .boolean()
      .default(false)
      .describe('Deploy a "naughty" caller per receiver that requests a wrong audience and must be refused.'),
    probeAudience: z
      .string()
      .url({ error: 'probeAudience must be a URL of a resource that exists in every tenant' })
      .default('https://management.azure.com/')
      .describe('Audience the probe requests: real (so Entra issues a token) but not the receiver\'s.'),
    workflows: z
      .array(WorkflowSchema, {
        error: (issue) =>
          issue.input === undefined
            ? 'is required: declare the workflows of your call graph and the calls between them (the demo\'s "receive" and "send" are not implied); see config/examples/production.json'
            : undefined,
      })
      .min(1, { error: 'declare at least one workflow' })
      .max(MAX_WORKFLOWS, { error: `at most ${MAX_WORKFLOWS} workflows: one resource group holds at most ${MAX_WORKFLOWS} of a resource type; split them over several deployments (namePrefix)` })
      .describe('Every workflow, declared once.'),
    calls: z
      .array(CallSchema)
      .max(MAX_CALLS, { error: `at most ${MAX_CALLS} calls (${LIMITS.policiesPerWorkflow} admitted callers per receiver, ${MAX_WORKFLOWS} workflows); split them over several deployments` })
      .default([])
      .describe('The calls between workflows and to APIs (caller -> target).'),
    apis: z.array(GraphApiSchema).default([]).describe('Entra-protected APIs the workflows call.'),
    apiManagement: GatewaySchema.optional(),
  })
  .superRefine((section, ctx) => {
    const problem = identifierUriProblem(section.audience.identifierUri, section.tokenVersion, 'logicAppsOauth.tokenVersion');
    if (problem) ctx.addIssue({ code: 'custom', path: ['audience', 'identifierUri'], message: problem });
  })
  .describe('Stack logic-apps-oauth: a call graph of Logic Apps calling receiver Logic Apps and APIs with Entra tokens. Omit to skip the stack.');

// ---- API Management demo scenarios ----

export const ApiManagementSchema = z
  .strictObject({
    name: apimNameField.optional().describe('@default "<namePrefix>-apim-mi" or "<namePrefix>-apim-xt". Globally unique (<name>.azure-api.net).'),
    skuName: apimSkuField.default('Consumption_0').describe('sku_name. Consumption_0 is created in minutes; the other tiers take 30-40+ minutes.'),
    publisherName: publisherNameField.default('Logic Apps OAuth demo').describe('publisher_name.'),
    publisherEmail: publisherEmailField
      .default(DEMO_PUBLISHER_EMAIL)
      .describe('publisher_email: receives API Management notifications. Override the example address.'),
  })
  .describe('The API Management instance (azurerm_api_management).');

export const ApiSchema = z
  .strictObject({
    name: apiNameField.default('logic-apps-api').describe('API name inside API Management.'),
    path: apiPathField.default('logic-apps').describe('URL suffix of the API on the gateway: https://<gateway>/<path>/...'),
    serviceUrl: serviceUrlField.optional().describe('@default none: the policy answers 200 itself (return-response), so the stack is self-contained.'),
  })
  .default({ name: 'logic-apps-api', path: 'logic-apps' })
  .describe('The Entra-protected API (azurerm_api_management_api, https only, no subscription key).');

export const ApimManagedIdentitySchema = z
  .strictObject({
    apiManagement: ApiManagementSchema.default(() => ApiManagementSchema.parse({})),
    api: ApiSchema,
    tokenVersion: tokenVersionField.describe('Access token version the API\'s app registration issues (api.requested_access_token_version).'),
    recurrence: recurrenceField.describe('How often the calling workflow calls the API.'),
  })
  .describe('Stack apim-managed-identity: a Logic App calls an Entra-protected API Management API with its managed identity. Omit to skip the stack.');

export const KeyVaultSchema = z
  .strictObject({
    name: z
      .string()
      .regex(KEY_VAULT_NAME, {
        error: 'a Key Vault name is 3-24 letters, digits or "-", starting with a letter, no "--", not ending with "-"',
      })
      .optional()
      .describe('@default "kv-<namePrefix>". Globally unique; with purge protection a deleted vault keeps its name reserved for softDeleteRetentionDays.'),
    softDeleteRetentionDays: z
      .number()
      .int()
      .min(7, { error: 'softDeleteRetentionDays is 7-90' })
      .max(90, { error: 'softDeleteRetentionDays is 7-90' })
      .default(90)
      .describe('soft_delete_retention_days (purge protection is always on).'),
  })
  .default({ softDeleteRetentionDays: 90 })
  .describe('The Key Vault holding the client certificate (RBAC authorization, purge protection, soft delete).');

export const ClientCertificateSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9-]{1,127}$/, { error: 'a Key Vault certificate name is 1-127 letters, digits or "-"' })
      .default('logic-app-client')
      .describe('Certificate name in the vault; its secret has the same name.'),
    validityInMonths: z
      .number()
      .int()
      .min(1, { error: 'validityInMonths is 1-120' })
      .max(120, { error: 'validityInMonths is 1-120' })
      .default(12)
      .describe('validity_in_months of the self-signed certificate.'),
    renewDaysBeforeExpiry: z
      .number()
      .int()
      .min(1, { error: 'renewDaysBeforeExpiry is at least 1' })
      .default(30)
      .describe('Key Vault renews the certificate this many days before it expires (lifetime_action AutoRenew). A renewal needs a cdktf deploy to reach the app credential; see docs/apim.md.'),
  })
  .default({ name: 'logic-app-client', validityInMonths: 12, renewDaysBeforeExpiry: 30 })
  .describe('The self-signed client certificate (exportable key, application/x-pkcs12).');

export const ApimCrossTenantSchema = z
  .strictObject({
    apiTenantId: z
      .string({ error: 'apiTenantId must be the API\'s Entra tenant id (a GUID)' })
      .regex(GUID, { error: 'apiTenantId must be a GUID (8-4-4-4-12 hex digits); use the Directory (tenant) ID of the API\'s tenant' })
      .refine((value) => !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(value), {
        error: 'apiTenantId is the nil GUID; use the Directory (tenant) ID of the API\'s tenant',
      })
      .describe('Directory (tenant) id of the API\'s Entra tenant; the aliased azuread provider signs in there. Required.'),
    apiManagement: ApiManagementSchema.default(() => ApiManagementSchema.parse({})),
    api: ApiSchema,
    tokenVersion: tokenVersionField.describe('Access token version the API\'s app registration issues (api.requested_access_token_version).'),
    keyVault: KeyVaultSchema,
    certificate: ClientCertificateSchema,
    recurrence: recurrenceField.describe('How often the calling workflow calls the API.'),
  })
  .superRefine((section, ctx) => {
    const problem = daysBeforeExpiryProblem(section.certificate.renewDaysBeforeExpiry, section.certificate.validityInMonths);
    if (problem) ctx.addIssue({ code: 'custom', path: ['certificate', 'renewDaysBeforeExpiry'], message: problem });
  })
  .describe('Stack apim-cross-tenant: the API lives in another Entra tenant; the Logic App signs in there with a Key Vault certificate. Omit to skip the stack.');

/** The scenario sections: each one present is built as its stack; an override file asks for the ones it wants. */
export const SCENARIO_SECTIONS = ['logicAppsOauth', 'apimManagedIdentity', 'apimCrossTenant'] as const;

const ConfigObjectSchema = z
  .strictObject({
    $schema: z.string().optional(),
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,19}$/, { error: 'namePrefix is 2-20 lowercase letters, digits or "-", starting with a letter' })
      .default(DEMO_NAME_PREFIX)
      .describe('Prefix of every Azure name. Set your own: protect refuses the demo\'s "la-oauth".'),
    location: checked(locationProblem)
      .default('westeurope')
      .transform(normalizeLocation) // as azurerm stores it: "West Europe" synthesizes as "westeurope"
      .describe('Azure region name or display name, e.g. "westeurope" or "West Europe" (checked against domain/regions.ts; written as the name).'),
    tags: tagsSchema.describe('Tags on every resource that takes tags (at most 50; Azure\'s name and value limits).'),
    protect: z
      .boolean()
      .default(false)
      .describe('Set prevent_destroy on resources whose loss breaks trust (app registrations, Key Vault, pinned workflows).'),
    administrators: AdministratorsSchema,
    backend: z
      .strictObject({
        resourceGroupName: z.string().min(1),
        storageAccountName: z
          .string()
          .regex(/^[a-z0-9]{3,24}$/, { error: 'a storage account name is 3-24 lowercase letters and digits' }),
        containerName: z.string().min(3),
        keyPrefix: z.string().default('logic-apps-oauth').describe('State blob key prefix; each stack adds /<stack>.tfstate.'),
        useAzureadAuth: z.boolean().default(true).describe('Use Entra auth to the state container, not access keys.'),
      })
      .optional()
      .describe('Remote state in an Azure Storage container (AzurermBackend). Omit for local state.'),
    logAnalyticsWorkspaceId: checked(logAnalyticsWorkspaceIdProblem)
      .optional()
      .describe('Send each workflow\'s runtime logs to this Log Analytics workspace.'),
    logicAppsOauth: LogicAppsOauthSchema.optional(),
    apimManagedIdentity: ApimManagedIdentitySchema.optional(),
    apimCrossTenant: ApimCrossTenantSchema.optional(),
    ciIdentities: CiIdentitiesSchema.optional(),
  })
  .describe('Configuration of the logic-apps-oauth CDKTF app. Each scenario section present (logicAppsOauth, apimManagedIdentity, apimCrossTenant) is built as its stack.');

export type Config = z.output<typeof ConfigObjectSchema>;

/** The configuration schema: field formats plus the cross-field rules (the call graph, names, limits, protect). */
export const ConfigSchema = ConfigObjectSchema.superRefine(checkScenarios).superRefine(checkWorkflowCount).superRefine(checkGraph).superRefine(checkApimRules).superRefine(checkProtect);
export type ConfigInput = z.input<typeof ConfigSchema>;
export type LogicAppsOauthConfig = NonNullable<Config['logicAppsOauth']>;
export type WorkflowConfig = LogicAppsOauthConfig['workflows'][number];
export type CallConfig = LogicAppsOauthConfig['calls'][number];
export type GraphApiConfig = LogicAppsOauthConfig['apis'][number];
export type ApimManagedIdentityConfig = NonNullable<Config['apimManagedIdentity']>;
export type ApimCrossTenantConfig = NonNullable<Config['apimCrossTenant']>;

/** Key Vault name of the cross-tenant stack: configured, or "kv-<namePrefix>". */
export function keyVaultName(config: Config): string | undefined {
  if (!config.apimCrossTenant) return undefined;
  return config.apimCrossTenant.keyVault.name ?? `kv-${config.namePrefix}`;
}

function checkScenarios(config: Config, ctx: z.RefinementCtx): void {
  // ciIdentities alone is something to build too: an administrator may apply the CI identities first.
  if (SCENARIO_SECTIONS.some((section) => config[section] !== undefined) || config.ciIdentities !== undefined) return;
  ctx.addIssue({
    code: 'custom',
    path: [],
    message: `no scenario asked for, so there is nothing to build; add one or more of ${SCENARIO_SECTIONS.join(', ')} (or ciIdentities) (see config/examples/production.json)`,
  });
}

function checkApimRules(config: Config, ctx: z.RefinementCtx): void {
  const name = keyVaultName(config);
  if (name !== undefined && config.apimCrossTenant?.keyVault.name === undefined && !KEY_VAULT_NAME.test(name)) {
    ctx.addIssue({
      code: 'custom',
      path: ['namePrefix'],
      message: `the default Key Vault name "${name}" is not a valid vault name; set apimCrossTenant.keyVault.name (3-24 letters, digits or "-", no "--")`,
    });
  }
}

/** The example values of the embedded demo default still in use, as [path, value]. */
function demoValuesInUse(config: Config): Array<[(string | number)[], string]> {
  const found: Array<[(string | number)[], string]> = [];
  if (config.namePrefix === DEMO_NAME_PREFIX) found.push([['namePrefix'], config.namePrefix]);
  for (const section of ['apimManagedIdentity', 'apimCrossTenant'] as const) {
    const email = config[section]?.apiManagement.publisherEmail;
    if (email === DEMO_PUBLISHER_EMAIL) found.push([[section, 'apiManagement', 'publisherEmail'], email]);
  }
  if (config.apimCrossTenant?.apiTenantId === EXAMPLE_API_TENANT_ID) found.push([['apimCrossTenant', 'apiTenantId'], EXAMPLE_API_TENANT_ID]);
  return found;
}

/** The example tenant id of the embedded default (config/default.ts); here so the schema can refuse it with protect. */
export const EXAMPLE_API_TENANT_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

function checkProtect(config: Config, ctx: z.RefinementCtx): void {
  if (!config.protect) return;
  const [first] = demoValuesInUse(config);
  if (!first) return;
  const [path, value] = first;
  ctx.addIssue({
    code: 'custom',
    path: ['protect'],
    message:
      `protect would keep the embedded demo default's ${formatPath(path)} "${value}" from being destroyed; ` +
      `set your own ${formatPath(path)} in the override file, or leave protect off for the demo`,
  });
}
