// `npm run report -- --base <base synth dir> [<head synth dir>] [--fail-on widen] [--changes-only]
// [--out FILE]`: the "Access changes" section (base -> head), then the head's full security report.
// Exit 0; 1 with --fail-on widen when a change widens access; 2 with one line on bad input (a missing
// or unreadable directory, a stack the model cannot read, an unwritable --out, an unknown --fail-on value).
import { existsSync, writeFileSync } from 'node:fs';
import { buildStackModel } from '../../model/stack-model';
import { readSynthStacks, SynthStack } from '../../model/synth-output';
import { renderReport, ReportOptions } from '../report/render';
import { AccessDiff, diffAccess } from './diff';
import { stackAccess } from './project';
import { renderAccessDiff } from './render';

export const FAIL_ON = ['widen'] as const;

export interface AccessDiffOptions {
  /** Synth output of the base (cdktf.out of the merge base). */
  readonly base: string;
  /** Synth output of the head. @default "cdktf.out" */
  readonly head?: string;
  /** Exit 1 when any change has this severity. */
  readonly failOn?: string;
  /** Print only the "Access changes" section, not the head's full report. */
  readonly changesOnly?: boolean;
  /** Also write the Markdown to this file. */
  readonly out?: string;
}

/**
 * The access diff of two synths' stacks. A stack whose Terraform JSON is the same on both sides has no
 * access change (the diff is a function of the JSON), so it is not modelled at all: most pull requests
 * leave most stacks alone.
 */
export function accessDiffOf(base: readonly SynthStack[], head: readonly SynthStack[]): AccessDiff {
  const text = (s: SynthStack) => JSON.stringify(s.json);
  const headText = new Map(head.map((s) => [s.name, text(s)]));
  const unchanged = new Set(base.filter((s) => headText.get(s.name) === text(s)).map((s) => s.name));
  const changed = (stacks: readonly SynthStack[]) => stacks.filter((s) => !unchanged.has(s.name)).map((s) => stackAccess(buildStackModel(s)));
  return diffAccess(changed(base), changed(head));
}

/** "Access changes" followed by the head's security report (unless `changesOnly`). */
export function renderAccessReport(diff: AccessDiff, head: readonly SynthStack[], options: { changesOnly?: boolean; report?: ReportOptions } = {}): string {
  const section = renderAccessDiff(diff);
  return options.changesOnly ? section : `${section}\n${renderReport(head, options.report)}`;
}

/** Where a command prints: raw text to stdout, whole lines (a newline is added) to stderr. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (line: string) => void;
}

/** The process's own stdout and stderr. */
export const processIo: Io = { stdout: (text) => process.stdout.write(text), stderr: (line) => console.error(line) };

function readSide(which: 'base' | 'head', dir: string, io: Io): SynthStack[] | undefined {
  if (!existsSync(dir)) {
    io.stderr(
      which === 'base'
        ? `report: base directory ${dir} does not exist (synthesize the base first, e.g. \`git worktree add ../base <merge base> && (cd ../base && npm ci && npm run synth)\`, and pass ../base/cdktf.out)`
        : `report: ${dir} does not exist (run \`npm run synth\` first, or pass the head's synth output directory)`,
    );
    return undefined;
  }
  try {
    return readSynthStacks(dir);
  } catch (err) {
    io.stderr(`report: cannot read the ${which} synth in ${dir}: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** Runs the access diff command; returns the exit code. */
export function runAccessDiff(options: AccessDiffOptions, io: Io = processIo): number {
  if (options.failOn !== undefined && !(FAIL_ON as readonly string[]).includes(options.failOn)) {
    io.stderr(`report: --fail-on ${options.failOn} is not known; use --fail-on widen (exit 1 when a change widens access)`);
    return 2;
  }
  const base = readSide('base', options.base, io);
  if (!base) return 2;
  const head = readSide('head', options.head ?? 'cdktf.out', io);
  if (!head) return 2;
  let diff: AccessDiff;
  let markdown: string;
  try {
    diff = accessDiffOf(base, head);
    markdown = renderAccessReport(diff, head, { changesOnly: options.changesOnly });
  } catch (err) {
    // A synth the model cannot read (hand-edited JSON of an unexpected shape): exit 2 like any bad input,
    // never 1, which --fail-on widen (and CI) read as "a change widens access".
    io.stderr(`report: cannot compare ${options.base} with ${options.head ?? 'cdktf.out'}: ${(err as Error).message.split('\n')[0]}`);
    return 2;
  }
  if (options.out) {
    try {
      writeFileSync(options.out, markdown);
    } catch (err) {
      io.stderr(`report: cannot write ${options.out}: ${(err as Error).message.split('\n')[0]}`);
      return 2;
    }
  }
  io.stdout(markdown);
  const widening = diff.changes.filter((c) => c.severity === 'widens').length;
  if (options.failOn === 'widen' && widening > 0) {
    io.stderr(`report: ${widening} change${widening === 1 ? ' widens' : 's widen'} access (--fail-on widen); see "Access changes"`);
    return 1;
  }
  return 0;
}
