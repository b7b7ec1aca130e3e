import { expect, it } from 'vitest';
import { defaultTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import { describePasskeyData, sql } from './backends.js';

const names = defaultTableNames('legacy_');

/**
 * The older oauth2_accounts layout, from the repository copy of src/oauth2/storage/postgres.rs before the
 * 2026-03-21 change (commit 44938b8 in the index we read): `id TEXT PRIMARY KEY NOT NULL`, no
 * sequence_number, `user_id … REFERENCES users(id)` without ON DELETE CASCADE, JSONB metadata. Its SQLite
 * twin differs only in types. The crate's 0.6 layout (sequence_number, cascade) is covered by
 * crate-compat.test.ts; here authkeep must work on the older one too, or a database the Rust app made
 * before 0.6 could not be shared.
 */
function legacyOAuth2Ddl(dialect: 'sqlite' | 'postgres'): string {
  const pg = dialect === 'postgres';
  const ts = pg ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  return `CREATE TABLE ${names.oauth2Accounts} (
      id TEXT PRIMARY KEY NOT NULL,
      user_id TEXT NOT NULL REFERENCES ${names.users}(id),
      provider TEXT NOT NULL,
      provider_user_id TEXT NOT NULL,
      name TEXT NOT NULL,
      email TEXT NOT NULL,
      picture TEXT,
      metadata ${pg ? 'JSONB' : 'TEXT'} NOT NULL,
      created_at ${ts} NOT NULL,
      updated_at ${ts} NOT NULL,
      UNIQUE(provider, provider_user_id)
  )`;
}

describePasskeyData('oauth2-passkey on the pre-0.6 oauth2_accounts layout (id TEXT PRIMARY KEY)', (h) => {
  it('init() accepts it; accounts are written, listed in creation order, and deleted with their user', async () => {
    const { dialect, raw } = h();
    // users first (our DDL is the crate's 0.6 one), then the legacy oauth2 table before init() makes its own.
    // Each write a second later than the one before, so creation order is unambiguous.
    let tick = Date.parse('2026-05-13T04:00:00Z');
    const data = h().reopen({ tables: names, clock: { now: () => new Date((tick += 1000)) } });
    await raw(
      sql.raw(`CREATE TABLE ${names.users} (
        sequence_number ${dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
        id TEXT NOT NULL UNIQUE, account TEXT NOT NULL, label TEXT NOT NULL,
        is_admin BOOLEAN NOT NULL DEFAULT false,
        created_at ${dialect === 'postgres' ? 'TIMESTAMPTZ' : 'TIMESTAMP'} NOT NULL,
        updated_at ${dialect === 'postgres' ? 'TIMESTAMPTZ' : 'TIMESTAMP'} NOT NULL)`),
    );
    await raw(sql.raw(legacyOAuth2Ddl(dialect)));
    await data.init();

    const user = await data.upsertUser({ account: 'ada@x.io', label: 'Ada' });
    const base = { userId: user.id, provider: 'google', name: 'Ada', email: 'ada@x.io', metadata: { a: 1 } };
    const first = await data.upsertOAuth2Account({ ...base, providerUserId: '1' });
    const second = await data.upsertOAuth2Account({ ...base, provider: 'line', providerUserId: '2' });
    expect(first.sequenceNumber).toBeNull();
    const again = await data.upsertOAuth2Account({ ...base, providerUserId: '1', name: 'Ada L.' });
    expect(again).toMatchObject({ id: first.id, name: 'Ada L.', sequenceNumber: null });
    expect((await data.getOAuth2AccountsBy({ userId: user.id })).map((a) => a.id)).toEqual([
      first.id,
      second.id,
    ]);

    // No ON DELETE CASCADE on this layout: the accounts go first, in the same transaction.
    expect(await data.deleteUser(user.id)).toBe(true);
    expect(await data.getOAuth2AccountsBy({ userId: user.id })).toEqual([]);
    expect(await data.getUser(user.id)).toBeNull();

    // The table was left as it was: still no sequence_number.
    const columns =
      dialect === 'sqlite'
        ? await raw(sql<{ name: string }>`select name from pragma_table_info(${names.oauth2Accounts})`)
        : await raw(sql<{ name: string }>`select column_name as name from information_schema.columns
            where table_schema = current_schema() and table_name = ${names.oauth2Accounts}`);
    expect(columns.map((c) => c.name)).not.toContain('sequence_number');
  });
});
