// Shared synth for tests: ONE synth per distinct configuration per `npm test` run, shared by every test file.
//
//   import { synthApp, modelOf } from './support/synth';
//   const out = synthApp(withDefaults((c) => (c.protect = true)));   // raw config; default: DEFAULT_CONFIG
//   out.files['logic-apps-oauth']   // cdk.tf.json text, byte for byte what `npm run synth` writes
//   out.json['logic-apps-oauth']    // the same, parsed (a fresh copy per call: mutate freely)
//   modelOf(out, 'logic-apps-oauth') // the synth model of one stack
//
// synthApp(raw) validates raw with parseConfig and synthesizes the whole app through buildApp(...).synth(),
// rules included, exactly like main.ts. The result is kept under a hash of the raw config (JSON with sorted
// keys): in memory for the test file, and in a directory that jest's globalSetup creates for the run
// (__tests__/support/global-setup.js) so that the other files and the other worker read it instead of
// synthesizing again. A file whose configs are all cached never loads cdktf or the providers (~0.3 s of
// CPU per file): this module loads the app lazily, on a miss. Invalid configs are not cached (parseConfig
// throws ConfigError on every call).
//
// Use synthAppFresh(raw) where the synth itself is under test (determinism, errors thrown by synth) or
// where the test file mocks one of our modules: it always synthesizes and never reads the cache. Prefer
// synthApp everywhere else, and a config that other files already use (DEFAULT_CONFIG, small withDefaults
// patches) over a new variant. The saving is lost if the test file imports cdktf anyway: import names and
// constants from modules that do not (domain/, model/), not from stacks/ or constructs/.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackModel, TfJson } from '../../model/stack-model';
import { DEFAULT_CONFIG } from '../../config/default';

export interface SynthOutput {
  /** cdk.tf.json text per stack, exactly as `npm run synth` writes it. */
  readonly files: Record<string, string>;
  /** The same, parsed: a fresh copy on every synthApp call. */
  readonly json: Record<string, TfJson>;
}

/** Environment variable naming the run's cache directory (set by global-setup.js, inherited by the workers). */
export const SYNTH_CACHE_ENV = 'LA_OAUTH_TEST_SYNTH_CACHE';

const memory = new Map<string, Record<string, string>>();
/** Synths this process ran, and cache hits (memory or run directory): for __tests__/shared-synth.test.ts. */
export const synthStats = { synthesized: 0, memoryHits: 0, diskHits: 0 };

/** JSON with object keys sorted at every level: equal configs built in a different key order hash alike. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

export function configKey(raw: unknown): string {
  return createHash('sha256').update(stableJson(raw) ?? 'undefined').digest('hex').slice(0, 32);
}

function withJson(files: Record<string, string>): SynthOutput {
  const json: Record<string, TfJson> = {};
  for (const [stack, text] of Object.entries(files)) json[stack] = JSON.parse(text);
  return { files: { ...files }, json };
}

/** Synthesizes for real into a temp dir (nothing cached, nothing read from a cache). */
function synthFiles(raw: unknown): Record<string, string> {
  // Loaded here, not at the top: a test file served from the cache never loads cdktf and the providers.
  const { buildApp } = require('../../app') as typeof import('../../app');
  const { parseConfig } = require('../../config/load') as typeof import('../../config/load');
  const outdir = mkdtempSync(join(tmpdir(), 'la-oauth-test-'));
  try {
    buildApp(parseConfig(raw), { outdir }).synth();
    synthStats.synthesized++;
    const files: Record<string, string> = {};
    for (const stack of readdirSync(join(outdir, 'stacks')).sort()) {
      files[stack] = readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
    }
    return files;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function readRunCache(file: string): Record<string, string> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // not there yet (or another worker is writing it under a temp name)
  }
}

function writeRunCache(dir: string, file: string, files: Record<string, string>): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(files));
    renameSync(tmp, file); // atomic: the other worker reads the whole file or none
  } catch {
    // a read-only or vanished temp dir only costs the other files a synth of their own
  }
}

/** The whole app synthesized for a raw config, once per run (see the top of this file). */
export function synthApp(raw: unknown = DEFAULT_CONFIG): SynthOutput {
  const key = configKey(raw);
  const known = memory.get(key);
  if (known) {
    synthStats.memoryHits++;
    return withJson(known);
  }
  const dir = process.env[SYNTH_CACHE_ENV];
  const file = dir ? join(dir, `${key}.json`) : undefined;
  let files = file ? readRunCache(file) : undefined;
  if (files) {
    synthStats.diskHits++;
  } else {
    files = synthFiles(raw);
    if (dir && file) writeRunCache(dir, file, files);
  }
  memory.set(key, files);
  return withJson(files);
}

/** Always a new synth, never cached: for tests of the synth itself (determinism, synth-time errors). */
export function synthAppFresh(raw: unknown = DEFAULT_CONFIG): SynthOutput {
  return withJson(synthFiles(raw));
}

export function modelOf(output: SynthOutput, stack: string): StackModel {
  const json = output.json[stack];
  if (!json) throw new Error(`stack ${stack} not synthesized (have: ${Object.keys(output.json).join(', ')})`);
  const { buildStackModel } = require('../../model/stack-model') as typeof import('../../model/stack-model');
  return buildStackModel({ name: stack, json });
}
