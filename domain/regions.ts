// Azure region names (`location`) that resources can be deployed to.
//
// azurerm does not check a location at plan time: it normalizes it (lower case, spaces removed:
// go-azure-helpers resourcemanager/location/normalize.go, used as StateFunc and DiffSuppressFunc) and ARM
// takes region names and display names alike, so "West Europe" deploys as "westeurope" while a typo such as
// "northeurop" fails at apply with LocationNotAvailableForResourceType. We check the normalized name
// against this list (normalizeLocation).
//
// Source: the physical regions of `az account list-locations`, public cloud plus the US Government and
// China clouds (https://learn.microsoft.com/en-us/azure/reliability/regions-list). Refresh with:
//   az account list-locations --query "[?metadata.regionType=='Physical'].name" -o tsv | sort
// (once per cloud: `az cloud set --name AzureUSGovernment` / `AzureChinaCloud`), and keep the list sorted.
// A subscription sees only the regions it is enabled for; Logic Apps (Consumption) and API Management
// are not offered in every region, which Azure still reports at apply.

/** Physical regions of the public cloud. */
export const PUBLIC_REGIONS: readonly string[] = [
  'australiacentral',
  'australiacentral2',
  'australiaeast',
  'australiasoutheast',
  'austriaeast',
  'belgiumcentral',
  'brazilsouth',
  'brazilsoutheast',
  'canadacentral',
  'canadaeast',
  'centralindia',
  'centralus',
  'centraluseuap',
  'chilecentral',
  'denmarkeast',
  'eastasia',
  'eastus',
  'eastus2',
  'eastus2euap',
  'francecentral',
  'francesouth',
  'germanynorth',
  'germanywestcentral',
  'indiasouthcentral',
  'indonesiacentral',
  'israelcentral',
  'israelnorthwest',
  'italynorth',
  'japaneast',
  'japanwest',
  'jioindiacentral',
  'jioindiawest',
  'koreacentral',
  'koreasouth',
  'malaysiasouth',
  'malaysiawest',
  'mexicocentral',
  'newzealandnorth',
  'northcentralus',
  'northeurope',
  'norwayeast',
  'norwaywest',
  'polandcentral',
  'qatarcentral',
  'southafricanorth',
  'southafricawest',
  'southcentralus',
  'southeastasia',
  'southeastus',
  'southindia',
  'spaincentral',
  'swedencentral',
  'swedensouth',
  'switzerlandnorth',
  'switzerlandwest',
  'taiwannorth',
  'taiwannorthwest',
  'uaecentral',
  'uaenorth',
  'uksouth',
  'ukwest',
  'westcentralus',
  'westeurope',
  'westindia',
  'westus',
  'westus2',
  'westus3',
];

/** Physical regions of the US Government and China clouds (ARM_ENVIRONMENT usgovernment / china). */
export const SOVEREIGN_REGIONS: readonly string[] = [
  'chinaeast',
  'chinaeast2',
  'chinaeast3',
  'chinanorth',
  'chinanorth2',
  'chinanorth3',
  'usdodcentral',
  'usdodeast',
  'usgovarizona',
  'usgovtexas',
  'usgovvirginia',
];

export const AZURE_REGIONS: ReadonlySet<string> = new Set([...PUBLIC_REGIONS, ...SOVEREIGN_REGIONS]);

/**
 * A location as azurerm stores and compares it: lower case, spaces removed (go-azure-helpers
 * resourcemanager/location/normalize.go, `strings.ReplaceAll(strings.ToLower(input), " ", "")`), so the
 * display name "West Europe" is the region "westeurope". Only spaces: a tab or a "-" stays and Azure
 * refuses the name.
 */
export function normalizeLocation(location: string): string {
  return location.toLowerCase().replaceAll(' ', '');
}

/** The known region closest to `name` by edit distance (for "did you mean"), if any is close. */
export function closestRegion(name: string): string | undefined {
  let best: { region: string; distance: number } | undefined;
  for (const region of AZURE_REGIONS) {
    const distance = editDistance(name, region, MAX_SUGGESTION_DISTANCE);
    if (!best || distance < best.distance) best = { region, distance };
  }
  return best && best.distance <= MAX_SUGGESTION_DISTANCE ? best.region : undefined;
}

const MAX_SUGGESTION_DISTANCE = 3;

/**
 * Levenshtein distance of a and b, or `max + 1` as soon as it is certain to exceed `max` (only distances up to
 * `max` are ever suggested). Bounded because a config error is also checked 10,000 times by the property
 * tests: the unbounded version cost ~14 ms for a 30-character non-region (docs/performance.md).
 */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1; // every later row is at least this row's minimum
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
