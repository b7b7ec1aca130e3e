import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { runMigrations } from '../../src/adapters/kysely/schema/migrator.js';
import { bucketOfToken, SESSION_BUCKET_MS } from '../../src/domain/records/session-bucket.js';
import { PostgresStorageAdapter, silentLogger, type KitiumStorageAdapter } from '../../src/index.js';
import { migrationBackends } from '../support/kitium-migration-backends.js';
import { kitiumMigrations } from '../../migrations/index.js';
import { RedisCache } from '../../src/adapters/cache/redis/redis-cache.js';
import { testCacheSecret } from '../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl } from '../support/postgres.js';

const day = SESSION_BUCKET_MS;
const url = databaseUrl();
const BEFORE_0009 = kitiumMigrations.findIndex((m) => m.id === 'authkeep_0009_session_digest_bytes');

/** The stored form of every session digest: its byte length and SQL type, per table. */
async function storedForms(adapter: KitiumStorageAdapter, table: string) {
  const { rows } = await sql<{ form: string; n: number | string }>`
    select ${sql.raw(adapter.sqlStore.dialect === 'postgres' ? 'pg_typeof(id)::text' : 'typeof(id)')}
      || ':' || ${sql.raw(adapter.sqlStore.dialect === 'postgres' ? 'octet_length(id)' : 'length(id)')} as form,
      count(*) as n
    from ${sql.id(table)} group by 1 order by 1`.execute(adapter.sqlStore.db);
  return rows.map((row) => `${row.form} x${Number(row.n)}`);
}

