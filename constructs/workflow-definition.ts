// Typed builders for the Logic Apps workflow-definition JSON that the azurerm *_custom trigger and action
// resources take as `body`. Every trigger/action body in this project is built here, so the security
// properties (Bearer-only condition, secure data, authentication) are written in exactly one place.
//
// Values may contain cdktf tokens (`${TfToken[...]}`); JSON.stringify keeps them intact and cdktf
// resolves them to `${resource.attr}` interpolations inside the JSON string. Token strings contain no
// quotes, so the body stays valid JSON for both Terraform and the tools that read cdk.tf.json.

import { BEARER_ONLY_CONDITION, INCLUDE_AUTHORIZATION_HEADERS } from '../domain/workflow-conditions';

export { BEARER_ONLY_CONDITION, INCLUDE_AUTHORIZATION_HEADERS };

export type SecureDataProperty = 'inputs' | 'outputs';

export interface RuntimeConfiguration {
  readonly secureData?: { readonly properties: readonly SecureDataProperty[] };
}

/** Authentication of an HTTP action (the subset this project uses). */
export type HttpAuthentication =
  | { readonly type: 'ManagedServiceIdentity'; readonly audience: string; readonly identity?: string }
  | {
      readonly type: 'ActiveDirectoryOAuth';
      readonly tenant: string;
      readonly audience: string;
      readonly clientId: string;
      readonly credentialType: 'Certificate';
      readonly pfx: string;
      readonly password: string;
    };

export interface HttpActionInputs {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly uri: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly authentication?: HttpAuthentication;
}

export interface HttpAction {
  readonly type: 'Http';
  readonly inputs: HttpActionInputs;
  readonly runAfter: Readonly<Record<string, readonly string[]>>;
  readonly runtimeConfiguration?: RuntimeConfiguration;
}

export interface RequestTrigger {
  readonly type: 'Request';
  readonly kind: 'Http';
  readonly inputs: { readonly method: string; readonly schema: object };
  readonly conditions?: ReadonlyArray<{ readonly expression: string }>;
  readonly operationOptions?: string;
  readonly runtimeConfiguration?: RuntimeConfiguration;
}

export interface ResponseAction {
  readonly type: 'Response';
  readonly kind: 'Http';
  readonly inputs: { readonly statusCode: number; readonly headers?: Record<string, string>; readonly body?: unknown };
  readonly runAfter: Readonly<Record<string, readonly string[]>>;
}

/** Run history hides inputs and outputs of this step (secure inputs/outputs in the designer). */
export const SECURE_INPUTS_AND_OUTPUTS: RuntimeConfiguration = { secureData: { properties: ['inputs', 'outputs'] } };


/** Default name of the receiver's Request trigger. */
export const DEFAULT_TRIGGER_NAME = 'manual';

/** The HTTP Request trigger of a receiver: Bearer-only, with the Authorization header kept out of run history. */
export function bearerOnlyRequestTrigger(schema: object = {}): RequestTrigger {
  return {
    type: 'Request',
    kind: 'Http',
    inputs: { method: 'POST', schema },
    conditions: [{ expression: BEARER_ONLY_CONDITION }],
    operationOptions: INCLUDE_AUTHORIZATION_HEADERS,
    runtimeConfiguration: SECURE_INPUTS_AND_OUTPUTS,
  };
}

export function responseAction(statusCode: number, body: unknown, runAfter: Record<string, string[]> = {}): ResponseAction {
  return { type: 'Response', kind: 'Http', inputs: { statusCode, headers: { 'Content-Type': 'application/json' }, body }, runAfter };
}

/** An HTTP action with secure inputs and outputs (it carries a token or secret in one of them). */
export function secureHttpAction(inputs: HttpActionInputs, runAfter: Record<string, string[]> = {}): HttpAction {
  return { type: 'Http', inputs, runAfter, runtimeConfiguration: SECURE_INPUTS_AND_OUTPUTS };
}

export function managedIdentityAuthentication(audience: string): HttpAuthentication {
  return { type: 'ManagedServiceIdentity', audience };
}

/** Serializes a trigger or action for the `body` argument of azurerm_logic_app_{trigger,action}_custom. */
export function toBody(definition: RequestTrigger | ResponseAction | HttpAction): string {
  return JSON.stringify(definition);
}

/**
 * The OAuth invoke URL of a Request trigger, built from the workflow's access endpoint. It has no `sig`
 * (a request with both SAS and a token fails with DirectApiRequestHasMoreThanOneAuthorization), and it is
 * never taken from the trigger's callback URL, which carries the SAS signature unmasked.
 */
export function oauthInvokeUrl(accessEndpoint: string, triggerName: string): string {
  const sp = encodeURIComponent(`/triggers/${triggerName}/run`);
  return `${accessEndpoint}/triggers/${triggerName}/paths/invoke?api-version=2016-10-01&sp=${sp}&sv=1.0`;
}

/** Audience of Key Vault data-plane tokens (a first-party resource in every tenant). */
export const KEY_VAULT_AUDIENCE = 'https://vault.azure.net';
/** Key Vault REST API version of the secret read. */
export const KEY_VAULT_API_VERSION = '7.4';

/**
 * An HTTP action that reads a Key Vault secret (for a certificate: the base64 PFX in `value`) with the
 * workflow's managed identity. Secure inputs and outputs: the output IS the private key.
 */
export function keyVaultSecretReadAction(secretId: string, runAfter: Record<string, string[]> = {}): HttpAction {
  return secureHttpAction(
    {
      method: 'GET',
      uri: `${secretId}?api-version=${KEY_VAULT_API_VERSION}`,
      authentication: managedIdentityAuthentication(KEY_VAULT_AUDIENCE),
    },
    runAfter,
  );
}

/** Workflow expression reading a property of an earlier action's response body. */
export function actionBodyProperty(actionName: string, property: string): string {
  return `@body('${actionName}')?['${property}']`;
}

/**
 * Client-credentials sign-in with a certificate (`ActiveDirectoryOAuth`, credential type Certificate).
 * `pfx` is an expression reading the PFX at run time, never the PFX itself. Key Vault exports the PFX of a
 * generated certificate without a password, so `password` is "". Microsoft documents `password` as
 * required for this credential type and does not say whether "" is accepted: NOT verified here
 * (docs/apim.md says what to try when the first call fails).
 */
export function certificateOAuthAuthentication(options: {
  readonly tenant: string;
  readonly audience: string;
  readonly clientId: string;
  readonly pfx: string;
}): HttpAuthentication {
  return {
    type: 'ActiveDirectoryOAuth',
    tenant: options.tenant,
    audience: options.audience,
    clientId: options.clientId,
    credentialType: 'Certificate',
    pfx: options.pfx,
    password: '',
  };
}

/** Workflow action name derived from a resource name (letters, digits and "_" only). */
export function actionName(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}
