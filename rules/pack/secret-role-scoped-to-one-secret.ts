import { referencesIn } from '../../model/stack-model';
import { resourcesOfType, shown } from '../helpers';
import type { RawFinding, Rule } from '../rule';

const SECRET_ROLE_NAMES = /^Key Vault Secrets (User|Officer)$/i;
const SECRET_ROLE_IDS = /(4633458b-17de-408a-b874-0445c86b69e6|b86a8fe4-44ce-4948-aee5-eccb2c155cd7)$/i;
const ONE_SECRET_SCOPES = [
  /^\$\{(data\.)?azurerm_key_vault\.[A-Za-z0-9_-]+\.id\}\/secrets\/[^/]+$/,
  /^\$\{(data\.)?azurerm_key_vault_secret\.[A-Za-z0-9_-]+\.resource_manager_versionless_id\}$/,
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+\/secrets\/[^/]+$/i,
];

export const rule: Rule = {
  id: 'LA016',
  severity: 'error',
  title: 'A Key Vault secrets role assigned wider than one secret (scope is not exactly `<vault id>/secrets/<name>`)',
  prevents: 'the workflow identity can read every secret of the vault (or nothing: a /certificates/ scope grants no secret read)',
  suppressOn: 'the role assignment',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const ra of resourcesOfType(ctx.model, 'azurerm_role_assignment')) {
      const role = String(ra.config.role_definition_name ?? ra.config.role_definition_id ?? '');
      if (!SECRET_ROLE_NAMES.test(role) && !SECRET_ROLE_IDS.test(role)) continue;
      const scope = String(ra.config.scope ?? '');
      if (ONE_SECRET_SCOPES.some((re) => re.test(scope))) continue;
      const certificate = referencesIn(scope).find((ref) => ref.address.replace(/^data\./, '').startsWith('azurerm_key_vault_certificate.'));
      findings.push({
        resource: ra,
        message: certificate
          ? `"${role}" is scoped to "${shown(ctx.model, scope)}", a /certificates/ id: it grants no read of the certificate's secret; scope it to <vault id>/secrets/<certificate name>`
          : `"${role}" is scoped to "${shown(ctx.model, scope)}", wider than one secret: the identity reads every secret in it; scope it to exactly <vault id>/secrets/<name> (VaultCertificate.grantSecretRead)`,
      });
    }
    return findings;
  },
};
