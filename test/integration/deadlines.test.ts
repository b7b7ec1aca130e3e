import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/adapters/kysely/index.js';
import {
  createKeyValueStore,
  MitthooksExtensionStorage,
  PostgresStorageAdapter,
  RedisCache,
  silentLogger,
} from '../../src/index.js';
import { createPasskeyStores } from '../../src/app/passkey/index.js';
import { BlackHole } from '../support/proxies/black-hole.js';
import { testCacheSecret } from '../support/cache-secret.js';
import { databaseUrl } from '../support/postgres.js';

/** How long a call took to settle, and how: a call that never settles fails the test by its timeout. */
async function settle(
  call: () => Promise<unknown>,
): Promise<{ ms: number; ok: boolean; value?: unknown; code?: string }> {
  const started = performance.now();
  try {
    const value = await call();
    return { ms: performance.now() - started, ok: true, value };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, code: (error as { code?: string }).code };
  }
}

// Generous on purpose (a loaded 2-core machine): the point is "bounded", against "pending after 20 s".
const SLACK_MS = 4_000;

describe('deadlines against a black-holed PostgreSQL (accepts TCP, never answers)', () => {
  let hole: BlackHole;
  let url: string;
  beforeAll(async () => {
    hole = await BlackHole.open();
    url = `postgres://postgres@127.0.0.1:${hole.port}/test`;
  });
  afterAll(() => hole.close());

  it('every kitium call fails within the configured connect timeout; healthCheck reports error within its own', async () => {
    const adapter = new PostgresStorageAdapter(url, {
      logger: silentLogger,
      connectTimeoutMs: 300,
      healthCheckTimeoutMs: 200,
    });
    const calls: Record<string, () => Promise<unknown>> = {
      connect: () => adapter.connect(),
      getUser: () => adapter.getUser('u1'),
      getUserByEmail: () => adapter.getUserByEmail('a@example.com'),
      createUser: () => adapter.createUser({ email: 'a@example.com' }),
      getSession: () => adapter.getSession('s1'),
      createSession: () =>
        adapter.createSession({ userId: 'u1', entitlements: [], expiresAt: new Date(Date.now() + 60_000) }),
      getApiKeyByHash: () => adapter.getApiKeyByHash('h'),
      verifyApiKeySecret: () => adapter.verifyApiKeySecret(`api_${'0'.repeat(64)}`),
      listRoles: () => adapter.listRoles('o1'),
      emitEvent: () => adapter.emitEvent({ type: 'login', principalId: 'u1', data: {} }),
    };
    const results = await Promise.all(
      Object.entries(calls).map(async ([name, call]) => [name, await settle(call)] as const),
    );
    for (const [name, result] of results) {
      expect({ name, ok: result.ok, code: result.code }).toEqual({ name, ok: false, code: 'unavailable' });
      expect(result.ms, name).toBeLessThan(300 + SLACK_MS);
    }
    const health = await settle(() => adapter.healthCheck());
    expect(health.value).toMatchObject({ status: 'error' });
    expect(health.ms).toBeLessThan(200 + SLACK_MS);
    expect(hole.held).toBeGreaterThan(0);
    await adapter.disconnect();
  });

  it('with the defaults: a read fails within the 5 s connect timeout and healthCheck reports error within 2 s', async () => {
    const adapter = new PostgresStorageAdapter(url, { logger: silentLogger });
    const [read, health] = await Promise.all([
      settle(() => adapter.getUser('u1')),
      settle(() => adapter.healthCheck()),
    ]);
    expect(read).toMatchObject({ ok: false, code: 'unavailable' });
    expect(read.ms).toBeLessThan(5_000 + SLACK_MS);
    expect(health.value).toMatchObject({ status: 'error' });
    expect(health.ms).toBeLessThan(2_000 + SLACK_MS);
    await adapter.disconnect();
  }, 30_000);

  it('the key-value store, the passkey data store and the mitthooks storage fail within the deadline', async () => {
    const connection = { connectTimeoutMs: 300 };
    const kv = createKeyValueStore({ database: url, connection, logger: silentLogger });
    const mitthooks = new MitthooksExtensionStorage({
      database: url,
      connection,
      masterPassword: 'master-password-0123456789',
      salt: 'salt-0123456789',
      logger: silentLogger,
    });
    const passkey = createPasskeyStores({
      env: {},
      dataStoreType: 'postgres',
      dataStoreUrl: url,
      cacheStoreType: 'memory',
      cacheStoreUrl: 'memory',
      postgres: connection,
      logger: silentLogger,
    });
    const results = await Promise.all([
      settle(() => kv.get('k')),
      settle(() => kv.put('k', 'v')),
      settle(() => mitthooks.getExtension('e1')),
      settle(() => passkey.data.getUser('u1')),
      settle(() => passkey.data.init()),
    ]);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, code: 'unavailable' });
      expect(result.ms).toBeLessThan(300 + SLACK_MS);
    }
    await Promise.all([kv.close(), mitthooks.close(), passkey.close()]);
  });
});

