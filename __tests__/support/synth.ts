import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../app';
import { parseConfig } from '../../config/load';
import { DEFAULT_CONFIG } from '../../config/default';
import { buildStackModel, readSynthDir, StackModel, TfJson } from '../../tools/synth-model';

export interface SynthOutput {
  /** cdk.tf.json text per stack, exactly as `npm run synth` writes it. */
  readonly files: Record<string, string>;
  readonly json: Record<string, TfJson>;
}

/** Synthesizes the whole app for a raw config (validated like main.ts does) into a temp dir. */
export function synthApp(raw: unknown = DEFAULT_CONFIG): SynthOutput {
  const outdir = mkdtempSync(join(tmpdir(), 'la-oauth-test-'));
  try {
    buildApp(parseConfig(raw), { outdir }).synth();
    const files: Record<string, string> = {};
    const json: Record<string, TfJson> = {};
    for (const stack of readSynthDir(outdir)) {
      files[stack.name] = readFileSync(join(outdir, 'stacks', stack.name, 'cdk.tf.json'), 'utf8');
      json[stack.name] = stack.json;
    }
    return { files, json };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function modelOf(output: SynthOutput, stack: string): StackModel {
  const json = output.json[stack];
  if (!json) throw new Error(`stack ${stack} not synthesized (have: ${Object.keys(output.json).join(', ')})`);
  return buildStackModel({ name: stack, json });
}
