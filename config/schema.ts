import { z } from 'zod';
import { ipRangeProblem } from '../domain/ip-range';
import {
  apimSkuProblem,
  apiPathProblem,
  daysBeforeExpiryProblem,
  locationProblem,
  logAnalyticsWorkspaceIdProblem,
  recurrenceIntervalProblem,
  tagNameProblem,
  tagSetProblem,
  tagValueProblem,
} from '../domain/parity';

/** Logic Apps (Consumption) limits and formats; see ../../shared/DOMAIN.md. */
export const LIMITS = {
  /** Authorization policies per workflow trigger. */
  policiesPerWorkflow: 5,
  /** Claims per authorization policy. */
  claimsPerPolicy: 10,
  /** Characters per claim value (InvalidOAuthClaimValue above it). */
  claimValueLength: 150,
  /** Workflow name pattern of azurerm_logic_app_workflow. */
  workflowName: /^[-()_.A-Za-z0-9]{1,80}$/,
} as const;

const NAME_FIX = 'use 1-80 letters, digits, "-", "_", ".", "(" or ")"';

const name = (what: string) =>
  z.string().regex(/^[-()_.A-Za-z0-9]+$/, { error: `${what} must match ^[-()_.A-Za-z0-9]{1,80}$; ${NAME_FIX}` });

const ipRange = z.string().superRefine((value, ctx) => {
  const problem = ipRangeProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `not an IP range: ${problem}` });
});

/** A string checked by one of the parity validators (domain/parity.ts): its problem is the message. */
const checked = (problemOf: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const FREQUENCIES = ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month'] as const;

/** Recurrence of a calling workflow; the interval cap depends on the frequency (domain/parity.ts). */
const recurrence = (description: string) =>
  z
    .strictObject({
      frequency: z.enum(FREQUENCIES).default('Day'),
      interval: z.number().int().min(1).default(1),
    })
    .superRefine((value, ctx) => {
      const problem = recurrenceIntervalProblem(value.frequency, value.interval);
      if (problem) ctx.addIssue({ code: 'custom', path: ['interval'], message: problem });
    })
    .default({ frequency: 'Day', interval: 1 })
    .describe(description);

/** Resource tags: Azure's and azurerm's limits on names, values and count (domain/parity.ts). */
const tagsSchema = z
  .record(checked(tagNameProblem), checked(tagValueProblem))
  .superRefine((tags, ctx) => {
    const found = tagSetProblem(Object.keys(tags));
    if (found) ctx.addIssue({ code: 'custom', path: found.name === undefined ? [] : [found.name], message: found.problem });
  })
  .default({});

export const SenderSchema = z
  .strictObject({
    name: name('a sender name').describe('Sender workflow name, appended to namePrefix.'),
    allowed: z
      .boolean()
      .default(true)
      .describe(
        'Whether the receiver admits this sender (pins its identity in a policy and grants it the app role). ' +
          'A sender with allowed=false still calls, and must be refused.',
      ),
  })
  .describe('A workflow that calls the receiver with its system-assigned identity.');

export const ReceiverSchema = z
  .strictObject({
    name: name('a receiver name').describe('Receiver workflow name, appended to namePrefix.'),
    senders: z.array(SenderSchema).default([]).describe('Workflows that call this receiver.'),
    extraTriggerIpRanges: z
      .array(ipRange)
      .default([])
      .describe('Trigger IP ranges admitted besides the allowed senders\' outbound addresses (CIDR or a-b).'),
  })
  .describe('A workflow with an HTTP (Request) trigger that admits only Entra tokens of its allowed senders.');

export const BackendSchema = z
  .strictObject({
    resourceGroupName: z.string().min(1),
    storageAccountName: z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, { error: 'a storage account name is 3-24 lowercase letters and digits' }),
    containerName: z.string().min(3),
    keyPrefix: z.string().default('logic-apps-oauth').describe('State blob key prefix; each stack adds /<stack>.tfstate.'),
    useAzureadAuth: z.boolean().default(true).describe('Use Entra auth to the state container, not access keys.'),
  })
  .describe('Remote state in an Azure Storage container (AzurermBackend). Omit for local state.');

