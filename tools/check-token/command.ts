// npm run check-token -- <token or file> [--stack S] [--receiver R] [--jwks FILE] [--state FILE] [--dir DIR] [--now TIME]
// Exit 0 accepted, 1 refused, 2 bad input, 3 undecided (claims need --state). Logic: check-token.ts; the entry
// (process exit code) is main.ts.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSynthStacks, SynthOutputError } from '../../model/synth-output';
import type { Io } from '../access-diff/command';
import { BadInput, checkToken, EXIT, tokenFromArgument } from './check-token';

const USAGE =
  'usage: npm run check-token -- <token or file> [--stack S] [--receiver R] [--jwks FILE] [--state FILE] [--dir DIR] [--now ISO|epoch]';

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadInput(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadInput(`${what} ${file} is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}

function parseNow(value: string): number {
  const seconds = /^\d+$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds)) throw new BadInput(`--now ${value} is neither an ISO date nor epoch seconds`);
  return Math.floor(seconds);
}

function readStacks(dir: string) {
  try {
    return readSynthStacks(dir);
  } catch (err) {
    if (err instanceof SynthOutputError) throw new BadInput(err.message);
    throw err;
  }
}

/** The process's own stdout and stderr. */
const processIo: Io = { stdout: (text) => process.stdout.write(text), stderr: (line) => console.error(line) };

/** Runs `npm run check-token` with its arguments (after the `--`); resolves to the exit code, never exits. */
export async function runCheckToken(args: readonly string[], io: Io = processIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          stack: { type: 'string' },
          receiver: { type: 'string' },
          jwks: { type: 'string' },
          state: { type: 'string' },
          dir: { type: 'string' },
          now: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      throw new BadInput(`${(err as Error).message} (${USAGE})`);
    }
    if (parsed.values.help) {
      io.stdout(`${USAGE}\n`);
      return EXIT.accepted;
    }
    if (parsed.positionals.length !== 1) throw new BadInput(`one token or token file expected (${USAGE})`);
    const token = tokenFromArgument(parsed.positionals[0]);
    const dir = parsed.values.dir ?? 'cdktf.out';
    if (!existsSync(dir)) throw new BadInput(`${dir} does not exist (run \`npm run synth\` first, or pass --dir)`);
    const result = await checkToken({
      token,
      stacks: readStacks(dir),
      stack: parsed.values.stack,
      receiver: parsed.values.receiver,
      jwks: parsed.values.jwks ? readJsonFile(parsed.values.jwks, 'JWKS') : undefined,
      state: parsed.values.state ? (readJsonFile(parsed.values.state, 'state file') as never) : undefined,
      now: parsed.values.now ? parseNow(parsed.values.now) : undefined,
    });
    io.stdout(`${result.lines.join('\n')}\n`);
    return result.exitCode;
  } catch (err) {
    if (err instanceof BadInput) {
      io.stderr(`check-token: ${err.message}`);
      return EXIT.badInput;
    }
    throw err;
  }
}
