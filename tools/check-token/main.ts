// The entry of `npm run check-token` (usage: command.ts, which tests call in process): sets the exit code.
import { runCheckToken } from './command';

runCheckToken(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
