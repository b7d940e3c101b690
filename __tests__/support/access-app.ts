// A small cdktf app built from provider resources only (no construct of this project): one audience app,
// a receiver workflow that admits one sender by iss + aud + oid, the sender's managed-identity call, and
// an API Management API validating the same audience for a second caller. Every knob turns one
// access-relevant argument, so the access diff tests compare two apps that differ in exactly that.
import { App, TerraformStack, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { LogicAppWorkflow } from '@cdktf/provider-azurerm/lib/logic-app-workflow';
import { LogicAppTriggerCustom } from '@cdktf/provider-azurerm/lib/logic-app-trigger-custom';
import { LogicAppTriggerRecurrence } from '@cdktf/provider-azurerm/lib/logic-app-trigger-recurrence';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationIdentifierUri } from '@cdktf/provider-azuread/lib/application-identifier-uri';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal';
import { ANNOTATION_KEY } from '../../domain/annotations';
import { BEARER_ONLY_CONDITION, INCLUDE_AUTHORIZATION_HEADERS } from '../../domain/workflow-conditions';
import type { SynthStack } from '../../model/synth-output';

export interface AccessKnobs {
  /** Receiver workflow name. */
  receiverName: string;
  /** Construct id of the receiver (its Terraform address). */
  receiverId: string;
  /** The receiver's policy pins the sender's oid. */
  pinOid: boolean;
  /** A second policy admitting the "partner" workflow. */
  admitPartner: boolean;
  /** Literal trigger IP ranges besides the sender's outbound addresses. */
  extraTriggerRanges: string[];
  /** Callers' outbound IPs written as a for expression (bare address /32, range kept) instead of formatlist. */
  forExpressionIps: boolean;
  /** The trigger block has policies but no ranges: azurerm sends [] ("only other Logic Apps"). */
  emptyTriggerIpList: boolean;
  /** Receiver run-history ranges; undefined: no content section (open). */
  runHistory: string[] | undefined;
  bearerOnly: boolean;
  /** Secure data of the sender's call (and the receiver trigger's outputs). */
  secureData: Array<'inputs' | 'outputs'>;
  /** The sender's grant of the audience's app role. */
  grantSender: boolean;
  assignmentRequired: boolean;
  /** Suppression of LA023 on the sender, with its reason. */
  suppression: string | undefined;
  tags: Record<string, string>;
  tokenVersion: 1 | 2;
  /** The partner workflow calls the receiver. */
  partnerCalls: boolean;
  /** Where the reporting workflow may read Key Vault secrets: one secret, the whole vault, or nowhere. */
  secretRead: 'secret' | 'vault' | 'none';
  // API Management
  apiValidation: boolean;
  apiPinClient: boolean;
  /** The API also admits the partner workflow's identity as a client application. */
  apiClientPartner: boolean;
  apiAudiences: string[];
  apiRequiredRoles: string[];
  apiSubscriptionRequired: boolean;
}

export const SECURE: AccessKnobs = {
  receiverName: 'orders-intake',
  receiverId: 'Receiver',
  pinOid: true,
  admitPartner: false,
  extraTriggerRanges: [],
  forExpressionIps: false,
  emptyTriggerIpList: false,
  runHistory: ['0.0.0.0-0.0.0.0'],
  bearerOnly: true,
  secureData: ['inputs', 'outputs'],
  grantSender: true,
  assignmentRequired: true,
  suppression: undefined,
  tags: { team: 'orders' },
  tokenVersion: 1,
  partnerCalls: false,
  secretRead: 'secret',
  apiValidation: true,
  apiPinClient: true,
  apiClientPartner: false,
  apiAudiences: ['api://${azuread_application.Audience.client_id}'],
  apiRequiredRoles: [],
  apiSubscriptionRequired: false,
};

const RECURRENCE = { frequency: 'Day', interval: 1 };

