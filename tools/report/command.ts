// npm run report [-- DIR] [--out FILE] [--fail-on error]: Markdown security report of the synthesized stacks to
// stdout (and to FILE); with --fail-on error, exit 1 when a rule error is open (rules on any cdk.tf.json, also a
// hand-edited one). The logic lives in render.ts; the entry (process exit code) is main.ts.
// npm run report -- --base BASE_DIR [HEAD_DIR] [--fail-on widen] [--changes-only] [--out FILE]: the access
// diff of a change (tools/access-diff/) first, then the head's report.
import { writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSynthStacks } from '../../model/synth-output';
import { blockingFindings, Finding, formatFinding, runRules } from '../../rules/engine';
import { Io, processIo, runAccessDiff } from '../access-diff/command';
import { renderReport } from './render';

const USAGE = 'npm run report [-- DIR] [--out FILE] [--fail-on error] | npm run report -- --base BASE_DIR [HEAD_DIR] [--fail-on widen] [--changes-only] [--out FILE]';

/** Runs `npm run report` with its arguments (after the `--`); returns the exit code, never exits. */
export function runReport(args: readonly string[], io: Io = processIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
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
    io.stderr(`report: ${(err as Error).message} (usage: ${USAGE})`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(`usage: ${USAGE}  (DIR and HEAD_DIR default to cdktf.out)\n`);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    io.stderr(`report: one directory expected, got ${parsed.positionals.join(' ')}`);
    return 2;
  }
  const dir = parsed.positionals[0] ?? 'cdktf.out';
  if (parsed.values.base !== undefined) {
    return runAccessDiff({ base: parsed.values.base, head: dir, failOn: parsed.values['fail-on'], changesOnly: parsed.values['changes-only'], out: parsed.values.out }, io);
  }
  const failOn = parsed.values['fail-on'];
  if (parsed.values['changes-only'] || (failOn !== undefined && failOn !== 'error')) {
    io.stderr(`report: ${parsed.values['changes-only'] ? '--changes-only' : `--fail-on ${failOn}`} compares with a base: add --base BASE_DIR (without a base, --fail-on takes only "error"; usage: ${USAGE})`);
    return 2;
  }
  if (!existsSync(dir)) {
    io.stderr(`report: ${dir} does not exist (run \`npm run synth\` first, or pass the synth output directory)`);
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
    io.stderr(`report: cannot read ${dir}: ${(err as Error).message.split('\n')[0]}`);
    return 2;
  }
  io.stdout(markdown);
  if (parsed.values.out) writeFileSync(parsed.values.out, markdown);
  const open = blockingFindings(findings);
  if (failOn === 'error' && open.length > 0) {
    io.stderr(`report: ${open.length} open rule error${open.length === 1 ? '' : 's'}:`);
    for (const f of open) io.stderr(`error ${formatFinding(f)}`);
    return 1;
  }
  return 0;
}
