// The public entry of the constructs: import from here (one path) to build identity-secured calls between
// Logic Apps, and to Entra-protected API Management APIs, in your own cdktf app. Everything else in this
// folder is an implementation detail. Relationships are methods:
//   caller.call(target)            a workflow calls a receiver workflow or an API (ICallTarget)
//   target.allowCaller(caller)     the receiver or API admits the caller (policy pin + app role grant)
//   certificate.grantSecretRead(x) done for you by caller.readCertificate / call(..., { certificateClient })
// Example: examples/calls/app.ts. Architecture and rules: README.md, docs/constructs.md.

export { Audience, deterministicUuid } from './audience';
export type { AudienceProps, IPrincipal } from './audience';
export type { TokenVersion } from '../domain/tokens';
export { issuerFor } from '../domain/tokens';

export { Workflow } from './workflow';
export type { WorkflowProps } from './workflow';
export { ReceiverWorkflow, RANGE_OR_BARE_EXPRESSION } from './receiver-workflow';
export type { AuthorizationPolicy, ReceiverWorkflowProps } from './receiver-workflow';
export { CallerWorkflow, ExternalAudience } from './caller-workflow';
export type { CallerWorkflowProps, CallOptions, CertificateRead, RecurrenceFrequency } from './caller-workflow';
export type { BindCallOptions, CallBinding, ICallTarget } from './call-target';

export { ApiGateway } from './api-gateway';
export type { ApiGatewayProps } from './api-gateway';
export { EntraProtectedApi } from './entra-protected-api';
export type { ApiOperation, ApiOperationOptions, EntraProtectedApiProps, IClientApplication } from './entra-protected-api';

export { CertificateVault } from './certificate-vault';
export type { CertificateVaultProps } from './certificate-vault';
export { VaultCertificate } from './vault-certificate';
export type { VaultCertificateProps } from './vault-certificate';
export { CertificateClientApp } from './certificate-client-app';
export type { CertificateClientAppProps } from './certificate-client-app';

export { annotate, ANNOTATION_KEY, markExternalAudience, suppressRule } from './annotations';
// Workflow definition builders for your own azurerm_logic_app_trigger_custom / _action_custom resources
// (the rule messages name them as fixes).
export { bearerOnlyRequestTrigger, oauthInvokeUrl, secureHttpAction, toBody } from './workflow-definition';
export type { ResourceAnnotations } from './annotations';
