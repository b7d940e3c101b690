import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { ApiGateway } from '../constructs/api-gateway';
import { Audience } from '../constructs/audience';
import { EntraProtectedApi } from '../constructs/entra-protected-api';
import { CallerWorkflow } from '../constructs/caller-workflow';
import { Config } from '../config/schema';
import { ScenarioStack } from './scenario-stack';
import { addProtectedApi } from './api-management-parts';

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
  public readonly caller: CallerWorkflow;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const settings = config.apimManagedIdentity;
    if (!settings) {
      throw new Error(`stack "${id}" needs the apimManagedIdentity config section; add it, or do not build this stack`);
    }

    this.audience = new Audience(this, 'Audience', {
      displayName: `${config.namePrefix}-apim-api`,
      tokenVersion: settings.tokenVersion,
      owners: config.administrators.appOwners,
      protect: config.protect,
    });
    const { gateway, api, invoke } = addProtectedApi(this, settings, this.audience, `${config.namePrefix}-apim-mi`);
    this.gateway = gateway;
    this.api = api;

    this.caller = new CallerWorkflow(this, 'Caller', {
      ...this.workflowDefaults(),
      name: `${config.namePrefix}-apim-caller`,
      recurrence: settings.recurrence,
      protect: config.protect,
    });
    this.caller.call(this.api, { operation: invoke });
    const clientId = this.api.allowCaller(this.caller);

    new TerraformOutput(this, 'api-url', { value: invoke.url, description: 'URL the workflow calls (Bearer token required).' });
    new TerraformOutput(this, 'audience', { value: this.audience.identifierUri, description: 'Audience the workflow requests.' });
    new TerraformOutput(this, 'caller-client-id', {
      value: clientId,
      description: 'Client id of the workflow identity, pinned in the API policy.',
    });
  }
}
