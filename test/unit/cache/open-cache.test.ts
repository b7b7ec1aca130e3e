import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/adapters/cache/memory/memory-cache.js';
import { ResilientCache } from '../../../src/adapters/cache/resilient/resilient-cache.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { openCache, resolveCacheTarget } from '../../../src/app/cache/open-cache.js';
import { createAuthStorage } from '../../../src/app/config.js';
import { ConfigError } from '../../../src/domain/errors.js';

describe('openCache', () => {
  it("'memory' is an in-process cache the facade owns", async () => {
    const opened = openCache('memory', {}, silentLogger);
    expect(opened.store).toBeInstanceOf(MemoryCache);
    expect(opened.owned).toBe(true);
    await opened.store.close();
  });

  it('a redis URL becomes a resilient Redis cache that connects only when used', async () => {
    const opened = openCache('redis://127.0.0.1:1', { timeoutMs: 20 }, silentLogger);
    expect(opened.store).toBeInstanceOf(ResilientCache);
    expect(opened.owned).toBe(true);
    // Nothing listens on port 1: the read is a miss, not an error.
    expect(await opened.store.get('k')).toBeNull();
    await opened.store.close();
  });

  it('wraps a caller’s store without taking ownership; a memory cache is used as it is', async () => {
    const memory = new MemoryCache();
    expect(openCache(memory, {}, silentLogger)).toEqual({ store: memory, owned: false });
    const custom = { ...memoryMethods(memory) };
    const opened = openCache(custom, {}, silentLogger);
    expect(opened.store).toBeInstanceOf(ResilientCache);
    expect(opened.owned).toBe(false);
    await memory.close();
  });

  it('rejects other schemes without echoing the URL (it may hold a password)', () => {
    const attempt = () => openCache('http://user:hunter2@host' as never, {}, silentLogger);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).not.toThrow(/hunter2/);
    expect(() => openCache({} as never, {}, silentLogger)).toThrow(ConfigError);
  });
});

describe('cache configuration', () => {
  it('takes the cache option first, then AUTHKEEP_REDIS_URL, else none', () => {
    const env = { AUTHKEEP_REDIS_URL: 'redis://127.0.0.1:6380' };
    expect(resolveCacheTarget('memory', env)).toBe('memory');
    expect(resolveCacheTarget(undefined, env)).toBe('redis://127.0.0.1:6380');
    expect(resolveCacheTarget(undefined, { AUTHKEEP_REDIS_URL: '' })).toBeUndefined();
    expect(resolveCacheTarget(undefined, {})).toBeUndefined();
  });

  it('createAuthStorage({ database, cache }) puts the cache in front of sessions', async () => {
    const storage = createAuthStorage({ database: ':memory:', cache: 'memory', logger: silentLogger });
    await storage.connect();
    const session = await storage.createSession({
      userId: 'u',
      entitlements: [],
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    expect(await storage.getSession(session.id)).toEqual(session);
    await storage.sqlStore.db.deleteFrom('sessions').execute();
    expect(await storage.getSession(session.id)).toEqual(session);
    await storage.disconnect();
  });

  it('a revocation bound that is not a positive integer of milliseconds is a config error', () => {
    for (const revokeTimeoutMs of [0, -1, 1.5, Number.NaN, '5000' as never]) {
      const attempt = () =>
        createAuthStorage({
          database: ':memory:',
          cache: 'memory',
          cacheOptions: { revokeTimeoutMs },
          logger: silentLogger,
        });
      expect(attempt, String(revokeTimeoutMs)).toThrow(ConfigError);
      expect(attempt, String(revokeTimeoutMs)).toThrow(
        /cacheOptions.revokeTimeoutMs must be a positive integer/,
      );
    }
  });
});

function memoryMethods(memory: MemoryCache) {
  return {
    get: memory.get.bind(memory),
    set: memory.set.bind(memory),
    setIfAbsent: memory.setIfAbsent.bind(memory),
    delete: memory.delete.bind(memory),
    take: memory.take.bind(memory),
    deletePrefix: memory.deletePrefix.bind(memory),
    update: memory.update.bind(memory),
    compareAndSet: memory.compareAndSet.bind(memory),
    close: memory.close.bind(memory),
  };
}
