import { dependable, ITerraformDependable, TerraformResource } from 'cdktf';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import type { Sleep } from '@cdktf/provider-time/lib/sleep';
import { Audience } from '../audience';
import { BindCallOptions, ICallTarget } from '../call-target';
import {
  actionBodyProperty,
  actionName,
  certificateOAuthAuthentication,
  keyVaultSecretReadAction,
  managedIdentityAuthentication,
  secureHttpAction,
  toBody,
} from '../workflow-definition';
import type { Workflow } from '../workflow';
import { annotate, markExternalAudience, recordCallTarget } from '../annotations';
import type { VaultCertificate } from '../vault-certificate';
import type { CertificateClientApp } from '../certificate-client-app';
import { waitAfter } from './time';

// The calls a workflow makes (HTTP actions with an Entra token), shared by the workflows that call:
// CallerWorkflow (recurrence trigger) and ReceiverWorkflow (a receiver that calls onward in the run its
// caller started). Action construct ids and names are the same for both (Call-<n> / Call_<n>, Read-<id>).

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

/** A Key Vault secret read added by readCertificate: later actions take the PFX from it. */
export interface CertificateRead {
  readonly action: LogicAppActionCustom;
  /** Workflow action name (for runAfter and body() expressions). */
  readonly name: string;
  readonly certificate: VaultCertificate;
}

/** A workflow that makes calls: its grants are announced to it (waitForGrant). */
export type CallingWorkflow = Workflow & { waitForGrant(grant: TerraformResource): void };

export interface OutgoingCallsOptions {
  /** Names of the workflow's other steps (e.g. a receiver's Response action). */
  readonly reservedNames?: readonly string[];
  /** How long the workflow's first run waits after its last grant. @default "60s" */
  readonly grantPropagationWait?: string;
}

const ACTION_NAME = /^[A-Za-z0-9_]{1,80}$/;

/**
 * The HTTP actions of one calling workflow and the grants its identity waits for. The step that starts
 * the workflow's runs (a caller's Recurrence trigger, a receiver's Request trigger) is created after
 * `startsAfter`: every action and a `time_sleep` after the grants, so the first run does not meet
 * AADSTS501051 or a Key Vault 403. `onChange` re-applies that order after each addition.
 */
export class OutgoingCalls {
  private readonly calls = new Map<string, LogicAppActionCustom>();
  private readonly reads = new Map<VaultCertificate, CertificateRead>();
  private readonly steps: LogicAppActionCustom[] = [];
  private readonly actionNames = new Set<string>();
  private readonly grantedBy: TerraformResource[] = [];
  private readonly grantPropagationWait: string;
  private grantsPropagated?: Sleep;

  constructor(
    private readonly workflow: CallingWorkflow,
    private readonly onChange: () => void,
    options: OutgoingCallsOptions = {},
  ) {
    options.reservedNames?.forEach((name) => this.actionNames.add(name));
    this.grantPropagationWait = options.grantPropagationWait ?? '60s';
  }

  /** What the step that starts runs is created after: every action, then the grants' propagation wait. */
  public get startsAfter(): string[] {
    const after: TerraformResource[] = [...this.steps];
    if (this.grantsPropagated) after.push(this.grantsPropagated);
    return after.map(dependable);
  }

  /** The first run waits for `grant` (Audience.grantInvoke, VaultCertificate.grantSecretRead). */
  public waitForGrant(grant: TerraformResource): void {
    if (this.grantedBy.includes(grant)) return;
    this.grantedBy.push(grant);
    this.grantsPropagated ??= waitAfter(this.workflow, 'GrantsPropagated', this.grantPropagationWait);
    this.grantsPropagated.dependsOn = this.grantedBy.map(dependable);
    this.onChange();
  }

  /** See CallerWorkflow.call. */
  public call(target: ICallTarget, options: CallOptions = {}): LogicAppActionCustom {
    const workflow = this.workflow;
    const key = `${target.node.path}#${options.name ?? ''}`;
    const existing = this.calls.get(key);
    if (existing) return existing;
    const name = options.name ?? `Call_${this.calls.size + 1}`;
    if (!ACTION_NAME.test(name)) {
      throw new Error(`workflow "${workflow.workflowName}": action name "${name}" is not 1-80 letters, digits or "_"; choose another name`);
    }
    if (this.actionNames.has(name)) {
      throw new Error(`workflow "${workflow.workflowName}" already has an action "${name}"; pass another name`);
    }
    const binding = target.bindCall(workflow.workflowName, { operation: options.operation });
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
      client.addSignInUser(workflow); // the first run also waits for the client's app role on the API
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
    const action = new LogicAppActionCustom(workflow, name.replace(/_/g, '-'), {
      name,
      logicAppId: workflow.resource.id,
      body,
      dependsOn,
    });
    if (audience instanceof ExternalAudience) markExternalAudience(action, audience.audience, audience.reason);
    recordCallTarget(action, target);
    const refusal = options.expectRefusal ?? (audience instanceof ExternalAudience ? audience.reason : undefined);
    if (refusal !== undefined) annotate(action, { expectedRefusal: refusal });
    this.calls.set(key, action);
    this.addStep(action, name);
    return action;
  }

  /** See CallerWorkflow.readCertificate. */
  public readCertificate(certificate: VaultCertificate): CertificateRead {
    const existing = this.reads.get(certificate);
    if (existing) return existing;
    const name = actionName('Read', certificate.node.id);
    const grant = certificate.grantSecretRead(this.workflow);
    const action = new LogicAppActionCustom(this.workflow, `Read-${certificate.node.id}`, {
      name,
      logicAppId: this.workflow.resource.id,
      body: toBody(keyVaultSecretReadAction(certificate.secretId)),
      dependsOn: [grant],
    });
    const read = { action, name, certificate };
    this.reads.set(certificate, read);
    this.addStep(action, name);
    return read;
  }

  private addStep(action: LogicAppActionCustom, name: string): void {
    this.steps.push(action);
    this.actionNames.add(name);
    this.onChange();
  }
}

function audienceString(audience: Audience | ExternalAudience): string {
  return audience instanceof ExternalAudience ? audience.audience : audience.identifierUri;
}
