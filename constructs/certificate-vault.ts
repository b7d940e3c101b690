import { Construct } from 'constructs';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';

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
  readonly tags?: Record<string, string>;
  /**
   * Set prevent_destroy on the vault.
   * @default false
   */
  readonly protect?: boolean;
}

/**
 * A Key Vault for client certificates: RBAC authorization (no access policies), purge protection and
 * soft delete. The deploying principal gets "Key Vault Certificates Officer" on the vault so it can
 * create the certificates; workloads get access per secret (ClientCertificate.grantSecretRead).
 */
export class CertificateVault extends Construct {
  public readonly resource: KeyVault;
  /** ARM id of the vault: the prefix of every secret-scoped role assignment. */
  public readonly vaultId: string;
  /** `https://<name>.vault.azure.net/` */
  public readonly vaultUri: string;
  /** The deployer's data-plane access; certificates depend on it. */
  public readonly deployerAccess: RoleAssignment;

  constructor(scope: Construct, id: string, props: CertificateVaultProps) {
    super(scope, id);
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
      tags: props.tags,
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    this.vaultId = this.resource.id;
    this.vaultUri = this.resource.vaultUri;
    this.deployerAccess = new RoleAssignment(this, 'DeployerCertificatesOfficer', {
      scope: this.resource.id,
      roleDefinitionName: 'Key Vault Certificates Officer',
      principalId: client.objectId,
      description: 'The deploying principal creates and renews the client certificate.',
    });
  }
}
