import { TerraformStack } from 'cdktf';
import { relative } from 'node:path';
import { loadConfig } from './config/load';
import { administratorWarnings } from './config/administrators';
import { buildApp } from './app';
import { exitOnKnownError } from './tools/errors';

// Reads the configuration (LOGIC_APPS_CONFIG or the embedded default), builds the stacks, synthesizes,
// and says which configuration it used and what it wrote. On failure only the error line is printed.
try {
  const { config, source, notices } = loadConfig();
  const app = buildApp(config);
  app.synth();
  const stacks = app.node.children.filter((c) => TerraformStack.isStack(c)).map((s) => s.node.id);
  // Warnings and notices only once synth succeeded: a failing synth prints its error line alone.
  for (const warning of administratorWarnings(config)) console.error(warning);
  for (const notice of notices) console.error(notice);
  const outdir = relative(process.cwd(), app.outdir);
  console.log(`synthesized ${stacks.join(', ')} from ${source} into ${outdir && !outdir.startsWith('..') ? outdir : app.outdir}/stacks`);
} catch (err) {
  exitOnKnownError(err);
}
