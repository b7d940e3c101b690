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

export function annotate(resource: TerraformResource, annotations: ResourceAnnotations): void {
  for (const [key, value] of Object.entries(annotations)) {
    resource.addOverride(`//.${ANNOTATION_KEY}.${key}`, value);
  }
}

export function markExternalAudience(resource: TerraformResource, audience: string, reason: string): void {
  annotate(resource, { externalAudience: { audience, reason } });
}
