// npm run report [-- DIR] [--out FILE]: Markdown security report of the synthesized stacks to stdout
// (and to FILE). The logic lives in render.ts.
// npm run report -- --base BASE_DIR [HEAD_DIR] [--fail-on widen] [--changes-only] [--out FILE]: the access
// diff of a change (tools/access-diff/) first, then the head's report.
import { writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSynthStacks } from '../../model/synth-output';
import { runAccessDiff } from '../access-diff/command';
import { renderReport } from './render';

const USAGE = 'npm run report [-- DIR] [--out FILE] | npm run report -- --base BASE_DIR [HEAD_DIR] [--fail-on widen] [--changes-only] [--out FILE]';

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
  if (parsed.values['fail-on'] !== undefined || parsed.values['changes-only']) {
    console.error(`report: --fail-on and --changes-only compare with a base: add --base BASE_DIR (usage: ${USAGE})`);
    return 2;
  }
  if (!existsSync(dir)) {
    console.error(`report: ${dir} does not exist (run \`npm run synth\` first, or pass the synth output directory)`);
    return 2;
  }
  let markdown: string;
  try {
    markdown = renderReport(readSynthStacks(dir));
  } catch (err) {
    console.error(`report: cannot read ${dir}: ${(err as Error).message.split('\n')[0]}`);
    return 2;
  }
  process.stdout.write(markdown);
  if (parsed.values.out) writeFileSync(parsed.values.out, markdown);
  return 0;
}

process.exitCode = main();
