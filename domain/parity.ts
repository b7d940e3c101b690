// Validators for the values we write that azurerm 4.55.0 or Azure itself checks. Each returns undefined
// when the value is accepted, otherwise one line: what is wrong and the fix (no field name: the caller
// adds it). Used by the config schema (config/schema.ts), by the constructs (which throw early) and by
// the parity tests; the table with sources and tests is docs/parity.md.
import { AZURE_REGIONS, closestRegion, normalizeLocation } from './regions';
export { ipRangeProblem, parseIpRange } from './ip-range';

// ---- API Management ----

/**
 * `azurerm_api_management.sku_name`, from internal/services/apimanagement/validate/api_management_sku.go:
 *   ^Consumption_0$|^Basic_(1|2)$|^BasicV2_([1-9]|10)|^Developer_1$|^Premium_([1-9][0-9]{0,1})$|
 *   ^PremiumV2_([1-9]|1[0-9]|2[0-9]|30)$|^Standard_[1-4]$|^StandardV2_([1-9]|10)$
 * The provider's BasicV2 alternative lacks its `$`, so it also passes "BasicV2_10x" or "BasicV2_100";
 * Azure refuses those (Basic v2 scales to 10 units), so we anchor it. Every tier runs our policies
 * (validate-azure-ad-token and return-response are available in all tiers, classic and v2).
 */
export const APIM_SKU_CAPACITY: Readonly<Record<string, readonly [number, number]>> = {
  Consumption: [0, 0],
  Developer: [1, 1],
  Basic: [1, 2],
  Standard: [1, 4],
  Premium: [1, 99],
  BasicV2: [1, 10],
  StandardV2: [1, 10],
  PremiumV2: [1, 30],
};

export function apimSkuProblem(sku: string): string | undefined {
  const match = /^([A-Za-z0-9]+)_([1-9][0-9]*|0)$/.exec(sku);
  const tier = match?.[1];
  // Own keys only: "constructor_1" or "toString_1" would find Object.prototype's members otherwise.
  const range = tier !== undefined && Object.hasOwn(APIM_SKU_CAPACITY, tier) ? APIM_SKU_CAPACITY[tier] : undefined;
  if (!match || !range) {
    const tiers = Object.entries(APIM_SKU_CAPACITY)
      .map(([t, [lo, hi]]) => (lo === hi ? `${t}_${lo}` : `${t}_${lo}..${hi}`))
      .join(', ');
    return `sku_name is <tier>_<capacity>, one of ${tiers}`;
  }
  const capacity = Number(match[2]);
  if (capacity < range[0] || capacity > range[1]) {
    return range[0] === range[1]
      ? `the ${tier} tier has capacity ${range[0]} only: write "${tier}_${range[0]}"`
      : `the ${tier} tier takes a capacity from ${range[0]} to ${range[1]}: write e.g. "${tier}_${Math.min(Math.max(capacity, range[0]), range[1])}"`;
  }
  return undefined;
}

/**
 * `azurerm_api_management_api.path`, from internal/services/apimanagement/validate/api_management.go
 * (ApiManagementApiPath): ^(?:|[\w]|[\w.][\w-/.:]{0,398}[\w-])$ (Go's \w is ASCII [0-9A-Za-z_]).
 * Empty is allowed (the API then sits at the gateway root).
 */
export const API_PATH_REGEX = /^(?:|[0-9A-Za-z_]|[0-9A-Za-z_.][0-9A-Za-z_\-/.:]{0,398}[0-9A-Za-z_-])$/;

export function apiPathProblem(path: string): string | undefined {
  if (API_PATH_REGEX.test(path)) return undefined;
  if (path.length > 400) return `an API path is at most 400 characters (this one has ${path.length}); shorten it`;
  const bad = [...path].find((c) => !/[0-9A-Za-z_\-/.:]/.test(c));
  if (bad !== undefined) return `an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove ${JSON.stringify(bad)}`;
  if (!/^[0-9A-Za-z_.]/.test(path)) return 'an API path starts with a letter, digit, "_" or "."; e.g. "orders/v1"';
  return 'an API path ends with a letter, digit, "_" or "-" (not "/", "." or ":"); e.g. "orders/v1"';
}

