import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BetterAuthOptions } from 'better-auth/types';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  type AuthkeepAdapterOptions,
} from '../../../src/app/better-auth/index.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl, withClient } from '../../support/postgres.js';

/**
 * The adapter cache serves point reads (proved by changing a row behind the adapter's back: the cached row is
 * still served), and every write through the adapter drops exactly what it changed, whatever its where clause.
 */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-cache-'));
const url = databaseUrl();
const redis = redisUrl();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const options: BetterAuthOptions = { secret: 'a-test-secret-that-is-long-enough-for-better-auth' };
const hour = 3_600_000;

interface Backend {
  name: string;
  available: boolean;
  open(): Promise<{
    adapter: AuthkeepAdapterOptions;
    behindTheBack(sql: string, values: unknown[]): Promise<void>;
  }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite, memory',
    available: true,
    async open() {
      const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
      return {
        adapter: { database: `sqlite:${file}`, cache: 'memory' },
        async behindTheBack(sql, values) {
          const db = new Database(file);
          db.prepare(sql.replaceAll(/\$\d+/g, '?')).run(...values);
          db.close();
        },
      };
    },
  },
  {
    name: 'postgres, redis',
    available: url !== null && redis !== null,
    async open() {
      const schema = freshSchemaName('ba_cache');
      await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
      cleanups.push(() => dropSchema(url!, schema));
      return {
        adapter: {
          database: url!,
          schema,
          cache: redis! as `redis://${string}`,
          cacheOptions: {
            secret: testCacheSecret,
            namespace: `test:ba-cache:${randomBytes(6).toString('hex')}:`,
          },
        },
        async behindTheBack(sql, values) {
          await withClient(url!, schema, (client) => client.query(sql, values));
        },
      };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`authkeepAdapter cache (${backend.name})`, () => {
    async function setUp() {
      const { adapter: adapterOptions, behindTheBack } = await backend.open();
      const adapter = authkeepAdapter({ ...adapterOptions, logger: silentLogger });
      cleanups.push(() => adapter.close());
      await migrateBetterAuth({ database: adapter.store, options });
      const db = adapter(options);
      const user = await db.create<{ email: string; name: string }, { id: string }>({
        model: 'user',
        data: { email: `${randomBytes(4).toString('hex')}@example.com`, name: 'Cached' },
      });
      const newSession = (token: string, ipAddress = '10.0.0.1') =>
        db.create({
          model: 'session',
          data: {
            token,
            userId: user.id,
            expiresAt: new Date(Date.now() + hour),
            ipAddress,
            createdAt: new Date(),
            updatedAt: new Date(),
          },
        });
      const byToken = (token: string) =>
        db.findOne<{ ipAddress: string; expiresAt: Date }>({
          model: 'session',
          where: [{ field: 'token', value: token }],
        });
      return { db, user, newSession, byToken, behindTheBack };
    }

    it('serves a session by token from the cache, and deleteMany with any where clause drops it', async () => {
      const { db, user, newSession, byToken, behindTheBack } = await setUp();
      await newSession('tok-a');
      await newSession('tok-b');
      expect((await byToken('tok-a'))?.ipAddress).toBe('10.0.0.1');
      await byToken('tok-b');
      await behindTheBack(`update session set "ipAddress" = $1 where token = $2`, ['changed', 'tok-a']);
      // Served from the cache: the row changed behind the adapter's back, the cached one is what comes back.
      expect((await byToken('tok-a'))?.ipAddress).toBe('10.0.0.1');
      const removed = await db.deleteMany({
        model: 'session',
        where: [
          { field: 'userId', value: user.id },
          { field: 'token', operator: 'ends_with', value: '-a' },
        ],
      });
      expect(removed).toBe(1);
      expect(await byToken('tok-a')).toBeNull();
      expect(await byToken('tok-b')).not.toBeNull();
    });

    it('updateMany with any where clause and a transaction drop the rows they changed', async () => {
      const { db, user, newSession, byToken } = await setUp();
      await newSession('tok-c');
      await newSession('tok-d');
      await byToken('tok-c');
      await byToken('tok-d');
      const past = new Date(Date.now() - hour);
      const changed = await db.updateMany({
        model: 'session',
        where: [
          { field: 'userId', value: user.id },
          { field: 'token', operator: 'in', value: ['tok-c', 'nope'] },
        ],
        update: { expiresAt: past },
      });
      expect(changed).toBe(1);
      expect((await byToken('tok-c'))?.expiresAt.getTime()).toBe(past.getTime());
      await db.transaction(async (trx) => {
        await trx.update({
          model: 'session',
          where: [{ field: 'token', value: 'tok-d' }],
          update: { ipAddress: 'trx' },
        });
      });
      expect((await byToken('tok-d'))?.ipAddress).toBe('trx');
    });

    it('a changed email drops the old lookup and clears the new one', async () => {
      const { db, user } = await setUp();
      const byEmail = (email: string) =>
        db.findOne({ model: 'user', where: [{ field: 'email', value: email }] });
      const old = (await db.findOne<{ email: string }>({
        model: 'user',
        where: [{ field: 'id', value: user.id }],
      }))!.email;
      const renamed = `renamed-${old}`;
      expect(await byEmail(old)).not.toBeNull();
      expect(await byEmail(renamed)).toBeNull(); // cached as "no such user"
      await db.update({
        model: 'user',
        where: [{ field: 'id', value: user.id }],
        update: { email: renamed },
      });
      expect(await byEmail(old)).toBeNull();
      expect(await byEmail(renamed)).not.toBeNull();
    });

    it('deleting a user drops the sessions the database deletes with it (ON DELETE CASCADE)', async () => {
      const { db, user, newSession, byToken } = await setUp();
      await newSession('tok-e');
      expect(await byToken('tok-e')).not.toBeNull();
      await db.delete({ model: 'user', where: [{ field: 'id', value: user.id }] });
      expect(await byToken('tok-e')).toBeNull();
    });
  });
}
