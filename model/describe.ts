// Terraform expressions in words, for every message a user reads: `${data.azuread_client_config.x.tenant_id}`
// becomes `{tenant id of provider azuread}`. Rules, the report and check-token print values through
// describeValue, never raw `${...}`.
import { providerOf } from './entra';
import { IpList, referencesIn, StackModel } from './stack-model';

function resourceLabel(model: StackModel, address: string): string {
  const ref = model.byAddress.get(address);
  const name = ref?.config?.name ?? ref?.config?.display_name;
  if (typeof name === 'string' && !name.includes('${')) return name;
  // An enterprise application has no name of its own: it is named by its app registration (client_id).
  if (ref?.type === 'azuread_service_principal') {
    const app = referencesIn(String(ref.config?.client_id ?? ''))[0];
    if (app?.address.startsWith('azuread_application.') && app.attribute === 'client_id') return resourceLabel(model, app.address);
  }
  return address;
}

/** One `${...}` reference in words: "principal id of la-oauth-send". */
export function describeReference(model: StackModel, address: string, attribute: string): string {
  const type = address.replace(/^data\./, '').split('.')[0];
  const label = resourceLabel(model, address);
  if (type === 'azuread_client_config' || type === 'azurerm_client_config') {
    const provider = providerOf(model.byAddress.get(address)?.config, type.split('_')[0]);
    if (attribute === 'tenant_id') return `tenant id of provider ${provider}`;
    if (attribute === 'object_id') return `object id of the deploying principal (${provider})`;
    if (attribute === 'client_id') return `client id of the deploying principal (${provider})`;
    if (attribute === 'subscription_id') return `subscription id of provider ${provider}`;
  }
  if (type === 'azurerm_logic_app_workflow') {
    if (/^identity\[0\]\.principal_id$/.test(attribute)) return `principal id of ${label}`;
    if (attribute === 'workflow_outbound_ip_addresses') return `outbound IPs of ${label}`;
    if (attribute === 'connector_outbound_ip_addresses') return `connector outbound IPs of ${label}`;
    if (attribute === 'access_endpoint') return `access endpoint of ${label}`;
  }
  if (type === 'azuread_application' && attribute === 'client_id') return `client id of ${label}`;
  if (type === 'azuread_service_principal' && attribute === 'object_id') return `object id of enterprise app ${label}`;
  if (type === 'azuread_service_principal' && attribute === 'client_id') {
    const objectId = referencesIn(String(model.byAddress.get(address)?.config?.object_id ?? ''))[0];
    if (objectId?.address.startsWith('azurerm_logic_app_workflow.') && objectId.attribute === 'identity[0].principal_id') {
      return `client id of the identity of ${resourceLabel(model, objectId.address)}`;
    }
    return `client id of enterprise app ${label}`;
  }
  if (type === 'azurerm_api_management' && attribute === 'gateway_url') return `gateway URL of ${label}`;
  return `${attribute.replace(/\[0\]/g, '').replace(/_/g, ' ')} of ${label}`;
}

/** A string with `${...}` references rewritten as `{description}`. */
export function describeValue(model: StackModel, value: string): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
    const refs = referencesIn(whole);
    if (refs.length === 1 && refs[0].expression.trim() === `${refs[0].address}.${refs[0].attribute}`) {
      return `{${describeReference(model, refs[0].address, refs[0].attribute)}}`;
    }
    return `{${describeExpression(model, expr)}}`;
  });
}

/** A computed Terraform expression in words (IP list helpers), or the expression itself. */
export function describeExpression(model: StackModel, expr: string): string {
  const parts: string[] = [];
  const formatlist = /formatlist\("%s\/(\d+)",\s*((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)\)/g;
  let m: RegExpExecArray | null;
  while ((m = formatlist.exec(expr))) parts.push(`${describeReference(model, m[2], m[3])} (/${m[1]})`);
  // ReceiverWorkflow's per-element form: "/32" appended to bare addresses only, ranges kept.
  const perElement =
    /\[ for key, val in toset\(((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_[\].]+)\): length\(regexall\("\[\/-\]", val\)\) > 0 \? val : format\("%s\/(\d+)", val\)\]/g;
  while ((m = perElement.exec(expr))) parts.push(`${describeReference(model, m[1], m[2])} (/${m[3]} for bare addresses, ranges as they are)`);
  const withoutFormat = expr.replace(formatlist, '').replace(perElement, '');
  const literal = /"([0-9A-Fa-f:.]+(?:\/\d+|-[0-9A-Fa-f:.]+)?)"/g;
  while ((m = literal.exec(withoutFormat))) parts.push(m[1]);
  const bare = withoutFormat.replace(literal, '');
  for (const ref of referencesIn(`\${${bare}}`)) {
    if (!/^(distinct|concat|formatlist|flatten|tolist|toset)$/.test(ref.address.split('.')[0])) {
      parts.push(describeReference(model, ref.address, ref.attribute));
    }
  }
  return parts.length ? parts.join(', ') : expr;
}

/** Trigger IP ranges in words, with the "empty list" and "no restriction" cases spelled out. */
export function describeIpRanges(model: StackModel, ranges: IpList): string {
  if (ranges === undefined) return '**any IP** (no trigger access control)';
  if (typeof ranges === 'string') {
    const inner = /^\$\{(.*)\}$/s.exec(ranges);
    return inner ? describeExpression(model, inner[1]) : describeValue(model, ranges);
  }
  if (ranges.length === 0) {
    return '**empty list: only other Logic Apps** (nested-workflow action); HTTP-action callers with a token get 401';
  }
  return ranges.map((r) => describeValue(model, r)).join(', ');
}


/**
 * A simulated (bound) value in words: every fake value of `bindings` inside `value` is put back as the
 * reference it stands for, then described (`{principal id of la-oauth-send}`).
 */
export function describeBound(model: StackModel, bindings: Readonly<Record<string, string>>, value: string): string {
  let text = value;
  const entries = Object.entries(bindings).filter(([, v]) => v.length >= 8).sort((a, b) => b[1].length - a[1].length);
  for (const [expression, fake] of entries) {
    if (text.includes(fake)) text = text.split(fake).join(`\${${expression}}`);
  }
  return describeValue(model, text);
}
