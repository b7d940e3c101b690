// The rule catalogue: stable ids, severities, what each rule prevents. docs/rules.md mirrors this table
// (a test keeps them in sync). Ids are a public contract: suppressions reference them.

export type Severity = 'error' | 'warning';

export interface RuleInfo {
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks. */
  readonly title: string;
  /** The Azure error or risk it prevents. */
  readonly prevents: string;
}

export const RULES: ReadonlyArray<RuleInfo> = [
  {
    id: 'LA001',
    severity: 'error',
    title: "A caller's token (aud/iss predicted from the audience app's token version) matches no policy of the receiver workflow, or no audience of the API's token validation",
    prevents: 'MisMatchingOAuthClaims (Logic Apps) / 401 from validate-azure-ad-token: every call refused',
  },
  {
    id: 'LA002',
    severity: 'error',
    title: 'A call URI carries a SAS signature (`sig=`) or is built from a trigger `callback_url`',
    prevents: 'DirectApiRequestHasMoreThanOneAuthorization (SAS + token); the SAS URL bypasses OAuth and is stored unmasked in state',
  },
  {
    id: 'LA003',
    severity: 'error',
    title: 'A literal secret in a workflow definition (password, client secret, key, PEM/PFX blob, JWT, connection-string key)',
    prevents: 'secret readable by anyone with read access to the workflow, its run history or the Terraform state',
  },
  {
    id: 'LA004',
    severity: 'error',
    title: 'A managed-identity call requests an audience that no app registration of the stack issues, that is not first-party and not declared external',
    prevents: 'AADSTS500011 "resource principal not found" (seed: audience does not exist in the tenant)',
  },
  {
    id: 'LA005',
    severity: 'error',
    title: "A managed-identity call from a workflow without a system-assigned identity, or for an app registration in another tenant",
    prevents: "token request fails: a system-assigned identity cannot get tokens from another tenant (use the certificate client)",
  },
  {
    id: 'LA006',
    severity: 'error',
    title: 'An HTTP-action caller is wired to a receiver whose trigger IP list is empty',
    prevents: 'an empty list means "only other Logic Apps": every HTTP-action (token) caller gets 401',
  },
  {
    id: 'LA007',
    severity: 'error',
    title: 'More than 5 authorization policies on a workflow',
    prevents: 'ARM rejects the workflow (Logic Apps limit: 5 policies)',
  },
  {
    id: 'LA008',
    severity: 'error',
    title: 'More than 10 claims in one authorization policy',
    prevents: 'ARM rejects the workflow (Logic Apps limit: 10 claims per policy)',
  },
  {
    id: 'LA009',
    severity: 'error',
    title: 'A claim value longer than 150 characters',
    prevents: 'InvalidOAuthClaimValue',
  },
  {
    id: 'LA010',
    severity: 'error',
    title: 'A policy without `iss`, or with an issuer outside https://sts.windows.net/ and https://login.microsoftonline.com/',
    prevents: 'ARM rejects the policy (iss is mandatory and must be an Entra issuer)',
  },
  {
    id: 'LA011',
    severity: 'error',
    title: 'An access-control IP range that is not CIDR or `a.b.c.d-e.f.g.h` (a bare address, a reversed range)',
    prevents: 'azurerm/ARM rejects the workflow at apply time',
  },
  {
    id: 'LA012',
    severity: 'error',
    title: 'A workflow name outside `^[-()_.A-Za-z0-9]{1,80}$`',
    prevents: 'azurerm rejects the workflow at plan time',
  },
  {
    id: 'LA013',
    severity: 'error',
    title: 'A step that reads a secret, carries a certificate/password or an Authorization header without secure inputs/outputs',
    prevents: 'secrets, PFX and tokens shown in run history to anyone who can read runs',
  },
  {
    id: 'LA014',
    severity: 'error',
    title: 'A Key Vault without RBAC authorization (`rbac_authorization_enabled`)',
    prevents: 'access policies grant vault-wide secret access; per-secret role assignments do not apply',
  },
  {
    id: 'LA015',
    severity: 'error',
    title: 'A Key Vault without purge protection',
    prevents: 'a deleted vault (and the client certificate) can be purged immediately: the cross-tenant trust is lost for good',
  },
  {
    id: 'LA016',
    severity: 'error',
    title: 'A Key Vault secrets role assigned wider than one secret (scope is not exactly `<vault id>/secrets/<name>`)',
    prevents: 'the workflow identity can read every secret of the vault (or nothing: a /certificates/ scope grants no secret read)',
  },
  {
    id: 'LA017',
    severity: 'error',
    title: 'An API Management API that allows http',
    prevents: 'Bearer tokens sent in clear text',
  },
  {
    id: 'LA018',
    severity: 'error',
    title: 'An API Management API without token validation (`validate-azure-ad-token` or `validate-jwt`) in its API policy or the global policy',
    prevents: 'anyone who reaches the gateway calls the API',
  },
  {
    id: 'LA019',
    severity: 'error',
    title: 'A token validation without pinned client application ids or without audiences',
    prevents: 'any app of the tenant (or any audience) is admitted',
  },
  {
    id: 'LA020',
    severity: 'error',
    title: 'An enterprise application (service principal) used as an audience without `app_role_assignment_required = true`',
    prevents: 'Entra issues tokens for the audience to every identity of the tenant',
  },
  {
    id: 'LA021',
    severity: 'error',
    title: 'An output that can carry a secret (callback URL, secret value, key, password, connection string) is not `sensitive`',
    prevents: 'the secret printed by `cdktf deploy`/`terraform output` and in CI logs',
  },
  {
    id: 'LA022',
    severity: 'warning',
    title: 'A Request trigger with authorization policies but without the Bearer-only condition',
    prevents: 'SAS still admits callers without a token (azurerm 4.55 cannot disable SAS)',
  },
  {
    id: 'LA023',
    severity: 'warning',
    title: "A workflow that handles tokens or secrets but leaves run history (`access_control.content`) open",
    prevents: 'run inputs/outputs readable from any address',
  },
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleInfo(id: string): RuleInfo {
  const info = RULES.find((r) => r.id === id);
  if (!info) throw new Error(`unknown rule id "${id}"; known ids: ${RULES.map((r) => r.id).join(', ')}`);
  return info;
}
