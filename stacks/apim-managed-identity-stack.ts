import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { ApiGateway } from '../constructs/api-gateway';
import { Audience } from '../constructs/audience';
import { EntraProtectedApi } from '../constructs/entra-protected-api';
import { SenderWorkflow } from '../constructs/sender-workflow';
import { Config } from '../config/schema';
import { ScenarioStack } from './scenario-stack';

export const APIM_MANAGED_IDENTITY_STACK = 'apim-managed-identity';

/**
 * Seed 002, figure 1 (the recommended design): a Logic App calls an API Management API with its
 * system-assigned identity's token; the API policy admits exactly that identity's client id for the
 * API's audience, in the one tenant both live in.
 */
export class ApimManagedIdentityStack extends ScenarioStack {
  public readonly audience: Audience;
  public readonly gateway: ApiGateway;
  public readonly api: EntraProtectedApi;
  public readonly caller: SenderWorkflow;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const settings = config.apimManagedIdentity;

    this.audience = new Audience(this, 'Audience', {
      displayName: `${config.namePrefix}-apim-api`,
      tokenVersion: settings.tokenVersion,
      protect: config.protect,
    });
    this.gateway = new ApiGateway(this, 'ApiManagement', {
      name: settings.apiManagement.name ?? `${config.namePrefix}-apim-mi`,
      resourceGroupName: this.resourceGroup.name,
      location: this.resourceGroup.location,
      skuName: settings.apiManagement.skuName,
      publisherName: settings.apiManagement.publisherName,
      publisherEmail: settings.apiManagement.publisherEmail,
      tags: config.tags,
    });
    this.api = new EntraProtectedApi(this, 'Api', {
      gateway: this.gateway,
      audience: this.audience,
      name: settings.api.name,
      path: settings.api.path,
      serviceUrl: settings.api.serviceUrl,
    });
    const invoke = this.api.addOperation('invoke', { method: 'POST', urlTemplate: '/invoke' });

    this.caller = new SenderWorkflow(this, 'Caller', {
      ...this.workflowDefaults(),
      name: `${config.namePrefix}-apim-caller`,
      recurrence: settings.recurrence,
      protect: config.protect,
    });
    this.caller.callApi(this.api, invoke);
    const clientId = this.api.allowCaller(this.caller);

    new TerraformOutput(this, 'api-url', { value: invoke.url, description: 'URL the workflow calls (Bearer token required).' });
    new TerraformOutput(this, 'audience', { value: this.audience.audience, description: 'Audience the workflow requests.' });
    new TerraformOutput(this, 'caller-client-id', {
      value: clientId,
      description: 'Client id of the workflow identity, pinned in the API policy.',
    });
  }
}
