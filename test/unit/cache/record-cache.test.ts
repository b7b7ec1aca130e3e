import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/adapters/cache/memory/memory-cache.js';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { ResilientCache } from '../../../src/adapters/cache/resilient/resilient-cache.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { cacheKeys, EntryCodec, type RecordCodec } from '../../../src/app/cache/cache-codec.js';
import { RecordCache, type RecordCacheSettings } from '../../../src/app/cache/record-cache.js';
import type { CacheStore } from '../../../src/ports/cache.js';
import { awaitLater } from '../../support/await-later.js';
import { captureLogger } from '../../support/capture-logger.js';
import { redisUrl } from '../../support/postgres.js';

interface Row {
  id: string;
  owner: string;
  version: number;
  expiresAt?: Date;
}

const codec: RecordCodec<Row> = { dateFields: ['expiresAt'] };
const clock = { now: () => new Date() };
const facts = (row: Row) => ({ owner: row.owner, expiresAt: row.expiresAt });
const macKey = randomBytes(32);

/** A database of one table that counts its reads, so a test can tell a cache hit from a load. */
function table(initial: Row[]) {
  const rows = new Map(initial.map((row) => [row.id, row]));
  let loads = 0;
  return {
    rows,
    get loads() {
      return loads;
    },
    load: (id: string) => async () => {
      loads += 1;
      return rows.get(id) ?? null;
    },
  };
}

/** A load that waits until the test lets it finish: the window in which a write can slip in. */
function heldLoad<T>(value: T) {
  let release!: () => void;
  let begun!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  /** Resolves once the cache called the load: the reader has taken its ticket by then. */
  const started = new Promise<void>((resolve) => (begun = resolve));
  return {
    release,
    started,
    load: async () => {
      begun();
      await gate;
      return value;
    },
  };
}

interface Backend {
  name: string;
  available: boolean;
  indexed: boolean;
  store(): CacheStore;
}

const opened: CacheStore[] = [];
afterAll(async () => {
  for (const store of opened) {
    await store.deletePrefix('').catch(() => undefined);
    await store.close();
  }
});

