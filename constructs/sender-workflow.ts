import { Construct } from 'constructs';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { LogicAppTriggerRecurrence } from '@cdktf/provider-azurerm/lib/logic-app-trigger-recurrence';
import { Audience } from './audience';
import { ReceiverWorkflow } from './receiver-workflow';
import {
  actionBodyProperty,
  actionName,
  certificateOAuthAuthentication,
  keyVaultSecretReadAction,
  managedIdentityAuthentication,
  secureHttpAction,
  toBody,
} from './workflow-definition';
import { Workflow, WorkflowProps } from './workflow';
import { markExternalAudience } from './annotations';
import { ApiOperation, EntraProtectedApi } from './entra-protected-api';
import { ClientCertificate } from './client-certificate';
import { CertificateClient } from './certificate-client';

export type RecurrenceFrequency = 'Second' | 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month';

export interface SenderWorkflowProps extends WorkflowProps {
  /**
   * How often the sender calls.
   * @default { frequency: "Day", interval: 1 }
   */
  readonly recurrence?: { readonly frequency: RecurrenceFrequency; readonly interval: number };
}

/** An audience no Audience construct of this app issues, declared on purpose (e.g. a first-party API). */
export class ExternalAudience {
  constructor(
    /** The audience string requested. */
    public readonly audience: string,
    /** Why calling with this audience is intended; shown in the security report. */
    public readonly reason: string,
  ) {}
}

export interface CallReceiverOptions {
  /**
   * Audience to request. Anything but the receiver's own audience is refused at run time
   * (MisMatchingOAuthClaims): use it only for a probe.
   * @default the receiver's audience
   */
  readonly audience?: Audience | ExternalAudience;
}

/** A Key Vault secret read added by SenderWorkflow.readCertificate: later actions take the PFX from it. */
export interface CertificateRead {
  readonly action: LogicAppActionCustom;
  /** Workflow action name (for runAfter and body() expressions). */
  readonly name: string;
  readonly certificate: ClientCertificate;
}

/** A workflow that calls receivers on a schedule with its system-assigned identity's token. */
export class SenderWorkflow extends Workflow {
  public readonly schedule: LogicAppTriggerRecurrence;
  private readonly calls = new Map<ReceiverWorkflow, LogicAppActionCustom>();

  constructor(scope: Construct, id: string, props: SenderWorkflowProps) {
    super(scope, id, props);
    const recurrence = props.recurrence ?? { frequency: 'Day', interval: 1 };
    this.schedule = new LogicAppTriggerRecurrence(this, 'Schedule', {
      name: 'Recurrence',
      logicAppId: this.resource.id,
      frequency: recurrence.frequency,
      interval: recurrence.interval,
    });
  }

  /**
   * Adds an HTTP action that POSTs to the receiver's OAuth URL with a managed-identity token for the
   * receiver's audience (one source: the audience construct), with secure inputs and outputs.
   */
  public callReceiver(receiver: ReceiverWorkflow, options: CallReceiverOptions = {}): LogicAppActionCustom {
    const existing = this.calls.get(receiver);
    if (existing) return existing;
    const audience = options.audience ?? receiver.audience;
    const action = new LogicAppActionCustom(this, `Call-${receiver.node.id}`, {
      name: `Call_${receiver.workflowName.replace(/[^A-Za-z0-9_]/g, '_')}`,
      logicAppId: this.resource.id,
      body: toBody(
        secureHttpAction({
          method: 'POST',
          uri: receiver.invokeUrl,
          headers: { 'Content-Type': 'application/json' },
          body: { sender: this.workflowName },
          authentication: managedIdentityAuthentication(audience.audience),
        }),
      ),
      dependsOn: [this.schedule],
    });
    if (audience instanceof ExternalAudience) markExternalAudience(action, audience.audience, audience.reason);
    this.calls.set(receiver, action);
    return action;
  }

  /**
   * Adds an HTTP action that calls an API Management operation with a managed-identity token for the
   * API's audience (one source: the API's audience construct), with secure inputs and outputs. Admitting
   * the caller is the API's side: `api.allowCaller(workflow)`.
   */
  public callApi(api: EntraProtectedApi, operation: ApiOperation): LogicAppActionCustom {
    return new LogicAppActionCustom(this, `Call-${api.node.id}`, {
      name: actionName('Call', api.apiName),
      logicAppId: this.resource.id,
      body: toBody(
        secureHttpAction({
          method: operation.method,
          uri: operation.url,
          headers: { 'Content-Type': 'application/json' },
          body: { caller: this.workflowName },
          authentication: managedIdentityAuthentication(api.audience.audience),
        }),
      ),
      dependsOn: [this.schedule, operation.resource],
    });
  }

  /**
   * Adds an HTTP action that reads the certificate's secret (the PFX) with the workflow's managed
   * identity (audience https://vault.azure.net), secure inputs and outputs. The identity needs read
   * access to that secret: `certificate.grantSecretRead(workflow)`.
   */
  public readCertificate(certificate: ClientCertificate): CertificateRead {
    const name = actionName('Read', certificate.node.id);
    const grant = certificate.grantSecretRead(this);
    const action = new LogicAppActionCustom(this, `Read-${certificate.node.id}`, {
      name,
      logicAppId: this.resource.id,
      body: toBody(keyVaultSecretReadAction(certificate.secretId)),
      dependsOn: [this.schedule, grant],
    });
    return { action, name, certificate };
  }

  /**
   * Adds an HTTP action, after `read`, that calls an API Management operation in another tenant as
   * `client`: ActiveDirectoryOAuth with the certificate read at run time (secure inputs and outputs).
   * Tenant and audience come from the API's audience construct.
   */
  public callApiWithCertificate(
    api: EntraProtectedApi,
    operation: ApiOperation,
    client: CertificateClient,
    read: CertificateRead,
  ): LogicAppActionCustom {
    return new LogicAppActionCustom(this, `Call-${api.node.id}`, {
      name: actionName('Call', api.apiName),
      logicAppId: this.resource.id,
      body: toBody(
        secureHttpAction(
          {
            method: operation.method,
            uri: operation.url,
            headers: { 'Content-Type': 'application/json' },
            body: { caller: this.workflowName },
            authentication: certificateOAuthAuthentication({
              tenant: api.tenantId,
              audience: api.audience.audience,
              clientId: client.clientId,
              pfx: actionBodyProperty(read.name, 'value'),
            }),
          },
          { [read.name]: ['Succeeded'] },
        ),
      ),
      // The credential first: the action reads the certificate version the credential carries.
      dependsOn: [read.action, client.credential, operation.resource],
    });
  }
}
