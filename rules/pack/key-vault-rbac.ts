import { resourcesOfType } from '../helpers';
import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA014',
  severity: 'error',
  title: 'A Key Vault without RBAC authorization (`rbac_authorization_enabled`)',
  prevents: 'access policies grant vault-wide secret access; per-secret role assignments do not apply',
  suppressOn: 'the Key Vault',
  check: (ctx) =>
    resourcesOfType(ctx.model, 'azurerm_key_vault')
      .filter((vault) => vault.config.rbac_authorization_enabled !== true && vault.config.enable_rbac_authorization !== true)
      .map((vault) => ({
        resource: vault,
        message: `Key Vault "${vault.config.name}" has rbac_authorization_enabled = ${JSON.stringify(vault.config.rbac_authorization_enabled ?? null)}: access policies grant vault-wide access; set rbac_authorization_enabled = true and grant per secret`,
      })),
};
