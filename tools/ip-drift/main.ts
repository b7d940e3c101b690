// npm run ip-drift [-- --dir cdktf.out] [--stack S] [--subscription ID] [--endpoint URL]
// Compares each receiver's deployed trigger IP list with its callers' current outbound addresses (drift.ts).
// Exit 0 no drift, 1 drift (the fix is printed), 2 usage, 3 an ARM read failed.
import { parseArgs } from 'node:util';
import { DefaultAzureCredential } from '@azure/identity';
import { buildStackModel } from '../../model/stack-model';
import { createLogicClient, SmokeUsageError } from '../smoke/smoke';
import { armCommandInputs } from '../smoke/cli-inputs';
import { checkDrift, formatDrift, planDrift } from './drift';

const USAGE = 'usage: npm run ip-drift -- [--dir cdktf.out] [--stack S] [--subscription ID] [--endpoint URL]';

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string', default: 'cdktf.out' },
        stack: { type: 'string', multiple: true },
        subscription: { type: 'string' },
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { subscriptionId, stacks } = armCommandInputs(values, usage);
  const plan = planDrift(stacks.map(buildStackModel));
  plan.skipped.forEach((s) => console.error(`skipped: ${s}`));
  if (plan.targets.length === 0) usage(`no receiver admits callers by their outbound addresses in ${values.dir}`);
  const client = createLogicClient({ credential: new DefaultAzureCredential(), subscriptionId, endpoint: values.endpoint });
  const result = await checkDrift(plan, client);
  console.log(formatDrift(result));
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof SmokeUsageError) usage(err.message);
    console.error(`ip-drift: ${(err as Error)?.message ?? err}`);
    process.exit(3);
  },
);
