// Adapter to the synth-time rule engine (rules/engine.ts, written separately). The report and its tests
// load it through here so they work whether or not the engine exists yet: a missing engine is reported
// as such in the report instead of failing the build.
import type { StackModel } from './synth-model';

export interface Finding {
  readonly ruleId: string;
  readonly severity: 'error' | 'warning';
  readonly stack: string;
  readonly path: string;
  readonly address: string;
  readonly message: string;
  /** The written reason, when the rule is suppressed on this resource. */
  readonly suppressed?: string;
}

export interface RuleEngine {
  runRules(model: StackModel): Finding[];
}

/** The rule engine, or undefined when rules/engine.ts does not exist (any other load error is a bug). */
export function loadRuleEngine(): RuleEngine | undefined {
  try {
    // A guarded require keeps tsc and the report working before rules/engine.ts lands.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../rules/engine') as Partial<RuleEngine>;
    return typeof mod.runRules === 'function' ? (mod as RuleEngine) : undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && /rules[\\/]engine/.test(String(e.message))) return undefined;
    throw err;
  }
}
