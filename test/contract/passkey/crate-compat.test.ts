import { expect, it } from 'vitest';
import { defaultTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import type { PasskeyDataStore } from '../../../src/app/passkey/data-store.js';
import { describePasskeyData, sql, type PasskeyDataHandle } from './backends.js';
import { createCrateTables } from './crate-ddl.js';

const names = defaultTableNames('crate_');
const t = (name: string) => sql.table(name);

/** Rows as the Rust crate writes them: RFC 3339 with +00:00 and 9 fraction digits, or CURRENT_TIMESTAMP text. */
async function seedCrateRows(h: PasskeyDataHandle): Promise<void> {
  const pg = h.dialect === 'postgres';
  // sqlx binds chrono values as RFC 3339 text on SQLite; PostgreSQL keeps microseconds of the same instant.
  const created = pg ? '2026-05-13T04:12:33.123456+00:00' : '2026-05-13T04:12:33.123456789+00:00';
  const bool = (value: boolean) => (pg ? value : value ? 1 : 0);
  await h.raw(sql`insert into ${t(names.users)} (sequence_number, id, account, label, is_admin, created_at, updated_at)
    values (1, ${'__demo_placeholder__'}, ${'system@demo.local'}, ${'[Demo Placeholder]'}, ${sql.raw('true')},
      ${created}, ${created})`);
  if (pg) {
    // The crate's demo insert moves the BIGSERIAL past the explicit 1.
    await h.raw(sql`select setval(pg_get_serial_sequence(${names.users}, 'sequence_number'),
      greatest(1, (select max(sequence_number) from ${t(names.users)})))`);
  }
  await h.raw(sql`insert into ${t(names.users)} (id, account, label, is_admin, created_at, updated_at)
    values (${'7f1c2a4e-1d3b-4c5a-9e8f-0a1b2c3d4e5f'}, ${'ada@x.io'}, ${'Ada'}, ${bool(true)}, ${created},
      ${pg ? '2026-05-13T04:12:35+00:00' : '2026-05-13 04:12:35'})`);
  await h.raw(sql`insert into ${t(names.oauth2Accounts)}
    (id, user_id, provider, provider_user_id, name, email, picture, metadata, created_at, updated_at)
    values (${'b2d6e1a0-5c4f-4e3d-8a9b-1c2d3e4f5a6b'}, ${'7f1c2a4e-1d3b-4c5a-9e8f-0a1b2c3d4e5f'}, ${'google'}, ${'1098'},
      ${'Ada'}, ${'ada@x.io'}, ${null}, ${'{"sub":"1098","email_verified":true}'}, ${created}, ${created})`);
  await h.raw(sql`insert into ${t(names.passkeyCredentials)}
    (credential_id, user_id, public_key, counter, user_handle, user_name, user_display_name, aaguid, rp_id)
    values (${'AQIDBAUGBwgJCgsMDQ4PEA'}, ${'7f1c2a4e-1d3b-4c5a-9e8f-0a1b2c3d4e5f'},
      ${'BGq3Cz0nZ1d9Qh2mW6Zq8vY0lR3sT5uV7wX9yZ1aB3cD5eF7gH9iJ1kL3mN5oP7qR9sT1uV3wX5yZ7aB9cD1eF3gH5'}, ${12},
      ${'dXNlci1oYW5kbGUtMzItYnl0ZXMtbG9uZy1wYWRkZWQ'}, ${'ada@x.io'}, ${'Ada'}, ${'fbfc3007-154e-4ecc-8c0b-6e020557d7bd'},
      ${'example.com'})`);
  for (const [stamp, success] of [
    [pg ? '2026-05-13T04:12:33.123456+00:00' : '2026-05-13T04:12:33.123456789+00:00', true],
    [pg ? '2026-04-01T00:00:00+00:00' : '2026-04-01T00:00:00+00:00', false],
  ] as const) {
    await h.raw(sql`insert into ${t(names.loginHistory)} (user_id, timestamp, auth_method, ip_address, user_agent, success, credential_id, aaguid)
      values (${'7f1c2a4e-1d3b-4c5a-9e8f-0a1b2c3d4e5f'}, ${stamp}, ${'passkey'}, ${'198.51.100.7'}, ${'UA'}, ${bool(success)},
        ${'AQIDBAUGBwgJCgsMDQ4PEA'}, ${'fbfc3007-154e-4ecc-8c0b-6e020557d7bd'})`);
  }
}

async function tableSql(h: PasskeyDataHandle): Promise<unknown[]> {
  if (h.dialect === 'sqlite') {
    return h.raw(sql`select name, sql from sqlite_master where name like ${'%crate_%'} order by name`);
  }
  return h.raw(sql`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
    where table_schema = current_schema() and table_name like ${'crate\\_%'} order by table_name, ordinal_position`);
}

describePasskeyData("oauth2-passkey on tables made by the crate's own DDL", (h) => {
  let data: PasskeyDataStore;
  const ada = '7f1c2a4e-1d3b-4c5a-9e8f-0a1b2c3d4e5f';

  it("init accepts the crate's tables and changes nothing", async () => {
    await createCrateTables(h(), names);
    await seedCrateRows(h());
    const before = await tableSql(h());
    data = h().reopen({ tables: names, demoMode: true });
    await data.init();
    expect(await tableSql(h())).toEqual(before);
  });

  it("reads the crate's rows: both SQLite timestamp formats, 0/1 booleans, JSON text metadata, serial ids", async () => {
    expect(await data.getUserBySequenceNumber(1)).toMatchObject({
      id: '__demo_placeholder__',
      isAdmin: true,
    });
    const user = await data.getUser(ada);
    expect(user).toMatchObject({ sequenceNumber: 2, account: 'ada@x.io', isAdmin: true });
    expect(user!.createdAt.toISOString()).toBe('2026-05-13T04:12:33.123Z');
    expect(user!.updatedAt.toISOString()).toBe('2026-05-13T04:12:35.000Z');
    const link = await data.getOAuth2Account('google', '1098');
    expect(link).toMatchObject({
      userId: ada,
      picture: null,
      metadata: { sub: '1098', email_verified: true },
    });
    const credential = await data.getCredential('AQIDBAUGBwgJCgsMDQ4PEA');
    expect(credential).toMatchObject({ counter: 12, rpId: 'example.com', userId: ada });
    expect(credential!.lastUsedAt).toBeInstanceOf(Date);
    const history = await data.listLogins(ada);
    expect(history.map((e) => [e.timestamp.toISOString(), e.success])).toEqual([
      ['2026-05-13T04:12:33.123Z', true],
      ['2026-04-01T00:00:00.000Z', false],
    ]);
  });

  it("updates the crate's rows the crate's way: created_at untouched, counter only upward", async () => {
    const [before] = await h().raw<{ created_at: unknown }>(
      sql`select created_at from ${t(names.users)} where id = ${ada}`,
    );
    const updated = await data.upsertUser({
      id: ada,
      account: 'ada@x.io',
      label: 'Ada Lovelace',
      isAdmin: true,
    });
    expect(updated).toMatchObject({ sequenceNumber: 2, label: 'Ada Lovelace' });
    const [after] = await h().raw<{ created_at: unknown; updated_at: unknown }>(
      sql`select created_at, updated_at from ${t(names.users)} where id = ${ada}`,
    );
    expect(after!.created_at).toEqual(before!.created_at);
    if (h().dialect === 'sqlite')
      expect(after!.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:00$/);
    expect(await data.updateCounter('AQIDBAUGBwgJCgsMDQ4PEA', 12)).toMatchObject({
      status: 'clone_suspected',
      storedCounter: 12,
    });
    expect(await data.updateCounter('AQIDBAUGBwgJCgsMDQ4PEA', 13)).toEqual({
      status: 'updated',
      counter: 13,
    });
    const relinked = await data.upsertOAuth2Account({
      userId: ada,
      provider: 'google',
      providerUserId: '1098',
      name: 'Ada L',
      email: 'ada@x.io',
      metadata: { sub: '1098' },
    });
    expect(relinked).toMatchObject({
      id: 'b2d6e1a0-5c4f-4e3d-8a9b-1c2d3e4f5a6b',
      name: 'Ada L',
      metadata: { sub: '1098' },
    });
  });

  it("range filters order our rows and the crate's by time, whatever their fraction digits", async () => {
    await data.recordLogin({
      userId: ada,
      authMethod: 'oauth2',
      success: true,
      timestamp: new Date('2026-05-13T04:12:33.123Z'),
    });
    await data.recordLogin({
      userId: ada,
      authMethod: 'oauth2',
      success: true,
      timestamp: new Date('2026-05-13T04:12:33.124Z'),
    });
    const window = (from: string, to: string) =>
      data
        .listLogins(ada, { from: new Date(from), to: new Date(to) })
        .then((rows) => rows.map((r) => r.authMethod));
    // Crate row at .123456(789) lies between ours at .123 and .124.
    expect(await window('2026-05-13T04:12:33.123Z', '2026-05-13T04:12:33.124Z')).toEqual([
      'oauth2',
      'passkey',
      'oauth2',
    ]);
    expect(await window('2026-05-13T04:12:33.124Z', '2026-05-13T05:00:00Z')).toEqual(['oauth2']);
    expect(await window('2026-05-13T04:00:00Z', '2026-05-13T04:12:33.123Z')).toEqual(['oauth2']);
    expect(await data.deleteLoginHistoryOlderThan(new Date('2026-05-01T00:00:00Z'))).toBe(1);
  });

  // The crate's FedCM sign-in writes auth_method 'fedcm' (docs.rs oauth2-passkey 0.6.1 src/audit/types.rs,
  // AuthMethod::FedCM); such a row must read back as it is and be writable from our side too.
  it("reads and writes the crate's 'fedcm' login rows", async () => {
    await h()
      .raw(sql`insert into ${t(names.loginHistory)} (user_id, timestamp, auth_method, success, provider, provider_user_id, email)
      values (${ada}, ${'2026-05-14T08:00:00.5+00:00'}, ${'fedcm'}, ${h().dialect === 'postgres' ? true : 1}, ${'google'},
        ${'1098'}, ${'ada@x.io'})`);
    const [newest] = await data.listLogins(ada, { limit: 1 });
    expect(newest).toMatchObject({ authMethod: 'fedcm', provider: 'google', success: true });
    expect(newest!.timestamp.toISOString()).toBe('2026-05-14T08:00:00.500Z');
  });

  it("the crate's foreign keys cascade a user's deletion; the last-admin guard counts the crate's admins", async () => {
    // Two admins (the placeholder and Ada): Ada may go, then the placeholder is the last one.
    expect(await data.deleteUserIfNotLastAdmin(ada)).toBe(true);
    expect(await data.getOAuth2AccountsBy({ userId: ada })).toEqual([]);
    expect(await data.listCredentialsByUser(ada)).toEqual([]);
    expect(await data.listLogins(ada)).toHaveLength(4);
    expect(await data.deleteUserIfNotLastAdmin('__demo_placeholder__')).toBe(false);
  });
});
