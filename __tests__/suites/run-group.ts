// Runs the topic files of one group (groups.js) in this jest test file's module registry: each topic in a
// describe block named after its file, so a failure reads `__tests__/rules.test.ts › LA001 ...`.
// LA_TEST_TOPICS (set by scripts/test.cjs for `npm test -- __tests__/<topic>.test.ts`) runs only those.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const GROUPS = require('./groups.js') as Record<string, string[]>;
const TOPICS_DIR = join(__dirname, '..');

/** Topic files on disk that no group lists: a new test file must be added to groups.js to run. */
export function ungroupedTopics(): string[] {
  const grouped = new Set(Object.values(GROUPS).flat());
  return readdirSync(TOPICS_DIR)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.test.ts'.length))
    .filter((t) => !grouped.has(t));
}

/**
 * The names of the snapshot tests of topics not run (one group's .snap file holds all its topics'
 * snapshots): marked as checked after the run, so that jest does not report them obsolete and fail.
 */
function snapshotTestsOfOtherTopics(group: string, only: readonly string[]): string[] {
  const file = join(__dirname, '__snapshots__', `${group}.test.ts.snap`);
  if (!existsSync(file)) return [];
  const names = [...readFileSync(file, 'utf8').matchAll(/^exports\[`(.*) \d+`\] = /gm)].map((m) => m[1].replace(/\\`/g, '`'));
  return [...new Set(names)].filter((name) => !only.some((topic) => name.startsWith(`__tests__/${topic}.test.ts `)));
}

export function runGroup(group: string): void {
  const topics = GROUPS[group];
  if (!topics) throw new Error(`no group "${group}" in __tests__/suites/groups.js`);
  if (group === Object.keys(GROUPS)[0]) {
    test('__tests__/suites/groups.js lists every test file', () => expect(ungroupedTopics()).toEqual([]));
  }
  const only = process.env.LA_TEST_TOPICS?.split(',').filter(Boolean);
  if (only) {
    const others = snapshotTestsOfOtherTopics(group, only);
    // jest-circus keeps the file's SnapshotState in expect's state; it counts unchecked snapshots after afterAll.
    afterAll(() => {
      const { snapshotState } = expect.getState() as { snapshotState?: { markSnapshotsAsCheckedForTest(name: string): void } };
      others.forEach((name) => snapshotState?.markSnapshotsAsCheckedForTest(name));
    });
  }
  for (const topic of topics) {
    if (only && !only.includes(topic)) continue;
    describe(`__tests__/${topic}.test.ts`, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(TOPICS_DIR, `${topic}.test.ts`));
    });
  }
}
