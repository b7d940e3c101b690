import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationCertificate } from '@cdktf/provider-azuread/lib/application-certificate';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { ClientCertificate } from './client-certificate';
import { IClientApplication } from './entra-protected-api';

export interface CertificateClientProps {
  /** Display name of the app registration. */
  readonly displayName: string;
  /** The Key Vault certificate whose public part becomes the app's credential. */
  readonly certificate: ClientCertificate;
  /**
   * The azuread provider of the tenant the client app lives in (the API's tenant).
   * @default the stack's default azuread provider
   */
  readonly provider?: TerraformProvider;
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
export class CertificateClient extends Construct implements IClientApplication {
  public readonly application: Application;
  public readonly servicePrincipal: ServicePrincipal;
  public readonly credential: ApplicationCertificate;
  /** Application (client) id: the `appid`/`azp` of its tokens, pinned by the API policy. */
  public readonly clientId: string;
  /** Object id of the enterprise application (the app-role assignee). */
  public readonly principalId: string;
  /** Tenant the client lives in. */
  public readonly tenantId: string;

  constructor(scope: Construct, id: string, props: CertificateClientProps) {
    super(scope, id);
    const lifecycle = props.protect ? { preventDestroy: true } : undefined;
    const client = new DataAzureadClientConfig(this, 'ClientConfig', { provider: props.provider });
    this.tenantId = client.tenantId;
    this.application = new Application(this, 'Resource', {
      provider: props.provider,
      displayName: props.displayName,
      owners: [client.objectId],
      signInAudience: 'AzureADMyOrg',
      lifecycle,
    });
    this.clientId = this.application.clientId;
    this.servicePrincipal = new ServicePrincipal(this, 'EnterpriseApplication', {
      provider: props.provider,
      clientId: this.application.clientId,
      owners: [client.objectId],
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
}
