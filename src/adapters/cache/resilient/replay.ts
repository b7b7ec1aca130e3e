import type { CacheStore } from '../../../ports/cache.js';
import type { PendingInvalidations } from './pending-invalidations.js';

const REPLAY_BATCH = 100;

/**
 * One pass over what is pending: the flush first (`deletePrefix(flushPrefix)`), then prefixes, then keys in
 * batches, each within the bulk deadline `bulk`; returns how many it replayed, rejects at the first failure.
 */
export async function replayPending(
  pending: PendingInvalidations,
  store: CacheStore,
  flushPrefix: string,
  bulk: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<number> {
  let replayed = 0;
  if (pending.takeFlush()) {
    try {
      await bulk(() => store.deletePrefix(flushPrefix));
    } catch (error) {
      pending.restoreFlush();
      throw error;
    }
    replayed += 1;
  }
  for (const prefix of [...pending.prefixes.keys()]) {
    const generation = pending.generation;
    await bulk(() => store.deletePrefix(prefix));
    pending.replayedPrefix(prefix, generation);
    replayed += 1;
  }
  while (pending.keys.size > 0 && !pending.flush) {
    const generation = pending.generation;
    const batch = [...pending.keys.keys()].slice(0, REPLAY_BATCH);
    await bulk(() => store.delete(...batch));
    pending.replayedKeys(batch, generation);
    replayed += batch.length;
  }
  return replayed;
}
