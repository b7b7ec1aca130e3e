import { expect, it } from 'vitest';
import { createKeyValueStore } from '../../../src/app/keyvalue/index.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { describeBackends, rawSql } from './backends.js';

describeBackends('key-value table', (h) => {
  it('refuses table names that are not plain identifiers, before touching the database', () => {
    for (const table of ['kv; drop table x', 'a.b', 'a-b', '1abc', '"kv"', '', 'x'.repeat(64), 'kv\u0000']) {
      expect(() => createKeyValueStore({ database: h.db.store, table, logger: silentLogger })).toThrow(
        ConfigError,
      );
    }
  });

  it("creates dbstore's layout when the table is missing", async () => {
    const store = createKeyValueStore({ database: h.db.store, logger: silentLogger });
    expect(store.table).toBe('keyvalue');
    await store.start();
    const columns =
      h.backend.dialect === 'postgres'
        ? await rawSql(
            h.db.store,
            `select column_name as name, data_type as type, is_nullable as nullable from information_schema.columns
             where table_schema = current_schema() and table_name = 'keyvalue' order by ordinal_position`,
          )
        : await rawSql(h.db.store, `select name, type, "notnull" from pragma_table_info('keyvalue')`);
    expect(columns.map((c) => c.name)).toEqual(['key', 'value', 'created_at', 'updated_at']);
    if (h.backend.dialect === 'postgres') {
      expect(columns.map((c) => c.type)).toEqual([
        'character varying',
        'jsonb',
        'timestamp with time zone',
        'timestamp with time zone',
      ]);
    } else {
      // TEXT affinity: a column typed JSON would turn the text '42' into the integer 42.
      expect(columns.map((c) => c.type.toLowerCase())).toEqual(['varchar(255)', 'text', 'text', 'text']);
    }
  });

  it('folds a mixed-case name to lower case, as PostgreSQL did for dbstore, and quotes it', async () => {
    const store = createKeyValueStore({ database: h.db.store, table: 'MyStore', logger: silentLogger });
    expect(store.table).toBe('mystore');
    await store.put('a', 1);
    expect(await rawSql(h.db.store, 'select key from mystore')).toEqual([{ key: 'a' }]);
  });

  it('stamps created_at once and updated_at on every write', async () => {
    const store = createKeyValueStore({ database: h.db.store, table: 'stamps', logger: silentLogger });
    await store.put('a', 1);
    const [first] = await rawSql(h.db.store, "select created_at, updated_at from stamps where key = 'a'");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.bulkPut({ a: 2 });
    const [second] = await rawSql(h.db.store, "select created_at, updated_at from stamps where key = 'a'");
    const ms = (value: unknown) => new Date(value as string).getTime();
    expect(ms(second.created_at)).toBe(ms(first.created_at));
    expect(ms(second.updated_at)).toBeGreaterThan(ms(first.updated_at));
  });

  it('refuses an existing table of another shape', async () => {
    await rawSql(h.db.store, 'create table not_kv (id integer primary key, payload text)');
    const store = createKeyValueStore({ database: h.db.store, table: 'not_kv', logger: silentLogger });
    await expect(store.get('a')).rejects.toBeInstanceOf(ConfigError);
  });

  it('bulkPut is atomic when the database rejects a row in a later batch', async () => {
    const store = createKeyValueStore({ database: h.db.store, table: 'atomic_kv', logger: silentLogger });
    await store.start();
    if (h.backend.dialect === 'postgres') {
      await rawSql(
        h.db.store,
        `create function refuse_poison() returns trigger language plpgsql as $$
         begin if new.key = 'poison' then raise exception 'poison row'; end if; return new; end $$`,
      );
      await rawSql(
        h.db.store,
        'create trigger poison before insert on atomic_kv for each row execute function refuse_poison()',
      );
    } else {
      await rawSql(
        h.db.store,
        `create trigger poison before insert on atomic_kv when new.key = 'poison'
         begin select raise(abort, 'poison row'); end`,
      );
    }
    await store.put('existing', 'before');
    const pairs: Record<string, unknown> = { existing: 'after' };
    for (let i = 0; i < 2400; i++) pairs[`a${String(i).padStart(4, '0')}`] = i;
    // 'poison' sorts after every 'a…' key, so it lands in the third batch of 1000.
    pairs.poison = 'x';
    await expect(store.bulkPut(pairs)).rejects.toThrow();
    expect(await store.toObject()).toEqual({ existing: 'before' });
  });

  it('opens its own connection from a URL or path, and close() closes it', async () => {
    if (h.db.target === '') return; // ':memory:' opened twice is two databases.
    const own = createKeyValueStore({
      database: h.db.target,
      connection: h.db.connection,
      table: 'by_url',
      logger: silentLogger,
    });
    await own.put('a', { via: 'url' });
    const shared = createKeyValueStore({ database: h.db.store, table: 'by_url', logger: silentLogger });
    expect(await shared.get('a')).toEqual({ via: 'url' });
    await own.close();
    expect(await shared.get('a')).toEqual({ via: 'url' });
  });

  it('many stores starting at once on one table all succeed', async () => {
    const stores = Array.from({ length: 8 }, () =>
      h.db.target === ''
        ? createKeyValueStore({ database: h.db.store, table: 'raced', logger: silentLogger })
        : createKeyValueStore({
            database: h.db.target,
            connection: { ...h.db.connection, max: 2 },
            table: 'raced',
            logger: silentLogger,
          }),
    );
    await Promise.all(stores.map((store, i) => store.put(`k${i}`, i)));
    expect(await stores[0]!.size()).toBe(8);
    await Promise.all(stores.map((store) => store.close()));
  });
});
