import { ApiGateway } from '../constructs/api-gateway';
import { Audience } from '../constructs/audience';
import { ApiOperation, EntraProtectedApi } from '../constructs/entra-protected-api';
import type { ApimCrossTenantConfig, ApimManagedIdentityConfig } from '../config/schema';
import { ScenarioStack } from './scenario-stack';

type ApimSettings = Pick<ApimManagedIdentityConfig | ApimCrossTenantConfig, 'apiManagement' | 'api'>;

/**
 * The gateway, the Entra-protected API in front of `audience` and its `POST /invoke` operation, as both
 * API Management stacks compose them (construct ids `ApiManagement` and `Api` at stack level).
 */
export function addProtectedApi(
  stack: ScenarioStack,
  settings: ApimSettings,
  audience: Audience,
  defaultGatewayName: string,
): { gateway: ApiGateway; api: EntraProtectedApi; invoke: ApiOperation } {
  const gateway = new ApiGateway(stack, 'ApiManagement', {
    name: settings.apiManagement.name ?? defaultGatewayName,
    resourceGroupName: stack.resourceGroup.name,
    location: stack.resourceGroup.location,
    skuName: settings.apiManagement.skuName,
    publisherName: settings.apiManagement.publisherName,
    publisherEmail: settings.apiManagement.publisherEmail,
    tags: stack.config.tags,
  });
  const api = new EntraProtectedApi(stack, 'Api', {
    gateway,
    audience,
    name: settings.api.name,
    path: settings.api.path,
    serviceUrl: settings.api.serviceUrl,
  });
  const invoke = api.addOperation('invoke', { method: 'POST', urlTemplate: '/invoke' });
  return { gateway, api, invoke };
}
