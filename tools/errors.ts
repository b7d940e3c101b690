import { ConfigError } from '../config/load';
import { RuleError } from '../rules/guard';

/**
 * Prints a configuration or rule error (or a cdktf construct validation failure) as its message and
 * exits 1; anything else is a bug and keeps its stack trace.
 */
export function exitOnKnownError(err: unknown): never {
  if (err instanceof ConfigError || err instanceof RuleError) {
    console.error(err.message);
    process.exit(1);
  }
  if (err instanceof Error && /^(App-level validation|Validation) failed with the following errors:/.test(err.message)) {
    console.error(err.message.trim());
    process.exit(1);
  }
  throw err;
}
