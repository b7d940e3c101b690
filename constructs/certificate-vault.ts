import { Construct } from 'constructs';
import { dependable } from 'cdktf';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { waitAfter } from './private/time';
import { requireValidPlacement } from './parity-checks';

export interface CertificateVaultProps {
  /** Vault name, globally unique, 3-24 characters. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Days a deleted vault or certificate stays recoverable (purge protection is always on).
   * @default 90
   */
  readonly softDeleteRetentionDays?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Object ids granted "Key Vault Certificates Officer" on the vault, who create and renew the
   * certificates: ideally one Entra group holding every deployer (people and the CI deploy identity).
   * Whoever runs the deploy must be covered, or the certificate creation gets 403 (docs/permissions.md).
   * @default the principal running Terraform (fine for a demo; flips with each deployer)
   */
  readonly administrators?: readonly string[];
  /**
   * How long certificate operations wait after the administrators' role assignments are created: Key
   * Vault's data plane sees a new role assignment minutes later, and azurerm does not retry the 403.
   * @default "60s"
   */
  readonly rbacPropagationWait?: string;
  /**
   * Set prevent_destroy on the vault.
   * @default false
   */
  readonly protect?: boolean;
}

/**
 * A Key Vault for client certificates: RBAC authorization (no access policies), purge protection and
 * soft delete. The administrators (default: the deploying principal) get "Key Vault Certificates Officer"
 * on the vault so they can create the certificates; workloads get access per secret
 * (VaultCertificate.grantSecretRead).
 */
export class CertificateVault extends Construct {
  public readonly resource: KeyVault;
  /** ARM id of the vault: the prefix of every secret-scoped role assignment. */
  public readonly vaultId: string;
  /** `https://<name>.vault.azure.net/` */
  public readonly vaultUri: string;
  /** The administrators' data-plane access. */
  public readonly administratorAccess: readonly RoleAssignment[];
  /**
   * Completes `rbacPropagationWait` after the administrators' access: certificates depend on it. Like
   * AVM's Key Vault module (time_sleep before data-plane operations), instead of "deploy again".
   */
  public readonly dataPlaneReady: Sleep;

  constructor(scope: Construct, id: string, props: CertificateVaultProps) {
    super(scope, id);
    requireValidPlacement(this, props);
    const client = new DataAzurermClientConfig(this, 'ClientConfig', {});
    this.resource = new KeyVault(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: client.tenantId,
      skuName: 'standard',
      // rbac_authorization_enabled replaces the deprecated enable_rbac_authorization (azurerm 4.42+).
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: props.softDeleteRetentionDays ?? 90,
      tags: props.tags as Record<string, string> | undefined, // cdktf only reads it
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    this.vaultId = this.resource.id;
    this.vaultUri = this.resource.vaultUri;
    // The default keeps its historical construct id (a Terraform address is a contract).
    this.administratorAccess = props.administrators
      ? props.administrators.map(
          (objectId) =>
            new RoleAssignment(this, `CertificatesOfficer-${objectId}`, {
              scope: this.resource.id,
              roleDefinitionName: 'Key Vault Certificates Officer',
              principalId: objectId,
              description: 'An administrator of the client certificate (creates and renews it).',
            }),
        )
      : [
          new RoleAssignment(this, 'DeployerCertificatesOfficer', {
            scope: this.resource.id,
            roleDefinitionName: 'Key Vault Certificates Officer',
            principalId: client.objectId,
            description: 'The deploying principal creates and renews the client certificate.',
          }),
        ];
    // azurerm creates the certificate right after the role assignment and does not retry a 403
    // (internal/services/keyvault/key_vault_certificate_resource.go, azurerm v4.55.0).
    this.dataPlaneReady = waitAfter(this, 'RbacPropagation', props.rbacPropagationWait ?? '60s');
    this.dataPlaneReady.dependsOn = this.administratorAccess.map(dependable);
  }
}
