import type { ConfigInput } from './schema';

/**
 * The embedded default: synthesizes without any Azure credentials or override file.
 * Mirrors seed 000: "send" is allowed, a "naughty" probe requests the wrong audience.
 */
export const DEFAULT_CONFIG: ConfigInput = {
  namePrefix: 'la-oauth',
  location: 'westeurope',
  tags: { project: 'logic-apps-oauth', environment: 'demo' },
  protect: false,
  logicAppsOauth: {
    tokenVersion: 1,
    recurrence: { frequency: 'Day', interval: 1 },
    runHistoryIpRanges: ['0.0.0.0-0.0.0.0'],
    wrongAudienceProbe: true,
    receivers: [{ name: 'receive', senders: [{ name: 'send', allowed: true }], extraTriggerIpRanges: [] }],
  },
};
