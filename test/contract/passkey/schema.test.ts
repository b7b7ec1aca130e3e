import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  defaultTableNames,
  EXPECTED_COLUMNS,
  type PasskeyTableNames,
} from '../../../src/adapters/kysely/passkey/index.js';
import { DEMO_PLACEHOLDER_USER } from '../../../src/domain/passkey/rules.js';
import { dataBackends, describePasskeyData, sql, type PasskeyDataHandle } from './backends.js';

const prefix = (label: string) => `${label}${randomBytes(3).toString('hex')}_`;

async function columns(h: PasskeyDataHandle, table: string, schema?: string): Promise<[string, string][]> {
  if (h.dialect === 'sqlite') {
    const rows = await h.raw<{ name: string; type: string }>(
      sql`select name, type from pragma_table_info(${table})`,
    );
    return rows.map((r) => [r.name, r.type]);
  }
  const rows = await h.raw<{ column_name: string; data_type: string }>(sql`
    select column_name, data_type from information_schema.columns
    where table_schema = coalesce(${schema ?? null}::text, current_schema()) and table_name = ${table}
    order by ordinal_position`);
  return rows.map((r) => [r.column_name, r.data_type]);
}

async function indexes(h: PasskeyDataHandle, table: string, schema?: string): Promise<string[]> {
  if (h.dialect === 'sqlite') {
    const rows = await h.raw<{ name: string }>(
      sql`select name from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`,
    );
    return rows.map((r) => r.name).sort();
  }
  const rows = await h.raw<{ indexname: string }>(sql`
    select indexname from pg_indexes where schemaname = coalesce(${schema ?? null}::text, current_schema()) and tablename = ${table}`);
  return rows
    .map((r) => r.indexname)
    .filter((name) => name.startsWith('idx_'))
    .sort();
}

describePasskeyData('oauth2-passkey schema creation and checks', (h) => {
  it("creates the four tables with every expected column and the crate's indexes; init is repeatable", async () => {
    const names = defaultTableNames(prefix('c'));
    const data = h().reopen({ tables: names });
    await data.init();
    await h().reopen({ tables: names }).init();
    const expectations: [keyof PasskeyTableNames, string[]][] = [
      ['users', []],
      ['oauth2Accounts', [`idx_${names.oauth2Accounts}_user_id`]],
      [
        'passkeyCredentials',
        [`idx_${names.passkeyCredentials}_user_id`, `idx_${names.passkeyCredentials}_user_name`],
      ],
      ['loginHistory', [`idx_${names.loginHistory}_timestamp`, `idx_${names.loginHistory}_user_id`]],
    ];
    for (const [key, expectedIndexes] of expectations) {
      const actual = new Map(await columns(h(), names[key]));
      for (const [column, types] of Object.entries(EXPECTED_COLUMNS[key])) {
        expect(actual.get(column)?.toUpperCase(), `${names[key]}.${column}`).toBe(
          types[h().dialect].toUpperCase(),
        );
      }
      expect(actual.size).toBe(Object.keys(EXPECTED_COLUMNS[key]).length);
      expect(await indexes(h(), names[key])).toEqual(expectedIndexes);
    }
  });

  it('a table with a wrong column type is a clear error and is left exactly as it was', async () => {
    const names = defaultTableNames(prefix('w'));
    const wrongType = h().dialect === 'sqlite' ? sql.raw('DATETIME') : sql.raw('timestamp');
    await h().raw(sql`create table ${sql.table(names.users)} (
      sequence_number ${h().dialect === 'sqlite' ? sql.raw('integer primary key autoincrement') : sql.raw('bigserial primary key')},
      id text not null unique, account text not null, label text not null,
      is_admin boolean not null default false, created_at ${wrongType} not null, updated_at ${wrongType} not null)`);
    const before = await columns(h(), names.users);
    const failure = await h()
      .reopen({ tables: names })
      .init()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'integrity',
      details: {
        table: names.users,
        column: 'created_at',
        expected: h().dialect === 'sqlite' ? 'TIMESTAMP' : 'timestamp with time zone',
      },
    });
    expect((failure as Error).message).toMatch(/created_at/);
    expect(await columns(h(), names.users)).toEqual(before);
  });

  it('a pre-0.6 table (TEXT primary key, no sequence_number) fails on the missing column', async () => {
    const names = defaultTableNames(prefix('o'));
    await h().raw(sql`create table ${sql.table(names.users)} (
      id text primary key not null, account text not null, label text not null,
      created_at ${sql.raw(h().dialect === 'sqlite' ? 'TIMESTAMP' : 'TIMESTAMPTZ')} not null,
      updated_at ${sql.raw(h().dialect === 'sqlite' ? 'TIMESTAMP' : 'TIMESTAMPTZ')} not null)`);
    await expect(h().reopen({ tables: names }).init()).rejects.toMatchObject({
      code: 'integrity',
      details: { table: names.users, column: 'sequence_number' },
    });
  });

  it('extra columns are tolerated, as by the crate', async () => {
    const names = defaultTableNames(prefix('x'));
    const data = h().reopen({ tables: names });
    await data.init();
    await h().raw(sql`alter table ${sql.table(names.loginHistory)} add column note text`);
    await h().reopen({ tables: names }).init();
    await data.recordLogin({ userId: 'x', authMethod: 'passkey', success: true });
    expect(await data.listLogins('x')).toHaveLength(1);
  });

  it('per-table overrides are used whole, without the prefix', async () => {
    const tag = randomBytes(3).toString('hex');
    const names = {
      users: `people_${tag}`,
      oauth2Accounts: `links_${tag}`,
      passkeyCredentials: `keys_${tag}`,
      loginHistory: `audit_${tag}`,
    };
    const data = h().reopen({ tables: names });
    const user = await data.upsertUser({ account: 'o', label: 'O' });
    await data.upsertOAuth2Account({
      userId: user.id,
      provider: 'p',
      providerUserId: 'q',
      name: 'n',
      email: 'e',
    });
    expect(user.sequenceNumber).toBe(1);
    expect((await columns(h(), `links_${tag}`)).length).toBe(11);
    expect(await indexes(h(), `keys_${tag}`)).toEqual([
      `idx_keys_${tag}_user_id`,
      `idx_keys_${tag}_user_name`,
    ]);
  });

  it('O2P_DEMO_MODE puts the placeholder at sequence number 1, so the first real user is number 2', async () => {
    const names = defaultTableNames(prefix('d'));
    const data = h().reopen({ tables: names, demoMode: true });
    await data.init();
    await h().reopen({ tables: names, demoMode: true }).init();
    expect(await data.getUserBySequenceNumber(1)).toMatchObject({
      id: DEMO_PLACEHOLDER_USER.id,
      account: 'system@demo.local',
      label: '[Demo Placeholder]',
      isAdmin: true,
    });
    const real = await data.upsertUser({ account: 'r', label: 'R' });
    expect(real).toMatchObject({ sequenceNumber: 2, isAdmin: false });
  });

  it('table names are checked: bad identifiers and (on SQLite) schema-qualified names are config errors', async () => {
    expect(() => h().reopen({ tables: { ...defaultTableNames(), users: 'users; drop table x' } })).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
    expect(() => h().reopen({ tables: { ...defaultTableNames(), users: 'a.b.c' } })).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
    const dotted = () => h().reopen({ tables: { ...defaultTableNames(), users: 'main.o2p_users' } });
    if (h().dialect === 'sqlite') expect(dotted).toThrow(expect.objectContaining({ code: 'config' }));
    else expect(dotted).not.toThrow();
  });
});

