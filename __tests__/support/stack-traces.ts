// Runs before every test file (jest.config.js, setupFilesAfterEnv).
//
// cdktf records where each token was created: every Lazy, Intrinsic, reference and complex attribute calls
// captureStackTrace() from cdktf/lib/tokens/private/stack-trace.js, which captures an unlimited number of
// frames and formats them. Inside jest the formatting goes through source-map-support, which maps every
// frame: ~770 traces per synth of the default config, ~300 ms of a 450 ms first synth, on every test file.
// After skipping the source maps, capturing and formatting still cost ~0.9 s of CPU per `npm test`
// (profiles in docs/performance.md). The traces only ever appear in cdktf's messages about tokens it
// cannot resolve ("Object creation stack"), never in synthesized output, so tests record none.
// Synthesized output is unchanged (the snapshot tests compare it byte for byte); `npm run synth` keeps
// cdktf's recorder. The module path is cdktf 0.21.0's (pinned): if it moves, jest.mock fails loudly.
jest.mock('cdktf/lib/tokens/private/stack-trace', () => ({ captureStackTrace: (): string[] => [] }));