export const LogicAppsOauthSchema = z
  .strictObject({
    tokenVersion: z
      .union([z.literal(1), z.literal(2)], { error: 'tokenVersion must be 1 or 2' })
      .default(1)
      .describe('Access token version the audience app issues (api.requested_access_token_version).'),
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
    recurrence: recurrence('How often each sender calls its receiver.'),
    runHistoryIpRanges: z
      .array(ipRange)
      .min(1, { error: 'run-history IP ranges cannot be empty; use ["0.0.0.0-0.0.0.0"] to block all reads' })
      .default(['0.0.0.0-0.0.0.0'])
      .describe('Who may read run inputs/outputs (access_control.content). Default: nobody.'),
    wrongAudienceProbe: z
      .boolean()
      .default(true)
      .describe('Deploy a "naughty" sender per receiver that requests a wrong audience and must be refused.'),
    probeAudience: z
      .string()
      .url({ error: 'probeAudience must be a URL of a resource that exists in every tenant' })
      .default('https://management.azure.com/')
      .describe('Audience the probe requests: real (so Entra issues a token) but not the receiver\'s.'),
    receivers: z.array(ReceiverSchema).min(1).default([
      { name: 'receive', senders: [{ name: 'send', allowed: true }], extraTriggerIpRanges: [] },
    ]),
  })
  .describe('Stack logic-apps-oauth: sender Logic Apps call receiver Logic Apps with Entra tokens (seed 000).');

// ---- API Management scenarios (seed 002) ----

const KEY_VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const recurrenceSchema = recurrence('How often the calling workflow calls the API.');

const tokenVersionSchema = z
  .union([z.literal(1), z.literal(2)], { error: 'tokenVersion must be 1 or 2' })
  .default(1)
  .describe('Access token version the API\'s app registration issues (api.requested_access_token_version).');

export const ApiManagementSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/, {
        error: 'an API Management name is 1-50 letters, digits or "-", starting with a letter and not ending with "-"',
      })
      .optional()
      .describe('@default "<namePrefix>-apim-mi" or "<namePrefix>-apim-xt". Globally unique (<name>.azure-api.net).'),
    skuName: checked(apimSkuProblem)
      .default('Consumption_0')
      .describe('sku_name. Consumption_0 is created in minutes; the other tiers take 30-40+ minutes.'),
    publisherName: z.string().min(1).max(100).default('Logic Apps OAuth demo').describe('publisher_name.'),
    publisherEmail: z
      .email({ error: 'publisherEmail must be an email address like "apim-admin@contoso.com"; API Management sends notifications there' })
      .default('apim-admin@example.com')
      .describe('publisher_email: receives API Management notifications. Override the example address.'),
  })
  .describe('The API Management instance (azurerm_api_management).');

export const ApiSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, { error: 'an API name is 1-80 lowercase letters, digits or "-"' })
      .default('logic-apps-api')
      .describe('API name inside API Management.'),
    path: checked(apiPathProblem)
      .default('logic-apps')
      .describe('URL suffix of the API on the gateway: https://<gateway>/<path>/...'),
    serviceUrl: z
      .url({ error: 'serviceUrl must be an https URL of the backend, e.g. "https://backend.contoso.com/api"' })
      .regex(/^https:\/\//, { error: 'serviceUrl must use https' })
      .optional()
      .describe('@default none: the policy answers 200 itself (return-response), so the stack is self-contained.'),
  })
  .default({ name: 'logic-apps-api', path: 'logic-apps' })
  .describe('The Entra-protected API (azurerm_api_management_api, https only, no subscription key).');

export const ApimManagedIdentitySchema = z
  .strictObject({
    apiManagement: ApiManagementSchema.default(() => ApiManagementSchema.parse({})),
    api: ApiSchema,
    tokenVersion: tokenVersionSchema,
    recurrence: recurrenceSchema,
  })
  .describe('Stack apim-managed-identity: a Logic App calls an Entra-protected API Management API with its managed identity (seed 002, figure 1).');

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
    tokenVersion: tokenVersionSchema,
    keyVault: KeyVaultSchema,
    certificate: ClientCertificateSchema,
    recurrence: recurrenceSchema,
  })
  .superRefine((section, ctx) => {
    const problem = daysBeforeExpiryProblem(section.certificate.renewDaysBeforeExpiry, section.certificate.validityInMonths);
    if (problem) ctx.addIssue({ code: 'custom', path: ['certificate', 'renewDaysBeforeExpiry'], message: problem });
  })
  .describe('Stack apim-cross-tenant: the API lives in another Entra tenant; the Logic App signs in there with a Key Vault certificate (seed 002, figure 2). Omit to skip the stack.');

