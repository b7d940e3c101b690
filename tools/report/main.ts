// The entry of `npm run report` (usage: command.ts, which tests call in process): sets the exit code.
import { runReport } from './command';

process.exitCode = runReport(process.argv.slice(2));
