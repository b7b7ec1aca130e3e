import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type SqlStore } from '../../src/adapters/kysely/index.js';
import { prepare, slot } from '../../src/adapters/kysely/prepared.js';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { OwnPgBouncer } from '../support/servers/pgbouncer.js';
import { databaseUrl, dropSchema, freshSchemaName, pgbouncerUrl } from '../support/postgres.js';

const direct = databaseUrl();
const bouncerUrl = pgbouncerUrl();

async function rawThrough<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!bouncerUrl)('PostgreSQL through PgBouncer in transaction mode', () => {
  const schemas: string[] = [];
  const stores: SqlStore[] = [];
  const schema = (label: string) => {
    const name = freshSchemaName(label);
    schemas.push(name);
    return name;
  };
  const open = (url: string, options: Parameters<typeof openPostgres>[1]) => {
    const store = openPostgres(url, options, silentLogger);
    stores.push(store);
    return store;
  };
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    for (const name of schemas) await dropSchema(direct!, name);
  });

  it('without the pooler mode, connect() fails with a config error naming the option (startup parameters refused)', async () => {
    const adapter = new PostgresStorageAdapter(bouncerUrl!, {
      schema: schema('refused'),
      logger: silentLogger,
    });
    const connecting = adapter.connect();
    await expect(connecting).rejects.toMatchObject({ code: 'config', details: { option: 'pooler' } });
    await expect(connecting).rejects.toThrow(/pooler: 'transaction'.*pgbouncer=true/);
    await adapter.disconnect();
  });

  it('named statements on the fast path: the 42P05/26000 signature becomes one config error, then every call fails fast with it', async () => {
    // No startup parameters, so the connection is accepted and only the named statements break.
    const store = open(bouncerUrl!, { statementTimeoutMs: 0, max: 10 });
    const query = prepare<{ n: number }>(store.db.selectNoFrom(sql<number>`${slot('n')}::int`.as('n')));
    const results = await Promise.allSettled(
      Array.from({ length: 400 }, (_, n) => store.query(query({ n }), { idempotent: true })),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: string }] : []));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['config']));
    expect(errors[0]).toMatchObject({ details: { option: 'pooler' } });
    // Latched: later calls fail with the same error without reaching the server.
    await expect(store.query(query({ n: 1 }), { idempotent: true })).rejects.toMatchObject({
      code: 'config',
    });
    await expect(sql`select 1`.execute(store.db)).rejects.toMatchObject({ code: 'config' });
  });

  it('the pooler mode works through it: ?pgbouncer=true is stripped, reads and writes succeed under concurrency', async () => {
    const adapter = new PostgresStorageAdapter(`${bouncerUrl!}?pgbouncer=true`, {
      schema: schema('works'),
      logger: silentLogger,
      max: 10,
    });
    await adapter.connect();
    const users = await Promise.all(
      Array.from({ length: 50 }, (_, i) => adapter.createUser({ email: `u${i}@example.com` })),
    );
    const found = await Promise.all(users.map((user) => adapter.getUser(user.id)));
    expect(found.map((user) => user?.id)).toEqual(users.map((user) => user.id));
    await adapter.disconnect();
  });

  it('statement timeouts hold through the pooler: a lone statement, the hot path and a transaction', async () => {
    const store = open(bouncerUrl!, {
      pooler: 'transaction',
      statementTimeoutMs: 200,
      schema: schema('timeout'),
    });
    await expect(
      store.run((db) => sql`select pg_sleep(3)`.execute(db), { idempotent: true }),
    ).rejects.toMatchObject({ code: 'timeout' });
    const slow = prepare<{ s: number }>(
      store.db.selectNoFrom(sql<number>`pg_sleep(${slot('s')})`.as('slept')),
    );
    await expect(store.query(slow({ s: 3 }), { idempotent: true })).rejects.toMatchObject({
      code: 'timeout',
    });
    await expect(
      store.transaction((trx) => sql`select pg_sleep(3)`.execute(trx), { idempotent: true }),
    ).rejects.toMatchObject({ code: 'timeout' });
    // The store still works afterwards: each failed unit ended its transaction.
    const { rows } = await sql<{ n: number }>`select 1 as n`.execute(store.db);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it("rows follow a statement's columns when they change under the same text (added, retyped, renamed)", async () => {
    const name = schema('shape');
    const store = open(bouncerUrl!, { pooler: 'transaction', schema: name, max: 2 });
    const ddl = (statement: ReturnType<typeof sql>) =>
      store.run((db) => statement.execute(db), { idempotent: false });
    await ddl(sql`create schema ${sql.id(name)}`);
    await ddl(sql`create table t (id int primary key, a text)`);
    await ddl(sql`insert into t values (1, 'xyz')`);
    const byId = prepare<Record<string, unknown>>(
      store.db
        .selectFrom('t' as never)
        .selectAll()
        .where(sql`id`, '=', slot('id')),
    );
    // Both lone-statement paths: the prepared hot path and a statement on a checked-out connection.
    const read = async () => {
      const hot = await store.query(byId({ id: 1 }), { idempotent: true });
      const checkedOut = await store.run((db) => sql`select * from t where id = ${1}`.execute(db), {
        idempotent: true,
      });
      return [...hot, ...checkedOut.rows];
    };
    expect(await read()).toEqual([
      { id: 1, a: 'xyz' },
      { id: 1, a: 'xyz' },
    ]);
    await ddl(sql`alter table t add column b int not null default 7`);
    expect(await read()).toEqual(Array(2).fill({ id: 1, a: 'xyz', b: 7 }));
    await ddl(sql`alter table t alter column a type int using length(a)`);
    expect(await read()).toEqual(Array(2).fill({ id: 1, a: 3, b: 7 }));
    await ddl(sql`alter table t rename column b to c`);
    expect(await read()).toEqual(Array(2).fill({ id: 1, a: 3, c: 7 }));
  });

  it('migrations run through the pooler: concurrent connect() calls apply each migration once', async () => {
    const name = schema('migrate');
    const adapters = Array.from(
      { length: 4 },
      () =>
        new PostgresStorageAdapter(bouncerUrl!, {
          pooler: 'transaction',
          schema: name,
          logger: silentLogger,
          max: 3,
        }),
    );
    await Promise.all(adapters.map((adapter) => adapter.connect()));
    const rows = await rawThrough(direct!, (client) =>
      client.query(`select id, count(*)::int as n from "${name}".auth_migrations group by id`),
    );
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows.every((row: { n: number }) => row.n === 1)).toBe(true);
    await Promise.all(adapters.map((adapter) => adapter.disconnect()));
  });

  it('refuses pool settings that would become session state behind the pooler', () => {
    expect(() =>
      openPostgres(bouncerUrl!, { pooler: 'transaction', options: '-c work_mem=64MB' }, silentLogger),
    ).toThrow(expect.objectContaining({ code: 'config', message: expect.stringContaining('options') }));
    expect(() => openPostgres(`${bouncerUrl!}?pgbouncer=maybe`, {}, silentLogger)).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
  });
});

