import { z } from 'zod';
import { formatPath } from './path';
import { ipRangeField, workflowNameField } from './schema';

// The earlier format of the logic-apps-oauth section: receivers, each listing its senders. Files in it keep
// working: they are checked in their own shape, converted to the call graph (same workflows, calls and
// settings) and then checked like any other file; errors found on the graph name the earlier paths.

const LegacySenderSchema = z.strictObject({
  name: workflowNameField('a sender name'),
  allowed: z.boolean().default(true),
});

const LegacyReceiverSchema = z.strictObject({
  name: workflowNameField('a receiver name'),
  senders: z.array(LegacySenderSchema).default([]),
  extraTriggerIpRanges: z.array(ipRangeField).default([]),
});

/** Only the receivers list: the other fields of the section are the same in both formats. */
export const LegacyReceiversSchema = z.strictObject({ receivers: z.array(LegacyReceiverSchema).min(1) });
export type LegacyReceivers = z.output<typeof LegacyReceiversSchema>['receivers'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether the raw file's logic-apps-oauth section is in the earlier format (has receivers). */
export function isLegacy(raw: unknown): raw is { logicAppsOauth: Json & { receivers: unknown } } {
  return isObject(raw) && isObject(raw.logicAppsOauth) && Object.hasOwn(raw.logicAppsOauth, 'receivers');
}

export interface Converted {
  /** The raw configuration with the section in the graph format. */
  readonly raw: Json;
  /** Formatted graph path -> formatted earlier path, for error messages. */
  readonly paths: Map<string, string>;
  readonly notice: string;
}

/**
 * Converts a validated earlier-format receivers list: every receiver and sender becomes a workflow declared
 * once (a sender listed under several receivers is one workflow with several calls), every sender entry a
 * call. The earlier default of wrongAudienceProbe (true) is kept when the file does not set it.
 */
export function convertLegacy(raw: Json & { logicAppsOauth: Json }, receivers: LegacyReceivers): Converted {
  const { receivers: _earlier, ...settings } = raw.logicAppsOauth;
  const workflows: Array<{ name: string; extraTriggerIpRanges?: string[] }> = [];
  const calls: Array<{ from: string; to: string; allowed: boolean }> = [];
  const paths = new Map<string, string>();
  const at = (...p: (string | number)[]) => formatPath(['logicAppsOauth', ...p]);
  const declared = new Map<string, number>();
  const declare = (name: string, earlier: (string | number)[], ranges?: string[]) => {
    if (declared.has(name) && ranges === undefined) return;
    const i = workflows.length;
    declared.set(name, i);
    workflows.push(ranges === undefined ? { name } : { name, extraTriggerIpRanges: ranges });
    paths.set(at('workflows', i), at(...earlier));
    paths.set(at('workflows', i, 'name'), at(...earlier, 'name'));
    ranges?.forEach((_, n) => paths.set(at('workflows', i, 'extraTriggerIpRanges', n), at(...earlier, 'extraTriggerIpRanges', n)));
    if (ranges !== undefined) paths.set(at('workflows', i, 'extraTriggerIpRanges'), at(...earlier, 'extraTriggerIpRanges'));
  };
  receivers.forEach((receiver, r) => {
    declare(receiver.name, ['receivers', r], receiver.extraTriggerIpRanges);
    receiver.senders.forEach((sender, s) => {
      declare(sender.name, ['receivers', r, 'senders', s]);
      const k = calls.length;
      calls.push({ from: sender.name, to: receiver.name, allowed: sender.allowed });
      paths.set(at('calls', k), at('receivers', r, 'senders', s));
      paths.set(at('calls', k, 'from'), at('receivers', r, 'senders', s, 'name'));
      paths.set(at('calls', k, 'to'), at('receivers', r, 'name'));
      paths.set(at('calls', k, 'allowed'), at('receivers', r, 'senders', s, 'allowed'));
    });
  });
  const section = { wrongAudienceProbe: true, ...settings, workflows, calls };
  return { raw: { ...raw, logicAppsOauth: section }, paths, notice: legacyNotice(workflows, calls) };
}

/** One line: the earlier format still works, and the same graph in the current format (abridged). */
function legacyNotice(workflows: Array<{ name: string }>, calls: Array<{ from: string; to: string; allowed: boolean }>): string {
  const some = <T>(items: T[], show: (item: T) => string, n: number) =>
    `[${items.slice(0, n).map(show).join(', ')}${items.length > n ? ', ...' : ''}]`;
  const call = (c: { from: string; to: string; allowed: boolean }) =>
    `{"from": "${c.from}", "to": "${c.to}"${c.allowed ? '' : ', "allowed": false'}}`;
  return (
    'notice: logicAppsOauth.receivers is the earlier format; it is read as before. The current format declares each workflow once ' +
    `and each call as an edge: "workflows": ${some(workflows, (w) => `{"name": "${w.name}"}`, 3)}, "calls": ${some(calls, call, 2)} ` +
    '(README.md, Configuration)'
  );
}
