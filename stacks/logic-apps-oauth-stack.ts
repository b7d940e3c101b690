import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { Audience } from '../constructs/audience';
import { ReceiverWorkflow } from '../constructs/receiver-workflow';
import { ExternalAudience, SenderWorkflow } from '../constructs/sender-workflow';
import { Config, probeWorkflowName } from '../config/schema';
import { ScenarioStack } from './scenario-stack';
import { suppressRule } from '../rules/suppress';

export const LOGIC_APPS_OAUTH_STACK = 'logic-apps-oauth';

/**
 * Seed 000: senders call receivers' HTTP triggers with their system identity's token for one audience
 * (an enterprise application); each receiver admits exactly its allowed senders. Optionally a "naughty"
 * probe per receiver requests a wrong audience and must be refused (MisMatchingOAuthClaims).
 */
export class LogicAppsOauthStack extends ScenarioStack {
  public readonly audience: Audience;
  public readonly receivers: ReceiverWorkflow[] = [];
  public readonly senders: SenderWorkflow[] = [];
  public readonly probes: SenderWorkflow[] = [];

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const settings = config.logicAppsOauth;
    const defaults = { ...this.workflowDefaults(), runHistoryIpRanges: settings.runHistoryIpRanges };

    this.audience = new Audience(this, 'Audience', {
      displayName: settings.audience.displayName ?? `${config.namePrefix}-logic-apps-audience`,
      tokenVersion: settings.tokenVersion,
      identifierUri: settings.audience.identifierUri,
      protect: config.protect,
    });

    for (const receiverConfig of settings.receivers) {
      const receiver = new ReceiverWorkflow(this, `Receiver-${receiverConfig.name}`, {
        ...defaults,
        name: `${config.namePrefix}-${receiverConfig.name}`,
        audience: this.audience,
        extraTriggerIpRanges: receiverConfig.extraTriggerIpRanges,
        protect: config.protect,
      });
      this.receivers.push(receiver);

      for (const senderConfig of receiverConfig.senders) {
        const sender = new SenderWorkflow(this, `Sender-${senderConfig.name}`, {
          ...defaults,
          name: `${config.namePrefix}-${senderConfig.name}`,
          recurrence: settings.recurrence,
          protect: config.protect && senderConfig.allowed,
        });
        sender.callReceiver(receiver);
        if (senderConfig.allowed) receiver.allowCaller(sender);
        this.senders.push(sender);
      }

      if (settings.wrongAudienceProbe) {
        const probe = new SenderWorkflow(this, `Probe-${receiverConfig.name}`, {
          ...defaults,
          name: probeWorkflowName(config, receiverConfig),
          recurrence: settings.recurrence,
        });
        const probeCall = probe.callReceiver(receiver, {
          audience: new ExternalAudience(settings.probeAudience, 'wrong-audience probe: must be refused with MisMatchingOAuthClaims'),
        });
        suppressRule(probeCall, 'LA001', 'wrong-audience probe: requests another audience on purpose and must be refused with MisMatchingOAuthClaims');
        this.probes.push(probe);
      }

      new TerraformOutput(this, `${receiverConfig.name}-invoke-url`, {
        value: receiver.invokeUrl,
        description: `OAuth invoke URL of ${receiver.workflowName} (no SAS signature; callers need a Bearer token).`,
      });
    }

    new TerraformOutput(this, 'audience', {
      value: this.audience.audience,
      description: 'Audience senders request (the enterprise application identifier URI).',
    });
    new TerraformOutput(this, 'audience-client-id', { value: this.audience.clientId });
  }
}
