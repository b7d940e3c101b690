import { loadConfig } from './config/load';
import { buildApp } from './app';
import { exitOnKnownError } from './tools/errors';

// Reads the configuration (LOGIC_APPS_CONFIG or the embedded default), builds the stacks, synthesizes.
try {
  buildApp(loadConfig()).synth();
} catch (err) {
  exitOnKnownError(err);
}
