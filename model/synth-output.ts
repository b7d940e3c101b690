// Reading the output of one synth: cdktf writes cdktf.out/manifest.json naming the stacks it just
// synthesized; folders left under cdktf.out/stacks by an earlier synth are not part of it.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/**
 * A JSON value as parsed from cdk.tf.json. Terraform arguments are free-form (each resource type has its
 * own schema), so readers narrow them where they use them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformValue = any;

/** The top-level blocks of a synthesized stack (cdk.tf.json). */
export interface TfJson {
  readonly resource?: Record<string, Record<string, TerraformValue>>;
  readonly data?: Record<string, Record<string, TerraformValue>>;
  readonly output?: Record<string, TerraformValue>;
  readonly provider?: Record<string, TerraformValue[]>;
}

/** One synthesized stack: its name and its Terraform JSON. */
export interface SynthStack {
  readonly name: string;
  readonly json: TfJson;
}

/** Thrown when a directory holds no readable synth output; the message is one line naming the fix. */
export class SynthOutputError extends Error {}

interface Manifest {
  readonly stacks?: Record<string, { readonly name?: string; readonly synthesizedStackPath?: string }>;
}

function readJson(file: string): TfJson {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SynthOutputError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  // cdktf writes one object per stack; anything else (null, an array, a string) is not a synthesized stack.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SynthOutputError(`cannot read ${file}: not a synthesized stack (expected a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}); run \`npm run synth\` again`);
  }
  return json as TfJson;
}

/**
 * The stacks of the synth in `dir`: the ones cdktf.out/manifest.json lists (sorted by name). `dir` may
 * also be a single stack folder holding cdk.tf.json (its folder name is the stack name).
 */
export function readSynthStacks(dir = 'cdktf.out'): SynthStack[] {
  if (existsSync(join(dir, 'cdk.tf.json'))) {
    return [{ name: basename(resolve(dir)), json: readJson(join(dir, 'cdk.tf.json')) }];
  }
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new SynthOutputError(`${manifestFile} not found: run \`npm run synth\` first, or pass the synth output directory`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch (err) {
    throw new SynthOutputError(`cannot read ${manifestFile}: ${(err as Error).message.split('\n')[0]}`);
  }
  return Object.entries(manifest.stacks ?? {})
    .map(([key, entry]) => ({ name: entry.name ?? key, file: join(dir, entry.synthesizedStackPath ?? join('stacks', key, 'cdk.tf.json')) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, file }) => ({ name, json: readJson(file) }));
}
