// Hand-made variants of synthesized stacks (cdk.tf.json objects), for the rule and consistency tests:
// changes a reviewer or another app would make to the JSON that our constructs do not write.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** The one resource of `type` whose name contains `part` (or the only one). */
export function resourceOf(json: any, type: string, part = ''): any {
  const matches = Object.entries(json.resource?.[type] ?? {}).filter(([name]) => name.includes(part));
  if (matches.length !== 1) throw new Error(`${matches.length} ${type} matching "${part}"`);
  return matches[0][1];
}

/** Edits the workflow definition JSON held in a *_custom resource's `body`. */
export function editBody(resource: any, edit: (definition: any) => void): void {
  const definition = JSON.parse(resource.body);
  edit(definition);
  resource.body = JSON.stringify(definition);
}

/**
 * Moves the API policy's validate-azure-ad-token into the service's global policy
 * (azurerm_api_management_policy); the API policy keeps `<base />`, so the global policy applies.
 */
export function moveValidationToGlobal(json: any, edit: (xml: string) => string = (xml) => xml): void {
  const policy = resourceOf(json, 'azurerm_api_management_api_policy');
  const validation = /<validate-azure-ad-token[\s\S]*<\/validate-azure-ad-token>/.exec(policy.xml_content)![0];
  policy.xml_content = policy.xml_content.replace(validation, '');
  const service = Object.keys(json.resource.azurerm_api_management)[0];
  json.resource.azurerm_api_management_policy = {
    Global: {
      api_management_id: `\${azurerm_api_management.${service}.id}`,
      xml_content: edit(`<policies><inbound>${validation}</inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`),
    },
  };
}

/** Replaces the API policy's validate-azure-ad-token by the equivalent validate-jwt (v1 or v2 issuer). */
export function useValidateJwt(json: any): void {
  const policy = resourceOf(json, 'azurerm_api_management_api_policy');
  const element = /<validate-azure-ad-token tenant-id="([^"]+)"[^>]*>([\s\S]*)<\/validate-azure-ad-token>/.exec(policy.xml_content)!;
  const [whole, tenant, inner] = element;
  const audiences = /<audiences>[\s\S]*<\/audiences>/.exec(inner)![0];
  const clients = [...inner.matchAll(/<application-id>([^<]+)<\/application-id>/g)].map((m) => m[1]);
  const roles = /<claim name="roles"[\s\S]*?<\/claim>/.exec(inner)?.[0] ?? '';
  const jwt =
    `<validate-jwt header-name="Authorization" failed-validation-httpcode="401">` +
    `<openid-config url="https://login.microsoftonline.com/${tenant}/.well-known/openid-configuration" />${audiences}` +
    `<issuers><issuer>https://sts.windows.net/${tenant}/</issuer><issuer>https://login.microsoftonline.com/${tenant}/v2.0</issuer></issuers>` +
    `<required-claims><claim name="appid" match="any">${clients.map((c) => `<value>${c}</value>`).join('')}</claim>${roles}</required-claims></validate-jwt>`;
  policy.xml_content = policy.xml_content.replace(whole, jwt);
}

/** Adds a literal range to a receiver's computed trigger IP list (what extraTriggerIpRanges writes). */
export function appendToTriggerExpression(json: any, range: string, receiverPart = 'Receiver'): void {
  const trigger = resourceOf(json, 'azurerm_logic_app_workflow', receiverPart).access_control.trigger;
  const expression = trigger.allowed_caller_ip_address_range as string;
  if (!/^\$\{distinct\(concat\(\[ for key, val in toset\([^)]+\): .*\], \[[^\]]*\]\)\)\}$/.test(expression)) {
    throw new Error(`unexpected trigger IP list: ${expression}`);
  }
  trigger.allowed_caller_ip_address_range = expression.replace(/\]\)\)\}$/, `${expression.endsWith('[]))}') ? '' : ', '}"${range}"]))}`);
}
