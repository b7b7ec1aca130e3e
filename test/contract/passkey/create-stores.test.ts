import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { createPasskeyStores } from '../../../src/app/passkey/index.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl, withClient } from '../../support/postgres.js';

describe("createPasskeyStores from the crate's environment variables", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('sqlite :memory: and the memory cache', async () => {
    const stores = createPasskeyStores({
      logger: silentLogger,
      env: {
        GENERIC_DATA_STORE_TYPE: 'sqlite',
        GENERIC_DATA_STORE_URL: 'sqlite::memory:',
        GENERIC_CACHE_STORE_TYPE: 'memory',
        GENERIC_CACHE_STORE_URL: 'memory',
        O2P_DEMO_MODE: 'true',
        SESSION_COOKIE_MAX_AGE: '3600',
      },
    });
    try {
      expect(stores.config).toMatchObject({
        data: { type: 'sqlite', path: ':memory:' },
        cache: { type: 'memory' },
        demoMode: true,
        sessionTtlSeconds: 3600,
      });
      // Sessions live as long as the crate's own do under the same SESSION_COOKIE_MAX_AGE
      // (docs.rs oauth2-passkey 0.6.1 src/session/config.rs); before, they were always 600 s.
      const { session } = await stores.sessions.createSession('u-env');
      expect(session.ttl).toBe(3600);
      const user = await stores.data.upsertUser({ account: 'a', label: 'A' });
      expect(user.sequenceNumber).toBe(2);
      await stores.cache.putWithTtl('nonce', 'k', 'v', 60);
      expect(await stores.cache.take('nonce', 'k')).toBe('v');
    } finally {
      await stores.close();
    }
  });

  it('a sqlite: file URL with DB_TABLE_PREFIX and a per-table override; reopening checks the tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-o2p-env-'));
    dirs.push(dir);
    const env = {
      GENERIC_DATA_STORE_TYPE: 'sqlite',
      GENERIC_DATA_STORE_URL: `sqlite://${join(dir, 'auth.db')}?mode=rwc`,
      GENERIC_CACHE_STORE_TYPE: 'memory',
      GENERIC_CACHE_STORE_URL: 'memory',
      DB_TABLE_PREFIX: 'app_',
      DB_TABLE_LOGIN_HISTORY: 'audit_log',
      O2P_LOGIN_HISTORY_RETENTION_DAYS: '7',
    };
    const first = createPasskeyStores({ logger: silentLogger, env });
    expect(first.config.tables).toEqual({
      users: 'app_users',
      oauth2Accounts: 'app_oauth2_accounts',
      passkeyCredentials: 'app_passkey_credentials',
      loginHistory: 'audit_log',
    });
    await first.data.recordLogin({
      userId: 'u',
      authMethod: 'passkey',
      success: true,
      timestamp: new Date(Date.now() - 8 * 86_400_000),
    });
    await first.data.recordLogin({ userId: 'u', authMethod: 'passkey', success: true });
    expect(await first.data.cleanupOldLoginHistory()).toBe(1);
    await first.close();
    expect(existsSync(join(dir, 'auth.db'))).toBe(true);
    const second = createPasskeyStores({ logger: silentLogger, env });
    await second.data.init();
    expect(await second.data.listLogins('u')).toHaveLength(1);
    await second.close();
  });

  describe.skipIf(!databaseUrl() || !redisUrl())('postgres and redis', () => {
    const schema = freshSchemaName('o2penv');
    const prefix = `test-o2p-${randomBytes(6).toString('hex')}`;
    afterAll(async () => {
      await dropSchema(databaseUrl() as string, schema);
      const raw = new Redis(redisUrl() as string);
      await raw.del(`cache:${prefix}:k`, `cache:${prefix}:gone`);
      raw.disconnect();
    });

    it('GENERIC_DATA_STORE_TYPE=postgres and GENERIC_CACHE_STORE_TYPE=redis, keys at the top of the keyspace', async () => {
      const stores = createPasskeyStores({
        logger: silentLogger,
        postgres: { schema },
        env: {
          GENERIC_DATA_STORE_TYPE: 'postgres',
          GENERIC_DATA_STORE_URL: databaseUrl() as string,
          GENERIC_CACHE_STORE_TYPE: 'redis',
          GENERIC_CACHE_STORE_URL: redisUrl() as string,
          DB_TABLE_USERS: 'Members',
        },
      });
      try {
        const user = await stores.data.upsertUser({ account: 'pg', label: 'PG' });
        expect(user).toMatchObject({ sequenceNumber: 1, isAdmin: true });
        const tables = await withClient(databaseUrl() as string, schema, async (client) =>
          (
            await client.query<{ table_name: string }>(
              'select table_name from information_schema.tables where table_schema = $1 order by table_name',
              [schema],
            )
          ).rows.map((row) => row.table_name),
        );
        expect(tables).toEqual([
          'members',
          'o2p_login_history',
          'o2p_oauth2_accounts',
          'o2p_passkey_credentials',
        ]);
        // The crate's layout, with no namespace of ours: a Rust process reads the same key.
        await stores.cache.putWithTtl(prefix, 'k', '{"x":1}', 60);
        const raw = new Redis(redisUrl() as string);
        try {
          expect(await raw.get(`cache:${prefix}:k`)).toBe('{"value":"{\\"x\\":1}"}');
          expect(await raw.ttl(`cache:${prefix}:k`)).toBeGreaterThan(0);
          await raw.set(`cache:${prefix}:gone`, '{"value":"from rust"}', 'EX', 60);
          expect(await stores.cache.take(prefix, 'gone')).toBe('from rust');
          expect(await raw.exists(`cache:${prefix}:gone`)).toBe(0);
        } finally {
          raw.disconnect();
        }
      } finally {
        await stores.close();
      }
    });
  });
});
