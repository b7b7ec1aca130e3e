import { expect, it } from 'vitest';
import { defaultTableNames, type PasskeyTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import { describePasskeyData, sql, type PasskeyDataHandle } from './backends.js';
import { createCrateTables } from './crate-ddl.js';

const crate = defaultTableNames('cmpcrate_');
const ours = defaultTableNames('cmpours_');
const KEYS = Object.keys(crate) as (keyof PasskeyTableNames)[];

/** Replaces the table prefix so objects named after their table compare equal. */
const normalise = (value: unknown, prefix: string): unknown =>
  JSON.parse(JSON.stringify(value).replaceAll(prefix, 'T_'));

/** Everything SQLite knows about a table: columns, foreign keys and indexes (with their columns and order). */
async function describeSqlite(h: PasskeyDataHandle, table: string) {
  const columns = await h.raw<Record<string, unknown>>(sql`
    select cid, name, upper(type) as type, "notnull", lower(dflt_value) as dflt_value, pk from pragma_table_info(${table})`);
  const foreignKeys = await h.raw(sql`
    select "table", "from", "to", on_update, on_delete, "match" from pragma_foreign_key_list(${table})`);
  const indexList = await h.raw<{ name: string; unique: number; origin: string; partial: number }>(sql`
    select name, "unique", origin, partial from pragma_index_list(${table}) order by name`);
  const indexes = [];
  for (const index of indexList) {
    const keys = await h.raw(
      sql`select seqno, name, "desc" from pragma_index_xinfo(${index.name}) where key = 1 order by seqno`,
    );
    indexes.push({ ...index, keys });
  }
  const [{ autoincrement }] = (await h.raw<{ autoincrement: number }>(
    sql`select count(*) as "autoincrement" from sqlite_master where name = ${table} and sql like ${'%AUTOINCREMENT%'} collate nocase`,
  )) as [{ autoincrement: number }];
  return { columns, foreignKeys, indexes, autoincrement };
}

/** Everything PostgreSQL knows about a table: columns, constraints and index definitions. */
async function describePostgres(h: PasskeyDataHandle, table: string) {
  const columns = await h.raw(sql`
    select ordinal_position, column_name, data_type, is_nullable, column_default, is_identity
    from information_schema.columns where table_schema = current_schema() and table_name = ${table}
    order by ordinal_position`);
  const constraints = await h.raw(sql`
    select c.conname, c.contype, c.confdeltype, c.confupdtype, c.confrelid::regclass::text as references,
      (select array_agg(a.attname order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum)::text as columns
    from pg_constraint c where c.conrelid = ${table}::regclass order by c.conname`);
  const indexes = await h.raw(sql`
    select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = ${table} order by indexname`);
  return { columns, constraints, indexes };
}

describePasskeyData("oauth2-passkey schema compared with the crate's DDL, column by column", (h) => {
  it("our created tables match the crate's in every column, key, foreign key, default and index", async () => {
    await createCrateTables(h(), crate);
    await h().reopen({ tables: ours }).init();
    for (const key of KEYS) {
      const describe = h().dialect === 'sqlite' ? describeSqlite : describePostgres;
      const theirs = normalise(await describe(h(), crate[key]), 'cmpcrate_');
      const mine = normalise(await describe(h(), ours[key]), 'cmpours_');
      expect(mine, `${key}`).toEqual(theirs);
    }
    // The descriptions are not vacuous: the cascade and the descending index are in them.
    const text = JSON.stringify(
      await (h().dialect === 'sqlite' ? describeSqlite : describePostgres)(h(), ours.passkeyCredentials),
    );
    expect(text).toMatch(h().dialect === 'sqlite' ? /"on_delete":"CASCADE"/ : /"confdeltype":"c"/);
    const history = JSON.stringify(
      await (h().dialect === 'sqlite' ? describeSqlite : describePostgres)(h(), ours.loginHistory),
    );
    expect(history).toMatch(h().dialect === 'sqlite' ? /"name":"timestamp","desc":1/ : /timestamp\\?" DESC/);
  });

  it('and the comparison can fail: a drifted column is seen', async () => {
    const drifted = defaultTableNames('cmpdrift_');
    await createCrateTables(h(), drifted);
    await h().raw(sql`alter table ${sql.table(drifted.loginHistory)} add column extra text`);
    const describe = h().dialect === 'sqlite' ? describeSqlite : describePostgres;
    const theirs = normalise(await describe(h(), crate.loginHistory), 'cmpcrate_');
    const changed = normalise(await describe(h(), drifted.loginHistory), 'cmpdrift_');
    expect(changed).not.toEqual(theirs);
  });
});
