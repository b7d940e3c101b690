// npm run report [-- DIR] [--out FILE]: Markdown security report of the synthesized stacks to stdout
// (and to FILE). The logic lives in render.ts.
import { writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSynthStacks } from '../../model/synth-output';
import { renderReport } from './render';

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    console.error(`report: ${(err as Error).message} (usage: npm run report [-- DIR] [--out FILE])`);
    return 2;
  }
  if (parsed.values.help) {
    console.log('usage: npm run report [-- DIR] [--out FILE]  (DIR defaults to cdktf.out)');
    return 0;
  }
  if (parsed.positionals.length > 1) {
    console.error(`report: one directory expected, got ${parsed.positionals.join(' ')}`);
    return 2;
  }
  const dir = parsed.positionals[0] ?? 'cdktf.out';
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
