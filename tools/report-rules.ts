// The report's access to the synth-time rule engine (rules/engine.ts). `RuleEngine` lets tests and
// other callers pass their own engine (or none) to renderReport.
import { Finding, runRules } from '../rules/engine';
import type { StackModel } from './synth-model';

export type { Finding };

export interface RuleEngine {
  runRules(model: StackModel): Finding[];
}

/** The project's rule engine. */
export function loadRuleEngine(): RuleEngine | undefined {
  return { runRules };
}
