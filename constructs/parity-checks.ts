// Construct-side use of the parity validators (domain/parity.ts): a construct user gets the same refusal
// as a config user, thrown from the constructor that received the value, before anything is synthesized.
// Values that are still Terraform references (tokens) are left to the provider and Azure at apply time.
import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { ipRangeProblem, locationProblem, stepNameProblem, tagNameProblem, tagSetProblem, tagValueProblem } from '../domain/parity';

/** Throws `<construct path>: <prop> = <value>: <problem>` when a literal value is refused. */
export function requireValid<T>(scope: Construct, prop: string, value: T | undefined, problemOf: (value: T) => string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const problem = problemOf(value);
  if (problem) throw new Error(`${scope.node.path}: ${prop} = ${JSON.stringify(value)}: ${problem}`);
}

/** Location and tags, checked for every resource construct that takes them. */
export function requireValidPlacement(scope: Construct, props: { readonly location?: string; readonly tags?: Readonly<Record<string, string>> }): void {
  requireValid(scope, 'location', props.location, locationProblem);
  const tags = props.tags;
  if (tags === undefined || Token.isUnresolved(tags)) return;
  for (const [name, value] of Object.entries(tags)) {
    requireValid(scope, 'tags (name)', name, tagNameProblem);
    requireValid(scope, `tags["${name}"]`, value, tagValueProblem);
  }
  const set = tagSetProblem(Object.keys(tags));
  if (set) throw new Error(`${scope.node.path}: tags: ${set.problem}`);
}

/** Each literal entry of an access-control IP range list (an unresolved list is left to the provider). */
export function requireValidIpRanges(scope: Construct, prop: string, ranges: readonly string[] | undefined): void {
  if (ranges === undefined || Token.isUnresolved(ranges)) return;
  ranges.forEach((range, i) => requireValid(scope, `${prop}[${i}]`, range, ipRangeProblem));
}

/** A workflow action or trigger name. */
export function requireValidStepName(scope: Construct, name: string): void {
  requireValid(scope, 'name', name, stepNameProblem);
}
