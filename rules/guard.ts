// Runs the rules at synth time, before anything is written.
//
// cdktf 0.21 validates each stack right before writing THAT stack's cdk.tf.json, and validates the app
// after writing all of them: a failing rule on the second stack would leave the first one written.
// attachRules() therefore wraps app.synth(): prepare every stack, resolve each one to Terraform JSON once,
// run the rules over all of them, and only when no unsuppressed error remains let cdktf write the files,
// reusing the resolved JSON (one toTerraform per stack, not two). A node validation on every stack is
// also added, so `Testing.synth(stack, true)` and any other synth path check the same rules.
import { App, Aspects, TerraformStack } from 'cdktf';
import { buildStackModel, TfJson } from '../model/stack-model';
import { blockingFindings, Finding, formatFinding, runRules } from './engine';

/** Unsuppressed rule errors: synth stopped before writing any file. */
export class RuleError extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    super(
      [
        `rule check failed: ${findings.length} error${findings.length === 1 ? '' : 's'}; nothing was written (fix them, or suppressRule(construct, id, reason) with a written reason)`,
        ...findings.map((f) => `error ${formatFinding(f)}`),
      ].join('\n'),
    );
    this.name = 'RuleError';
  }
}

/**
 * Where warnings and suppressed findings are printed: stdout, because the cdktf CLI labels every stderr
 * line of the app as [ERROR] (synth-errors.ts). Tests may silence it.
 */
export let ruleOutput: (line: string) => void = (line) => process.stdout.write(`${line}\n`);
export function setRuleOutput(output: (line: string) => void): void {
  ruleOutput = output;
}

interface Evaluated {
  readonly json: TfJson;
  readonly findings: Finding[];
}

const evaluated = new WeakMap<TerraformStack, Evaluated>();

/** Resolves `stack` to Terraform JSON (once; cached) and runs the rules over it. The stack must be prepared. */
export function evaluateStack(stack: TerraformStack): Evaluated {
  const cached = evaluated.get(stack);
  if (cached) return cached;
  const json = stack.toTerraform() as TfJson;
  const result = { json, findings: runRules(buildStackModel({ name: stack.node.id, json })) };
  evaluated.set(stack, result);
  return result;
}

function stacksOf(app: App): TerraformStack[] {
  return app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
}

/**
 * Prepares every stack of `app`, resolves it and runs the rules, without writing anything.
 * Returns every finding (errors, warnings, suppressed) of every stack.
 */
export function evaluateApp(app: App): { stacks: Map<string, TfJson>; findings: Finding[] } {
  const stacks = stacksOf(app);
  stacks.forEach((stack) => stack.prepareStack());
  const result = new Map<string, TfJson>();
  const findings: Finding[] = [];
  for (const stack of stacks) {
    const { json, findings: found } = evaluateStack(stack);
    result.set(stack.node.id, json);
    findings.push(...found);
  }
  return { stacks: result, findings };
}

const attached = new WeakSet<App>();

/** Makes `app.synth()` run the rules over every stack first; see the file comment. Idempotent. */
export function attachRules(app: App): App {
  if (attached.has(app)) return app;
  attached.add(app);
  for (const stack of stacksOf(app)) {
    stack.node.addValidation({ validate: () => blockingFindings(evaluateStack(stack).findings).map(formatFinding) });
  }
  const synth = app.synth.bind(app);
  app.synth = () => {
    const stacks = stacksOf(app);
    const { findings } = evaluateApp(app);
    for (const f of findings) {
      if (f.suppressed !== undefined) ruleOutput(`suppressed ${formatFinding(f)}`);
      else if (f.severity === 'warning') ruleOutput(`warning ${formatFinding(f)}`);
    }
    const blocking = blockingFindings(findings);
    if (blocking.length > 0) throw new RuleError(blocking);
    // Other construct validations too, before any file is written (cdktf throws its own error).
    stacks.forEach((stack) => stack.runAllValidations());

    // Aspects run inside cdktf's synth and may change the tree: then the JSON must be resolved again.
    const hasAspects = app.node.findAll().some((c) => Aspects.of(c).all.length > 0);
    const restore: Array<() => void> = [];
    if (!hasAspects) {
      for (const stack of stacks) {
        const { json } = evaluateStack(stack);
        const own = Object.getOwnPropertyDescriptor(stack, 'toTerraform');
        const ownPrepare = Object.getOwnPropertyDescriptor(stack, 'prepareStack');
        stack.toTerraform = () => json;
        stack.prepareStack = () => undefined; // already prepared above
        restore.push(() => {
          if (own) Object.defineProperty(stack, 'toTerraform', own);
          else delete (stack as Partial<TerraformStack>).toTerraform;
          if (ownPrepare) Object.defineProperty(stack, 'prepareStack', ownPrepare);
          else delete (stack as Partial<TerraformStack>).prepareStack;
        });
      }
    } else {
      stacks.forEach((stack) => evaluated.delete(stack));
    }
    try {
      synth();
    } finally {
      restore.forEach((undo) => undo());
    }
  };
  return app;
}
