/**
 * Why a custom identifier URI cannot be used with this token version, or undefined. Entra's
 * identifier-URI protection (an app management policy, on by default in newer tenants) rejects
 * non-default identifier URIs on apps with `requestedAccessTokenVersion` 1; `api://<client id>` (the
 * default of this project) is always allowed, and apps issuing v2 tokens may use custom URIs.
 */
export function identifierUriProblem(
  identifierUri: string | undefined,
  tokenVersion: 1 | 2,
  tokenVersionField = 'tokenVersion',
): string | undefined {
  if (identifierUri === undefined || tokenVersion === 2) return undefined;
  return (
    `custom identifier URI "${identifierUri}" on an app issuing v1 tokens is rejected in tenants with Entra's identifier-URI protection; ` +
    `set ${tokenVersionField} to 2, or leave identifierUri unset for api://<client id> (always allowed)`
  );
}
