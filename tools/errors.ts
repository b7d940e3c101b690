import { ConfigError } from '../config/load';

/**
 * Prints a configuration or rule error as its one-line message and exits 1; anything else is a bug
 * and keeps its stack trace.
 */
export function exitOnKnownError(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
