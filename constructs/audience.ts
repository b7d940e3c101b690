import { createHash } from 'node:crypto';
import { Construct, IConstruct } from 'constructs';
import { TerraformProvider, TerraformResource } from 'cdktf';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationIdentifierUri } from '@cdktf/provider-azuread/lib/application-identifier-uri';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { audClaimFor, issuerFor, TokenVersion } from '../domain/tokens';
import { identifierUriProblem } from '../domain/identifier-uri';

/** Anything with an Entra service principal that can be granted an app role (a managed identity, an app). */
export interface IPrincipal extends IConstruct {
  /** Object id of the principal's service principal: the token's `oid` claim. */
  readonly principalId: string;
  /**
   * Called with each grant to this principal (app role or Azure role assignment), so a principal that
   * starts on its own (a scheduled workflow) can wait for its grants before its first run.
   */
  waitForGrant?(grant: TerraformResource): void;
}

export interface AudienceProps {
  /** Display name of the app registration and its enterprise application. */
  readonly displayName: string;
  /**
   * Access token version the app issues (`api.requested_access_token_version`).
   * @default 1
   */
  readonly tokenVersion?: TokenVersion;
  /**
   * Identifier URI callers request as audience. A custom URI needs `tokenVersion: 2`: tenants with
   * Entra's identifier-URI protection reject custom URIs on apps that issue v1 tokens.
   * @default "api://<client id>" (the form every tenant accepts)
   */
  readonly identifierUri?: string;
  /**
   * Object ids of the owners of the app registration and its enterprise application (users or service
   * principals; Entra does not accept groups as app owners). Name every principal that deploys this app
   * (people and the CI deploy identity), so any of them plans without owner changes (docs/permissions.md).
   * @default the principal running Terraform (whoever that is: fine for a demo, flips with each deployer)
   */
  readonly owners?: readonly string[];
  /**
   * Value of the app role granted to callers; it appears in their tokens' `roles` claim.
   * @default "LogicApps.Invoke"
   */
  readonly appRoleValue?: string;
  /**
   * The azuread provider of the tenant the app lives in (an aliased one for another tenant).
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
 * The "audience" callers request tokens for: an app registration plus its enterprise application (service principal)
 * with app-role assignment required, so Entra issues tokens for it only to callers granted its app role.
 * It is the one source of the audience string senders request and of the `iss`/`aud` claims receivers check.
 */
export class Audience extends Construct {
  /** The app registration. */
  public readonly application: Application;
  /** The enterprise application; `app_role_assignment_required = true`. */
  public readonly servicePrincipal: ServicePrincipal;
  /** Application (client) id. */
  public readonly clientId: string;
  /** Tenant the app lives in (from the provider's client config, never from configuration). */
  public readonly tenantId: string;
  public readonly tokenVersion: TokenVersion;
  /** The identifier URI: the string a caller requests as its token audience. */
  public readonly identifierUri: string;
  /** `iss` claim of the tokens this app's callers receive. */
  public readonly issuer: string;
  /** `aud` claim of the tokens this app's callers receive. */
  public readonly audClaim: string;
  /** Id (a UUID) of the app role callers are granted. */
  public readonly appRoleId: string;
  public readonly appRoleValue: string;

  private readonly grants = new Map<string, AppRoleAssignment>();
  private readonly provider?: TerraformProvider;

  constructor(scope: Construct, id: string, props: AudienceProps) {
    super(scope, id);
    this.provider = props.provider;
    this.tokenVersion = props.tokenVersion ?? 1;
    const uriProblem = identifierUriProblem(props.identifierUri, this.tokenVersion);
    if (uriProblem) throw new Error(`audience "${props.displayName}": ${uriProblem}`);
    this.appRoleValue = props.appRoleValue ?? 'LogicApps.Invoke';
    this.appRoleId = deterministicUuid(`${this.node.path}/${this.appRoleValue}`);
    const lifecycle = props.protect ? { preventDestroy: true } : undefined;

    const client = new DataAzureadClientConfig(this, 'ClientConfig', { provider: props.provider });
    this.tenantId = client.tenantId;
    const owners = props.owners ? [...props.owners] : [client.objectId];

    this.application = new Application(this, 'Resource', {
      provider: props.provider,
      displayName: props.displayName,
      owners,
      api: { requestedAccessTokenVersion: this.tokenVersion },
      appRole: [
        {
          id: this.appRoleId,
          value: this.appRoleValue,
          displayName: 'Invoke Logic Apps',
          description: 'Workload identities allowed to call the workflows or APIs that accept this audience.',
          allowedMemberTypes: ['Application'],
          enabled: true,
        },
      ],
      // Identifier URIs are managed by azuread_application_identifier_uri below; without this the app
      // resource would remove them on its next update.
      lifecycle: { ...lifecycle, ignoreChanges: ['identifier_uris'] },
    });
    this.clientId = this.application.clientId;

    this.servicePrincipal = new ServicePrincipal(this, 'EnterpriseApplication', {
      provider: props.provider,
      clientId: this.application.clientId,
      appRoleAssignmentRequired: true,
      owners,
      lifecycle,
    });

    this.identifierUri = props.identifierUri ?? `api://${this.application.clientId}`;
    new ApplicationIdentifierUri(this, 'IdentifierUri', {
      provider: props.provider,
      applicationId: this.application.id,
      identifierUri: this.identifierUri,
      // Creating the URI before the service principal exists intermittently fails (azuread issue 1392).
      dependsOn: [this.servicePrincipal],
    });

    this.issuer = issuerFor(this.tokenVersion, this.tenantId);
    this.audClaim = audClaimFor(this.tokenVersion, this.identifierUri, this.application.clientId);
  }

  /**
   * Grants `principal` the app role, so Entra issues it tokens for this audience
   * (without it: AADSTS501051). Idempotent per principal.
   */
  public grantInvoke(principal: IPrincipal): AppRoleAssignment {
    const key = principal.node.path;
    const existing = this.grants.get(key);
    if (existing) return existing;
    const assignment = new AppRoleAssignment(this, `Grant-${principal.node.id}`, {
      provider: this.provider,
      appRoleId: this.appRoleId,
      principalObjectId: principal.principalId,
      resourceObjectId: this.servicePrincipal.objectId,
    });
    this.grants.set(key, assignment);
    principal.waitForGrant?.(assignment);
    return assignment;
  }
}

/** A UUID derived from a name, so synth output is deterministic (name-based, RFC 4122 v5 layout). */
export function deterministicUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