describePasskeyData(
  'oauth2-passkey schema on PostgreSQL schemas',
  (h) => {
    it('schema-qualified names put the tables and indexes in that schema, with "." → "_" in index names', async () => {
      const other = `${h().schema}_q`;
      await h().raw(sql`create schema ${sql.id(other)}`);
      try {
        const names = {
          users: `${other}.o2p_users`,
          oauth2Accounts: `${other}.o2p_oauth2_accounts`,
          passkeyCredentials: `${other}.o2p_passkey_credentials`,
          loginHistory: `${other}.o2p_login_history`,
        };
        const data = h().reopen({ tables: names, demoMode: true });
        await data.init();
        expect((await columns(h(), 'o2p_users', other)).length).toBe(7);
        // PostgreSQL cuts identifiers at 63 bytes, for the crate's unquoted names as for ours.
        expect(await indexes(h(), 'o2p_login_history', other)).toEqual([
          `idx_${other}_o2p_login_history_timestamp`.slice(0, 63),
          `idx_${other}_o2p_login_history_user_id`.slice(0, 63),
        ]);
        const user = await data.upsertUser({ account: 'q', label: 'Q' });
        expect(user.sequenceNumber).toBe(2);
        await data.storeCredential({
          credentialId: 'c',
          userId: user.id,
          publicKey: 'p',
          counter: 4,
          userHandle: 'h',
          userName: 'n',
          userDisplayName: 'd',
          aaguid: 'a',
        });
        expect(
          (
            await data.storeCredential({
              credentialId: 'c',
              userId: user.id,
              publicKey: 'p',
              counter: 1,
              userHandle: 'h',
              userName: 'n',
              userDisplayName: 'd',
              aaguid: 'a',
            })
          ).counter,
        ).toBe(4);
        // Nothing went to the same-named tables of the search_path schema.
        expect((await h().data.getAllUsers()).map((u) => u.account)).not.toContain('q');
      } finally {
        await h().raw(sql`drop schema ${sql.id(other)} cascade`);
      }
    });

    it('the check looks only where the name resolves: a wrong same-named table in another schema is ignored', async () => {
      const other = `${h().schema}_w`;
      const names = defaultTableNames(prefix('s'));
      await h().raw(sql`create schema ${sql.id(other)}`);
      try {
        await h().raw(sql`create table ${sql.table(`${other}.${names.users}`)} (id integer)`);
        await h().reopen({ tables: names }).init();
        expect((await columns(h(), names.users)).length).toBe(7);
        expect(await columns(h(), names.users, other)).toEqual([['id', 'integer']]);
      } finally {
        await h().raw(sql`drop schema ${sql.id(other)} cascade`);
      }
    });

    it("folds names to lower case as PostgreSQL does with the crate's unquoted names", async () => {
      const tag = randomBytes(3).toString('hex');
      const data = h().reopen({ tables: defaultTableNames(`Mixed${tag}_`) });
      await data.upsertUser({ account: 'm', label: 'M' });
      expect((await columns(h(), `mixed${tag}_users`)).length).toBe(7);
    });
  },
  {},
  dataBackends.filter((backend) => backend.dialect === 'postgres'),
);