for (const backend of migrationBackends('digest0009', { max: 6 })) {
  describe.skipIf(!backend.available)(`migration 0009: session digests as 32 bytes [${backend.name}]`, () => {
    afterAll(() => backend.cleanup());
    const pg = backend.name === 'postgres';

    it('sessions created before it are read, updated, swept and revoked after it; new ones are 32 bytes', async () => {
      const before = backend.open({ migrations: 'skip' });
      await runMigrations(before.sqlStore, kitiumMigrations.slice(0, BEFORE_0009), before.migrationContext());
      const now = Date.now();
      const live = new Date(now + 3 * day);
      const user = await before.createUser({ email: `digest-${pg ? 'pg' : 'sqlite'}@example.com` });
      const old: { id: string }[] = [];
      for (let i = 0; i < 6; i++) {
        old.push(
          await before.createSession({
            userId: i < 4 ? 'keep' : user.id,
            entitlements: ['a'],
            expiresAt: live,
          }),
        );
      }
      // Revoked while the migration runs, one every 20 ms by the reading process.
      const revoked: { id: string }[] = [];
      for (let i = 0; i < 10; i++) {
        revoked.push(await before.createSession({ userId: 'revoked', entitlements: [], expiresAt: live }));
      }
      const ended = await before.createSession({
        userId: 'keep',
        entitlements: [],
        expiresAt: new Date(now - 3 * day),
      });
      expect(await storedForms(before, 'sessions')).toEqual(
        pg ? ['character varying:64 x17'] : ['text:64 x17'],
      );
      await before.disconnect();

      // Readers of the old sessions, running through the migration of another process.
      const reader = backend.open({ migrations: 'skip' });
      let reads = 0;
      let running = true;
      const failures: unknown[] = [];
      const readers = Array.from({ length: 4 }, async () => {
        while (running) {
          const session = old[reads % 4]!;
          try {
            const found = await reader.getSession(session.id);
            if (found?.userId !== 'keep') failures.push(new Error(`missing ${reads}`));
          } catch (error) {
            failures.push(error);
          }
          reads++;
          // SQLite answers without I/O waits: let the migrating connections run between reads.
          await new Promise((resolve) => setImmediate(resolve));
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const migrating = [backend.open(), backend.open()];
      const revocations = (async () => {
        for (const session of revoked) {
          await reader.deleteSession(session.id);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      // Two processes start at once: one applies 0009, the other finds it applied.
      await Promise.all(migrating.map((adapter) => adapter.connect()));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await revocations;
      running = false;
      await Promise.all(readers);
      expect(failures).toEqual([]);
      expect(reads).toBeGreaterThan(20);
      await reader.disconnect();
      await migrating[1]!.disconnect();

      const after = migrating[0]!;
      for (const session of revoked) expect(await after.getSession(session.id)).toBeNull();
      for (const session of old.slice(0, 4)) {
        expect(await after.getSession(session.id)).toMatchObject({
          id: session.id,
          userId: 'keep',
          expiresAt: live,
        });
      }
      await after.updateSession(old[0]!.id, { plan: 'pro', metadata: { n: 1 } });
      expect(await after.getSession(old[0]!.id)).toMatchObject({ plan: 'pro', metadata: { n: 1 } });
      await after.deleteSession(old[1]!.id);
      expect(await after.getSession(old[1]!.id)).toBeNull();
      await after.deleteUser(user.id);
      expect(await after.getSession(old[4]!.id)).toBeNull();
      expect(await after.getSession(old[5]!.id)).toBeNull();

      const later = new Date(now + 5 * day);
      const fresh = await after.createSession({ userId: 'new', entitlements: [], expiresAt: later });
      expect(await after.getSession(fresh.id)).toMatchObject({ userId: 'new' });
      if (pg) {
        // Old buckets stay hex in sessions_hex; the new session's bucket had no partition: 32 bytes.
        expect(await storedForms(after, 'sessions_hex')).toEqual(['character varying:64 x4']);
        expect(await storedForms(after, 'sessions')).toEqual(['bytea:32 x1']);
      } else {
        expect(await storedForms(after, 'sessions')).toEqual(['blob:32 x5']);
      }
      if (pg) {
        // The hash-indexed key is unique: a second row under the same digest is a conflict.
        const copy = sql`insert into sessions select * from sessions where bucket = ${bucketOfToken(fresh.id)}`;
        await expect(
          after.sqlStore.run((db) => copy.execute(db), { idempotent: false, entity: 'session' }),
        ).rejects.toMatchObject({
          code: 'conflict',
        });
      }
      const swept = await after.sweepExpired();
      expect(swept.sessions).toBe(1);
      expect(await after.getSession(ended.id)).toBeNull();
      expect(await after.getSession(old[2]!.id)).toMatchObject({ userId: 'keep' });
      expect(await after.migrate()).toEqual([]);
      await after.disconnect();

      const verified = backend.open({ migrations: 'verify' });
      await expect(verified.connect()).resolves.toBeUndefined();
      expect(await verified.getSession(old[3]!.id)).toMatchObject({ userId: 'keep' });
      await verified.disconnect();
    });
  });
}

describe.skipIf(url === null || redisUrl() === null)(
  'migration 0009 under a Redis cache [postgres × redis]',
  () => {
    const schema = freshSchemaName('digest0009redis');
    const namespace = `test:${schema}:`;
    const open = (migrations: 'apply' | 'skip' = 'apply') =>
      new PostgresStorageAdapter(url as string, {
        schema,
        logger: silentLogger,
        migrations,
        cache: redisUrl() as `redis://${string}`,
        cacheOptions: { namespace, timeoutMs: 2_000, secret: testCacheSecret },
      });
    afterAll(async () => {
      await dropSchema(url as string, schema);
      const cache = new RedisCache({ url: redisUrl() as string }, { namespace });
      await cache.deletePrefix('');
      await cache.close();
    });

    it('an entry cached before the migration is served after it for the same session only, and revoked with it', async () => {
      const before = open('skip');
      await runMigrations(before.sqlStore, kitiumMigrations.slice(0, BEFORE_0009), before.migrationContext());
      const expiresAt = new Date(Date.now() + 2 * day);
      const cached = await before.createSession({ userId: 'cached', entitlements: [], expiresAt });
      expect(await before.getSession(cached.id)).toMatchObject({ userId: 'cached' }); // the fill
      await before.disconnect();

      const after = open();
      await after.connect();
      // Changed behind the cache's back: only a hit on the entry written before 0009 still says 'cached'.
      await sql`update sessions_hex set user_id = 'changed'`.execute(after.sqlStore.db);
      expect(await after.getSession(cached.id)).toMatchObject({ id: cached.id, userId: 'cached' });
      const other = await after.createSession({ userId: 'other', entitlements: [], expiresAt });
      expect(await after.getSession(other.id)).toMatchObject({ id: other.id, userId: 'other' });
      await after.deleteSession(cached.id);
      expect(await after.getSession(cached.id)).toBeNull();
      expect(await after.getSession(other.id)).toMatchObject({ userId: 'other' });
      await after.disconnect();
    });
  },
);
