// The shared synth of the tests (__tests__/support/synth.ts): one synth per distinct config per run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../config/default';
import { configKey, synthApp, synthStats, SYNTH_CACHE_ENV } from './support/synth';

test('equal configs share a key whatever the order of their keys; different configs do not', () => {
  const reordered = Object.fromEntries(Object.entries(DEFAULT_CONFIG).reverse());
  expect(configKey(reordered)).toBe(configKey(DEFAULT_CONFIG));
  expect(configKey({ ...DEFAULT_CONFIG, protect: true })).not.toBe(configKey(DEFAULT_CONFIG));
});

test('a second synthApp of the same config is served from memory, as an independent copy', () => {
  const first = synthApp();
  const before = { ...synthStats };
  const second = synthApp(JSON.parse(JSON.stringify(DEFAULT_CONFIG)));
  expect(synthStats.memoryHits).toBe(before.memoryHits + 1);
  expect(synthStats.synthesized).toBe(before.synthesized);
  expect(second.files).toEqual(first.files);
  (second.json['logic-apps-oauth'] as Record<string, unknown>).resource = {};
  expect(synthApp().json['logic-apps-oauth'].resource).not.toEqual({});
});

test("the run's cache directory (jest globalSetup) holds the synth for the other files", () => {
  synthApp();
  const dir = process.env[SYNTH_CACHE_ENV];
  expect(dir).toBeTruthy();
  expect(existsSync(join(dir!, `${configKey(DEFAULT_CONFIG)}.json`))).toBe(true);
});
