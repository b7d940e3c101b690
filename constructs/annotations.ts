import { IConstruct } from 'constructs';
import { TerraformResource } from 'cdktf';
import { ANNOTATION_KEY, ResourceAnnotations } from '../domain/annotations';
import { isRuleId, RULE_IDS } from '../domain/rule-ids';

export type { ResourceAnnotations };
export { ANNOTATION_KEY };

// addOverride replaces a value, so list-valued annotations are accumulated here and re-written whole.
const written = new WeakMap<TerraformResource, ResourceAnnotations>();

/**
 * Writes annotations under the resource's "//" key (see domain/annotations.ts). Scalar annotations are
 * replaced; `suppressions` are appended (one entry per rule id: a later reason for the same id replaces
 * the earlier one).
 */
export function annotate(resource: TerraformResource, annotations: ResourceAnnotations): void {
  const current = written.get(resource) ?? {};
  for (const [key, value] of Object.entries(annotations) as Array<[keyof ResourceAnnotations, unknown]>) {
    if (value === undefined) continue;
    if (key === 'suppressions') {
      const merged = [...(current.suppressions ?? [])];
      for (const entry of value as Array<{ id: string; reason: string }>) {
        const at = merged.findIndex((s) => s.id === entry.id);
        if (at >= 0) merged[at] = { ...entry };
        else merged.push({ ...entry });
      }
      current.suppressions = merged;
      resource.addOverride(`//.${ANNOTATION_KEY}.suppressions`, merged);
    } else {
      (current as Record<string, unknown>)[key] = value;
      resource.addOverride(`//.${ANNOTATION_KEY}.${key}`, value);
    }
  }
  written.set(resource, current);
}

export function markExternalAudience(resource: TerraformResource, audience: string, reason: string): void {
  annotate(resource, { externalAudience: { audience, reason } });
}

/**
 * Records on an HTTP action what it calls (a receiver workflow or an API), by construct path: the target
 * construct's main resource is the construct itself or its `Resource` child.
 */
export function recordCallTarget(action: TerraformResource, target: IConstruct): void {
  annotate(action, { callTarget: target.node.path });
}

/**
 * Suppresses rule `ruleId` on every Terraform resource under `scope` (the construct itself included),
 * with a written reason that appears in the synth output and the security report. The reason is
 * mandatory: say why the finding is intended, not just that it is.
 *
 * @example suppressRule(probe, 'LA001', 'wrong-audience probe: must be refused with MisMatchingOAuthClaims')
 */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string): void {
  if (!isRuleId(ruleId)) {
    throw new Error(`suppressRule: unknown rule id "${ruleId}" on ${scope.node.path}; use one of ${RULE_IDS.join(', ')}`);
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
