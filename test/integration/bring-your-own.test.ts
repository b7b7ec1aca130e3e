import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAuthStorage,
  createKeyValueStore,
  MitthooksExtensionStorage,
  PostgresStorageAdapter,
  silentLogger,
  SqliteStorageAdapter,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { createPasskeyStores } from '../../src/app/passkey/index.js';
import { testCacheSecret } from '../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName, pgbouncerUrl, redisUrl } from '../support/postgres.js';

const url = databaseUrl();

/** What every kitium facade must do on a borrowed connection: migrate, write, read, and leave it open. */
async function roundTrip(adapter: KitiumStorageAdapter): Promise<string> {
  await adapter.connect();
  const user = await adapter.createUser({ email: `${randomUUID()}@example.com` });
  const session = await adapter.createSession({
    userId: user.id,
    entitlements: [],
    expiresAt: new Date(Date.now() + 60_000),
  });
  expect((await adapter.getSession(session.id))?.userId).toBe(user.id);
  expect((await adapter.healthCheck()).status).toBe('ok');
  await adapter.disconnect();
  return user.id;
}

describe.skipIf(!url)('bring your own PostgreSQL connection', () => {
  const schemas: string[] = [];
  const pools: pg.Pool[] = [];
  const schemaPool = (target = url!) => {
    const schema = freshSchemaName('byo');
    schemas.push(schema);
    // The caller's pool carries its own session settings; authkeep adds none.
    const pool = new pg.Pool({ connectionString: target, options: `-c search_path=${schema}`, max: 4 });
    pools.push(pool);
    return { pool, schema };
  };
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    for (const schema of schemas) await dropSchema(url!, schema);
  });

  it('PostgresStorageAdapter on a pg.Pool: works, and the pool still works after disconnect()', async () => {
    const { pool, schema } = schemaPool();
    await pool.query(`create schema ${schema}`);
    const id = await roundTrip(new PostgresStorageAdapter(pool, { logger: silentLogger }));
    const { rows } = await pool.query('select id from users where id = $1', [id]);
    expect(rows).toEqual([{ id }]);
    expect(pool.ended).toBe(false);
  });

  it('PostgresStorageAdapter on a Kysely instance: works, and the Kysely still works after disconnect()', async () => {
    const { pool, schema } = schemaPool();
    await pool.query(`create schema ${schema}`);
    const kysely = new Kysely<{ users: { id: string } }>({ dialect: new PostgresDialect({ pool }) });
    const id = await roundTrip(new PostgresStorageAdapter(kysely, { logger: silentLogger }));
    expect(await kysely.selectFrom('users').select('id').where('id', '=', id).execute()).toEqual([{ id }]);
  });

  it.skipIf(!pgbouncerUrl())(
    'a caller pool to PgBouncer with pooler: "transaction" and a schema sent per transaction',
    async () => {
      const schema = freshSchemaName('byopool');
      schemas.push(schema);
      const pool = new pg.Pool({ connectionString: pgbouncerUrl()!, max: 4 });
      pools.push(pool);
      const id = await roundTrip(
        new PostgresStorageAdapter(pool, { logger: silentLogger, pooler: 'transaction', schema }),
      );
      const { rows } = await pool.query(`select id from ${schema}.users where id = $1`, [id]);
      expect(rows).toEqual([{ id }]);
    },
  );

  it('createAuthStorage, the key-value store and the passkey data store take the same pool', async () => {
    const { pool, schema } = schemaPool();
    await pool.query(`create schema ${schema}`);
    const storage = createAuthStorage({ database: pool, logger: silentLogger });
    expect(storage).toBeInstanceOf(PostgresStorageAdapter);
    await roundTrip(storage);
    const kv = createKeyValueStore({ database: pool, logger: silentLogger });
    await kv.put('k', { v: 1 });
    expect(await kv.get('k')).toEqual({ v: 1 });
    await kv.close();
    const passkey = createPasskeyStores({
      env: {},
      database: pool,
      cacheStoreType: 'memory',
      cacheStoreUrl: 'memory',
      logger: silentLogger,
    });
    await passkey.data.init();
    expect(await passkey.data.getUser('nobody')).toBeNull();
    await passkey.close();
    const { rows } = await pool.query(`select count(*)::int as n from keyvalue`);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('a schema with a pool you pass in (direct mode) is a config error that says where it goes', () => {
    const { pool } = schemaPool();
    expect(() => new PostgresStorageAdapter(pool, { schema: 'x', logger: silentLogger })).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('search_path') }),
    );
    // One message per misuse, naming only what was passed.
    expect(() => new PostgresStorageAdapter(pool, { schema: 'x', logger: silentLogger })).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('statementTimeoutMs'),
        details: { ignored: ['schema'] },
      }),
    );
    expect(() => new PostgresStorageAdapter(pool, { max: 5, logger: silentLogger })).toThrow(
      expect.objectContaining({
        message:
          'max applies only to a connection authkeep opens from a URL: with your own pg.Pool, set it on the pg.Pool itself',
      }),
    );
  });

  it('connection options that would be ignored with your pool or Kysely are a config error naming them', () => {
    const { pool } = schemaPool();
    const replicas = ['postgres://replica.invalid/db'];
    expect(() => new PostgresStorageAdapter(pool, { max: 50, replicas, logger: silentLogger })).toThrow(
      expect.objectContaining({ code: 'config', details: { ignored: ['max', 'replicas'] } }),
    );
    const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    expect(() => new PostgresStorageAdapter(kysely, { pooler: 'transaction', logger: silentLogger })).toThrow(
      expect.objectContaining({ code: 'config', details: { ignored: ['pooler'] } }),
    );
    expect(() => new PostgresStorageAdapter(kysely, { schema: 'x', logger: silentLogger })).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('search_path') }),
    );
    expect(() =>
      createKeyValueStore({ database: pool, connection: { connectTimeoutMs: 100 }, logger: silentLogger }),
    ).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('connectTimeoutMs') }),
    );
  });
});

