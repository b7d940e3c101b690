// npm run smoke [-- --dir cdktf.out] [--stack S] [--timeout 300] [--subscription ID] [--strict]
// After a real deploy: runs each sender's trigger through ARM and checks the outcome of its HTTP calls
// against the synthesized stacks (docs/smoke.md). Logic in smoke.ts; this is argument parsing and output.
import { parseArgs } from 'node:util';
import { DefaultAzureCredential } from '@azure/identity';
import { buildStackModel } from '../../model/stack-model';
import { formatDetails, formatTable, planSmoke, ProgressEvent, runSmoke, SmokeCredentialError, SmokeUsageError } from './smoke';
import { armCommandInputs } from './cli-inputs';

const USAGE =
  'usage: npm run smoke -- [--dir cdktf.out] [--stack S] [--timeout 300] [--subscription ID] [--strict] [--endpoint URL]';

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function progressPrinter(): (event: ProgressEvent) => void {
  const tty = process.stderr.isTTY === true;
  const lastPrinted = new Map<string, { text: string; at: number }>();
  return (event) => {
    const seconds = Math.round(event.elapsedMs / 1000);
    const text = `${event.workflow}: ${event.phase}${event.status ? ` (${event.status})` : ''}${event.runId ? ` run ${event.runId}` : ''}`;
    const previous = lastPrinted.get(event.workflow);
    // Non-interactive output (CI logs): print on change and every 30 s, not on every poll.
    if (!tty && previous && previous.text === text && Date.now() - previous.at < 30_000) return;
    lastPrinted.set(event.workflow, { text, at: Date.now() });
    if (tty) process.stderr.write(`\r\x1b[K[${seconds}s] ${text}`);
    else process.stderr.write(`[${seconds}s] ${text}\n`);
    if (tty && event.phase === 'done') process.stderr.write('\n');
  };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string', default: 'cdktf.out' },
        stack: { type: 'string', multiple: true },
        timeout: { type: 'string', default: '300' },
        subscription: { type: 'string' },
        endpoint: { type: 'string' },
        strict: { type: 'boolean', default: false },
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
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) usage(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  const { subscriptionId, stacks } = armCommandInputs(values, usage);
  const plan = planSmoke(stacks.map(buildStackModel));
  if (plan.workflows.length === 0) {
    plan.skipped.forEach((s) => console.error(`skipped: ${s}`));
    usage(`no sender workflow with an HTTP call into a workflow or API in ${values.dir} (stacks: ${stacks.map((s) => s.name).join(', ') || 'none'})`);
  }

  const result = await runSmoke(
    plan,
    { credential: new DefaultAzureCredential(), subscriptionId, endpoint: values.endpoint },
    { subscriptionId, timeoutMs: timeout * 1000, strict: values.strict, onProgress: progressPrinter() },
  );
  console.log(formatTable(result));
  const details = formatDetails(result);
  if (details) console.log(`\n${details}`);
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof SmokeUsageError) usage(err.message);
    if (err instanceof SmokeCredentialError) {
      console.error(err.message);
      process.exit(3);
    }
    console.error(`smoke: ${(err as Error)?.message ?? err}`);
    process.exit(3);
  },
);
