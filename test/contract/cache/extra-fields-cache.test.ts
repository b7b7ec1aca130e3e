import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type PostgresStorageAdapterOptions,
  type KitiumStorageAdapter,
} from '../../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl } from '../../support/postgres.js';
import { uniqueNamespace } from './cache-contract.js';

/**
 * A consumer's extra fields on the cached records (sessions, API keys) come back the same from a cache
 * hit as from the database, their Dates as Dates: Redis entries are JSON, whose reviver knows only the
 * records' own Date fields, so the extra fields travel as dated-JSON text (json-dates.ts) up to the
 * facade. Upstream's memory adapter (kitium-ai/auth src/adapters/memory.ts, commit 50480ec) returns the
 * very object it stored, Dates included. Each case proves the read was a hit: the database row's extra
 * fields are wiped behind the cache's back first.
 */
const at = new Date('2030-06-07T08:09:10.111Z');
const extra = {
  seenAt: at,
  nested: { when: at, list: [at, 'plain'] },
  dateLike: '2030-06-07T08:09:10.111Z',
  n: 1,
};

interface Mode {
  name: string;
  available(): boolean;
  /** Two processes of one deployment (same database, same cache): the writer and a reader. */
  open(): Promise<{ writer: KitiumStorageAdapter; reader: KitiumStorageAdapter }>;
  cleanup(): Promise<void>;
}

function redisMode(): Mode {
  const schema = freshSchemaName('extracache');
  const namespace = uniqueNamespace('extras');
  const options = (): PostgresStorageAdapterOptions => ({
    schema,
    logger: silentLogger,
    cache: redisUrl() as `redis://${string}`,
    cacheOptions: { secret: 'x'.repeat(32), namespace, timeoutMs: 2_000 },
  });
  return {
    name: "PostgreSQL × cache: 'redis://…' (two processes)",
    available: () => databaseUrl() !== null && redisUrl() !== null,
    async open() {
      const writer = new PostgresStorageAdapter(databaseUrl() as string, options());
      const reader = new PostgresStorageAdapter(databaseUrl() as string, options());
      await writer.connect();
      await reader.connect();
      return { writer, reader };
    },
    async cleanup() {
      const cache = new RedisCache({ url: redisUrl() as string }, { namespace });
      await cache.deletePrefix('');
      await cache.close();
      await dropSchema(databaseUrl() as string, schema);
    },
  };
}

function memoryMode(): Mode {
  return {
    name: "SQLite × cache: 'memory'",
    available: () => true,
    async open() {
      const adapter = new SqliteStorageAdapter(':memory:', { logger: silentLogger, cache: 'memory' });
      await adapter.connect();
      return { writer: adapter, reader: adapter };
    },
    cleanup: async () => undefined,
  };
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

for (const mode of [redisMode(), memoryMode()]) {
  describe.skipIf(!mode.available())(`extra fields from a cache hit [${mode.name}]`, () => {
    let opened: Awaited<ReturnType<Mode['open']>> | undefined;
    const adapters = async () => (opened ??= await mode.open());
    afterAll(async () => {
      if (opened) {
        await opened.writer.disconnect();
        if (opened.reader !== opened.writer) await opened.reader.disconnect();
      }
      await mode.cleanup();
    });

    it('a session: Dates as Dates, a date-like string a string, and an update seen at once', async () => {
      const { writer, reader } = await adapters();
      const session = await writer.createSession({
        userId: 'user-1',
        entitlements: [],
        expiresAt: new Date(Date.now() + 3_600_000),
        ...extra,
      } as never);
      expect(await writer.getSession(session.id)).toEqual(session);
      // Behind the cache's back: a read from the database would now have no extra fields.
      await writer.sqlStore.db
        .updateTable('sessions')
        .set({ extra: null })
        .where('id', '=', Buffer.from(digest(session.id), 'hex')) // 32 raw bytes since migration 0009
        .execute();
      const hit = (await reader.getSession(session.id)) as unknown as typeof extra;
      expect(hit).toEqual(session);
      expect(hit.seenAt).toBeInstanceOf(Date);
      expect(hit.nested.list[0]).toBeInstanceOf(Date);
      expect(hit.dateLike).toBe('2030-06-07T08:09:10.111Z');
      // Mutating what a hit returned does not change the next hit.
      hit.nested.list.push('mutated');
      expect(await reader.getSession(session.id)).toEqual(session);
      // A write through the adapter invalidates: the next read is the row as written.
      const updated = await writer.updateSession(session.id, { seenAt: new Date(0) } as never);
      expect(updated).toMatchObject({ seenAt: new Date(0) });
      expect(updated).not.toHaveProperty('nested');
      expect(await reader.getSession(session.id)).toEqual(updated);
    });

    it('an API key by hash: Dates as Dates from the hit', async () => {
      const { writer, reader } = await adapters();
      const key = await writer.createApiKey({
        principalId: 'p-1',
        hash: `hash-${Math.random()}`,
        prefix: 'ak',
        lastFour: '1234',
        scopes: ['read'],
        ...extra,
      } as never);
      expect(await writer.getApiKeyByHash(key.hash)).toEqual(key);
      await writer.sqlStore.db
        .updateTable('api_keys')
        .set({ extra: null })
        .where('id', '=', key.id)
        .execute();
      const hit = (await reader.getApiKeyByHash(key.hash)) as unknown as typeof extra;
      expect(hit).toEqual(key);
      expect(hit.nested.when).toBeInstanceOf(Date);
      // By id the key is always read from the database: there it has no extra fields any more.
      expect(await reader.getApiKey(key.id)).not.toHaveProperty('seenAt');
    });
  });
}
