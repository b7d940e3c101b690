import { Construct } from 'constructs';
import { dependable, ITerraformDependable, TerraformResource } from 'cdktf';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { LogicAppTriggerRecurrence } from '@cdktf/provider-azurerm/lib/logic-app-trigger-recurrence';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { Audience } from './audience';
import { BindCallOptions, ICallTarget } from './call-target';
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
import { annotate, markExternalAudience, recordCallTarget } from './annotations';
import { VaultCertificate } from './vault-certificate';
import { CertificateClientApp } from './certificate-client-app';
import { waitAfter } from './private/time';
import { recurrenceIntervalProblem } from '../domain/parity';
import { requireValid } from './parity-checks';

export type RecurrenceFrequency = 'Second' | 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month';

export interface CallerWorkflowProps extends WorkflowProps {
  /**
   * How often the workflow calls.
   * @default { frequency: "Day", interval: 1 }
   */
  readonly recurrence?: { readonly frequency: RecurrenceFrequency; readonly interval: number };
  /**
   * How long the first run waits after the last grant to this workflow's identity (app role assignments,
   * Key Vault role assignments) is created, for Entra and Azure RBAC to propagate it.
   * @default "60s"
   */
  readonly grantPropagationWait?: string;
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

export interface CallOptions extends BindCallOptions {
  /**
   * Audience to request. Anything but the target's own audience is refused at run time
   * (MisMatchingOAuthClaims): use it only for a probe.
   * @default the target's audience
   */
  readonly audience?: Audience | ExternalAudience;
  /**
   * Sign in as this client app with its Key Vault certificate (ActiveDirectoryOAuth) instead of with the
   * workflow's managed identity: for a target in another Entra tenant, where a managed identity gets no token.
   * The workflow first reads the certificate (`readCertificate`).
   * @default the workflow's system-assigned managed identity
   */
  readonly certificateClient?: CertificateClientApp;
  /**
   * Workflow action name (letters, digits and "_"). It must not change once deployed: a new name deletes
   * the old action, and azurerm's delete rewrites the whole workflow (docs/deploy.md, renames).
   * @default "Call_<n>", n counting this workflow's calls from 1 in the order they are added
   */
  readonly name?: string;
  /**
   * The call is a deny test: the target must refuse it (e.g. a caller the target does not admit). The
   * reason is recorded for the rules and the report, which then treat a refusal as intended and an
   * acceptance as a finding. A call with an ExternalAudience is a deny test too, with its reason.
   * @default the call must be admitted
   */
  readonly expectRefusal?: string;
}

/** A Key Vault secret read added by CallerWorkflow.readCertificate: later actions take the PFX from it. */
export interface CertificateRead {
  readonly action: LogicAppActionCustom;
  /** Workflow action name (for runAfter and body() expressions). */
  readonly name: string;
  readonly certificate: VaultCertificate;
}

const ACTION_NAME = /^[A-Za-z0-9_]{1,80}$/;

/**
 * A workflow that calls receivers and APIs on a schedule, each call with an Entra token: its
 * system-assigned identity's, or a certificate client's for another tenant.
 *
 * First run: a Recurrence trigger without a start time fires as soon as it is created. The trigger is
 * therefore created last: after every action, and (when this identity is granted anything) after a
 * `time_sleep` that follows the grants, so the first run does not meet AADSTS501051 or a Key Vault 403.
 */
export class CallerWorkflow extends Workflow {
  public readonly schedule: LogicAppTriggerRecurrence;
  private readonly calls = new Map<string, LogicAppActionCustom>();
  private readonly reads = new Map<VaultCertificate, CertificateRead>();
  private readonly actions: LogicAppActionCustom[] = [];
  private readonly actionNames = new Set<string>();
  private readonly grantedBy: TerraformResource[] = [];
  private readonly grantPropagationWait: string;
  private grantsPropagated?: Sleep;

  constructor(scope: Construct, id: string, props: CallerWorkflowProps) {
    super(scope, id, props);
    this.grantPropagationWait = props.grantPropagationWait ?? '60s';
    const recurrence = props.recurrence ?? { frequency: 'Day', interval: 1 };
    requireValid(this, 'recurrence.interval', recurrence.interval, (n) => recurrenceIntervalProblem(recurrence.frequency, n));
    this.schedule = new LogicAppTriggerRecurrence(this, 'Schedule', {
      name: 'Recurrence',
      logicAppId: this.resource.id,
      frequency: recurrence.frequency,
      interval: recurrence.interval,
    });
  }

