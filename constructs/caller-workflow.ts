import { Construct } from 'constructs';
import { TerraformResource } from 'cdktf';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { LogicAppTriggerRecurrence } from '@cdktf/provider-azurerm/lib/logic-app-trigger-recurrence';
import { ICallTarget } from './call-target';
import { Workflow, WorkflowProps } from './workflow';
import { VaultCertificate } from './vault-certificate';
import { CallOptions, CertificateRead, OutgoingCalls } from './private/outgoing-calls';
import { recurrenceIntervalProblem } from '../domain/parity';
import { requireValid } from './parity-checks';

export { ExternalAudience } from './private/outgoing-calls';
export type { CallOptions, CertificateRead } from './private/outgoing-calls';

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
  private readonly outgoing: OutgoingCalls;

  constructor(scope: Construct, id: string, props: CallerWorkflowProps) {
    super(scope, id, props);
    this.outgoing = new OutgoingCalls(this, () => this.orderSchedule(), { grantPropagationWait: props.grantPropagationWait });
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
    this.outgoing.waitForGrant(grant);
  }

  /**
   * Calls `target` (a receiver workflow or an Entra-protected API): an HTTP action with secure inputs
   * and outputs whose token is for the target's audience (one source: the target's Audience). Admitting
   * the caller is the target's side: `target.allowCaller(workflow)`. Idempotent per target (and name, when given).
   */
  public call(target: ICallTarget, options: CallOptions = {}): LogicAppActionCustom {
    return this.outgoing.call(target, options);
  }

  /**
   * Adds an HTTP action that reads the certificate's secret (the PFX) with the workflow's managed
   * identity (audience https://vault.azure.net), secure inputs and outputs, and grants the identity read
   * access to exactly that secret. Idempotent per certificate.
   */
  public readCertificate(certificate: VaultCertificate): CertificateRead {
    return this.outgoing.readCertificate(certificate);
  }

  /** The Recurrence trigger comes last: after every action and the grants' propagation wait. */
  private orderSchedule(): void {
    this.schedule.dependsOn = this.outgoing.startsAfter;
  }
}
