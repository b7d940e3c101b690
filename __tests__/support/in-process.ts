// Runs a command's function (runSynth, runReport, runCheckToken, runAccessDiff) in the test's process,
// with what a child process would show: its exit code, its stdout and its stderr. A child process costs
// ~0.12 s CPU to start node and load the bundle (a full synth ~0.38 s), so tests of a command's logic
// call it here and only a few tests per entry point spawn it (each test file says which, and why).
//
// Output reaches the captured stdout/stderr through the command's sinks, and also when something writes
// around them (console.*, process.stdout/stderr.write), as it would in a child process; process.exit is
// refused (a command returns its exit code; only its entry file exits).

import { format as formatArgs } from 'node:util';

export interface Captured {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Sinks that take whole lines (the synth's SynthOutput) or raw text. */
export interface Sinks {
  readonly stdout: { line: (line: string) => void; text: (text: string) => void };
  readonly stderr: { line: (line: string) => void; text: (text: string) => void };
}

const CONSOLE_OUT = ['log', 'info', 'debug'] as const;
const CONSOLE_ERR = ['error', 'warn', 'trace'] as const;

function capture() {
  let stdout = '';
  let stderr = '';
  const sinks: Sinks = {
    stdout: { line: (line) => void (stdout += `${line}\n`), text: (text) => void (stdout += text) },
    stderr: { line: (line) => void (stderr += `${line}\n`), text: (text) => void (stderr += text) },
  };
  const format = (args: unknown[]) => `${formatArgs(...args)}\n`;
  const spies: Array<{ mockRestore(): void }> = [
    ...CONSOLE_OUT.map((m) => jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void (stdout += format(args)))),
    ...CONSOLE_ERR.map((m) => jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void (stderr += format(args)))),
    jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`process.exit(${code}) called in process: a command returns its exit code`);
    }) as never),
  ];
  return { sinks, spies, result: (status: number): Captured => ({ status, stdout, stderr }) };
}

/** Runs a synchronous command; also captures direct writes to process.stdout/stderr. */
export function runInProcess(command: (sinks: Sinks) => number): Captured {
  const { sinks, spies, result } = capture();
  // Only while the command runs synchronously: nothing else (jest's reporter) can write in between.
  const write = (append: (text: string) => void) => ((chunk: string | Uint8Array) => (append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as never;
  spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(write(sinks.stdout.text)));
  spies.push(jest.spyOn(process.stderr, 'write').mockImplementation(write(sinks.stderr.text)));
  try {
    return result(command(sinks));
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

/** Runs an asynchronous command (check-token); console output around its sinks is captured too. */
export async function runInProcessAsync(command: (sinks: Sinks) => Promise<number>): Promise<Captured> {
  const { sinks, spies, result } = capture();
  try {
    return result(await command(sinks));
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}
