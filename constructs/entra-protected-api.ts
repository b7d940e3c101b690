import { Construct } from 'constructs';
import { Lazy } from 'cdktf';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiOperation } from '@cdktf/provider-azurerm/lib/api-management-api-operation';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal';
import { ApiGateway } from './api-gateway';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { Audience, IPrincipal } from './audience';
import { BindCallOptions, CallBinding, ICallTarget } from './call-target';
import { Workflow } from './workflow';
import { apiPathProblem } from '../domain/parity';
import { requireValid } from './parity-checks';
import { apiPolicyDocument, callerEchoExpression, jsonReturnResponse, validateAzureAdToken, XmlElement } from './apim-policy';

/** An Entra application that calls with its own client id (e.g. a client app with a certificate). */
export interface IClientApplication extends IPrincipal {
  /** Application (client) id: `appid` (v1) / `azp` (v2) of its tokens. */
  readonly clientId: string;
}

export interface EntraProtectedApiProps {
  readonly gateway: ApiGateway;
  /** The app registration whose tokens the API accepts; one source of the audience and the tenant. */
  readonly audience: Audience;
  /** API name inside API Management. */
  readonly name: string;
  /** URL suffix on the gateway. */
  readonly path: string;
  /** @default the name */
  readonly displayName?: string;
  /**
   * Backend the gateway forwards to.
   * @default none: the policy answers 200 itself with a JSON body naming the caller
   */
  readonly serviceUrl?: string;
  /**
   * Also require the audience's app role in the token's `roles` claim.
   * @default true
   */
  readonly requireAppRole?: boolean;
}

export interface ApiOperationOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the API, starting with "/". */
  readonly urlTemplate: string;
  /** @default the id */
  readonly displayName?: string;
}

/** An operation of the API, with the full gateway URL callers use. */
export interface ApiOperation {
  readonly resource: ApiManagementApiOperation;
  readonly method: ApiOperationOptions['method'];
  readonly url: string;
}

/** Context variable the validated token is written to (read by the default response). */
export const VALIDATED_TOKEN_VARIABLE = 'validated-token';

/**
 * An API Management API that admits only Entra tokens of its allowed callers: https only, no
 * subscription key (the token is the gate), and an API policy with `validate-azure-ad-token` pinned
 * to the audience's tenant, the audience and each allowed caller's client id.
 */
export class EntraProtectedApi extends Construct implements ICallTarget {
  public readonly resource: ApiManagementApi;
  public readonly policy: ApiManagementApiPolicy;
  public readonly audience: Audience;
  /** Tenant whose tokens are accepted: the audience's tenant. */
  public readonly tenantId: string;
  /** `https://<gateway>/<path>` */
  public readonly url: string;
  public readonly apiName: string;
  private readonly gateway: ApiGateway;
  private readonly serviceUrl?: string;
  private readonly requireAppRole: boolean;
  private readonly callers = new Map<string, string>();
  private readonly operations: ApiOperation[] = [];

  constructor(scope: Construct, id: string, props: EntraProtectedApiProps) {
    super(scope, id);
    requireValid(this, 'path', props.path, apiPathProblem);
    this.gateway = props.gateway;
    this.audience = props.audience;
    this.tenantId = props.audience.tenantId;
    this.serviceUrl = props.serviceUrl;
    this.requireAppRole = props.requireAppRole ?? true;
    this.apiName = props.name;

    this.resource = new ApiManagementApi(this, 'Resource', {
      name: props.name,
      displayName: props.displayName ?? props.name,
      apiManagementName: props.gateway.apiManagementName,
      resourceGroupName: props.gateway.resourceGroupName,
      revision: '1',
      path: props.path,
      protocols: ['https'],
      subscriptionRequired: false,
      serviceUrl: props.serviceUrl,
    });
    // An empty path (allowed by azurerm) puts the API at the gateway root.
    this.url = props.path === '' ? props.gateway.gatewayUrl : `${props.gateway.gatewayUrl}/${props.path}`;

    this.policy = new ApiManagementApiPolicy(this, 'Policy', {
      apiName: this.resource.name,
      apiManagementName: props.gateway.apiManagementName,
      resourceGroupName: props.gateway.resourceGroupName,
      // Rendered at synth time, after every allowCaller() call.
      xmlContent: Lazy.stringValue({ produce: () => this.policyXml }),
    });

    this.node.addValidation({
      validate: () =>
        this.callers.size > 0
          ? []
          : [`api "${props.name}" admits no caller: call allowCaller() with the workflow or client app that calls it`],
    });
  }