describe('bring your own SQLite connection', () => {
  it('SqliteStorageAdapter on a better-sqlite3 Database leaves it open and usable', async () => {
    const db = new Database(':memory:');
    const id = await roundTrip(new SqliteStorageAdapter(db, { logger: silentLogger }));
    expect(db.open).toBe(true);
    expect(db.prepare('select id from users where id = ?').all(id)).toEqual([{ id }]);
    db.close();
  });

  it("turns on foreign keys in a caller's SQLite Kysely: a deleted user's passkeys go with them", async () => {
    const database = new Database(':memory:');
    database.pragma('foreign_keys = OFF'); // better-sqlite3 starts with them on; a caller may have turned them off
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    const passkey = createPasskeyStores({
      env: {},
      database: kysely,
      cacheStoreType: 'memory',
      cacheStoreUrl: 'memory',
      logger: silentLogger,
    });
    const user = await passkey.data.upsertUser({ account: 'ada', label: 'Ada' });
    await passkey.data.storeCredential({
      credentialId: 'cred-ada',
      userId: user.id,
      publicKey: 'BP8xK7m0pAtnJ1zs',
      userHandle: 'aGFuZGxlLW9mLTMyLWJ5dGVzLWJhc2U2NHVybC1ubw',
      userName: 'ada',
      userDisplayName: 'Ada',
      aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
      rpId: 'example.com',
    });
    expect(await passkey.data.deleteUser(user.id)).toBe(true);
    // oauth2-passkey deletes a user's passkeys by ON DELETE CASCADE: with foreign keys off they would stay.
    expect(await passkey.data.getCredential('cred-ada')).toBeNull();
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    await passkey.close();
    await kysely.destroy();
  });

  it('refuses a SQLite Kysely whose connection keeps foreign keys off', async () => {
    const database = new Database(':memory:');
    database.pragma('foreign_keys = OFF');
    database.exec('begin'); // inside a transaction the pragma is a no-op
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    const adapter = new SqliteStorageAdapter(kysely, { logger: silentLogger });
    await expect(adapter.connect()).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('foreign keys'),
    });
    database.exec('rollback');
    await adapter.connect();
    expect((await adapter.healthCheck()).status).toBe('ok');
    await adapter.disconnect();
    await kysely.destroy();
  });

  it("busyTimeoutMs or readonly with your own Database is a config error (they are the Database's settings)", () => {
    const db = new Database(':memory:');
    expect(
      () => new SqliteStorageAdapter(db, { busyTimeoutMs: 100, readonly: true, logger: silentLogger }),
    ).toThrow(
      expect.objectContaining({ code: 'config', details: { ignored: ['busyTimeoutMs', 'readonly'] } }),
    );
    db.close();
  });

  it('SqliteStorageAdapter on a SQLite Kysely, and createAuthStorage on a Database', async () => {
    const kysely = new Kysely<{ users: { id: string } }>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
    });
    const id = await roundTrip(new SqliteStorageAdapter(kysely, { logger: silentLogger }));
    expect(await kysely.selectFrom('users').select('id').execute()).toEqual([{ id }]);
    await kysely.destroy();
    const db = new Database(':memory:');
    const storage = createAuthStorage({ database: db, logger: silentLogger });
    expect(storage).toBeInstanceOf(SqliteStorageAdapter);
    await roundTrip(storage);
    expect(db.open).toBe(true);
    db.close();
  });

  it('the mitthooks storage and the key-value store on one Database, which outlives both', async () => {
    const db = new Database(':memory:');
    const mitthooks = new MitthooksExtensionStorage({
      database: db,
      masterPassword: 'master-password-0123456789',
      salt: 'salt-0123456789',
      logger: silentLogger,
    });
    await mitthooks.upsertExtension({
      extensionInstanceId: 'e1',
      contextId: 'p1',
      consentedScopes: [],
      secret: 's3cret',
    });
    expect((await mitthooks.getExtension('e1'))?.secret).toBe('s3cret');
    await mitthooks.close();
    const kv = createKeyValueStore({ database: db, logger: silentLogger });
    await kv.put('a', 1);
    await kv.close();
    expect(db.open).toBe(true);
    expect(db.prepare('select count(*) as n from extension_instance').get()).toEqual({ n: 1 });
    db.close();
  });
});

describe.skipIf(!redisUrl())('bring your own ioredis client', () => {
  it('the passkey cache store and the kitium cache use it and leave it connected', async () => {
    const client = new Redis(redisUrl()!);
    const prefix = `byo${randomUUID().slice(0, 8)}`;
    const passkey = createPasskeyStores({
      env: {},
      database: new Database(':memory:'),
      redisClient: client,
      logger: silentLogger,
    });
    await passkey.cache.putWithTtl(prefix, 'k', 'v', 60);
    expect(await passkey.cache.get(prefix, 'k')).toBe('v');
    await passkey.cache.remove(prefix, 'k');
    await passkey.close();
    const adapter = new SqliteStorageAdapter(':memory:', {
      logger: silentLogger,
      cache: client,
      cacheOptions: { secret: testCacheSecret, namespace: `test:${prefix}:` },
    });
    await roundTrip(adapter);
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    const leftovers = await client.keys(`test:${prefix}:*`);
    if (leftovers.length > 0) await client.del(...leftovers);
    client.disconnect();
  });
});
