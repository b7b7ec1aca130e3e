import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type SqlStore } from '../../src/adapters/kysely/index.js';
import { ConfigError, PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { kitiumMigrations } from '../../migrations/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { awaitLater } from '../support/await-later.js';

const url = databaseUrl();

describe.skipIf(!url)('PostgreSQL connection behaviour', () => {
  const schemas: string[] = [];
  const stores: SqlStore[] = [];
  const schema = (label: string) => {
    const name = freshSchemaName(label);
    schemas.push(name);
    return name;
  };
  const open = (options: Parameters<typeof openPostgres>[1], logger = silentLogger) => {
    const store = openPostgres(url!, options, logger);
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    for (const name of schemas) await dropSchema(url!, name);
  });

  it('sets the statement timeout as a connection setting and maps a timeout to code "timeout"', async () => {
    const store = open({ statementTimeoutMs: 150 });
    const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(store.db);
    expect(rows[0]?.statement_timeout).toBe('150ms');
    await expect(
      store.run((db) => sql`select pg_sleep(2)`.execute(db), { idempotent: true }),
    ).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
    });
  });

  it('answers a simple read in one round trip: no BEGIN / SET LOCAL / COMMIT around it', async () => {
    const adapter = new PostgresStorageAdapter(url!, { schema: schema('rt'), logger: silentLogger, max: 1 });
    await adapter.connect();
    const session = await adapter.createSession({
      userId: 'u',
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
      updatedAt: new Date(),
    });
    await adapter.getSession(session.id);
    const sent: string[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text: string };
      sent.push(typeof first === 'string' ? first : first.text);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      expect((await adapter.getSession(session.id))?.userId).toBe('u');
    } finally {
      pg.Client.prototype.query = original;
      await adapter.disconnect();
    }
    expect(sent).toHaveLength(1);
    // One statement: the record's columns from the token's partition (its bucket's table), by its digest.
    expect(sent[0]).toMatch(/^select "user_id", .* from "sessions_b\d+" where "id" = \$1$/);
  });

  it('keeps the auth tables in their own schema, apart from an application’s users table', async () => {
    const appSchema = schema('app');
    await withClient(url!, undefined, (c) =>
      c.query(`create schema ${appSchema}; create table ${appSchema}.users (id int primary key, login text)`),
    );
    const authSchema = schema('auth');
    const adapter = new PostgresStorageAdapter(url!, { schema: authSchema, logger: silentLogger });
    await adapter.connect();
    const user = await adapter.createUser({ email: `${randomUUID()}@x.io` });
    await adapter.disconnect();
    const where = await withClient(url!, undefined, async (c) => ({
      app: (
        await c.query(
          `select column_name from information_schema.columns where table_schema = $1 and table_name = 'users' order by 1`,
          [appSchema],
        )
      ).rows.map((r) => r.column_name),
      auth: (await c.query(`select id from ${authSchema}.users`)).rows.map((r) => r.id),
    }));
    expect(where.app).toEqual(['id', 'login']);
    expect(where.auth).toEqual([user.id]);
  });

  it('refuses to take over a users table it did not create', async () => {
    const appSchema = schema('foreign');
    await withClient(url!, undefined, (c) =>
      c.query(`create schema ${appSchema}; create table ${appSchema}.users (id int primary key)`),
    );
    const adapter = new PostgresStorageAdapter(url!, { schema: appSchema, logger: silentLogger });
    await expect(adapter.connect()).rejects.toBeInstanceOf(ConfigError);
    await adapter.disconnect();
    const tables = await withClient(url!, undefined, async (c) =>
      (
        await c.query(`select table_name from information_schema.tables where table_schema = $1 order by 1`, [
          appSchema,
        ])
      ).rows.map((r) => r.table_name),
    );
    expect(tables).toEqual(['users']);
  });

  it('lets many adapters connect() to an empty schema at once: one schema, no error', async () => {
    const shared = schema('many');
    const adapters = Array.from(
      { length: 6 },
      () => new PostgresStorageAdapter(url!, { schema: shared, logger: silentLogger, max: 2 }),
    );
    await Promise.all(adapters.map((a) => a.connect()));
    const user = await adapters[0]!.createUser({ email: `${randomUUID()}@x.io` });
    expect((await adapters[5]!.getUser(user.id))?.id).toBe(user.id);
    await Promise.all(adapters.map((a) => a.disconnect()));
    const ledger = await withClient(
      url!,
      shared,
      async (c) => (await c.query('select id from auth_migrations')).rows.length,
    );
    expect(ledger).toBe(kitiumMigrations.length);
  });

  it('rejects a schema name that is not a plain lower-case identifier', () => {
    expect(() => new PostgresStorageAdapter(url!, { schema: 'auth; drop table x' })).toThrow(ConfigError);
    expect(() => new PostgresStorageAdapter(url!, { schema: 'Auth' })).toThrow(ConfigError);
  });

  describe('retries', () => {
    let killer: pg.Client;
    beforeAll(async () => {
      killer = new pg.Client({ connectionString: url! });
      await killer.connect();
    });
    afterAll(() => killer.end());

    const killWhileRunning = async (tag: string) => {
      for (let i = 0; i < 100; i++) {
        const { rowCount } = await killer.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and query like '%pg_sleep%' and state = 'active'`,
          [tag],
        );
        if (rowCount) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no running query to kill');
    };

    it('retries an idempotent read whose connection is killed mid-query, and logs the retry', async () => {
      const logger = captureLogger();
      const tag = `ak-retry-${randomUUID().slice(0, 8)}`;
      const store = open({ application_name: tag }, logger);
      let attempts = 0;
      const read = awaitLater(
        store.run(
          async (db) => {
            attempts++;
            return (
              await sql<{ ok: number }>`select pg_sleep(${attempts === 1 ? 5 : 0}), 1 as ok`.execute(db)
            ).rows[0]?.ok;
          },
          { idempotent: true },
        ),
      );
      await killWhileRunning(tag);
      expect(await read).toBe(1);
      expect(attempts).toBe(2);
      expect(logger.lines.filter((l) => l.message.includes('retrying'))).toHaveLength(1);
    });

    it('does not repeat non-idempotent work after an ambiguous fault: it reports unavailable', async () => {
      const tag = `ak-noretry-${randomUUID().slice(0, 8)}`;
      const store = open({ application_name: tag });
      let attempts = 0;
      // Handled before the kill is awaited: the rejection may arrive while killWhileRunning is still running.
      const write = awaitLater(
        store.run(
          async (db) => {
            attempts++;
            return sql`select pg_sleep(5)`.execute(db);
          },
          { idempotent: false },
        ),
      );
      await killWhileRunning(tag);
      await expect(write).rejects.toMatchObject({ code: 'unavailable', retryable: true });
      expect(attempts).toBe(1);
    });

    it('never retries a constraint violation', async () => {
      const logger = captureLogger();
      const adapter = new PostgresStorageAdapter(url!, { schema: schema('noretry'), logger, maxRetries: 5 });
      await adapter.connect();
      const email = `${randomUUID()}@x.io`;
      await adapter.createUser({ email });
      await expect(adapter.createUser({ email })).rejects.toMatchObject({
        code: 'conflict',
        retryable: false,
      });
      await adapter.disconnect();
      expect(logger.lines.filter((l) => l.message.includes('retrying'))).toHaveLength(0);
    });

    it('reports an unreachable server as unavailable after its retries, without the password', async () => {
      const store = open({ connectionTimeoutMillis: 500, maxRetries: 1 });
      const down = openPostgres(
        'postgres://postgres:s3cret-pass@127.0.0.1:1/test',
        { maxRetries: 1 },
        silentLogger,
      );
      stores.push(down, store);
      const error = await down
        .run((db) => sql`select 1`.execute(db), { idempotent: true })
        .catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'unavailable' });
      expect(String((error as Error).message)).not.toContain('s3cret-pass');
    });
  });
});
