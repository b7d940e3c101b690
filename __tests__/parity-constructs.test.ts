// Parity for construct users (docs/parity.md): the constructs refuse in their constructor what the config
// schema refuses, naming the construct path, the prop and the fix; step names are checked when the app
// is validated (every synth path: app.synth() through the rules guard, Testing.synth(stack, true)).
// And the longest names the config accepts still give action names Logic Apps accepts.
import { TerraformStack, Testing } from 'cdktf';
import { Audience } from '../constructs/audience';
import { ReceiverWorkflow } from '../constructs/receiver-workflow';
import { CallerWorkflow } from '../constructs/caller-workflow';
import { LogicAppActionCustom } from '@cdktf/provider-azurerm/lib/logic-app-action-custom';
import { ApiGateway } from '../constructs/api-gateway';
import { EntraProtectedApi } from '../constructs/entra-protected-api';
import { CertificateVault } from '../constructs/certificate-vault';
import { VaultCertificate } from '../constructs/vault-certificate';
import { parseConfig } from '../config/load';
import { withDefaults } from './support/config';
import { synthApp } from './support/synth';

const WORKFLOW = { resourceGroupName: 'rg', location: 'westeurope' };

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}
function audience(scope: TerraformStack): Audience {
  return new Audience(scope, 'Audience', { displayName: 'aud', tokenVersion: 1 });
}
function gateway(scope: TerraformStack, skuName = 'Consumption_0'): ApiGateway {
  return new ApiGateway(scope, 'Gateway', { ...WORKFLOW, name: 'apim', publisherName: 'p', publisherEmail: 'p@example.com', skuName });
}

describe('constructs throw early on values Azure or azurerm refuses', () => {
  test.each([
    ['Premium_99', undefined],
    ['BasicV2_10', undefined],
    ['Basic_3', 'test/Gateway: skuName = "Basic_3": the Basic tier takes a capacity from 1 to 2: write e.g. "Basic_2"'],
    ['StandardV2_11', 'test/Gateway: skuName = "StandardV2_11": the StandardV2 tier takes a capacity from 1 to 10: write e.g. "StandardV2_10"'],
  ])('ApiGateway skuName %s', (sku, error) => {
    const build = () => gateway(stack(), sku);
    if (error) expect(build).toThrow(error);
    else expect(build).not.toThrow();
  });

  test.each([
    ['orders/v1', undefined],
    ['orders~v1', 'test/Api: path = "orders~v1": an API path may contain only letters, digits, "_", "-", ".", ":" and "/"; remove "~"'],
    ['-orders', 'test/Api: path = "-orders": an API path starts with a letter, digit, "_" or "."; e.g. "orders/v1"'],
  ])('EntraProtectedApi path %s', (path, error) => {
    const s = stack();
    const build = () => new EntraProtectedApi(s, 'Api', { gateway: gateway(s), audience: audience(s), name: 'api', path });
    if (error) expect(build).toThrow(error);
    else expect(build).not.toThrow();
  });

  test.each([
    [['203.0.113.0/28', '10.0.0.1-10.0.0.9'], undefined],
    [['10.1.2.3'], 'test/Receiver: extraTriggerIpRanges[0] = "10.1.2.3": a bare address is rejected by azurerm; write "10.1.2.3/32"'],
    [['203.0.113.5/28'], 'test/Receiver: extraTriggerIpRanges[0] = "203.0.113.5/28": "203.0.113.5/28" has host bits set'],
    [['10.0.0.9-10.0.0.1'], 'test/Receiver: extraTriggerIpRanges[0] = "10.0.0.9-10.0.0.1": the range start must not be above its end'],
  ])('ReceiverWorkflow extraTriggerIpRanges %j', (ranges, error) => {
    const s = stack();
    const build = () => new ReceiverWorkflow(s, 'Receiver', { ...WORKFLOW, name: 'r', audience: audience(s), extraTriggerIpRanges: ranges });
    if (error) expect(build).toThrow(error);
    else expect(build).not.toThrow();
  });

  test.each([
    [{ runHistoryIpRanges: ['::/0'] }, undefined],
    [{ runHistoryIpRanges: ['2001:db8::1/64'] }, 'test/Receiver: runHistoryIpRanges[0] = "2001:db8::1/64": "2001:db8::1/64" has host bits set'],
    [{ location: 'northeurop' }, 'test/Receiver: location = "northeurop": not an Azure region name; did you mean "northeurope"?'],
    [{ location: 'West Europe' }, undefined],
    [{ tags: { 'cost/center': 'x' } }, 'test/Receiver: tags (name) = "cost/center": a tag name cannot contain any of'],
    [{ tags: { t: 'v'.repeat(257) } }, 'test/Receiver: tags["t"] = '],
    [{ logAnalyticsWorkspaceId: '/subscriptions/s/resourcegroups/rg/providers/Microsoft.OperationalInsights/workspaces/w' }, 'test/Receiver: logAnalyticsWorkspaceId = '],
    [{ triggerName: 't'.repeat(81) }, `test/Receiver: name = "${'t'.repeat(81)}": action or trigger name`],
  ])('Workflow props %j', (props, error) => {
    const s = stack();
    const build = () => new ReceiverWorkflow(s, 'Receiver', { ...WORKFLOW, name: 'r', audience: audience(s), ...props });
    if (error) expect(build).toThrow(error);
    else expect(build).not.toThrow();
  });

  test.each([
    ['Day', 500, undefined],
    ['Day', 501, 'test/Sender: recurrence.interval = 501: with frequency "Day" the interval is a whole number from 1 to 500'],
    ['Month', 17, 'test/Sender: recurrence.interval = 17: with frequency "Month" the interval is a whole number from 1 to 16'],
  ] as const)('CallerWorkflow recurrence %s x %i', (frequency, interval, error) => {
    const build = () => new CallerWorkflow(stack(), 'Sender', { ...WORKFLOW, name: 's', recurrence: { frequency, interval } });
    if (error) expect(build).toThrow(error);
    else expect(build).not.toThrow();
  });

  test.each([
    [1, 27, undefined],
    [1, 28, 'test/Certificate: renewDaysBeforeExpiry = 28: Key Vault allows at most validity_in_months x 27 = 27 days'],
  ])('VaultCertificate %i month(s), renew %i days before expiry', (validityInMonths, renewDaysBeforeExpiry, error) => {
    const s = stack();
    const vault = new CertificateVault(s, 'Vault', { ...WORKFLOW, name: 'kv-test' });
    const build = () => new VaultCertificate(s, 'Certificate', { vault, name: 'c', subject: 'CN=c', validityInMonths, renewDaysBeforeExpiry });
    if (error) expect(build).toThrow(error);
    else expect(build).not.toThrow();
  });
});

