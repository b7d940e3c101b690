// The synth-time rule engine: runs every check over the model of one synthesized stack and applies the
// suppressions written on the resources ("//".logicAppsOauth.suppressions, see rules/suppress.ts).
// Used at synth (rules/guard.ts) and by the security report (tools/report.ts) on cdk.tf.json files.
import type { StackModel } from '../tools/synth-model';
import { CHECKS, contextOf } from './checks';
import { RULES as CATALOG, ruleInfo } from './catalog';

export interface Finding {
  ruleId: string;
  severity: 'error' | 'warning';
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

export const RULES: ReadonlyArray<{ id: string; severity: 'error' | 'warning'; title: string; prevents: string }> = CATALOG;

const ruleOrder = new Map(CATALOG.map((r, i) => [r.id, i]));

/** Runs every rule over one stack. Deterministic order: rule id, then construct path, address, message. */
export function runRules(model: StackModel): Finding[] {
  const ctx = contextOf(model);
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    for (const raw of check(ctx)) {
      const info = ruleInfo(raw.ruleId);
      const suppression = raw.resource?.annotations.suppressions?.find((s) => s.id === raw.ruleId);
      findings.push({
        ruleId: raw.ruleId,
        severity: info.severity,
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
