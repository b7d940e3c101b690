import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from './config/load';
import { administratorWarnings } from './config/administrators';
import { exitOnKnownError, printNotice } from './synth-errors';

// Reads the configuration (LOGIC_APPS_CONFIG or the embedded default), builds the stacks, synthesizes,
// and says which configuration it used and what it wrote. On failure only the error line is printed.
// The app (cdktf and the providers) is loaded only once the configuration is valid, so a bad file fails
// fast. Which line goes to stdout and which to stderr: synth-errors.ts.
// cdktf's App creates its output directory and stacks/ when it is constructed, before the rules and
// validations run: on failure, remove the ones this run created (only while empty), so a failed synth
// leaves no trace. The App's default outdir: CDKTF_OUTDIR (set by the cdktf CLI) or cdktf.out.
const appOutdir = resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
const createdByThisRun = [join(appOutdir, 'stacks'), appOutdir].filter((dir) => !existsSync(dir));
try {
  const { config, source, notices } = loadConfig();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require('./app') as typeof import('./app');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TerraformStack } = require('cdktf') as typeof import('cdktf');
  const app = buildApp(config);
  app.synth();
  const stacks = app.node.children.filter((c) => TerraformStack.isStack(c)).map((s) => s.node.id);
  removeOtherStacks(join(app.outdir, 'stacks'), stacks);
  // Warnings and notices only once synth succeeded: a failing synth prints its error line alone.
  administratorWarnings(config).forEach(printNotice);
  notices.forEach(printNotice);
  const outdir = relative(process.cwd(), app.outdir);
  console.log(`synthesized ${stacks.join(', ')} from ${source} into ${outdir && !outdir.startsWith('..') ? outdir : app.outdir}/stacks`);
} catch (err) {
  for (const dir of createdByThisRun) {
    try {
      rmdirSync(dir); // never recursive: a directory with anything in it stays
    } catch {
      // not created after all, or not empty
    }
  }
  exitOnKnownError(err);
}

/**
 * Removes the directories of stacks an earlier synth wrote and this one did not (e.g. the demo's API
 * Management stacks after switching to a file without them), as `cdktf synth` does (@cdktf/cli-core
 * synth-stack.js, orphaned directories): cdktf.out/stacks then holds only what the configuration asks for.
 */
function removeOtherStacks(dir: string, written: readonly string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !written.includes(entry.name)) rmSync(join(dir, entry.name), { recursive: true, force: true });
  }
}
