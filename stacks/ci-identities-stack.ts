import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal';
import { DataAzurermSubscription } from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import type { Config } from '../config/schema';
import {
  constrainedRoleAssignmentCondition,
  DEPLOY_BUILTIN_ROLES,
  DEPLOY_GRAPH_PERMISSIONS,
  PLAN_BUILTIN_ROLES,
  PLAN_GRAPH_PERMISSIONS,
  PLAN_REFRESH_ACTIONS,
  PLAN_REFRESH_ROLE_DESCRIPTION,
  PLAN_REFRESH_ROLE_NAME,
} from '../constructs/ci-roles';
import { GitHubOidcIdentity, RoleGrant } from '../constructs/github-oidc-identity';
import { ScenarioStack } from './scenario-stack';

export const CI_IDENTITIES_STACK = 'ci-identities';
/** Application id of Microsoft Graph (the same in every tenant). */
const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/**
 * The CI plan and deploy identities of docs/permissions.md as code. Applied once, by a principal that may
 * create role definitions and role assignments on the subscription (Owner or User Access Administrator)
 * and grant Microsoft Graph application permissions (Privileged Role Administrator).
 * Scopes: the subscription (the stacks create their own resource groups, so none exists yet).
 */
export class CiIdentitiesStack extends ScenarioStack {
  public readonly plan: GitHubOidcIdentity;
  public readonly deploy: GitHubOidcIdentity;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const settings = config.ciIdentities;
    if (!settings) throw new Error(`stack "${id}" needs the ciIdentities config section; add it with githubRepository, or do not build this stack`);
    const subscription = new DataAzurermSubscription(this, 'Subscription', {});
    const graph = new DataAzureadServicePrincipal(this, 'MicrosoftGraph', { clientId: MICROSOFT_GRAPH_APP_ID });

    const planRefresh = new RoleDefinition(this, 'PlanRefreshRole', {
      name: PLAN_REFRESH_ROLE_NAME,
      description: PLAN_REFRESH_ROLE_DESCRIPTION,
      scope: subscription.id,
      permissions: [{ actions: [...PLAN_REFRESH_ACTIONS] }],
      assignableScopes: [subscription.id],
    });

    const container = config.backend
      ? `${subscription.id}/resourceGroups/${config.backend.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/` +
        `${config.backend.storageAccountName}/blobServices/default/containers/${config.backend.containerName}`
      : undefined;
    const atSubscription = (roleName: string): RoleGrant => ({ roleName, scope: subscription.id });

    this.plan = new GitHubOidcIdentity(this, 'Plan', {
      displayName: `${config.namePrefix}-ci-plan`,
      repository: settings.githubRepository,
      subject: 'pull_request',
      additionalSubjects: settings.planScheduleSubject ? { schedule: settings.planScheduleSubject } : undefined,
      roles: [
        ...PLAN_BUILTIN_ROLES.map(atSubscription),
        { roleDefinitionId: planRefresh.roleDefinitionResourceId, label: 'PlanRefresh', scope: subscription.id },
        ...(container ? [{ roleName: 'Storage Blob Data Reader', scope: container }] : []),
      ],
      graphPermissions: PLAN_GRAPH_PERMISSIONS,
      microsoftGraph: graph,
      owners: config.administrators.appOwners,
    });
    this.deploy = new GitHubOidcIdentity(this, 'Deploy', {
      displayName: `${config.namePrefix}-ci-deploy`,
      repository: settings.githubRepository,
      subject: settings.deploySubject,
      roles: [
        // Role assignments limited to the Key Vault roles the stacks create (an ABAC condition).
        ...DEPLOY_BUILTIN_ROLES.map((roleName) =>
          roleName === 'Role Based Access Control Administrator'
            ? { ...atSubscription(roleName), condition: constrainedRoleAssignmentCondition() }
            : atSubscription(roleName),
        ),
        ...(container ? [{ roleName: 'Storage Blob Data Contributor', scope: container }] : []),
      ],
      graphPermissions: DEPLOY_GRAPH_PERMISSIONS,
      microsoftGraph: graph,
      owners: config.administrators.appOwners,
    });

    new TerraformOutput(this, 'plan-client-id', { value: this.plan.clientId, description: 'Repository variable AZURE_CLIENT_ID of the plan job.' });
    new TerraformOutput(this, 'deploy-client-id', { value: this.deploy.clientId, description: 'AZURE_CLIENT_ID of a deploy job.' });
  }
}
