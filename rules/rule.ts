// What a rule is: its public id, severity, what it checks and prevents, where a suppression goes, and the
// check itself, a pure function over the model of one synthesized stack (model/). One file per rule in
// rules/pack/; the rule table of README.md and docs/rules.md is generated from these fields.
import type { ResourceRef, StackModel } from '../model/stack-model';
import type { CallVerdict } from '../model/verdict';
import type { Bindings } from '../model/entra';
import type { RuleId } from '../domain/rule-ids';

export type Severity = 'error' | 'warning';

/** A rule violation before suppressions are applied. */
export interface RawFinding {
  /** The resource the fix belongs to (its construct path is shown; its suppressions apply). */
  readonly resource?: ResourceRef;
  /** For findings without a resource (outputs). */
  readonly path?: string;
  readonly address?: string;
  /** `<what is wrong, with the bad value>; <the fix>` */
  readonly message: string;
}

/** What every check gets: the stack's model, its simulated bindings and the verdict of each call. */
export interface RuleContext {
  readonly model: StackModel;
  readonly bindings: Bindings;
  readonly verdicts: readonly CallVerdict[];
}

export interface Rule {
  readonly id: RuleId;
  readonly severity: Severity;
  /** What the rule checks (one sentence, Markdown). */
  readonly title: string;
  /** The Azure error or risk it prevents. */
  readonly prevents: string;
  /** Where a suppression goes (the construct whose resource gets the finding). */
  readonly suppressOn: string;
  readonly check: (ctx: RuleContext) => RawFinding[];
}
