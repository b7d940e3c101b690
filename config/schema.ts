import { z } from 'zod';
import { ipRangeProblem } from './ip-range';

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

const armId = (what: string) =>
  z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i, {
    error: `${what} must be an Azure resource id like /subscriptions/<id>/resourceGroups/<rg>/providers/...`,
  });

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
    recurrence: z
      .strictObject({
        frequency: z.enum(['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month']).default('Day'),
        interval: z.number().int().min(1).max(1000).default(1),
      })
      .default({ frequency: 'Day', interval: 1 })
      .describe('How often each sender calls its receiver.'),
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

const ConfigObjectSchema = z
  .strictObject({
    $schema: z.string().optional(),
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,19}$/, { error: 'namePrefix is 2-20 lowercase letters, digits or "-", starting with a letter' })
      .default('la-oauth'),
    location: z
      .string()
      .regex(/^[a-z0-9]+$/, { error: 'location is an Azure region name like "westeurope" (lowercase, no spaces)' })
      .default('westeurope'),
    tags: z.record(z.string(), z.string()).default({}),
    protect: z
      .boolean()
      .default(false)
      .describe('Set prevent_destroy on resources whose loss breaks trust (app registrations, Key Vault, pinned workflows).'),
    backend: BackendSchema.optional(),
    logAnalyticsWorkspaceId: armId('logAnalyticsWorkspaceId')
      .optional()
      .describe('Send each workflow\'s runtime logs to this Log Analytics workspace.'),
    logicAppsOauth: LogicAppsOauthSchema.default(() => LogicAppsOauthSchema.parse({})),
  })
  .describe('Configuration of the logic-apps-oauth CDKTF app.');

export type Config = z.output<typeof ConfigObjectSchema>;

/** The configuration schema: field formats plus the cross-field rules (unique names, policy limits). */
export const ConfigSchema = ConfigObjectSchema.superRefine(checkCrossFieldRules);
export type ConfigInput = z.input<typeof ConfigSchema>;
export type LogicAppsOauthConfig = Config['logicAppsOauth'];
export type ReceiverConfig = LogicAppsOauthConfig['receivers'][number];
export type SenderConfig = ReceiverConfig['senders'][number];

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
        input: name,
        message: `workflow name "${name}" is ${name.length} characters; the limit is 80: shorten the name or namePrefix`,
      });
    }
    const clash = seen.get(name.toLowerCase());
    if (clash !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path,
        input: name,
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
        input: allowed,
        message:
          `receiver "${receiver.name}" allows ${allowed} senders; Logic Apps allows ${LIMITS.policiesPerWorkflow} ` +
          'authorization policies per workflow: split them over more receivers',
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
