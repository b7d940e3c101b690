import { TerraformResource } from 'cdktf';

// Facts a reviewer or rule needs that Terraform itself does not carry are written under the resource's
// "//" key, which Terraform ignores (it is the JSON syntax's comment key; cdktf keeps its metadata there).
// The tools read them from cdk.tf.json, so they work on the synthesized output alone.
export const ANNOTATION_KEY = 'logicAppsOauth';

export interface ResourceAnnotations {
  /** The audience requested by this action is issued outside this app, on purpose. */
  externalAudience?: { audience: string; reason: string };
  /** Rules suppressed on this resource, each with its written reason. */
  suppressions?: Array<{ id: string; reason: string }>;
}

// addOverride replaces a value, so list-valued annotations are accumulated here and re-written whole.
const written = new WeakMap<TerraformResource, ResourceAnnotations>();

/**
 * Writes annotations under the resource's "//" key. Scalar annotations are replaced; `suppressions`
 * are appended (one entry per rule id: a later reason for the same id replaces the earlier one).
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
