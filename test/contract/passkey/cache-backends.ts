import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { MemoryCache } from '../../../src/adapters/cache/memory/memory-cache.js';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { PasskeyCacheStore } from '../../../src/app/passkey/cache-store.js';
import { PasskeySessionCache } from '../../../src/app/passkey/session-cache.js';
import type { SessionConflictPolicy } from '../../../src/app/passkey/env-config.js';
import type { CacheStore } from '../../../src/ports/cache.js';
import { redisUrl } from '../../support/postgres.js';

/** A clock the test moves by hand, so expiry is tested without waiting. */
export class ManualClock {
  constructor(private time = Date.parse('2026-05-13T04:00:00Z')) {}
  now = () => new Date(this.time);
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface CacheHandle {
  kind: 'memory' | 'redis';
  cache: PasskeyCacheStore;
  sessions: PasskeySessionCache;
  /** Sessions on the same cache under another SESSION_CONFLICT_POLICY. */
  sessionsWith(policy: SessionConflictPolicy): PasskeySessionCache;
  /** The CacheStore underneath, with the crate's full keys (`cache:{prefix}:{key}`). */
  store: CacheStore;
  clock: ManualClock;
  /** Remaining time to live of a full key in ms: -1 none, -2 missing; null where it cannot be read (memory). */
  pttl(fullKey: string): Promise<number | null>;
}

interface CacheBackend {
  name: 'memory' | 'redis';
  available(): boolean;
  open(
    clock: ManualClock,
  ): Promise<{ store: CacheStore; pttl(key: string): Promise<number | null>; close(): Promise<void> }>;
}

export const cacheBackends: CacheBackend[] = [
  {
    name: 'memory',
    available: () => true,
    async open(clock) {
      const store = new MemoryCache({ sweepIntervalMs: 0, clock });
      return { store, pttl: async () => null, close: () => store.close() };
    },
  },
  {
    name: 'redis',
    available: () => redisUrl() !== null,
    async open() {
      // A namespace of our own on the shared Redis: nothing else is touched, and everything goes at the end.
      const namespace = `test:o2p:${randomBytes(6).toString('hex')}:`;
      const store = new RedisCache({ url: redisUrl() as string }, { namespace });
      const raw = new Redis(redisUrl() as string);
      return {
        store,
        pttl: (key) => raw.pttl(namespace + key),
        async close() {
          await store.deletePrefix('');
          await store.close();
          raw.disconnect();
        },
      };
    },
  },
];

/** Declares `body` once per cache backend. */
export function describePasskeyCache(title: string, body: (handle: () => CacheHandle) => void): void {
  for (const backend of cacheBackends) {
    describe.skipIf(!backend.available())(`${title} [${backend.name}]`, () => {
      let opened: Awaited<ReturnType<CacheBackend['open']>> | undefined;
      let handle: CacheHandle | undefined;
      beforeAll(async () => {
        const clock = new ManualClock();
        opened = await backend.open(clock);
        // TTL 0 as the crate's store of the same kind (createPasskeyStores picks it the same way).
        const cache = new PasskeyCacheStore(opened.store, {
          zeroTtl: backend.name === 'redis' ? 'delete' : 'keep',
        });
        handle = {
          kind: backend.name,
          cache,
          sessions: new PasskeySessionCache(cache, clock),
          sessionsWith: (policy) => new PasskeySessionCache(cache, clock, 600, policy),
          store: opened.store,
          clock,
          pttl: opened.pttl,
        };
      });
      afterAll(async () => {
        await opened?.close();
      });
      body(() => {
        if (!handle) throw new Error('cache backend not opened');
        return handle;
      });
    });
  }
}