const backends: Backend[] = [
  {
    name: 'memory (no index: revocation flushes)',
    available: true,
    indexed: false,
    store: () => new MemoryCache({ sweepIntervalMs: 0 }),
  },
  {
    name: 'redis (per-owner index)',
    available: redisUrl() !== null,
    indexed: true,
    store: () =>
      new ResilientCache(
        new RedisCache({ url: redisUrl()! }, { namespace: `test:rc:${randomBytes(6).toString('hex')}:` }),
        { logger: silentLogger, timeoutMs: 5_000 },
      ),
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`RecordCache [${backend.name}]`, () => {
    function setup(settings: RecordCacheSettings = {}, logger = silentLogger) {
      const store = backend.store();
      opened.push(store);
      const index = backend.indexed ? (store as ResilientCache) : undefined;
      const entries = new EntryCodec(macKey, 'ns:');
      const cache = new RecordCache(
        { store, codec: entries, clock, logger, index },
        { negativeTtlMs: 60_000, ...settings },
      );
      return { store, cache, entries };
    }

    it('loads once, then serves from the cache, dates intact', async () => {
      const { cache } = setup();
      const expiresAt = new Date(Date.now() + 3_600_000);
      const db = table([{ id: 'a', owner: 'u', version: 1, expiresAt }]);
      const key = cacheKeys.session('a');
      expect(await cache.read(key, codec, db.load('a'), facts)).toEqual(db.rows.get('a'));
      const hit = await cache.read(key, codec, db.load('a'), facts);
      expect(hit).toEqual({ id: 'a', owner: 'u', version: 1, expiresAt });
      expect(hit?.expiresAt).toBeInstanceOf(Date);
      expect(db.loads).toBe(1);
    });

    it('caches a miss, and forget() clears it', async () => {
      const { cache } = setup();
      const db = table([]);
      const key = cacheKeys.session('n');
      expect(await cache.read(key, codec, db.load('n'), facts)).toBeNull();
      db.rows.set('n', { id: 'n', owner: 'u', version: 1 });
      expect(await cache.read(key, codec, db.load('n'), facts)).toBeNull();
      expect(db.loads).toBe(1);
      await cache.forget(key);
      expect(await cache.read(key, codec, db.load('n'), facts)).toEqual(db.rows.get('n'));
    });

    it('does not cache a record that expires within a second', async () => {
      const { cache, store } = setup();
      const key = cacheKeys.session('x');
      const db = table([{ id: 'x', owner: 'u', version: 1, expiresAt: new Date(Date.now() + 500) }]);
      await cache.read(key, codec, db.load('x'), facts);
      await cache.read(key, codec, db.load('x'), facts);
      expect(db.loads).toBe(2);
      expect((await store.get(key)) ?? '').not.toMatch(/^e2\./);
    });

    it('refuses forged, tampered, moved and foreign-secret entries: a miss, counted, logged once', async () => {
      const logger = captureLogger();
      const { cache, store, entries } = setup({}, logger);
      const db = table([{ id: 'v', owner: 'u', version: 1 }]);
      const key = cacheKeys.session('v');
      const admin = { id: 'v', owner: 'admin', version: 99 };
      const farFuture = Date.now() + 3_600_000;
      // Written under the instance the store is now (a Redis run id once connected).
      await store.get('warm-up');
      const instance = store.instanceId?.() ?? 'local';
      const genuine = entries.encodeRecord(key, admin, farFuture, instance);
      const attempts = [
        // Plain JSON, as the old format stored it.
        JSON.stringify({ v: 1, t: 'rec', d: admin }),
        // A genuine entry with its record changed.
        genuine.replace('"version":99', '"version":98'),
        // A genuine entry of another key, moved here.
        entries.encodeRecord(cacheKeys.session('other'), admin, farFuture, instance),
        // Written by a deployment with another secret.
        new EntryCodec(randomBytes(32), 'ns:').encodeRecord(key, admin, farFuture, instance),
        // Our own entry, relabelled as written to the current instance though it was not.
        entries.encodeRecord(key, admin, farFuture, 'before-restart').replace('before-restart', instance),
        // Our own entry with its expiry pushed out.
        genuine.replace(/^(e2\.[^.]+\.)\d+/, `$1${farFuture + 86_400_000}`),
      ];
      for (const forged of attempts) {
        await store.set(key, forged);
        expect(await cache.read(key, codec, db.load('v'), facts)).toEqual(db.rows.get('v'));
      }
      // Genuine, but written to an earlier instance of the store (before a restart from a snapshot): a miss.
      await store.set(key, entries.encodeRecord(key, admin, farFuture, 'before-restart'));
      expect(await cache.read(key, codec, db.load('v'), facts)).toEqual(db.rows.get('v'));
      attempts.push('restart');
      expect(db.loads).toBe(attempts.length);
      // The old plain JSON and the other instance's entry are merely unreadable.
      expect(cache.stats().forgedEntries).toBe(attempts.length - 2);
      expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
      // The refused entry was replaced by the genuine record.
      expect(await cache.read(key, codec, db.load('v'), facts)).toEqual(db.rows.get('v'));
      expect(db.loads).toBe(attempts.length);
    });

    it('re-authenticates an entry whose bytes changed after a verified hit, and hands out copies', async () => {
      const { cache, store, entries } = setup();
      const key = cacheKeys.session('m');
      const db = table([{ id: 'm', owner: 'u', version: 1 }]);
      await cache.read(key, codec, db.load('m'), facts);
      // Served from the bytes verified before: mutating what a caller got changes nothing for the next.
      const first = await cache.read(key, codec, db.load('m'), facts);
      first!.version = 1_000;
      expect((await cache.read(key, codec, db.load('m'), facts))?.version).toBe(1);
      expect(db.loads).toBe(1);
      // The same entry with one byte of its record changed: not the remembered bytes, so the MAC decides.
      const genuine = (await store.get(key))!;
      await store.set(key, genuine.replace('"version":1', '"version":7'));
      expect((await cache.read(key, codec, db.load('m'), facts))?.version).toBe(1);
      expect(db.loads).toBe(2);
      expect(cache.stats().forgedEntries).toBe(1);
      // Another genuine entry for the key (a newer write) is verified and served, not the remembered one.
      const instance = store.instanceId?.() ?? 'local';
      const newer = { id: 'm', owner: 'u', version: 2 };
      await store.set(key, entries.encodeRecord(key, newer, Date.now() + 60_000, instance));
      expect(await cache.read(key, codec, db.load('m'), facts)).toEqual(newer);
      expect(db.loads).toBe(2);
    });

    it('a reader holding an old row cannot cache it after an invalidation, however late it arrives', async () => {
      const { cache } = setup();
      const key = cacheKeys.session('r');
      const old: Row = { id: 'r', owner: 'u', version: 1 };
      const held = heldLoad(old);
      const reading = awaitLater(cache.read(key, codec, held.load, facts));
      // The write lands and invalidates while the read is still in the database; a newer reader fills.
      await held.started;
      await cache.invalidate(key);
      const db = table([{ id: 'r', owner: 'u', version: 2 }]);
      expect((await cache.read(key, codec, db.load('r'), facts))?.version).toBe(2);
      held.release();
      expect(await reading).toEqual(old);
      expect((await cache.read(key, codec, db.load('r'), facts))?.version).toBe(2);
      expect(db.loads).toBe(1);
    });

    it('a fill racing with its owner’s revocation gives up', async () => {
      const { cache, store } = setup();
      const key = cacheKeys.apiKey('q');
      const held = heldLoad<Row>({ id: 'q', owner: 'gone', version: 1 });
      const reading = awaitLater(cache.read(key, codec, held.load, facts));
      await held.started;
      await cache.revokeOwner('gone');
      held.release();
      await reading;
      expect((await store.get(key)) ?? '').not.toMatch(/^e2\./);
    });

    it('revoking an owner drops its entries' + (backend.indexed ? ', and only those' : ''), async () => {
      const { cache } = setup();
      const db = table([
        { id: '1', owner: 'u', version: 1 },
        { id: '2', owner: 'u', version: 1 },
        { id: '3', owner: 'other', version: 1 },
      ]);
      for (const id of ['1', '2', '3']) await cache.read(cacheKeys.apiKey(id), codec, db.load(id), facts);
      await cache.revokeOwner('u');
      const before = db.loads;
      for (const id of ['1', '2', '3']) await cache.read(cacheKeys.apiKey(id), codec, db.load(id), facts);
      expect(db.loads).toBe(before + (backend.indexed ? 2 : 3));
    });

    it.skipIf(!backend.indexed)('stops caching an owner whose index is full', async () => {
      const { cache, store } = setup({ maxIndexEntries: 2 });
      const db = table(['a', 'b', 'c'].map((id) => ({ id, owner: 'busy', version: 1 })));
      for (const id of ['a', 'b', 'c']) await cache.read(cacheKeys.apiKey(id), codec, db.load(id), facts);
      expect(await store.get(cacheKeys.apiKey('a'))).toMatch(/^e2\./);
      expect((await store.get(cacheKeys.apiKey('c'))) ?? '').not.toMatch(/^e2\./);
    });

    it.skipIf(!backend.indexed)(
      '32 concurrent first reads of one owner all fill, and none trips an outage',
      async () => {
        const { cache, store } = setup();
        const ids = Array.from({ length: 32 }, (_, i) => `c${i}`);
        const db = table(ids.map((id) => ({ id, owner: 'crowd', version: 1 })));
        await Promise.all(ids.map((id) => cache.read(cacheKeys.session(id), codec, db.load(id), facts)));
        expect((store as ResilientCache).health()).toBe('healthy');
        await Promise.all(ids.map((id) => cache.read(cacheKeys.session(id), codec, db.load(id), facts)));
        expect(db.loads).toBe(32);
      },
    );
  });
}
