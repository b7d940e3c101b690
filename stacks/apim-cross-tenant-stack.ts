import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ApiGateway } from '../constructs/api-gateway';
import { Audience } from '../constructs/audience';
import { CertificateClientApp } from '../constructs/certificate-client-app';
import { CertificateVault } from '../constructs/certificate-vault';
import { VaultCertificate } from '../constructs/vault-certificate';
import { EntraProtectedApi } from '../constructs/entra-protected-api';
import { CallerWorkflow } from '../constructs/caller-workflow';
import { ApimCrossTenantConfig, Config, keyVaultName } from '../config/schema';
import { ScenarioStack } from './scenario-stack';
import { addProtectedApi } from './api-management-parts';

export const APIM_CROSS_TENANT_STACK = 'apim-cross-tenant';
/** Alias of the azuread provider signed in to the API's tenant. */
export const API_TENANT_PROVIDER_ALIAS = 'api_tenant';

/**
 * Seed 002, figure 2: the API's Entra tenant differs from the Logic App's, and a managed identity
 * cannot get tokens from another tenant. The workflow reads a certificate from Key Vault with its
 * managed identity and signs in to the API's tenant as a client app that holds that certificate.
 */
export class ApimCrossTenantStack extends ScenarioStack {
  /** azuread provider of the API's tenant. */
  public readonly apiTenant: AzureadProvider;
  public readonly audience: Audience;
  public readonly vault: CertificateVault;
  public readonly certificate: VaultCertificate;
  public readonly client: CertificateClientApp;
  public readonly gateway: ApiGateway;
  public readonly api: EntraProtectedApi;
  public readonly caller: CallerWorkflow;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const settings: ApimCrossTenantConfig | undefined = config.apimCrossTenant;
    if (!settings) {
      throw new Error(`stack "${id}" needs the apimCrossTenant config section; add it with apiTenantId, or do not build this stack`);
    }

    this.apiTenant = new AzureadProvider(this, 'azuread-api-tenant', {
      alias: API_TENANT_PROVIDER_ALIAS,
      tenantId: settings.apiTenantId,
    });

    // In the API's tenant: the API's app registration and the workflow's client app.
    this.audience = new Audience(this, 'Audience', {
      displayName: `${config.namePrefix}-apim-xt-api`,
      tokenVersion: settings.tokenVersion,
      provider: this.apiTenant,
      owners: config.administrators.apiTenantAppOwners,
      protect: config.protect,
    });

    // In the Logic App's subscription: the vault and the certificate.
    this.vault = new CertificateVault(this, 'KeyVault', {
      name: keyVaultName(config)!,
      resourceGroupName: this.resourceGroup.name,
      location: this.resourceGroup.location,
      softDeleteRetentionDays: settings.keyVault.softDeleteRetentionDays,
      tags: config.tags,
      administrators: config.administrators.keyVaultAdministrators,
      protect: config.protect,
    });
    this.certificate = new VaultCertificate(this, 'Certificate', {
      vault: this.vault,
      name: settings.certificate.name,
      subject: `CN=${config.namePrefix}-apim-xt-client`,
      validityInMonths: settings.certificate.validityInMonths,
      renewDaysBeforeExpiry: settings.certificate.renewDaysBeforeExpiry,
    });
    this.client = new CertificateClientApp(this, 'Client', {
      displayName: `${config.namePrefix}-apim-xt-client`,
      certificate: this.certificate,
      provider: this.apiTenant,
      owners: config.administrators.apiTenantAppOwners,
      protect: config.protect,
    });

    const { gateway, api, invoke } = addProtectedApi(this, settings, this.audience, `${config.namePrefix}-apim-xt`);
    this.gateway = gateway;
    this.api = api;
    this.api.allowCaller(this.client);

    this.caller = new CallerWorkflow(this, 'Caller', {
      ...this.workflowDefaults(),
      name: `${config.namePrefix}-apim-xt-caller`,
      recurrence: settings.recurrence,
      protect: config.protect,
    });
    this.caller.call(this.api, { operation: invoke, certificateClient: this.client });

    new TerraformOutput(this, 'api-url', { value: invoke.url, description: 'URL the workflow calls.' });
    new TerraformOutput(this, 'api-tenant-id', {
      value: settings.apiTenantId,
      description: 'Tenant of the API and the client app (from apimCrossTenant.apiTenantId).',
    });
    new TerraformOutput(this, 'client-id', { value: this.client.clientId, description: 'Client app pinned in the API policy.' });
    new TerraformOutput(this, 'certificate-expires', {
      value: this.certificate.expires,
      description: 'End of the current certificate version; deploy after each Key Vault renewal (docs/apim.md).',
    });
  }
}
