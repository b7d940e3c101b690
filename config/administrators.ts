import { z } from 'zod';

const OBJECT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const objectIds = (what: string) =>
  z
    .array(
      z.string().regex(OBJECT_ID, {
        error: `${what}: an object id is a GUID (8-4-4-4-12 hex digits); copy it from Entra ID (Object ID of the user, group or service principal)`,
      }),
    )
    .min(1, { error: `${what}: list at least one object id, or leave the field out to use the deploying principal` });

/**
 * Who owns and administers what the stacks create. Each field defaults to "the principal running
 * Terraform", which suits a one-person demo only: a second deployer would see owner changes and a forced
 * replacement, and an apply would lock the first one out (docs/permissions.md).
 */
export const AdministratorsSchema = z
  .strictObject({
    appOwners: objectIds('administrators.appOwners')
      .optional()
      .describe(
        'Owners of the app registrations and enterprise applications in the Logic Apps tenant: users or service principals ' +
          '(Entra does not accept groups as app owners). List every deployer, people and the CI deploy identity. @default the deploying principal',
      ),
    keyVaultAdministrators: objectIds('administrators.keyVaultAdministrators')
      .optional()
      .describe(
        'Principals granted "Key Vault Certificates Officer" on the certificate vault: ideally ONE Entra group holding every deployer. ' +
          '@default the deploying principal',
      ),
    apiTenantAppOwners: objectIds('administrators.apiTenantAppOwners')
      .optional()
      .describe(
        'Owners of the app registrations in the API tenant (apimCrossTenant): object ids in THAT tenant. @default the principal the api_tenant provider signs in as',
      ),
  })
  .default({})
  .describe('Owners and administrators, explicit so that any deployer can plan and apply (docs/permissions.md).');

export type Administrators = z.output<typeof AdministratorsSchema>;

/**
 * Synth-time warnings for a configuration that protects its resources (protect: true) but leaves owners
 * or administrators to "whoever deploys": with prevent_destroy on, the replacement a second deployer
 * triggers fails the apply instead of happening, and the first deployer is still locked out of the apps.
 */
export function administratorWarnings(config: {
  readonly protect: boolean;
  readonly administrators: Administrators;
  readonly apimCrossTenant?: unknown;
}): string[] {
  if (!config.protect) return [];
  const missing: string[] = [];
  if (!config.administrators.appOwners) missing.push('administrators.appOwners');
  if (config.apimCrossTenant && !config.administrators.keyVaultAdministrators) missing.push('administrators.keyVaultAdministrators');
  if (config.apimCrossTenant && !config.administrators.apiTenantAppOwners) missing.push('administrators.apiTenantAppOwners');
  return missing.map(
    (field) =>
      `warning config: protect is on but ${field} is not set, so it defaults to whoever runs Terraform; ` +
      'a second deployer would replace owners or role assignments: set it to explicit object ids (docs/permissions.md)',
  );
}