describe('deadlines against a black-holed Redis (accepts TCP, never answers)', () => {
  let hole: BlackHole;
  let url: string;
  beforeAll(async () => {
    hole = await BlackHole.open();
    url = `redis://127.0.0.1:${hole.port}`;
  });
  afterAll(() => hole.close());

  it('a RedisCache built with defaults fails every call within its 2 s command timeout', async () => {
    const cache = new RedisCache({ url });
    const results = await Promise.all([
      settle(() => cache.get('k')),
      settle(() => cache.set('k', 'v', 1_000)),
      settle(() => cache.setIfAbsent('k', 'v', 1_000)),
      settle(() => cache.take('k')),
      settle(() => cache.delete('k')),
      settle(() => cache.update('k', () => 'v', 1_000)),
    ]);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, code: 'unavailable' });
      expect(result.ms).toBeLessThan(2_000 + SLACK_MS);
    }
    await cache.close();
  }, 30_000);

  it('the passkey cache store (GENERIC_CACHE_STORE_TYPE=redis) fails within the configured command timeout', async () => {
    const passkey = createPasskeyStores({
      env: {},
      dataStoreType: 'sqlite',
      dataStoreUrl: 'sqlite::memory:',
      cacheStoreType: 'redis',
      cacheStoreUrl: url,
      redisOptions: { commandTimeout: 300 },
      logger: silentLogger,
    });
    const results = await Promise.all([
      settle(() => passkey.cache.get('session', 's1')),
      settle(() => passkey.cache.putWithTtl('challenge', 'c1', 'v', 60)),
      settle(() => passkey.cache.take('challenge', 'c1')),
      settle(() => passkey.sessions.getSession('s1')),
      settle(() => passkey.sessions.createSession('u1')),
    ]);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, code: 'unavailable' });
      expect(result.ms).toBeLessThan(300 + SLACK_MS);
    }
    await passkey.close();
  });

  it('the kitium adapter with a black-holed Redis cache still answers from the database within its budget', async () => {
    const { SqliteStorageAdapter } = await import('../../src/index.js');
    const adapter = new SqliteStorageAdapter(':memory:', {
      logger: silentLogger,
      cache: url as `redis://${string}`,
      cacheOptions: { secret: testCacheSecret },
    });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'cache@example.com' });
    const read = await settle(() => adapter.getUser(user.id));
    expect(read).toMatchObject({ ok: true, value: expect.objectContaining({ id: user.id }) });
    expect(read.ms).toBeLessThan(SLACK_MS);
    expect((await adapter.healthCheck()).status).toBe('ok');
    await adapter.disconnect();
  });
});

describe.skipIf(!databaseUrl())(
  'the client-side query deadline (a server that stops answering mid-query)',
  () => {
    it('fails a statement the server keeps running with code "timeout", and the store keeps working', async () => {
      // No server-side timeout here, so only the client-side deadline can end the wait.
      const store = openPostgres(
        databaseUrl()!,
        { statementTimeoutMs: 0, queryTimeoutMs: 300, max: 1 },
        silentLogger,
      );
      const slow = await settle(() =>
        store.run((db) => sql`select pg_sleep(3)`.execute(db), { idempotent: true }),
      );
      expect(slow).toMatchObject({ ok: false, code: 'timeout' });
      expect(slow.ms).toBeLessThan(300 + SLACK_MS);
      // The timed-out connection was discarded, not handed to the next caller with a query still running.
      const { rows } = await sql<{ n: number }>`select 1 as n`.execute(store.db);
      expect(rows).toEqual([{ n: 1 }]);
      await store.close();
    });
  },
);
