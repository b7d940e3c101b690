// Runs in every test file's context after jest installed source-map-support (jest.config.js,
// setupFilesAfterEnv). cdktf records where each token was created: every Lazy, Intrinsic, reference and
// complex attribute calls `Error.captureStackTrace({ stack: '' })` with an unlimited frame count and reads
// `.stack` (cdktf/lib/tokens/private/stack-trace.js). Inside jest that read goes through source-map-support,
// which looks up the source map of every frame: ~770 traces and ~300 ms of a 450 ms first synth, on every
// test file (profile in docs/performance.md). Those traces only ever appear in cdktf's own messages about
// unresolvable tokens, so they are formatted without source maps here. Traces of real errors (thrown or
// failing expectations: objects whose class is Error) keep the mapped format, so test failures still
// point at the TypeScript lines.
// Typed as optional: Node's own default is no function at all (jest always sets one).
const mapped = Error.prepareStackTrace as ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined;

function plain(error: unknown, frames: NodeJS.CallSite[]): string {
  return [String(error), ...frames.map((frame) => `    at ${frame}`)].join('\n');
}

Error.prepareStackTrace = (error, frames) =>
  mapped && Object.prototype.toString.call(error) === '[object Error]' ? mapped(error, frames) : plain(error, frames);
