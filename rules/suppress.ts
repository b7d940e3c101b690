import { IConstruct } from 'constructs';
import { TerraformResource } from 'cdktf';
import { annotate } from '../constructs/annotations';
import { RULE_IDS } from './catalog';

/**
 * Suppresses rule `ruleId` on every Terraform resource under `scope` (the construct itself included),
 * with a written reason that appears in the synth output and the security report. The reason is
 * mandatory: say why the finding is intended, not just that it is.
 *
 * @example suppressRule(probe, 'LA001', 'wrong-audience probe: must be refused with MisMatchingOAuthClaims')
 */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string): void {
  if (!RULE_IDS.has(ruleId)) {
    throw new Error(`suppressRule: unknown rule id "${ruleId}" on ${scope.node.path}; use one of ${[...RULE_IDS].join(', ')}`);
  }
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new Error(`suppressRule: ${ruleId} on ${scope.node.path} needs a written reason; say why the finding is intended`);
  }
  const resources = scope.node.findAll().filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c));
  if (resources.length === 0) {
    throw new Error(`suppressRule: ${scope.node.path} holds no Terraform resource; suppress ${ruleId} on the construct that creates the resource`);
  }
  for (const resource of resources) annotate(resource, { suppressions: [{ id: ruleId, reason: reason.trim() }] });
}
