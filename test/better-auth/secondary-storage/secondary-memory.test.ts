import { describe, expect, it } from 'vitest';
import { MemorySecondaryStore } from '../../../src/adapters/cache/secondary/memory-secondary-store.js';
import { authkeepSecondaryStorage } from '../../../src/app/better-auth/secondary-storage.js';
import { ConfigError } from '../../../src/domain/errors.js';
import {
  describeSecondaryContract,
  describeTombstoneLifetime,
  type SecondaryBackend,
} from './secondary-contract.js';

const memory: SecondaryBackend = {
  name: 'memory',
  available: () => true,
  open: async (tombstoneMs) => {
    const store = new MemorySecondaryStore({ tombstoneMs });
    // One process's store: every "process" of the contract is a facade over this same instance.
    return { view: () => store, cleanup: () => store.close() };
  },
};

describeSecondaryContract(memory);
describeTombstoneLifetime(memory);

describe("authkeepSecondaryStorage({ cache: 'memory' })", () => {
  it('works without a secret (a random per-process key) and closes its store', async () => {
    const storage = authkeepSecondaryStorage({ cache: 'memory' });
    await storage.set('k', 'v', 60);
    expect(await storage.get('k')).toBe('v');
    await storage.close();
    await expect(storage.get('k')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('is bounded without evicting: past maxEntries a new key is refused, nothing already stored is lost', async () => {
    const storage = authkeepSecondaryStorage({ cache: 'memory', maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await storage.set(key, key, 60);
    await expect(storage.set('d', 'd', 60)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await Promise.all(['a', 'b', 'c', 'd'].map((key) => storage.get(key)))).toEqual([
      'a',
      'b',
      'c',
      null,
    ]);
    await storage.set('a', 'a2', 60); // an existing key may still change
    await storage.delete('b'); // and deletes always succeed
    expect([await storage.get('a'), await storage.get('b')]).toEqual(['a2', null]);
    for (const key of ['x', 'y', 'z']) await storage.increment(key, 60);
    await expect(storage.increment('w', 60)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await storage.increment('x', 60)).toBe(2);
    await storage.close();
  });

  it('expired entries make room again', async () => {
    const storage = authkeepSecondaryStorage({ cache: 'memory', maxEntries: 2 });
    await storage.set('short', 'v', 0.2);
    await storage.set('long', 'v', 60);
    await expect(storage.set('new', 'v', 60)).rejects.toMatchObject({ code: 'unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await storage.set('new', 'v', 60);
    expect(await storage.get('new')).toBe('v');
    await storage.close();
  });

  it('refuses a bad cache target or tombstone lifetime with a config error that echoes no URL', () => {
    const attempts = [
      () => authkeepSecondaryStorage({ cache: 'postgres://user:hunter2@db/app' }),
      () => authkeepSecondaryStorage({ cache: {} as 'memory' }),
      () => authkeepSecondaryStorage({ cache: 'memory', tombstoneSeconds: 0 }),
      () => authkeepSecondaryStorage({ cache: 'memory', maxEntries: 0 }),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
