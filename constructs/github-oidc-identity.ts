import { Construct } from 'constructs';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationFederatedIdentityCredential } from '@cdktf/provider-azuread/lib/application-federated-identity-credential';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';

/** A role to assign: a built-in role by name or a custom role by its resource id. */
export type RoleGrant = (
  | { readonly roleName: string; readonly scope: string }
  | { readonly roleDefinitionId: string; readonly label: string; readonly scope: string }
) & {
  /**
   * ABAC condition (version 2.0) on the assignment.
   * @default none
   */
  readonly condition?: string;
};

export interface GitHubOidcIdentityProps {
  /** Display name of the app registration. */
  readonly displayName: string;
  /** `<owner>/<repo>`. */
  readonly repository: string;
  /** The part of the subject after `repo:<owner>/<repo>:`, e.g. `pull_request` or `ref:refs/heads/main`. */
  readonly subject: string;
  /**
   * Further subjects that may sign in, by label (a federated credential `github-<label>` each), e.g.
   * `{ schedule: 'ref:refs/heads/main' }` for a scheduled job.
   * @default none
   */
  readonly additionalSubjects?: Readonly<Record<string, string>>;
  /** Azure role assignments of the identity. */
  readonly roles: readonly RoleGrant[];
  /** Microsoft Graph application permissions (app roles of Microsoft Graph), e.g. `Application.Read.All`. */
  readonly graphPermissions: readonly string[];
  /** The tenant's Microsoft Graph service principal (one lookup per stack). */
  readonly microsoftGraph: DataAzureadServicePrincipal;
  /**
   * Owners of the app registration (object ids).
   * @default the principal running Terraform
   */
  readonly owners?: readonly string[];
}

/** GitHub's OIDC issuer and the audience Entra expects for workload identity federation. */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * An app registration a GitHub Actions job signs in as with its OIDC token (no secret): one federated
 * credential for one subject, its Azure roles and its Microsoft Graph application permissions.
 */
export class GitHubOidcIdentity extends Construct {
  public readonly application: Application;
  public readonly servicePrincipal: ServicePrincipal;
  /** AZURE_CLIENT_ID of the job. */
  public readonly clientId: string;

  constructor(scope: Construct, id: string, props: GitHubOidcIdentityProps) {
    super(scope, id);
    this.application = new Application(this, 'Resource', {
      displayName: props.displayName,
      owners: props.owners ? [...props.owners] : undefined,
      signInAudience: 'AzureADMyOrg',
    });
    this.clientId = this.application.clientId;
    this.servicePrincipal = new ServicePrincipal(this, 'EnterpriseApplication', {
      clientId: this.application.clientId,
      owners: props.owners ? [...props.owners] : undefined,
    });
    new ApplicationFederatedIdentityCredential(this, 'GitHub', {
      applicationId: this.application.id,
      displayName: 'github',
      issuer: GITHUB_OIDC_ISSUER,
      subject: `repo:${props.repository}:${props.subject}`,
      audiences: [FEDERATION_AUDIENCE],
    });
    for (const [label, subject] of Object.entries(props.additionalSubjects ?? {})) {
      new ApplicationFederatedIdentityCredential(this, `GitHub-${label}`, {
        applicationId: this.application.id,
        displayName: `github-${label}`,
        issuer: GITHUB_OIDC_ISSUER,
        subject: `repo:${props.repository}:${subject}`,
        audiences: [FEDERATION_AUDIENCE],
      });
    }
    for (const role of props.roles) {
      const named = 'roleName' in role;
      new RoleAssignment(this, `Role-${(named ? role.roleName : role.label).replace(/[^A-Za-z0-9]+/g, '')}`, {
        scope: role.scope,
        ...(named ? { roleDefinitionName: role.roleName } : { roleDefinitionId: role.roleDefinitionId }),
        principalId: this.servicePrincipal.objectId,
        principalType: 'ServicePrincipal',
        ...(role.condition ? { condition: role.condition, conditionVersion: '2.0' } : {}),
      });
    }
    for (const permission of props.graphPermissions) {
      new AppRoleAssignment(this, `Graph-${permission}`, {
        appRoleId: props.microsoftGraph.appRoleIds.lookup(permission),
        principalObjectId: this.servicePrincipal.objectId,
        resourceObjectId: props.microsoftGraph.objectId,
      });
    }
  }
}