describe('action and trigger names: at most 80 characters, checked on every step of a workflow', () => {
  // Whatever adds the step (our constructs, or a construct user with a raw provider class), the
  // workflow's validation sees it; app.synth() runs it before writing (rules/guard.ts), as does
  // Testing.synth(stack, true).
  function stepNamed(name: string): string[] {
    const s = stack();
    const caller = new CallerWorkflow(s, 'Caller', { ...WORKFLOW, name: 'c' });
    new LogicAppActionCustom(caller, 'Extra', { name, logicAppId: caller.resource.id, body: '{"type":"Compose","inputs":1}' });
    return caller.node.validate();
  }

  test('80 characters pass, 81 fail naming the step', () => {
    expect(stepNamed('a'.repeat(80))).toEqual([]);
    expect(stepNamed('a'.repeat(81))).toEqual([`test/Caller/Extra: action or trigger name "${'a'.repeat(81)}" is 81 characters; Logic Apps allows 80: shorten the name it is derived from`]);
  });

  test('the longest names the config accepts give step names Logic Apps accepts (synth runs every validation)', () => {
    // Workflow names at the 80-character limit, API names at theirs: the constructs' action names do not
    // grow with them (Call_<n>, Read_<certificate>).
    const raw = withDefaults((c) => {
      c.logicAppsOauth.wrongAudienceProbe = false;
      c.logicAppsOauth.workflows = [{ name: 'r'.repeat(71) }, { name: 's'.repeat(71) }];
      c.logicAppsOauth.calls = [{ from: 's'.repeat(71), to: 'r'.repeat(71) }];
      c.apimManagedIdentity.api.name = 'a'.repeat(80);
      delete c.apimCrossTenant; // its API action is named by the same code; one API stack is enough
    });
    expect(() => parseConfig(raw)).not.toThrow();
    expect(() => synthApp(raw)).not.toThrow();
  });
});