  /** Adds an operation; its `url` is the gateway URL callers use. */
  public addOperation(id: string, options: ApiOperationOptions): ApiOperation {
    const resource = new ApiManagementApiOperation(this, `Operation-${id}`, {
      operationId: id,
      apiName: this.resource.name,
      apiManagementName: this.gateway.apiManagementName,
      resourceGroupName: this.gateway.resourceGroupName,
      displayName: options.displayName ?? id,
      method: options.method,
      urlTemplate: options.urlTemplate,
    });
    const operation = { resource, method: options.method, url: `${this.url}${options.urlTemplate}` };
    this.operations.push(operation);
    return operation;
  }

  /** A request to `options.operation` (default: the first operation) with a token for this API's audience. */
  public bindCall(callerName: string, options: BindCallOptions = {}): CallBinding {
    const operation = options.operation ?? this.operations[0];
    if (!operation) throw new Error(`api "${this.apiName}" has no operation to call; add one with addOperation() first`);
    return {
      method: operation.method,
      uri: operation.url,
      audience: this.audience,
      body: { caller: callerName },
      // The policy too: it pins the caller's client id, and without it the operation answers without
      // validating any token (or fails), so a first run must not come before it.
      dependsOn: [operation.resource, this.policy],
    };
  }

  /**
   * Admits `caller`: pins its client id in the policy and grants it the audience's app role, so Entra
   * issues it a token. A workflow's client id is looked up from its managed identity's principal id.
   * Returns the pinned client id.
   */
  public allowCaller(caller: Workflow | IClientApplication): string {
    const key = caller.node.path;
    const existing = this.callers.get(key);
    if (existing !== undefined) return existing;
    const grant = this.audience.grantInvoke(caller);
    const clientId = caller instanceof Workflow ? this.lookUpClientId(caller, grant) : caller.clientId;
    this.callers.set(key, clientId);
    return clientId;
  }

  /** Client ids pinned in the policy, in the order the callers were allowed. */
  public get clientApplicationIds(): string[] {
    return [...this.callers.values()];
  }

  /**
   * `aud` values accepted: the audience callers request and the claim Entra puts in the token (the
   * same string for v1; the client id for v2).
   */
  public get audiences(): string[] {
    return [...new Set([this.audience.identifierUri, this.audience.audClaim])];
  }

  /** The API policy document. */
  public get policyXml(): string {
    const inbound: XmlElement[] = [
      validateAzureAdToken({
        tenantId: this.tenantId,
        clientApplicationIds: this.clientApplicationIds,
        audiences: this.audiences,
        requiredClaims: this.requireAppRole ? [{ name: 'roles', match: 'any', values: [this.audience.appRoleValue] }] : [],
        failedValidationHttpCode: 401,
        outputTokenVariableName: VALIDATED_TOKEN_VARIABLE,
      }),
    ];
    if (!this.serviceUrl) inbound.push(jsonReturnResponse(200, callerEchoExpression(VALIDATED_TOKEN_VARIABLE, this.apiName)));
    return apiPolicyDocument(inbound);
  }

  private lookUpClientId(workflow: Workflow, grant: AppRoleAssignment): string {
    // The managed identity lives in the workflow's tenant: the stack's default azuread provider.
    // Read only after the app role assignment exists: the data source does not retry Graph's 404 for a
    // brand-new managed identity (internal/services/serviceprincipals/service_principal_data_source.go,
    // azuread v3.7.0), while azuread_app_role_assignment retries until the principal is visible
    // (internal/services/approleassignments/app_role_assignment_resource.go).
    const identity = new DataAzureadServicePrincipal(this, `Caller-${workflow.node.id}`, {
      objectId: workflow.principalId,
      dependsOn: [grant],
    });
    return identity.clientId;
  }
}
