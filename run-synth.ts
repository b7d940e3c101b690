import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from './config/load';
import { administratorWarnings } from './config/administrators';
import { knownErrorExitCode, processOutput, SynthOutput } from './synth-errors';

/**
 * The synth (`npm run synth`, the cdktf CLI's app command; main.ts is its entry): reads the configuration
 * (LOGIC_APPS_CONFIG of `env`, or the embedded default), builds the stacks, synthesizes into CDKTF_OUTDIR
 * of `env` (or cdktf.out), and says which configuration it used and what it wrote. On failure only the
 * error line is printed and 1 is returned; a bug (any other error) is thrown with its stack trace. It never
 * exits the process: main.ts does, so that tests can run the whole synth in process.
 *
 * The app (cdktf and the providers) is loaded only once the configuration is valid, so a bad file fails
 * fast. Which line goes to stdout and which to stderr: synth-errors.ts. cdktf reads its other variables
 * (CDKTF_CONTEXT_JSON, SYNTH_HCL_OUTPUT, ...) from process.env itself.
 */
export function runSynth(env: NodeJS.ProcessEnv = process.env, output: SynthOutput = processOutput): number {
  // cdktf's App creates its output directory and stacks/ when it is constructed, before the rules and
  // validations run: on failure, remove the ones this run created (only while empty), so a failed synth
  // leaves no trace. The outdir as the App would choose it without an explicit one (CDKTF_OUTDIR, set by
  // the cdktf CLI, or cdktf.out), passed to it explicitly so that `env` decides.
  const outdirOption = env.CDKTF_OUTDIR ?? 'cdktf.out';
  const appOutdir = resolve(outdirOption);
  const createdByThisRun = [join(appOutdir, 'stacks'), appOutdir].filter((dir) => !existsSync(dir));
  try {
    const { config, source, notices } = loadConfig(env);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require('./app') as typeof import('./app');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TerraformStack } = require('cdktf') as typeof import('cdktf');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const guard = require('./rules/guard') as typeof import('./rules/guard');
    // Rule notices (suppressed findings, warnings) are printed during app.synth(): to this run's stdout.
    const previousRuleOutput = guard.ruleOutput;
    guard.setRuleOutput(output.stdout);
    let app;
    try {
      app = buildApp(config, { outdir: outdirOption });
      app.synth();
    } finally {
      guard.setRuleOutput(previousRuleOutput);
    }
    const stacks = app.node.children.filter((c) => TerraformStack.isStack(c)).map((s) => s.node.id);
    removeOtherStacks(join(app.outdir, 'stacks'), stacks);
    // Warnings and notices only once synth succeeded: a failing synth prints its error line alone.
    administratorWarnings(config).forEach((line) => output.stdout(line));
    notices.forEach((line) => output.stdout(line));
    const outdir = relative(process.cwd(), app.outdir);
    output.stdout(`synthesized ${stacks.join(', ')} from ${source} into ${outdir && !outdir.startsWith('..') ? outdir : app.outdir}/stacks`);
    return 0;
  } catch (err) {
    for (const dir of createdByThisRun) {
      try {
        rmdirSync(dir); // never recursive: a directory with anything in it stays
      } catch {
        // not created after all, or not empty
      }
    }
    return knownErrorExitCode(err, output);
  }
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