// ---- Log Analytics ----

/**
 * `azurerm_monitor_diagnostic_setting.log_analytics_workspace_id` is validated by
 * workspaces.ValidateWorkspaceID (vendor/github.com/hashicorp/go-azure-sdk/resource-manager/
 * operationalinsights/2020-08-01/workspaces/id_workspace.go), which parses case-sensitively with
 * resourceids.Parser (vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/resourceids/parse.go):
 * an optional leading "/", then exactly the segments below split on "/", the static ones in exactly this
 * case, the user-given ones non-empty; one trailing "/" is tolerated, anything after it is refused.
 */
const WORKSPACE_SEGMENTS: ReadonlyArray<string | null> = [
  'subscriptions',
  null,
  'resourceGroups',
  null,
  'providers',
  'Microsoft.OperationalInsights',
  'workspaces',
  null,
];
const WORKSPACE_EXAMPLE = '/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>';

export function logAnalyticsWorkspaceIdProblem(id: string): string | undefined {
  const fix = `copy the workspace's Resource ID (${WORKSPACE_EXAMPLE}), in exactly this case`;
  if (id === '') return `an empty workspace id; ${fix}`;
  let uri = id.startsWith('/') ? id.slice(1) : id;
  const split = uri.split('/');
  if (split.length < WORKSPACE_SEGMENTS.length) return `not a Log Analytics workspace id; ${fix}`;
  for (let i = 0; i < WORKSPACE_SEGMENTS.length; i++) {
    const expected = WORKSPACE_SEGMENTS[i];
    const raw = split[i];
    if (expected !== null && raw !== expected) {
      return `segment ${i + 1} is "${raw}" where azurerm expects "${expected}" (case-sensitive); ${fix}`;
    }
    if (expected === null && raw === '') return `segment ${i + 1} is empty; ${fix}`;
    uri = uri.slice(raw.length);
    if (uri.startsWith('/')) uri = uri.slice(1);
  }
  if (uri !== '') return `unexpected "${uri}" after the workspace name; ${fix}`;
  return undefined;
}

// ---- Key Vault ----

/**
 * Key Vault certificate `lifetime_action.trigger.days_before_expiry`: "between 1 and validity_in_months
 * multiplied by 27" (Key Vault; azurerm 4.55.0 does not check it).
 * https://learn.microsoft.com/en-us/javascript/api/@azure/keyvault-certificates/lifetimeaction
 */
export const KEY_VAULT_DAYS_PER_MONTH = 27;

export function daysBeforeExpiryProblem(days: number, validityInMonths: number): string | undefined {
  const max = validityInMonths * KEY_VAULT_DAYS_PER_MONTH;
  if (!Number.isInteger(days) || days < 1) return `days before expiry is a whole number of at least 1`;
  if (days > max) {
    return `Key Vault allows at most validity_in_months x ${KEY_VAULT_DAYS_PER_MONTH} = ${max} days before expiry for ${validityInMonths} month(s); use at most ${max} or a longer validity`;
  }
  return undefined;
}

// ---- Logic Apps ----

/**
 * Workflow action and trigger names: at most 80 characters (Logic Apps limits, "Name length" /
 * "Action or trigger name": https://learn.microsoft.com/en-us/azure/logic-apps/logic-apps-limits-and-config).
 * azurerm 4.55.0 does not check the length; ARM refuses the definition at apply.
 */
export const STEP_NAME_MAX = 80;

export function stepNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an action or trigger name cannot be empty';
  if (name.length > STEP_NAME_MAX) {
    return `action or trigger name "${name}" is ${name.length} characters; Logic Apps allows ${STEP_NAME_MAX}: shorten the name it is derived from`;
  }
  return undefined;
}

export type RecurrenceFrequency = 'Second' | 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month';

