// The synth entry's output channels (main.ts), chosen for both ways of running it:
// - `npm run synth` runs main.ts directly: stdout and stderr reach the terminal as they are.
// - `npx cdktf synth` runs it as its app command (cdktf.json "app"): the CLI prints every stderr line
//   as `[ERROR] default - <line>` and every stdout line as it is (node_modules/@cdktf/commons/src/util.js,
//   shell(): stdout chunks go to console.log, stderr chunks to the error logger; checked with the real CLI).
// So an error goes to stderr, an error under both; a notice (a suppressed rule finding, a rule warning,
// the earlier config format in use) and the success line go to stdout: a plain line under both, never
// labelled ERROR. rules/guard.ts prints its notices the same way.
//
// This file imports nothing that loads cdktf or the providers, so a configuration error exits before
// they are loaded (main.ts loads the app only after the configuration is valid).
import { ConfigError } from './config/load';

/** Prints a notice (not an error) on stdout; see the file comment. */
export function printNotice(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Prints a configuration or rule error (or a cdktf construct validation failure) as its message on
 * stderr and exits 1; anything else is a bug and keeps its stack trace.
 */
export function exitOnKnownError(err: unknown): never {
  // RuleError is recognized by name: importing rules/guard would load cdktf before the configuration is read.
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'RuleError')) {
    console.error(err.message);
    process.exit(1);
  }
  if (err instanceof Error && /^(App-level validation|Validation) failed with the following errors:/.test(err.message)) {
    console.error(err.message.trim());
    process.exit(1);
  }
  throw err;
}
