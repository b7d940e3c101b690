import { Construct } from 'constructs';
import { Fn, TerraformIterator, TerraformResource, Token } from 'cdktf';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { LogicAppTriggerCustom } from '@cdktf/provider-azurerm/lib/logic-app-trigger-custom';
import { Audience } from './audience';
import { CallBinding, ICallTarget } from './call-target';
import { LIMITS } from '../domain/limits';
import {
  bearerOnlyRequestTrigger,
  DEFAULT_TRIGGER_NAME,
  oauthInvokeUrl,
  responseAction,
  toBody,
} from './workflow-definition';
import { Workflow, WorkflowProps } from './workflow';
import { requireValidIpRanges, requireValidStepName } from './parity-checks';
import { CallOptions, CertificateRead, OutgoingCalls } from './private/outgoing-calls';
import type { VaultCertificate } from './vault-certificate';

export interface ReceiverWorkflowProps extends WorkflowProps {
  /** The audience whose tokens this receiver accepts; its issuer and aud claim go into every policy. */
  readonly audience: Audience;
  /**
   * Name of the Request trigger.
   * @default "manual"
   */
  readonly triggerName?: string;
  /**
   * Trigger IP ranges admitted besides the allowed callers' outbound addresses.
   * @default []
   */
  readonly extraTriggerIpRanges?: readonly string[];
  /**
   * When this receiver calls onward (`call`): how long after the last grant to its identity the Request
   * trigger is created, so no run meets AADSTS501051 while the grant propagates.
   * @default "60s"
   */
  readonly grantPropagationWait?: string;
}

/** One authorization policy of the receiver's trigger: all claims must match (AND). */
export interface AuthorizationPolicy {
  readonly name: string;
  readonly claims: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/**
 * A workflow with an HTTP Request trigger that only Entra tokens of its allowed callers can start:
 * one policy per caller (`iss` + `aud` + `oid`), trigger IPs narrowed to the callers' outbound
 * addresses, SAS-only calls skipped by the Bearer-only condition, run history closed.
 *
 * It may call onward (`call(target)`, as CallerWorkflow does): each run its caller starts answers the
 * caller at once (Response) and calls its targets with its own identity's token. The Request trigger
 * is then created after those actions and after the grants to this identity have had time to
 * propagate, and every caller's action after the trigger, so no first run meets a missing action or grant.
 */
export class ReceiverWorkflow extends Workflow implements ICallTarget {
  public readonly audience: Audience;
  public readonly triggerName: string;
  public readonly trigger: LogicAppTriggerCustom;
  /** The OAuth URL callers POST to: built from access_endpoint, without `sig`. */
  public readonly invokeUrl: string;
  private readonly extraTriggerIpRanges: string[];
  private readonly allowed: Workflow[] = [];
  private readonly outgoing: OutgoingCalls;
  private readonly rangesOf = new Map<Workflow, string[]>();

  constructor(scope: Construct, id: string, props: ReceiverWorkflowProps) {
    super(scope, id, props);
    this.outgoing = new OutgoingCalls(this, () => (this.trigger.dependsOn = this.outgoing.startsAfter), {
      reservedNames: ['Response'],
      grantPropagationWait: props.grantPropagationWait,
    });
    this.audience = props.audience;
    this.triggerName = props.triggerName ?? DEFAULT_TRIGGER_NAME;
    requireValidStepName(this, this.triggerName);
    requireValidIpRanges(this, 'extraTriggerIpRanges', props.extraTriggerIpRanges);
    this.extraTriggerIpRanges = [...(props.extraTriggerIpRanges ?? [])];

    this.trigger = new LogicAppTriggerCustom(this, 'Trigger', {
      name: this.triggerName,
      logicAppId: this.resource.id,
      body: toBody(bearerOnlyRequestTrigger()),
    });
    new LogicAppActionCustom(this, 'Response', {
      name: 'Response',
      logicAppId: this.resource.id,
      body: toBody(responseAction(200, { accepted: true, receiver: props.name, run: "@{workflow()?['run']?['name']}" })),
      dependsOn: [this.trigger],
    });
    this.invokeUrl = oauthInvokeUrl(this.resource.accessEndpoint, this.triggerName);
    this.renderTriggerAccessControl();
  }