describe.skipIf(!bouncerUrl)('PgBouncer with one server connection: nothing is left on it', () => {
  let bouncer: OwnPgBouncer;
  const name = freshSchemaName('leak');
  beforeAll(async () => {
    bouncer = await OwnPgBouncer.start(direct!, { default_pool_size: 1 });
  });
  afterAll(async () => {
    await bouncer?.stop();
    await dropSchema(direct!, name);
  });

  it('no prepared statement, statement_timeout or search_path survives on the server connection', async () => {
    const adapter = new PostgresStorageAdapter(bouncer.url, {
      pooler: 'transaction',
      schema: name,
      statementTimeoutMs: 1234,
      logger: silentLogger,
      max: 4,
    });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'leak@example.com' });
    const session = await adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
    });
    for (let i = 0; i < 20; i++) {
      await Promise.all([adapter.getSession(session.id), adapter.getUser(user.id)]);
    }
    await adapter.disconnect();
    // The pooler's only server connection is the one the adapter used.
    const state = await rawThrough(bouncer.url, async (client) => ({
      prepared: (await client.query('select count(*)::int as n from pg_prepared_statements')).rows[0].n,
      timeout: (await client.query('show statement_timeout')).rows[0].statement_timeout,
      path: (await client.query('show search_path')).rows[0].search_path,
    }));
    expect(state).toEqual({ prepared: 0, timeout: '0', path: '"$user", public' });
  });
});

describe.skipIf(!bouncerUrl)('session-level features behind the pooler', () => {
  it("cache: 'memory' (LISTEN/NOTIFY bus) through the pooler needs directUrl or bus: 'off'", async () => {
    const name = freshSchemaName('bus');
    const through = `${bouncerUrl!}?pgbouncer=true`;
    expect(
      () => new PostgresStorageAdapter(through, { schema: name, cache: 'memory', logger: silentLogger }),
    ).toThrow(expect.objectContaining({ code: 'config', message: expect.stringContaining('directUrl') }));
    const adapter = new PostgresStorageAdapter(through, {
      schema: name,
      cache: 'memory',
      directUrl: direct!,
      logger: silentLogger,
    });
    await adapter.connect();
    const user = await adapter.createUser({ email: 'bus@example.com' });
    expect((await adapter.getUser(user.id))?.id).toBe(user.id);
    await adapter.disconnect();
    await dropSchema(direct!, name);
  });
});
