// What Entra puts in an access token, as a function of the target app's settings. Shared vocabulary:
// the constructs write receiver policies with it, the model predicts tokens with it, tests mint tokens
// with it. Source: Microsoft identity platform access token claims reference.

export type TokenVersion = 1 | 2;

/** Decoded claims of an access token (JWT payload). */
export type TokenClaims = Readonly<Record<string, unknown>>;

/** Issuer (`iss`) of an access token issued by `tenantId` in the given token version. */
export function issuerFor(version: TokenVersion, tenantId: string): string {
  return version === 2 ? `https://login.microsoftonline.com/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`;
}

/**
 * The `aud` claim a caller receives when it requests `requestedAudience` for an app whose client id is
 * `clientId`: v1 tokens carry the requested string verbatim (identifier URI or client id, trailing
 * slash included), v2 tokens always carry the client id.
 */
export function audClaimFor(version: TokenVersion, requestedAudience: string, clientId: string): string {
  return version === 2 ? clientId : requestedAudience;
}

/** The claim naming the caller's client application: `azp` in v2 tokens, `appid` in v1 tokens. */
export function clientIdClaimFor(version: TokenVersion): 'azp' | 'appid' {
  return version === 2 ? 'azp' : 'appid';
}

/** The issuer prefixes Logic Apps accepts in an authorization policy. */
export const ACCEPTED_ISSUER_PREFIXES = ['https://sts.windows.net/', 'https://login.microsoftonline.com/'] as const;

/** Logic Apps requests this audience for a managed-identity call that names none. */
export const DEFAULT_MSI_AUDIENCE = 'https://management.azure.com/';

/** The audience a workflow's managed identity asks for when it reads a Key Vault secret. */
export const KEY_VAULT_AUDIENCE = 'https://vault.azure.net';

/**
 * Well-known first-party resources that exist in every tenant, so a managed identity can always get a
 * token for them. Any other audience must be issued by an app registration this project creates, or be
 * declared external.
 */
export const FIRST_PARTY_AUDIENCES = [
  'https://management.azure.com/',
  'https://management.azure.com',
  'https://management.core.windows.net/',
  'https://vault.azure.net',
  'https://storage.azure.com/',
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
] as const;
