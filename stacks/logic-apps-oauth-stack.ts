import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { ApiGateway } from '../constructs/api-gateway';
import { Audience } from '../constructs/audience';
import { ApiOperation, EntraProtectedApi } from '../constructs/entra-protected-api';
import { ReceiverWorkflow } from '../constructs/receiver-workflow';
import { CallerWorkflow, ExternalAudience } from '../constructs/caller-workflow';
import { CallConfig, Config, LogicAppsOauthConfig, WorkflowConfig } from '../config/schema';
import { callGraph, probeWorkflowName } from '../config/graph';
import { ScenarioStack } from './scenario-stack';
import { suppressRule } from '../constructs/annotations';

export const LOGIC_APPS_OAUTH_STACK = 'logic-apps-oauth';

/**
 * The call graph of the logicAppsOauth section: callers (and receivers that call onward) call receivers'
 * HTTP triggers and Entra-protected APIs with their system identity's token; each receiver and API
 * admits exactly its allowed callers, and a caller holds one action per target. Optionally a "naughty"
 * probe per receiver requests a wrong audience and must be refused (MisMatchingOAuthClaims).
 *
 * Construct ids (Terraform addresses): `Receiver-<name>`, `Sender-<name>` (callers), `Probe-<receiver>`;
 * APIs: `ApiManagement`, `ApiAudience-<api>`, `Api-<api>`.
 */
export class LogicAppsOauthStack extends ScenarioStack {
  public readonly audience: Audience;
  public readonly receivers: ReceiverWorkflow[] = [];
  /** Callers (workflows with a recurrence trigger), in the order they are first needed. */
  public readonly senders: CallerWorkflow[] = [];
  public readonly probes: CallerWorkflow[] = [];
  public readonly gateway?: ApiGateway;
  public readonly apis: EntraProtectedApi[] = [];

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const settings: LogicAppsOauthConfig | undefined = config.logicAppsOauth;
    if (!settings) {
      throw new Error(`stack "${id}" needs the logicAppsOauth config section; add it with workflows and calls, or do not build this stack`);
    }
    const defaults = { ...this.workflowDefaults(), runHistoryIpRanges: settings.runHistoryIpRanges };
    const graph = callGraph(settings);

    this.audience = new Audience(this, 'Audience', {
      displayName: settings.audience.displayName ?? `${config.namePrefix}-logic-apps-audience`,
      tokenVersion: settings.tokenVersion,
      identifierUri: settings.audience.identifierUri,
      owners: config.administrators.appOwners,
      protect: config.protect,
    });

    // A caller is protected when some target pins it (an allowed call).
    const pinned = new Set(settings.calls.filter((c) => c.allowed).map((c) => c.from));
    const callers = new Map<string, CallerWorkflow>();
    const caller = (workflow: WorkflowConfig): CallerWorkflow => {
      let sender = callers.get(workflow.name);
      if (!sender) {
        sender = new CallerWorkflow(this, `Sender-${workflow.name}`, {
          ...defaults,
          name: `${config.namePrefix}-${workflow.name}`,
          recurrence: settings.recurrence,
          protect: config.protect && pinned.has(workflow.name),
        });
        callers.set(workflow.name, sender);
        this.senders.push(sender);
      }
      return sender;
    };
    const workflowNamed = new Map(settings.workflows.map((w) => [w.name, w]));
    // Action names: Call_<n>, n counting the caller's edges in the order of `calls` (docs/deploy.md, renames),
    // so neither a target's name nor the order of `workflows` or `apis` decides which action calls what.
    const actionNames = new Map<CallConfig, string>();
    const perCaller = new Map<string, number>();
    for (const call of settings.calls) {
      const n = (perCaller.get(call.from) ?? 0) + 1;
      perCaller.set(call.from, n);
      actionNames.set(call, `Call_${n}`);
    }
    // A call's source: a receiver that calls onward, or a caller (created when first needed).
    const receiverNamed = new Map<string, ReceiverWorkflow>();
    const source = (name: string): ReceiverWorkflow | CallerWorkflow => receiverNamed.get(name) ?? caller(workflowNamed.get(name)!);
    // Calls from receivers, wired once every receiver exists (its target may be declared after it).
    const onward: Array<{ call: CallConfig; receiver: ReceiverWorkflow }> = [];

