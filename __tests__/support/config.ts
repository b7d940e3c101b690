import { DEFAULT_CONFIG } from '../../config/default';

// Kept apart from ./synth so that a test of the configuration alone does not load cdktf and the providers.

/** A deep copy of the default config with changes applied (configs are plain JSON). */
export function withDefaults(patch: (config: Record<string, any>) => void): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
  patch(copy);
  return copy;
}
