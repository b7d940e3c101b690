import { Construct } from 'constructs';
import { TerraformResource, Token } from 'cdktf';
import { LogicAppWorkflow, LogicAppWorkflowAccessControlTrigger } from '@cdktf/provider-azurerm/lib/logic-app-workflow';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { IPrincipal } from './audience';
import { logAnalyticsWorkspaceIdProblem, stepNameProblem } from '../domain/parity';
import { requireValid, requireValidIpRanges, requireValidPlacement } from './parity-checks';

export interface WorkflowProps {
  /** Workflow name (`^[-()_.A-Za-z0-9]{1,80}$`). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Who may read run inputs and outputs (access_control.content).
   * @default ["0.0.0.0-0.0.0.0"] (nobody)
   */
  readonly runHistoryIpRanges?: readonly string[];
  /**
   * Log Analytics workspace for the workflow's runtime logs and metrics.
   * @default no diagnostic setting
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Set prevent_destroy: a recreated workflow gets a new identity, which breaks every policy pinned to it.
   * @default false
   */
  readonly protect?: boolean;
}

/** A Consumption Logic App with a system-assigned identity and locked-down run history. */
export abstract class Workflow extends Construct implements IPrincipal {
  public readonly resource: LogicAppWorkflow;
  public readonly workflowName: string;
  /** Object id of the system-assigned identity: the `oid` of its tokens. */
  public readonly principalId: string;
  /** Outbound addresses of the workflow runtime (shared by all Logic Apps of the region). */
  public readonly outboundIpAddresses: string[];
  protected readonly runHistoryIpRanges: string[];

  protected constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    requireValidPlacement(this, props);
    requireValidIpRanges(this, 'runHistoryIpRanges', props.runHistoryIpRanges);
    requireValid(this, 'logAnalyticsWorkspaceId', props.logAnalyticsWorkspaceId, logAnalyticsWorkspaceIdProblem);
    this.workflowName = props.name;
    this.runHistoryIpRanges = props.runHistoryIpRanges ? [...props.runHistoryIpRanges] : ['0.0.0.0-0.0.0.0'];
    this.resource = new LogicAppWorkflow(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags as Record<string, string> | undefined, // cdktf only reads it
      identity: { type: 'SystemAssigned' },
      accessControl: { content: { allowedCallerIpAddressRange: this.runHistoryIpRanges } },
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    this.principalId = this.resource.identity.principalId;
    // Action and trigger names are derived from other names (e.g. "Call_" + a receiver's name) by whatever
    // adds the step, so every step added under this workflow is checked when the app is validated.
    this.node.addValidation({ validate: () => this.stepNameProblems() });
    this.outboundIpAddresses = this.resource.workflowOutboundIpAddresses;

    if (props.logAnalyticsWorkspaceId) {
      new MonitorDiagnosticSetting(this, 'Diagnostics', {
        name: 'logic-apps-oauth',
        targetResourceId: this.resource.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
        enabledLog: [{ category: 'WorkflowRuntime' }],
        enabledMetric: [{ category: 'AllMetrics' }],
      });
    }
  }

  private stepNameProblems(): string[] {
    return this.node
      .findAll()
      .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && /^azurerm_logic_app_(action|trigger)_/.test(c.terraformResourceType))
      .flatMap((step) => {
        const name = (step as unknown as { nameInput?: string }).nameInput;
        const problem = name === undefined || Token.isUnresolved(name) ? undefined : stepNameProblem(name);
        return problem ? [`${step.node.path}: ${problem}`] : [];
      });
  }

  /** Sets the trigger section of access control; run-history protection stays as configured. */
  protected setTriggerAccessControl(trigger: LogicAppWorkflowAccessControlTrigger): void {
    this.resource.putAccessControl({ content: { allowedCallerIpAddressRange: this.runHistoryIpRanges }, trigger });
  }
}
