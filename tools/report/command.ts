// npm run report [-- DIR] [--out FILE] [--fail-on error]: Markdown security report of the synthesized stacks to
// stdout (and to FILE); with --fail-on error, exit 1 when a rule error is open (rules on any cdk.tf.json, also a
// hand-edited one). The logic lives in render.ts.
// npm run report -- --base BASE_DIR [HEAD_DIR] [--fail-on widen] [--changes-only] [--out FILE]: the access
// diff of a change (tools/access-diff/) first, then the head's report.
import { writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSynthStacks } from '../../model/synth-output';
import { blockingFindings, Finding, formatFinding, runRules } from '../../rules/engine';
import { runAccessDiff } from '../access-diff/command';
import { renderReport } from './render';

const USAGE = 'npm run report [-- DIR] [--out FILE] [--fail-on error] | npm run report -- --base BASE_DIR [HEAD_DIR] [--fail-on widen] [--changes-only] [--out FILE]';

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        base: { type: 'string' },
        'fail-on': { type: 'string' },
        'changes-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`report: ${(err as Error).message} (usage: ${USAGE})`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`usage: ${USAGE}  (DIR and HEAD_DIR default to cdktf.out)`);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    console.error(`report: one directory expected, got ${parsed.positionals.join(' ')}`);
    return 2;
  }
  const dir = parsed.positionals[0] ?? 'cdktf.out';
  if (parsed.values.base !== undefined) {
    return runAccessDiff({ base: parsed.values.base, head: dir, failOn: parsed.values['fail-on'], changesOnly: parsed.values['changes-only'], out: parsed.values.out });
  }
  const failOn = parsed.values['fail-on'];
  if (parsed.values['changes-only'] || (failOn !== undefined && failOn !== 'error')) {
    console.error(`report: ${parsed.values['changes-only'] ? '--changes-only' : `--fail-on ${failOn}`} compares with a base: add --base BASE_DIR (without a base, --fail-on takes only "error"; usage: ${USAGE})`);
    return 2;
  }
  if (!existsSync(dir)) {
    console.error(`report: ${dir} does not exist (run \`npm run synth\` first, or pass the synth output directory)`);
    return 2;
  }
  let markdown: string;
  const findings: Finding[] = [];
  try {
    markdown = renderReport(readSynthStacks(dir), {
      rules: (model) => {
        const found = runRules(model);
        findings.push(...found);
        return found;
      },
    });
  } catch (err) {
    console.error(`report: cannot read ${dir}: ${(err as Error).message.split('\n')[0]}`);
    return 2;
  }
  process.stdout.write(markdown);
  if (parsed.values.out) writeFileSync(parsed.values.out, markdown);
  const open = blockingFindings(findings);
  if (failOn === 'error' && open.length > 0) {
    console.error(`report: ${open.length} open rule error${open.length === 1 ? '' : 's'}:`);
    for (const f of open) console.error(`error ${formatFinding(f)}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
