// What the CI identities need beyond the built-in roles, in one place: the custom role of the plan job
// (docs/ci-plan-role.json is this list as an Azure role definition; a test keeps the two equal) and the
// built-in roles of both CI identities (docs/permissions.md).

/**
 * POST actions a `terraform plan` (refresh) of these stacks calls, which Reader does not include:
 * - `listCallbackUrl`: azurerm_logic_app_trigger_custom of type Request reads its callback URL on every
 *   read (internal/services/logic/logic_apps.go, retrieveLogicAppTrigger, azurerm v4.55.0). That URL
 *   carries the SAS signature: whoever can plan can read it (it is in the state the plan reads anyway).
 * - the two `listSecrets`: azurerm_api_management reads the delegation validation key and the tenant
 *   access secrets for every SKU but Consumption and the v2 tiers (sku names containing "V2")
 *   (internal/services/apimanagement/api_management_resource.go, resourceApiManagementServiceRead).
 * Resource provider registration (each provider's `register/action`) is not needed: the plan job sets
 * ARM_RESOURCE_PROVIDER_REGISTRATIONS=none (internal/provider/provider.go, resource_provider_registrations).
 */
export const PLAN_REFRESH_ACTIONS = [
  'Microsoft.Logic/workflows/triggers/listCallbackUrl/action',
  'Microsoft.ApiManagement/service/portalsettings/listSecrets/action',
  'Microsoft.ApiManagement/service/tenant/listSecrets/action',
] as const;

/** Name of the custom role holding PLAN_REFRESH_ACTIONS. */
export const PLAN_REFRESH_ROLE_NAME = 'Logic Apps OAuth plan refresh';

export const PLAN_REFRESH_ROLE_DESCRIPTION =
  'POST reads a terraform plan of the logic-apps-oauth stacks needs besides Reader: Logic Apps trigger callback URLs ' +
  '(includes the SAS signature) and API Management listSecrets. Assign together with Reader.';

/** Built-in Azure roles of the plan identity (scope: the subscription, or the stacks' resource groups). */
export const PLAN_BUILTIN_ROLES = ['Reader', 'Key Vault Reader'] as const;

/** Microsoft Graph application permissions of the plan identity (admin consent). */
export const PLAN_GRAPH_PERMISSIONS = ['Application.Read.All'] as const;

/**
 * Built-in Azure roles of the deploy identity: Contributor creates the resources; Role Based Access
 * Control Administrator creates the Key Vault role assignments (Certificates Officer, Secrets User).
 */
export const DEPLOY_BUILTIN_ROLES = ['Contributor', 'Role Based Access Control Administrator'] as const;

/**
 * Microsoft Graph application permissions of the deploy identity: create the app registrations it then
 * owns, and grant app roles of those apps to the workflows' identities.
 */
export const DEPLOY_GRAPH_PERMISSIONS = ['Application.ReadWrite.OwnedBy', 'AppRoleAssignment.ReadWrite.All'] as const;

/**
 * Built-in role definition ids (the same in every tenant) the deploy identity may assign: the Key Vault
 * roles the apim-cross-tenant stack creates, nothing else.
 */
export const DEPLOY_ASSIGNABLE_ROLE_IDS = {
  'Key Vault Certificates Officer': 'a4417e6f-fecd-4de8-b567-7b0420556985',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
} as const;

/**
 * ABAC condition (version 2.0) for the deploy identity's "Role Based Access Control Administrator": it may
 * create and delete role assignments of DEPLOY_ASSIGNABLE_ROLE_IDS only (Azure's "constrain roles" form).
 */
export function constrainedRoleAssignmentCondition(roleIds: readonly string[] = Object.values(DEPLOY_ASSIGNABLE_ROLE_IDS)): string {
  const ids = roleIds.join(', ');
  return (
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
    `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}})) AND ` +
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
    `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`
  );
}