const ConfigObjectSchema = z
  .strictObject({
    $schema: z.string().optional(),
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,19}$/, { error: 'namePrefix is 2-20 lowercase letters, digits or "-", starting with a letter' })
      .default('la-oauth'),
    location: checked(locationProblem)
      .default('westeurope')
      .describe('Azure region name, e.g. "westeurope" (checked against domain/regions.ts).'),
    tags: tagsSchema.describe('Tags on every resource that takes tags (at most 50; Azure\'s name and value limits).'),
    protect: z
      .boolean()
      .default(false)
      .describe('Set prevent_destroy on resources whose loss breaks trust (app registrations, Key Vault, pinned workflows).'),
    backend: BackendSchema.optional(),
    logAnalyticsWorkspaceId: checked(logAnalyticsWorkspaceIdProblem)
      .optional()
      .describe('Send each workflow\'s runtime logs to this Log Analytics workspace.'),
    logicAppsOauth: LogicAppsOauthSchema.default(() => LogicAppsOauthSchema.parse({})),
    apimManagedIdentity: ApimManagedIdentitySchema.default(() => ApimManagedIdentitySchema.parse({})),
    apimCrossTenant: ApimCrossTenantSchema.optional(),
  })
  .describe('Configuration of the logic-apps-oauth CDKTF app.');

export type Config = z.output<typeof ConfigObjectSchema>;

/** The configuration schema: field formats plus the cross-field rules (unique names, policy limits). */
export const ConfigSchema = ConfigObjectSchema.superRefine(checkCrossFieldRules).superRefine(checkApimRules);
export type ConfigInput = z.input<typeof ConfigSchema>;
export type LogicAppsOauthConfig = Config['logicAppsOauth'];
export type ReceiverConfig = LogicAppsOauthConfig['receivers'][number];
export type ApimManagedIdentityConfig = Config['apimManagedIdentity'];
export type ApimCrossTenantConfig = NonNullable<Config['apimCrossTenant']>;

/** Key Vault name of the cross-tenant stack: configured, or "kv-<namePrefix>". */
export function keyVaultName(config: Config): string | undefined {
  if (!config.apimCrossTenant) return undefined;
  return config.apimCrossTenant.keyVault.name ?? `kv-${config.namePrefix}`;
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

/** Every workflow name the logic-apps-oauth stack creates, with the config path that produced it. */
export function workflowNames(config: Config): Array<{ path: (string | number)[]; name: string }> {
  const names: Array<{ path: (string | number)[]; name: string }> = [];
  config.logicAppsOauth.receivers.forEach((receiver, r) => {
    names.push({ path: ['logicAppsOauth', 'receivers', r, 'name'], name: `${config.namePrefix}-${receiver.name}` });
    receiver.senders.forEach((sender, s) =>
      names.push({
        path: ['logicAppsOauth', 'receivers', r, 'senders', s, 'name'],
        name: `${config.namePrefix}-${sender.name}`,
      }),
    );
    if (config.logicAppsOauth.wrongAudienceProbe) {
      names.push({ path: ['logicAppsOauth', 'receivers', r, 'name'], name: probeWorkflowName(config, receiver) });
    }
  });
  return names;
}

export function probeWorkflowName(config: Config, receiver: ReceiverConfig): string {
  return `${config.namePrefix}-${receiver.name}-naughty`;
}

function checkCrossFieldRules(config: Config, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const { path, name } of workflowNames(config)) {
    if (name.length > 80) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `workflow name "${name}" is ${name.length} characters; the limit is 80: shorten the name or namePrefix`,
      });
    }
    const clash = seen.get(name.toLowerCase());
    if (clash !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `duplicate workflow name "${name}" (also at ${clash}); give each sender and receiver a unique name`,
      });
    } else {
      seen.set(name.toLowerCase(), formatPath(path));
    }
  }
  config.logicAppsOauth.receivers.forEach((receiver, r) => {
    const allowed = receiver.senders.filter((s) => s.allowed).length;
    if (allowed > LIMITS.policiesPerWorkflow) {
      ctx.addIssue({
        code: 'custom',
        path: ['logicAppsOauth', 'receivers', r, 'senders'],
        message:
          `receiver "${receiver.name}" allows ${allowed} senders; Logic Apps allows ${LIMITS.policiesPerWorkflow} ` +
          'authorization policies per workflow: split them over more receivers',
      });
    }
    const wired = receiver.senders.length > 0 || config.logicAppsOauth.wrongAudienceProbe;
    if (wired && allowed === 0 && receiver.extraTriggerIpRanges.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['logicAppsOauth', 'receivers', r, 'senders'],
        message:
          `receiver "${receiver.name}" allows no sender, so its trigger IP list would be empty ("only other Logic Apps") ` +
          'and every HTTP caller gets 401: allow a sender or add extraTriggerIpRanges',
      });
    }
  });
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}