    // Receivers in declaration order, each followed by its callers and its probe (the order of the JSON).
    for (const node of graph.receivers) {
      const receiver = new ReceiverWorkflow(this, `Receiver-${node.workflow.name}`, {
        ...defaults,
        name: `${config.namePrefix}-${node.workflow.name}`,
        audience: this.audience,
        extraTriggerIpRanges: node.workflow.extraTriggerIpRanges ?? [],
        protect: config.protect,
      });
      this.receivers.push(receiver);
      receiverNamed.set(node.workflow.name, receiver);

      for (const call of node.calls) {
        if (graph.receivers.some((r) => r.workflow.name === call.from)) {
          onward.push({ call, receiver });
          continue;
        }
        const sender = caller(workflowNamed.get(call.from)!);
        sender.call(receiver, {
          name: actionNames.get(call),
          ...(call.allowed ? {} : { expectRefusal: `${call.from} is declared allowed: false: the receiver must refuse it` }),
        });
        if (call.allowed) receiver.allowCaller(sender);
      }

      if (settings.wrongAudienceProbe) {
        const probe = new CallerWorkflow(this, `Probe-${node.workflow.name}`, {
          ...defaults,
          name: probeWorkflowName(config.namePrefix, node.workflow.name),
          recurrence: settings.recurrence,
        });
        const probeCall = probe.call(receiver, {
          audience: new ExternalAudience(settings.probeAudience, 'wrong-audience probe: must be refused with MisMatchingOAuthClaims'),
        });
        suppressRule(probeCall, 'LA001', 'wrong-audience probe: requests another audience on purpose and must be refused with MisMatchingOAuthClaims');
        this.probes.push(probe);
      }

      new TerraformOutput(this, `${node.workflow.name}-invoke-url`, {
        value: receiver.invokeUrl,
        description: `OAuth invoke URL of ${receiver.workflowName} (no SAS signature; callers need a Bearer token).`,
      });
    }

    for (const { call, receiver } of onward) {
      const relay = receiverNamed.get(call.from)!;
      relay.call(receiver, {
        name: actionNames.get(call),
        ...(call.allowed ? {} : { expectRefusal: `${call.from} is declared allowed: false: the receiver must refuse it` }),
      });
      if (call.allowed) receiver.allowCaller(relay);
    }

    // APIs on one API Management instance, each with its own app registration (audience).
    if (graph.apis.length > 0 && settings.apiManagement) {
      const gateway = new ApiGateway(this, 'ApiManagement', {
        name: settings.apiManagement.name ?? `${config.namePrefix}-apim`,
        resourceGroupName: this.resourceGroup.name,
        location: this.resourceGroup.location,
        skuName: settings.apiManagement.skuName,
        publisherName: settings.apiManagement.publisherName,
        publisherEmail: settings.apiManagement.publisherEmail,
        tags: config.tags,
      });
      this.gateway = gateway;
      for (const node of graph.apis) {
        const audience = new Audience(this, `ApiAudience-${node.api.name}`, {
          displayName: `${config.namePrefix}-${node.api.name}`,
          tokenVersion: node.api.tokenVersion,
          owners: config.administrators.appOwners,
          protect: config.protect,
        });
        const api = new EntraProtectedApi(this, `Api-${node.api.name}`, {
          gateway,
          audience,
          name: node.api.name,
          path: node.api.path ?? node.api.name,
          serviceUrl: node.api.serviceUrl,
        });
        const invoke: ApiOperation = api.addOperation('invoke', { method: 'POST', urlTemplate: '/invoke' });
        this.apis.push(api);
        for (const call of node.calls) {
          const sender = source(call.from);
          sender.call(api, { operation: invoke, name: actionNames.get(call), ...(call.allowed ? {} : { expectRefusal: `${call.from} is declared allowed: false: the API must refuse it` }) });
          if (call.allowed) api.allowCaller(sender);
        }
        new TerraformOutput(this, `${node.api.name}-url`, { value: invoke.url, description: `URL of API ${node.api.name} (Bearer token required).` });
      }
    }

    new TerraformOutput(this, 'audience', {
      value: this.audience.identifierUri,
      description: 'Audience senders request (the enterprise application identifier URI).',
    });
    new TerraformOutput(this, 'audience-client-id', { value: this.audience.clientId });
  }
}
