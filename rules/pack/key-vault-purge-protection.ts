import { resourcesOfType } from '../helpers';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA015',
  severity: 'error',
  title: 'A Key Vault without purge protection',
  prevents: 'a deleted vault (and the client certificate) can be purged immediately: the cross-tenant trust is lost for good',
  suppressOn: 'the Key Vault',
  check: (ctx) =>
    resourcesOfType(ctx.model, 'azurerm_key_vault')
      .filter((vault) => vault.config.purge_protection_enabled !== true)
      .map((vault) => ({
        resource: vault,
        message: `Key Vault "${vault.config.name}" has purge_protection_enabled = ${JSON.stringify(vault.config.purge_protection_enabled ?? null)}: a deleted vault and its certificate can be purged at once; set purge_protection_enabled = true`,
      })),
};
