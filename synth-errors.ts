// The synth entry's output channels (run-synth.ts), chosen for both ways of running it:
// - `npm run synth` runs main.ts directly: stdout and stderr reach the terminal as they are.
// - `npx cdktf synth` runs it as its app command (cdktf.json "app"): the CLI prints every stderr line
//   as `[ERROR] default - <line>` and every stdout line as it is (node_modules/@cdktf/commons/src/util.js,
//   shell(): stdout chunks go to console.log, stderr chunks to the error logger; checked with the real CLI).
// So an error goes to stderr, an error under both; a notice (a suppressed rule finding, a rule warning,
// the earlier config format in use) and the success line go to stdout: a plain line under both, never
// labelled ERROR. rules/guard.ts prints its notices the same way (run-synth.ts routes them to its output).
//
// This file imports nothing that loads cdktf or the providers, so a configuration error exits before
// they are loaded (run-synth.ts loads the app only after the configuration is valid).
import { ConfigError } from './config/load';

/** Where the synth prints: each call is one line (or several joined by "\n"), printed with a newline. */
export interface SynthOutput {
  /** The success line and notices (see the file comment). */
  readonly stdout: (line: string) => void;
  /** Errors. */
  readonly stderr: (line: string) => void;
}

/** The process's own stdout and stderr: what `npm run synth` and `npx cdktf synth` see. */
export const processOutput: SynthOutput = {
  stdout: (line) => void process.stdout.write(`${line}\n`),
  stderr: (line) => void process.stderr.write(`${line}\n`),
};

/**
 * Prints a configuration or rule error (or a cdktf construct validation failure) as its message on
 * stderr and returns the exit code, 1; anything else is a bug and is rethrown with its stack trace.
 */
export function knownErrorExitCode(err: unknown, output: SynthOutput = processOutput): 1 {
  // RuleError is recognized by name: importing rules/guard would load cdktf before the configuration is read.
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'RuleError')) {
    output.stderr(err.message);
    return 1;
  }
  if (err instanceof Error && /^(App-level validation|Validation) failed with the following errors:/.test(err.message)) {
    output.stderr(err.message.trim());
    return 1;
  }
  throw err;
}
