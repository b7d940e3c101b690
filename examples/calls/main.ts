// Synthesize the example: node scripts/run-ts.cjs examples/calls/main.ts (writes examples/calls/cdktf.out).
import { join } from 'node:path';
import { App } from 'cdktf';
import { buildExample } from './app';

buildExample(new App({ outdir: join(__dirname, 'cdktf.out') })).synth();