/**
 * Recurrence trigger `interval` per `frequency`: Month 1-16, Week 1-71, Day 1-500, Hour 1-12,000,
 * Minute 1-72,000, Second 1-9,999,999 (Azure; azurerm 4.55.0 checks only the frequency name).
 * https://learn.microsoft.com/en-us/azure/connectors/connectors-native-recurrence
 */
export const RECURRENCE_MAX_INTERVAL: Readonly<Record<RecurrenceFrequency, number>> = {
  Second: 9_999_999,
  Minute: 72_000,
  Hour: 12_000,
  Day: 500,
  Week: 71,
  Month: 16,
};

export function recurrenceIntervalProblem(frequency: RecurrenceFrequency, interval: number): string | undefined {
  const max = RECURRENCE_MAX_INTERVAL[frequency];
  if (max === undefined) return `frequency must be one of ${Object.keys(RECURRENCE_MAX_INTERVAL).join(', ')}`;
  if (!Number.isInteger(interval) || interval < 1 || interval > max) {
    return `with frequency "${frequency}" the interval is a whole number from 1 to ${max}; use at most ${max} or a longer frequency`;
  }
  return undefined;
}

// ---- Tags ----

/**
 * Resource tags. azurerm 4.55.0 (commonschema.Tags -> tags.Validate,
 * vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/tags/validate.go): at most 50 tags, a name
 * of at most 512 and a value of at most 256 — Go's len(), so UTF-8 BYTES, not characters. Azure adds:
 * names cannot contain < > % & \ ? / and are case-insensitive (two names that differ only in case are
 * the same tag). https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/tag-resources#limitations
 */
export const TAG_LIMITS = { count: 50, nameBytes: 512, valueBytes: 256, forbiddenNameChars: '<>%&\\?/' } as const;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export function tagNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a tag name cannot be empty';
  const bytes = utf8Bytes(name);
  if (bytes > TAG_LIMITS.nameBytes) return `a tag name is at most ${TAG_LIMITS.nameBytes} bytes of UTF-8 (this one has ${bytes}); shorten it`;
  const bad = [...name].find((c) => TAG_LIMITS.forbiddenNameChars.includes(c));
  if (bad !== undefined) return `a tag name cannot contain any of < > % & \\ ? /; remove "${bad}"`;
  return undefined;
}

export function tagValueProblem(value: string): string | undefined {
  const bytes = utf8Bytes(value);
  if (bytes > TAG_LIMITS.valueBytes) return `a tag value is at most ${TAG_LIMITS.valueBytes} bytes of UTF-8 (this one has ${bytes}); shorten it`;
  return undefined;
}

/** Problems of a whole tag set (count, case-insensitive duplicates), with the offending name if any. */
export function tagSetProblem(names: readonly string[]): { name?: string; problem: string } | undefined {
  if (names.length > TAG_LIMITS.count) {
    return { problem: `${names.length} tags; Azure allows ${TAG_LIMITS.count} per resource: remove ${names.length - TAG_LIMITS.count} or combine them into one JSON value` };
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const clash = seen.get(name.toLowerCase());
    if (clash !== undefined) {
      return { name, problem: `tag names are case-insensitive in Azure, so "${name}" and "${clash}" are the same tag; keep one` };
    }
    seen.set(name.toLowerCase(), name);
  }
  return undefined;
}

// ---- Location ----

/**
 * `location`: a region name or display name Azure knows, as azurerm normalizes it ("West Europe" is
 * "westeurope"; list and refresh command in ./regions.ts).
 */
export function locationProblem(location: string): string | undefined {
  if (AZURE_REGIONS.has(normalizeLocation(location))) return undefined;
  const squeezed = location.toLowerCase().replace(/[\s_-]+/g, '');
  if (AZURE_REGIONS.has(squeezed)) return `write the region name "${squeezed}" (azurerm removes only spaces)`;
  const guess = closestRegion(squeezed);
  const hint = guess ? `did you mean "${guess}"?` : 'use a name from `az account list-locations -o table` (column Name)';
  return `not an Azure region name; ${hint} (a region added after this release: add it to domain/regions.ts)`;
}
