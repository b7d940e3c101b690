import { Construct } from 'constructs';
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { IPrincipal } from './audience';
import { CertificateVault } from './certificate-vault';
import { daysBeforeExpiryProblem } from '../domain/parity';
import { requireValid } from './parity-checks';

export interface VaultCertificateProps {
  readonly vault: CertificateVault;
  /** Certificate name; its secret (the PFX) has the same name. */
  readonly name: string;
  /**
   * Subject of the self-signed certificate.
   * @default "CN=<name>"
   */
  readonly subject?: string;
  /** @default 12 */
  readonly validityInMonths?: number;
  /**
   * Key Vault renews the certificate this many days before expiry. The app credential follows only
   * on the next deploy (docs/apim.md).
   * @default 30
   */
  readonly renewDaysBeforeExpiry?: number;
}

/** Client-authentication EKU. */
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

/**
 * A self-signed client certificate in Key Vault, generated there (the private key never leaves the
 * vault through Terraform): exportable key so a workload can read the PFX from the secret, content type
 * application/x-pkcs12, automatic renewal.
 */
export class VaultCertificate extends Construct {
  public readonly resource: KeyVaultCertificate;
  public readonly vault: CertificateVault;
  /** The public certificate (hex DER), for an app credential. */
  public readonly certificateData: string;
  /** RFC 3339 start of validity. */
  public readonly notBefore: string;
  /** RFC 3339 end of validity. */
  public readonly expires: string;
  /**
   * Versioned id of the certificate's secret (`https://<vault>/secrets/<name>/<version>`). Workloads read
   * this version, so a renewal reaches them together with the app credential, on the next deploy.
   */
  public readonly secretId: string;
  /** ARM scope of exactly this certificate's secret: `<vault id>/secrets/<name>`. */
  public readonly secretScope: string;
  private readonly readers = new Map<string, RoleAssignment>();

  constructor(scope: Construct, id: string, props: VaultCertificateProps) {
    super(scope, id);
    const months = props.validityInMonths ?? 12;
    requireValid(this, 'renewDaysBeforeExpiry', props.renewDaysBeforeExpiry ?? 30, (days) => daysBeforeExpiryProblem(days, months));
    this.vault = props.vault;
    this.resource = new KeyVaultCertificate(this, 'Resource', {
      name: props.name,
      keyVaultId: props.vault.vaultId,
      certificatePolicy: {
        issuerParameters: { name: 'Self' },
        keyProperties: { exportable: true, keyType: 'RSA', keySize: 2048, reuseKey: false },
        lifetimeAction: [
          { action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: props.renewDaysBeforeExpiry ?? 30 } },
        ],
        secretProperties: { contentType: 'application/x-pkcs12' },
        x509CertificateProperties: {
          subject: props.subject ?? `CN=${props.name}`,
          validityInMonths: props.validityInMonths ?? 12,
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extendedKeyUsage: [CLIENT_AUTH_EKU],
        },
      },
      dependsOn: [props.vault.dataPlaneReady],
    });
    this.certificateData = this.resource.certificateData;
    const attribute = this.resource.certificateAttribute.get(0);
    this.notBefore = attribute.notBefore;
    this.expires = attribute.expires;
    this.secretId = this.resource.secretId;
    // Not resource_manager_versionless_id: that points at /certificates/, and the PFX is read as a secret.
    this.secretScope = `${props.vault.vaultId}/secrets/${this.resource.name}`;
  }

  /** Grants `principal` "Key Vault Secrets User" on this certificate's secret only. Idempotent. */
  public grantSecretRead(principal: IPrincipal): RoleAssignment {
    const key = principal.node.path;
    const existing = this.readers.get(key);
    if (existing) return existing;
    const assignment = new RoleAssignment(this, `SecretRead-${principal.node.id}`, {
      scope: this.secretScope,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: principal.principalId,
      principalType: 'ServicePrincipal',
      description: 'Reads the client certificate (PFX) to sign in to the API tenant.',
    });
    this.readers.set(key, assignment);
    principal.waitForGrant?.(assignment);
    return assignment;
  }
}
