// Facts a reviewer or rule needs that Terraform itself does not carry are written under the resource's
// "//" key, which Terraform ignores (it is the JSON syntax's comment key; cdktf keeps its metadata there).
// The constructs write them; the model reads them from cdk.tf.json.

/** The key under "//" that holds this product's annotations. */
export const ANNOTATION_KEY = 'logicAppsOauth';

/** Annotations of one Terraform resource. */
export interface ResourceAnnotations {
  /** The audience requested by this action is issued outside this app, on purpose. */
  externalAudience?: { audience: string; reason: string };
  /** Rules suppressed on this resource, each with its written reason. */
  suppressions?: Array<{ id: string; reason: string }>;
  /**
   * What an HTTP action calls, recorded by the construct that wrote it: the construct path of the
   * called workflow or API Management API (its resource, or the construct whose `Resource` child it is).
   * Readers fall back to the URI when absent.
   */
  callTarget?: string;
  /**
   * The call is a deny test: it must be refused (a sender its receiver does not admit, a probe). The
   * reason is shown in the report; a refusal is then the intended outcome, an acceptance a finding.
   */
  expectedRefusal?: string;
}
