// Small helpers shared by several rules of the pack.
import type { ResourceRef, StackModel } from '../model/stack-model';
import { referencesIn } from '../model/stack-model';
import { describeValue } from '../model/describe';

/** A value for a message: strings as they are, others as JSON, cut to `max` characters. */
export function short(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A value for a message with its Terraform references in words (`{tenant id of provider azuread}`), cut to `max` characters. */
export function shown(model: StackModel, value: unknown, max = 120): string {
  return short(describeValue(model, typeof value === 'string' ? value : JSON.stringify(value) ?? ''), max);
}

/** Managed resources (not data sources) of one type. */
export function resourcesOfType(model: StackModel, type: string): ResourceRef[] {
  return model.resources.filter((r) => r.type === type && !r.address.startsWith('data.'));
}

export function claimOf(claims: ReadonlyArray<{ name: string; value: string }>, name: string): string | undefined {
  return claims.find((c) => c.name === name)?.value;
}

export const SAS_IN_URL = /[?&]sig=/;

export const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/, 'PEM key or certificate material'],
  [/\bMII[A-Za-z0-9+/]{60,}/, 'base64 DER/PFX material (MII...)'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, 'a JWT'],
  [/(AccountKey|SharedAccessKey)=[^;"\\]+/, 'a storage/service-bus key'],
  [/\b(Bearer|Basic) [A-Za-z0-9._~+/=-]{16,}/, 'a literal Authorization credential'],
];

/** Attributes whose value is a secret: referencing them puts the secret into the workflow definition. */
export function isSecretAttribute(address: string, attribute: string): boolean {
  if (/(^|\.)(callback_url|client_secret|primary_access_key|secondary_access_key|primary_key|secondary_key|primary_connection_string|secondary_connection_string|connection_string|private_key_pem|private_key|password|pfx|key_vault_secret_value)$/.test(attribute)) return true;
  return /(^|\.)(azurerm_key_vault_secret|azuread_application_password|azuread_service_principal_password)\./.test(`${address}.`) && /^value$/.test(attribute);
}

export function referencesCallbackUrl(text: string): boolean {
  return referencesIn(text).some((ref) => ref.attribute === 'callback_url');
}

