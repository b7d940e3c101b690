// The synth entry (`npm run synth`, and the cdktf CLI's app command in cdktf.json). The synth itself is
// runSynth (run-synth.ts), a function tests call in process; this file only turns its result into the
// process's exit: exit 1 at once on a configuration, rule or validation error (its line is printed), a bug
// keeps its stack trace (uncaught), success ends normally.
import { runSynth } from './run-synth';

const code = runSynth();
if (code !== 0) process.exit(code);
