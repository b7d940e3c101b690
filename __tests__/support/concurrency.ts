import { availableParallelism } from 'node:os';

/**
 * Like Promise.all(items.map(fn)), but at most `limit` at a time (default: one per core). For tests that
 * spawn processes: a dozen node processes at once took the test run's peak memory from ~0.6 to ~1.2 GB
 * for no gain in time on two cores (docs/performance.md).
 */
export async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, limit = availableParallelism()): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