  /** The first run waits for `grant` (called by Audience.grantInvoke and VaultCertificate.grantSecretRead). */
  public waitForGrant(grant: TerraformResource): void {
    if (this.grantedBy.includes(grant)) return;
    this.grantedBy.push(grant);
    this.grantsPropagated ??= waitAfter(this, 'GrantsPropagated', this.grantPropagationWait);
    this.grantsPropagated.dependsOn = this.grantedBy.map(dependable);
    this.orderSchedule();
  }

  /**
   * Calls `target` (a receiver workflow or an Entra-protected API): an HTTP action with secure inputs
   * and outputs whose token is for the target's audience (one source: the target's Audience). Admitting
   * the caller is the target's side: `target.allowCaller(workflow)`. Idempotent per target (and name, when given).
   */
  public call(target: ICallTarget, options: CallOptions = {}): LogicAppActionCustom {
    const key = `${target.node.path}#${options.name ?? ''}`;
    const existing = this.calls.get(key);
    if (existing) return existing;
    const name = options.name ?? `Call_${this.calls.size + 1}`;
    if (!ACTION_NAME.test(name)) {
      throw new Error(`workflow "${this.workflowName}": action name "${name}" is not 1-80 letters, digits or "_"; choose another name`);
    }
    if (this.actionNames.has(name)) {
      throw new Error(`workflow "${this.workflowName}" already has an action "${name}"; pass another name`);
    }
    const binding = target.bindCall(this.workflowName, { operation: options.operation });
    const audience = options.audience ?? binding.audience;
    const inputs = {
      method: binding.method,
      uri: binding.uri,
      headers: { 'Content-Type': 'application/json' },
      body: binding.body,
    };
    let body: string;
    const dependsOn: ITerraformDependable[] = [...binding.dependsOn];
    if (options.certificateClient) {
      const client = options.certificateClient;
      client.addSignInUser(this); // the first run also waits for the client's app role on the API
      const read = this.readCertificate(client.certificate);
      body = toBody(
        secureHttpAction(
          {
            ...inputs,
            authentication: certificateOAuthAuthentication({
              tenant: binding.audience.tenantId,
              audience: audienceString(audience),
              clientId: client.clientId,
              pfx: actionBodyProperty(read.name, 'value'),
            }),
          },
          { [read.name]: ['Succeeded'] },
        ),
      );
      // The credential first: the action reads the certificate version the credential carries.
      dependsOn.unshift(read.action, client.credential);
    } else {
      body = toBody(secureHttpAction({ ...inputs, authentication: managedIdentityAuthentication(audienceString(audience)) }));
    }
    const action = new LogicAppActionCustom(this, name.replace(/_/g, '-'), {
      name,
      logicAppId: this.resource.id,
      body,
      dependsOn,
    });
    if (audience instanceof ExternalAudience) markExternalAudience(action, audience.audience, audience.reason);
    recordCallTarget(action, target);
    const refusal = options.expectRefusal ?? (audience instanceof ExternalAudience ? audience.reason : undefined);
    if (refusal !== undefined) annotate(action, { expectedRefusal: refusal });
    this.calls.set(key, action);
    this.addAction(action, name);
    return action;
  }

  /**
   * Adds an HTTP action that reads the certificate's secret (the PFX) with the workflow's managed
   * identity (audience https://vault.azure.net), secure inputs and outputs, and grants the identity read
   * access to exactly that secret. Idempotent per certificate.
   */
  public readCertificate(certificate: VaultCertificate): CertificateRead {
    const existing = this.reads.get(certificate);
    if (existing) return existing;
    const name = actionName('Read', certificate.node.id);
    const grant = certificate.grantSecretRead(this);
    const action = new LogicAppActionCustom(this, `Read-${certificate.node.id}`, {
      name,
      logicAppId: this.resource.id,
      body: toBody(keyVaultSecretReadAction(certificate.secretId)),
      dependsOn: [grant],
    });
    const read = { action, name, certificate };
    this.reads.set(certificate, read);
    this.addAction(action, name);
    return read;
  }

  private addAction(action: LogicAppActionCustom, name: string): void {
    this.actions.push(action);
    this.actionNames.add(name);
    this.orderSchedule();
  }

  /** The Recurrence trigger comes last: after every action and the grants' propagation wait. */
  private orderSchedule(): void {
    const after: TerraformResource[] = [...this.actions];
    if (this.grantsPropagated) after.push(this.grantsPropagated);
    this.schedule.dependsOn = after.map(dependable);
  }
}

function audienceString(audience: Audience | ExternalAudience): string {
  return audience instanceof ExternalAudience ? audience.audience : audience.identifierUri;
}
