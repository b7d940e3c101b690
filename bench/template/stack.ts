// The baseline of `npm run bench` (docs/performance.md): the Logic Apps OAuth stack of the default
// configuration (a sender, a wrong-audience probe, a receiver that admits the sender's managed identity,
// and the audience app registration), written the way the cdktf TypeScript template and the provider
// docs suggest: namespace imports of the prebuilt providers, one class, literal values.
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import * as azurerm from "@cdktf/provider-azurerm";
import * as azuread from "@cdktf/provider-azuread";
import * as time from "@cdktf/provider-time";

const TAGS = { environment: "demo", project: "logic-apps-oauth" };
const INVOKE_QUERY = "/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0";
const NO_RUN_HISTORY = { allowedCallerIpAddressRange: ["0.0.0.0-0.0.0.0"] };
const SECURE = { secureData: { properties: ["inputs", "outputs"] } };

export class LogicAppsOauthStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    new azurerm.provider.AzurermProvider(this, "azurerm", { features: [{}] });
    new azuread.provider.AzureadProvider(this, "azuread", {});
    new time.provider.TimeProvider(this, "time", {});

    const rg = new azurerm.resourceGroup.ResourceGroup(this, "ResourceGroup", {
      name: "rg-la-oauth-logic-apps-oauth",
      location: "westeurope",
      tags: TAGS,
    });

    const client = new azuread.dataAzureadClientConfig.DataAzureadClientConfig(this, "ClientConfig", {});
    const roleId = "650ad295-1da7-5b7c-bcb4-910f0f0125fa";
    const audienceApp = new azuread.application.Application(this, "Audience", {
      displayName: "la-oauth-logic-apps-audience",
      owners: [client.objectId],
      api: { requestedAccessTokenVersion: 1 },
      appRole: [
        {
          allowedMemberTypes: ["Application"],
          description: "Workload identities allowed to call the workflows or APIs that accept this audience.",
          displayName: "Invoke Logic Apps",
          enabled: true,
          id: roleId,
          value: "LogicApps.Invoke",
        },
      ],
      lifecycle: { ignoreChanges: ["identifier_uris"] },
    });
    const audience = `api://${audienceApp.clientId}`;
    const enterpriseApp = new azuread.servicePrincipal.ServicePrincipal(this, "EnterpriseApplication", {
      clientId: audienceApp.clientId,
      appRoleAssignmentRequired: true,
      owners: [client.objectId],
    });
    new azuread.applicationIdentifierUri.ApplicationIdentifierUri(this, "IdentifierUri", {
      applicationId: audienceApp.id,
      identifierUri: audience,
      dependsOn: [enterpriseApp],
    });

    const workflow = (wfId: string, name: string, accessControl: azurerm.logicAppWorkflow.LogicAppWorkflowAccessControl) =>
      new azurerm.logicAppWorkflow.LogicAppWorkflow(this, wfId, {
        name,
        location: rg.location,
        resourceGroupName: rg.name,
        identity: { type: "SystemAssigned" },
        accessControl,
        tags: TAGS,
      });

    const sender = workflow("Sender", "la-oauth-send", { content: NO_RUN_HISTORY });
    const probe = workflow("Probe", "la-oauth-receive-naughty", { content: NO_RUN_HISTORY });
    const receiver = workflow("Receiver", "la-oauth-receive", {
      content: NO_RUN_HISTORY,
      trigger: {
        allowedCallerIpAddressRange: [`\${distinct(concat(formatlist("%s/32", ${sender.fqn}.workflow_outbound_ip_addresses), []))}`],
        openAuthenticationPolicy: [
          {
            name: "allow-la-oauth-send",
            claim: [
              { name: "iss", value: `https://sts.windows.net/${client.tenantId}/` },
              { name: "aud", value: audience },
              { name: "oid", value: sender.identity.principalId },
            ],
          },
        ],
      },
    });
    const grant = new azuread.appRoleAssignment.AppRoleAssignment(this, "Grant", {
      appRoleId: roleId,
      principalObjectId: sender.identity.principalId,
      resourceObjectId: enterpriseApp.objectId,
    });
    // Entra app-role grants take a while to reach the token service: the sender's first call waits.
    new time.sleep.Sleep(this, "GrantsPropagated", { createDuration: "60s", dependsOn: [grant] });

    const trigger = new azurerm.logicAppTriggerCustom.LogicAppTriggerCustom(this, "ReceiverTrigger", {
      logicAppId: receiver.id,
      name: "manual",
      body: JSON.stringify({
        type: "Request",
        kind: "Http",
        inputs: { method: "POST", schema: {} },
        conditions: [{ expression: "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer')" }],
        operationOptions: "IncludeAuthorizationHeadersInOutputs",
        runtimeConfiguration: SECURE,
      }),
    });
    new azurerm.logicAppActionCustom.LogicAppActionCustom(this, "ReceiverResponse", {
      logicAppId: receiver.id,
      name: "Response",
      dependsOn: [trigger],
      body: JSON.stringify({
        type: "Response",
        kind: "Http",
        inputs: {
          statusCode: 200,
          headers: { "Content-Type": "application/json" },
          body: { accepted: true, receiver: "la-oauth-receive", run: "@{workflow()?['run']?['name']}" },
        },
        runAfter: {},
      }),
    });

    const invokeUrl = `${receiver.accessEndpoint}${INVOKE_QUERY}`;
    for (const [caller, callerId, callerName, callAudience] of [
      [sender, "Sender", "la-oauth-send", audience],
      [probe, "Probe", "la-oauth-receive-naughty", "https://management.azure.com/"],
    ] as const) {
      const schedule = new azurerm.logicAppTriggerRecurrence.LogicAppTriggerRecurrence(this, `${callerId}Schedule`, {
        logicAppId: caller.id,
        name: "Recurrence",
        frequency: "Day",
        interval: 1,
      });
      new azurerm.logicAppActionCustom.LogicAppActionCustom(this, `${callerId}Call`, {
        logicAppId: caller.id,
        name: "Call_1",
        dependsOn: [schedule, trigger],
        body: JSON.stringify({
          type: "Http",
          inputs: {
            method: "POST",
            uri: invokeUrl,
            headers: { "Content-Type": "application/json" },
            body: { sender: callerName },
            authentication: { type: "ManagedServiceIdentity", audience: callAudience },
          },
          runAfter: {},
          runtimeConfiguration: SECURE,
        }),
      });
    }

    new TerraformOutput(this, "audience", { value: audience });
    new TerraformOutput(this, "audience-client-id", { value: audienceApp.clientId });
    new TerraformOutput(this, "receive-invoke-url", { value: invokeUrl });
  }
}
