import { Construct } from 'constructs';
import { TerraformProvider, TerraformResource } from 'cdktf';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationCertificate } from '@cdktf/provider-azuread/lib/application-certificate';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { VaultCertificate } from './vault-certificate';
import { IClientApplication } from './entra-protected-api';

export interface CertificateClientAppProps {
  /** Display name of the app registration. */
  readonly displayName: string;
  /** The Key Vault certificate whose public part becomes the app's credential. */
  readonly certificate: VaultCertificate;
  /**
   * The azuread provider of the tenant the client app lives in (the API's tenant).
   * @default the stack's default azuread provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Object ids of the owners of the app registration and enterprise application (users or service
   * principals). Name every principal that deploys this app (docs/permissions.md).
   * @default the principal running Terraform (fine for a demo; flips with each deployer)
   */
  readonly owners?: readonly string[];
  /**
   * Set prevent_destroy on the app registration and enterprise application.
   * @default false
   */
  readonly protect?: boolean;
}

/**
 * A confidential client for a workload that cannot use its managed identity in the target tenant:
 * an app registration plus enterprise application in that tenant, with the Key Vault certificate as its
 * only credential (no client secret).
 */
export class CertificateClientApp extends Construct implements IClientApplication {
  public readonly application: Application;
  public readonly servicePrincipal: ServicePrincipal;
  public readonly credential: ApplicationCertificate;
  /** The Key Vault certificate the credential is made from; a caller signs in by reading its PFX. */
  public readonly certificate: VaultCertificate;
  /** Application (client) id: the `appid`/`azp` of its tokens, pinned by the API policy. */
  public readonly clientId: string;
  /** Object id of the enterprise application (the app-role assignee). */
  public readonly principalId: string;
  /** Tenant the client lives in. */
  public readonly tenantId: string;
  private readonly grants: TerraformResource[] = [];
  private readonly signInUsers: Array<{ waitForGrant(grant: TerraformResource): void }> = [];

  constructor(scope: Construct, id: string, props: CertificateClientAppProps) {
    super(scope, id);
    this.certificate = props.certificate;
    const lifecycle = props.protect ? { preventDestroy: true } : undefined;
    const client = new DataAzureadClientConfig(this, 'ClientConfig', { provider: props.provider });
    this.tenantId = client.tenantId;
    const owners = props.owners ? [...props.owners] : [client.objectId];
    this.application = new Application(this, 'Resource', {
      provider: props.provider,
      displayName: props.displayName,
      owners,
      signInAudience: 'AzureADMyOrg',
      lifecycle,
    });
    this.clientId = this.application.clientId;
    this.servicePrincipal = new ServicePrincipal(this, 'EnterpriseApplication', {
      provider: props.provider,
      clientId: this.application.clientId,
      owners,
      lifecycle,
    });
    this.principalId = this.servicePrincipal.objectId;
    this.credential = new ApplicationCertificate(this, 'Credential', {
      provider: props.provider,
      applicationId: this.application.id,
      type: 'AsymmetricX509Cert',
      // certificate_data is hex DER: the public certificate only.
      encoding: 'hex',
      value: props.certificate.certificateData,
      startDate: props.certificate.notBefore,
      endDate: props.certificate.expires,
      // A renewal replaces the credential: add the new one before removing the old.
      lifecycle: { createBeforeDestroy: true },
    });
  }

  /** Records a grant to this client (its app role on an API); workloads signing in as it wait for it too. */
  public waitForGrant(grant: TerraformResource): void {
    if (this.grants.includes(grant)) return;
    this.grants.push(grant);
    for (const user of this.signInUsers) user.waitForGrant(grant);
  }

  /**
   * `workload` signs in as this client (CallerWorkflow.call with certificateClient): its first run waits
   * for every grant to this client, earlier and later ones.
   */
  public addSignInUser(workload: { waitForGrant(grant: TerraformResource): void }): void {
    if (this.signInUsers.includes(workload)) return;
    this.signInUsers.push(workload);
    for (const grant of this.grants) workload.waitForGrant(grant);
  }
}