  /**
   * Admits `caller`: adds a policy pinned to its identity, admits its outbound addresses, and grants
   * it the audience's app role so Entra will issue it a token.
   */
  public allowCaller(caller: Workflow): void {
    if (this.allowed.includes(caller)) return;
    if (this.allowed.length >= LIMITS.policiesPerWorkflow) {
      throw new Error(
        `receiver "${this.workflowName}" already has ${LIMITS.policiesPerWorkflow} authorization policies, the Logic Apps limit; ` +
          `add another receiver for "${caller.workflowName}"`,
      );
    }
    this.allowed.push(caller);
    this.audience.grantInvoke(caller);
    this.renderTriggerAccessControl();
  }

  /** A POST of the caller's name to the OAuth invoke URL, with a token for this receiver's audience. */
  public bindCall(callerName: string): CallBinding {
    return {
      method: 'POST',
      uri: this.invokeUrl,
      audience: this.audience,
      body: { sender: callerName },
      dependsOn: [this.trigger],
    };
  }

  /**
   * Calls `target` (a receiver workflow or an Entra-protected API) in every run, with this workflow's
   * identity: see CallerWorkflow.call. Admitting this workflow is the target's side (`allowCaller`).
   */
  public call(target: ICallTarget, options: CallOptions = {}): LogicAppActionCustom {
    if (target === this) throw new Error(`workflow "${this.workflowName}" cannot call itself; call another workflow or an API`);
    return this.outgoing.call(target, options);
  }

  /** Reads a Key Vault certificate's secret in every run: see CallerWorkflow.readCertificate. */
  public readCertificate(certificate: VaultCertificate): CertificateRead {
    return this.outgoing.readCertificate(certificate);
  }

  /** The Request trigger waits for `grant` (called by Audience.grantInvoke and VaultCertificate.grantSecretRead). */
  public waitForGrant(grant: TerraformResource): void {
    this.outgoing.waitForGrant(grant);
  }

  public get allowedCallers(): readonly Workflow[] {
    return this.allowed;
  }

  /** The policies as written to access_control.trigger (any one suffices: OR). */
  public get policies(): AuthorizationPolicy[] {
    return this.allowed.map((caller) => ({
      name: `allow-${caller.workflowName}`,
      claims: [
        { name: 'iss', value: this.audience.issuer },
        { name: 'aud', value: this.audience.audClaim },
        { name: 'oid', value: caller.principalId },
      ],
    }));
  }

  /**
   * Allowed callers' outbound addresses (a bare address as /32, a range as it is) plus the configured
   * ranges. Never left empty by accident: azurerm sends [] for a trigger block without ranges, which
   * means "only other Logic Apps" and refuses every HTTP-action caller with 401.
   */
  public get triggerIpRanges(): string[] {
    if (this.allowed.length === 0) return [...this.extraTriggerIpRanges];
    // One for-expression per caller, kept: allowCaller renders again for each caller added (up to 5).
    const callerRanges = this.allowed.map((caller) => this.rangesOf.get(caller) ?? this.rangesOf.set(caller, asTriggerRanges(caller.outboundIpAddresses)).get(caller)!);
    return Fn.distinct(Fn.concat([...callerRanges, this.extraTriggerIpRanges]));
  }

  private renderTriggerAccessControl(): void {
    this.setTriggerAccessControl({
      allowedCallerIpAddressRange: this.triggerIpRanges,
      openAuthenticationPolicy: this.policies.map((policy) => ({ name: policy.name, claim: [...policy.claims] })),
    });
  }
}

/**
 * Terraform expression, per element of `addresses`: a bare address gets "/32", an entry that already is a
 * range ("a.b.c.d/n" or "a.b.c.d-e.f.g.h", as in some regions' documented outbound lists) stays as it is.
 * azurerm accepts only CIDR or a-b ranges (validation.Any(IsCIDR, IsIPv4Range) in
 * internal/services/logic/logic_app_workflow_resource.go, v4.55.0); formatlist("%s/32") would turn a range
 * into an invalid entry. The drift check applies the same rule (tools/ip-drift/drift.ts, asTriggerRange).
 */
export const RANGE_OR_BARE_EXPRESSION = 'length(regexall("[/-]", val)) > 0 ? val : format("%s/32", val)';

function asTriggerRanges(addresses: string[]): string[] {
  return Token.asList(TerraformIterator.fromList(Token.asAny(addresses)).forExpressionForList(RANGE_OR_BARE_EXPRESSION));
}
