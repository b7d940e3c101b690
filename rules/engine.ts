// Runs the rule pack over the model of one synthesized stack and applies the suppressions written on
// the resources ("//".logicAppsOauth.suppressions, see constructs/annotations.ts suppressRule).
// Used at synth (rules/guard.ts) and by the security report on cdk.tf.json files.
import { simulatedBindings } from '../model/entra';
import type { StackModel } from '../model/stack-model';
import { predictCalls } from '../model/verdict';
import { RULES } from './pack';
import type { Rule, RuleContext, Severity } from './rule';

export { RULES };
export type { Rule, Severity };

export interface Finding {
  ruleId: string;
  severity: Severity;
  stack: string;
  /** Construct path of the resource the fix belongs to. */
  path: string;
  /** Terraform address (`type.name`, or `output.<name>`). */
  address: string;
  /** `<what is wrong, with the bad value>; <the fix>` (formatFinding adds the id and path). */
  message: string;
  /** The written reason, when the rule is suppressed on this resource. */
  suppressed?: string;
}

/** The context every check gets: model, simulated bindings, the verdict of each call. */
export function ruleContext(model: StackModel): RuleContext {
  return { model, bindings: simulatedBindings(model), verdicts: predictCalls(model) };
}

const ruleOrder = new Map<string, number>(RULES.map((r, i) => [r.id, i]));

/** Runs every rule over one stack. Deterministic order: rule id, then construct path, address, message. */
export function runRules(model: StackModel, rules: readonly Rule[] = RULES): Finding[] {
  const ctx = ruleContext(model);
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const raw of rule.check(ctx)) {
      const suppression = raw.resource?.annotations.suppressions?.find((s) => s.id === rule.id);
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        stack: model.name,
        path: raw.resource?.path ?? raw.path ?? model.name,
        address: raw.resource?.address ?? raw.address ?? '',
        message: raw.message,
        ...(suppression ? { suppressed: suppression.reason } : {}),
      });
    }
  }
  return findings.sort(
    (a, b) =>
      (ruleOrder.get(a.ruleId) ?? 999) - (ruleOrder.get(b.ruleId) ?? 999) ||
      cmp(a.stack, b.stack) ||
      cmp(a.path, b.path) ||
      cmp(a.address, b.address) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `<ruleId> <construct path>: <message>`, plus the reason when suppressed. One line. */
export function formatFinding(finding: Finding): string {
  const line = `${finding.ruleId} ${finding.path}: ${finding.message}`;
  return finding.suppressed !== undefined ? `${line} [suppressed: ${finding.suppressed}]` : line;
}

/** Findings that fail synth: errors that are not suppressed. */
export function blockingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error' && f.suppressed === undefined);
}
