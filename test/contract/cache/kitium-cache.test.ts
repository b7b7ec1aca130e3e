import { createHash, createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorageAdapter } from '../../../src/app/kitium/adapters.js';
import { bucketOfToken, sessionKey as sessionKeyOf } from '../../../src/domain/records/session-bucket.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import type { CacheSettings } from '../../../src/app/cache/open-cache.js';
import { redisUrl } from '../../support/postgres.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { eventually, uniqueNamespace } from './cache-contract.js';

const hour = 3_600_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface CachedBackend {
  name: string;
  available(): boolean;
  /** Raw access to the cache's Redis keys, when the cache is Redis. */
  redis: boolean;
}

const backends: CachedBackend[] = [
  { name: 'memory cache', available: () => true, redis: false },
  { name: 'redis cache', available: () => redisUrl() !== null, redis: true },
];

for (const backend of backends) {
  describe.skipIf(!backend.available())(`read-through sessions and API keys [${backend.name}]`, () => {
    let adapter: SqliteStorageAdapter;
    let raw: Redis | undefined;
    const namespace = uniqueNamespace('kitium');
    const settings: CacheSettings = {
      namespace,
      negativeTtlMs: 300,
      timeoutMs: 2_000,
      secret: testCacheSecret,
    };

    beforeAll(async () => {
      adapter = new SqliteStorageAdapter(':memory:', {
        logger: silentLogger,
        cache: backend.redis ? (redisUrl() as `redis://${string}`) : 'memory',
        cacheOptions: settings,
      });
      await adapter.connect();
      if (backend.redis) raw = new Redis(redisUrl()!);
    });

    afterAll(async () => {
      await adapter.disconnect();
      if (raw) {
        const keys = await raw.keys(`${namespace}*`);
        if (keys.length > 0) await raw.del(...keys);
        raw.disconnect();
      }
    });

    /** Removes rows behind the cache's back, so only a cache hit can still return them. */
    const dropRowsBehindCache = (table: 'sessions' | 'api_keys') =>
      adapter.sqlStore.db.deleteFrom(table).execute();

    const newSession = (userId = 'u1', expiresAt = new Date(Date.now() + hour)) =>
      adapter.createSession({ userId, entitlements: ['a'], expiresAt });

    it('serves a session read twice from the cache, identical to the database record', async () => {
      const session = await newSession();
      const first = await adapter.getSession(session.id);
      expect(first).toEqual(session);
      await dropRowsBehindCache('sessions');
      expect(await adapter.getSession(session.id)).toEqual(session);
    });

    it('invalidates a session on update and on delete', async () => {
      const session = await newSession();
      await adapter.getSession(session.id);
      await adapter.updateSession(session.id, { plan: 'pro' });
      expect((await adapter.getSession(session.id))?.plan).toBe('pro');
      await adapter.deleteSession(session.id);
      expect(await adapter.getSession(session.id)).toBeNull();
    });

    it('deleting a user revokes all of their cached sessions and API keys at once', async () => {
      const user = await adapter.createUser({ email: `revoke-${Date.now()}@example.com` });
      const sessions = [await newSession(user.id), await newSession(user.id)];
      const other = await newSession('someone-else');
      const issued = await adapter.createApiKeyWithSecret(user.id, ['read']);
      for (const session of [...sessions, other]) expect(await adapter.getSession(session.id)).not.toBeNull();
      expect(await adapter.verifyApiKeySecret(issued.key)).not.toBeNull();

      await adapter.deleteUser(user.id);
      for (const session of sessions) expect(await adapter.getSession(session.id)).toBeNull();
      expect(await adapter.verifyApiKeySecret(issued.key)).toBeNull();
      expect(await adapter.getApiKeyByHash(issued.record.hash)).toBeNull();
      expect(await adapter.getSession(other.id)).toEqual(other);
    });

    it('a rotated API key stops verifying at once, though its old record was cached', async () => {
      const issued = await adapter.createApiKeyWithSecret('svc-rotate');
      expect((await adapter.verifyApiKeySecret(issued.key))?.id).toBe(issued.record.id);
      const rotated = await adapter.rotateApiKey(issued.record.id);
      expect(await adapter.verifyApiKeySecret(issued.key)).toBeNull();
      expect((await adapter.verifyApiKeySecret(rotated.key))?.id).toBe(issued.record.id);
    });

    it('caches "no such key" only briefly, and a create through the adapter clears it at once', async () => {
      const hash = sha256(`absent-${Math.random()}`);
      expect(await adapter.getApiKeyByHash(hash)).toBeNull();
      const created = await adapter.createApiKey({
        principalId: 'svc-neg',
        hash,
        prefix: 'api',
        lastFour: 'abcd',
        scopes: [],
      });
      expect(await adapter.getApiKeyByHash(hash)).toEqual(created);

      // A row that appears behind the cache's back shows once the negative entry expires.
      const hidden = sha256(`hidden-${Math.random()}`);
      expect(await adapter.getApiKeyByHash(hidden)).toBeNull();
      const row = { ...(await rowOf(created.id)), id: `hidden-${Date.now()}`, hash: hidden };
      await adapter.sqlStore.db
        .insertInto('api_keys')
        .values(row as never)
        .execute();
      await eventually(async () => expect(await adapter.getApiKeyByHash(hidden)).not.toBeNull());
    });

    async function rowOf(id: string): Promise<Record<string, unknown>> {
      return (await adapter.sqlStore.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()) as Record<string, unknown>;
    }

    describe.skipIf(!backend.redis)('what lands in Redis', () => {
      // The repository key: the token's digest, then the expiry bucket the token names (session-bucket.ts).
      const sessionKey = (token: string) =>
        `${namespace}kc2:s:${sessionKeyOf(sha256(token), bucketOfToken(token))}`;

      it('keys sessions by the token digest and never stores the token', async () => {
        const session = await newSession('u-digest');
        await adapter.getSession(session.id);
        expect(await raw!.exists(sessionKey(session.id))).toBe(1);
        for (const key of await raw!.keys(`${namespace}*`)) {
          expect(key).not.toContain(session.id);
          const type = await raw!.type(key);
          const stored = type === 'zset' ? (await raw!.zrange(key, 0, -1)).join(' ') : await raw!.get(key);
          expect(stored ?? '').not.toContain(session.id);
        }
      });

      it('never keeps a session cached past its expiry', async () => {
        const expiresAt = new Date(Date.now() + 60_000);
        const session = await newSession('u-ttl', expiresAt);
        await adapter.getSession(session.id);
        const before = Date.now();
        const ttl = await raw!.pttl(sessionKey(session.id));
        expect(ttl).toBeGreaterThan(0);
        expect(before + ttl).toBeLessThanOrEqual(expiresAt.getTime());
      });

      it('a session forged straight into Redis is never accepted (no database row behind it)', async () => {
        const token = 'any-token-i-choose';
        const admin = {
          id: token,
          userId: 'admin',
          entitlements: ['admin'],
          expiresAt: new Date(Date.now() + hour).toISOString(),
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        };
        const mac = createHmac('sha256', 'guessed').update(JSON.stringify(admin)).digest('base64url');
        for (const forged of [
          JSON.stringify({ v: 1, t: 'rec', d: admin }),
          JSON.stringify({ v: 2, t: 'rec', d: admin }),
          `e2.nonce.${Date.now() + hour}.${mac}.${JSON.stringify({ t: 'rec', d: admin })}`,
        ]) {
          await raw!.set(sessionKey(token), forged, 'PX', 60_000);
          expect(await adapter.getSession(token)).toBeNull();
        }
      });

      it('a genuine entry tampered with, or moved to another session, is a miss', async () => {
        const victim = await newSession('u-victim');
        const attacker = await newSession('u-attacker');
        await adapter.getSession(victim.id);
        await adapter.getSession(attacker.id);
        const genuine = (await raw!.get(sessionKey(victim.id)))!;
        expect(genuine).toMatch(/^e2\./);
        await raw!.set(sessionKey(victim.id), genuine.replace('u-victim', 'u-admin0'), 'PX', 60_000);
        expect(await adapter.getSession(victim.id)).toEqual(victim);
        // The victim's entry copied under the attacker's token: still the attacker's own session.
        await raw!.set(sessionKey(attacker.id), genuine, 'PX', 60_000);
        expect(await adapter.getSession(attacker.id)).toEqual(attacker);
      });
    });
  });
}