class AccessStack extends TerraformStack {
  constructor(scope: App, id: string, k: AccessKnobs) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    new AzureadProvider(this, 'azuread', {});
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: 'rg-access', location: 'westeurope' });
    const tenant = new DataAzureadClientConfig(this, 'ClientConfig', {});
    const app = new Application(this, 'Audience', {
      displayName: 'orders-audience',
      api: { requestedAccessTokenVersion: k.tokenVersion },
      appRole: [{ id: '00000000-0000-4000-8000-000000000001', allowedMemberTypes: ['Application'], value: 'Orders.Invoke', displayName: 'Invoke', description: 'Invoke' }],
    });
    app.overrideLogicalId('Audience');
    new ApplicationIdentifierUri(this, 'IdentifierUri', { applicationId: app.id, identifierUri: `api://${app.clientId}` });
    const sp = new ServicePrincipal(this, 'EnterpriseApplication', { clientId: app.clientId, appRoleAssignmentRequired: k.assignmentRequired });
    const workflow = (id: string, name: string, content: string[] | undefined, trigger?: Record<string, unknown>) =>
      new LogicAppWorkflow(this, id, {
        name,
        location: rg.location,
        resourceGroupName: rg.name,
        identity: { type: 'SystemAssigned' },
        tags: k.tags,
        ...(content || trigger ? { accessControl: { ...(content ? { content: { allowedCallerIpAddressRange: content } } : {}), ...(trigger ? { trigger } : {}) } } : {}),
      });
    const sender = workflow('Sender', 'billing-export', ['0.0.0.0-0.0.0.0']);
    const partner = workflow('Partner', 'partner-sync', ['0.0.0.0-0.0.0.0']);
    const aud = k.tokenVersion === 1 ? `api://${app.clientId}` : app.clientId;
    const iss = k.tokenVersion === 1 ? `https://sts.windows.net/${tenant.tenantId}/` : `https://login.microsoftonline.com/${tenant.tenantId}/v2.0`;
    const policy = (name: string, oid: string | undefined) => ({
      name,
      claim: [{ name: 'iss', value: iss }, { name: 'aud', value: aud }, ...(oid ? [{ name: 'oid', value: oid }] : [])],
    });
    const addresses = (w: LogicAppWorkflow) => `${w.terraformResourceType}.${w.friendlyUniqueId}.workflow_outbound_ip_addresses`;
    const perCaller = (w: LogicAppWorkflow) =>
      k.forExpressionIps ? `[for val in ${addresses(w)}: length(regexall("[/-]", val)) > 0 ? val : format("%s/32", val)]` : `formatlist("%s/32", ${addresses(w)})`;
    const outbound = (wfs: LogicAppWorkflow[]) =>
      `\${distinct(concat(${wfs.map(perCaller).join(', ')}, [${k.extraTriggerRanges.map((r) => `"${r}"`).join(', ')}]))}`;
    const receiver = workflow(
      k.receiverId,
      k.receiverName,
      k.runHistory,
      {
        ...(k.emptyTriggerIpList ? {} : { allowedCallerIpAddressRange: outbound(k.admitPartner ? [sender, partner] : [sender]) as unknown as string[] }),
        openAuthenticationPolicy: [policy('allow-billing-export', k.pinOid ? sender.identity.principalId : undefined), ...(k.admitPartner ? [policy('allow-partner-sync', partner.identity.principalId)] : [])],
      },
    );
    new LogicAppTriggerCustom(this, 'Trigger', {
      logicAppId: receiver.id,
      name: 'manual',
      body: JSON.stringify({
        type: 'Request',
        kind: 'Http',
        inputs: { schema: {} },
        ...(k.bearerOnly ? { conditions: [{ expression: BEARER_ONLY_CONDITION }] } : {}),
        operationOptions: INCLUDE_AUTHORIZATION_HEADERS,
        runtimeConfiguration: { secureData: { properties: k.secureData.filter((p) => p === 'outputs') } },
      }),
    });
    const call = (from: LogicAppWorkflow, id: string) => {
      new LogicAppTriggerRecurrence(this, `${id}Schedule`, { logicAppId: from.id, name: 'schedule', ...RECURRENCE });
      return new LogicAppActionCustom(this, `${id}Call`, {
        logicAppId: from.id,
        name: 'Call_orders_intake',
        body: JSON.stringify({
          type: 'Http',
          inputs: {
            method: 'POST',
            uri: `${receiver.accessEndpoint}/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0`,
            authentication: { type: 'ManagedServiceIdentity', audience: `api://${app.clientId}` },
          },
          runtimeConfiguration: { secureData: { properties: k.secureData } },
        }),
      });
    };
    const senderCall = call(sender, 'Sender');
    if (k.partnerCalls) call(partner, 'Partner');
    if (k.suppression) senderCall.addOverride(`//.${ANNOTATION_KEY}.suppressions`, [{ id: 'LA023', reason: k.suppression }]);
    const grant = (wf: LogicAppWorkflow, id: string) =>
      new AppRoleAssignment(this, id, { appRoleId: '00000000-0000-4000-8000-000000000001', principalObjectId: wf.identity.principalId, resourceObjectId: sp.objectId });
    if (k.grantSender) grant(sender, 'GrantSender');
    grant(partner, 'GrantPartner');

    // API Management: the "reporting" workflow calls an API that validates the audience's tokens.
    const apim = new ApiManagement(this, 'Apim', { name: 'apim-orders', location: rg.location, resourceGroupName: rg.name, publisherName: 'p', publisherEmail: 'p@example.com', skuName: 'Consumption_0' });
    const api = new ApiManagementApi(this, 'Api', { name: 'orders-api', resourceGroupName: rg.name, apiManagementName: apim.name, revision: '1', path: 'orders', protocols: ['https'], subscriptionRequired: k.apiSubscriptionRequired });
    const reporting = workflow('Reporting', 'reporting', ['0.0.0.0-0.0.0.0']);
    const reportingClient = new DataAzureadServicePrincipal(this, 'ReportingIdentity', { objectId: reporting.identity.principalId });
    const clients = [reportingClient, ...(k.apiClientPartner ? [new DataAzureadServicePrincipal(this, 'PartnerIdentity', { objectId: partner.identity.principalId })] : [])];
    const validation = [
      `<validate-azure-ad-token tenant-id="${tenant.tenantId}" failed-validation-httpcode="401">`,
      ...(k.apiPinClient ? [`<client-application-ids>${clients.map((c) => `<application-id>${c.clientId}</application-id>`).join('')}</client-application-ids>`] : []),
      ...(k.apiAudiences.length ? [`<audiences>${k.apiAudiences.map((a) => `<audience>${a}</audience>`).join('')}</audiences>`] : []),
      ...(k.apiRequiredRoles.length ? [`<required-claims><claim name="roles" match="any">${k.apiRequiredRoles.map((r) => `<value>${r}</value>`).join('')}</claim></required-claims>`] : []),
      '</validate-azure-ad-token>',
    ].join('');
    new ApiManagementApiPolicy(this, 'ApiPolicy', {
      apiName: api.name,
      apiManagementName: apim.name,
      resourceGroupName: rg.name,
      xmlContent: `<policies><inbound><base />${k.apiValidation ? validation : ''}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
    });
    new LogicAppTriggerRecurrence(this, 'ReportingSchedule', { logicAppId: reporting.id, name: 'schedule', ...RECURRENCE });
    new LogicAppActionCustom(this, 'ReportingCall', {
      logicAppId: reporting.id,
      name: 'Call_orders_api',
      body: JSON.stringify({
        type: 'Http',
        inputs: { method: 'GET', uri: `${apim.gatewayUrl}/orders/recent`, authentication: { type: 'ManagedServiceIdentity', audience: `api://${app.clientId}` } },
        runtimeConfiguration: { secureData: { properties: ['inputs', 'outputs'] } },
      }),
    });
    grant(reporting, 'GrantReporting');
    if (k.secretRead !== 'none') {
      const vault = `${rg.id}/providers/Microsoft.KeyVault/vaults/kv-orders`;
      new RoleAssignment(this, 'ReportingSecretRead', {
        principalId: reporting.identity.principalId,
        roleDefinitionName: 'Key Vault Secrets User',
        scope: k.secretRead === 'vault' ? vault : `${vault}/secrets/orders-cert`,
      });
    }
  }
}

/** Synthesized stacks by their knobs, as JSON text: the same knobs give the same stack (cdktf synth is deterministic). */
const synthesized = new Map<string, string>();

/** The app's one stack, synthesized in memory (once per distinct knobs in a test file; a fresh copy each call). */
export function accessApp(knobs: Partial<AccessKnobs> = {}): SynthStack {
  const all = { ...SECURE, ...knobs };
  const key = JSON.stringify(all); // every knob is in SECURE, so an undefined one (left out) is unambiguous
  let json = synthesized.get(key);
  if (json === undefined) {
    const stack = new AccessStack(Testing.app(), 'orders', all);
    // toTerraform() keeps the "//" metadata (construct paths, annotations) that Testing.synth strips.
    json = JSON.stringify(stack.toTerraform());
    synthesized.set(key, json);
  }
  return { name: 'orders', json: JSON.parse(json) };
}
