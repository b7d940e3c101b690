// What `npm run smoke` and `npm run ip-drift` both read from their command line before asking ARM anything:
// the subscription and the synthesized stacks (optionally only some). Each problem is a usage error (exit 2).
import { existsSync } from 'node:fs';
import { readSynthStacks, SynthOutputError, SynthStack } from '../../model/synth-output';
import { subscriptionFromEnv } from './smoke';

export interface ArmCommandInputs {
  readonly subscriptionId: string;
  readonly stacks: SynthStack[];
}

/** The subscription (flag, then ARM_/AZURE_SUBSCRIPTION_ID) and the stacks of `dir`, filtered by `--stack`. */
export function armCommandInputs(
  values: { readonly dir: string; readonly subscription?: string; readonly stack?: readonly string[] },
  usage: (message: string) => never,
): ArmCommandInputs {
  const subscriptionId = values.subscription ?? subscriptionFromEnv();
  if (!subscriptionId) usage('no subscription: pass --subscription ID or set ARM_SUBSCRIPTION_ID (or AZURE_SUBSCRIPTION_ID)');
  if (!existsSync(values.dir)) usage(`${values.dir} does not exist: run \`npm run synth\` first (or pass --dir)`);
  let stacks: SynthStack[];
  try {
    stacks = readSynthStacks(values.dir);
  } catch (err) {
    if (err instanceof SynthOutputError) usage(err.message);
    throw err;
  }
  const wanted = values.stack ?? [];
  if (wanted.length) {
    const unknown = wanted.filter((s) => !stacks.some((st) => st.name === s));
    if (unknown.length) usage(`unknown stack ${unknown.join(', ')} (have: ${stacks.map((s) => s.name).join(', ') || 'none'})`);
    stacks = stacks.filter((s) => wanted.includes(s.name));
  }
  return { subscriptionId, stacks };
}
