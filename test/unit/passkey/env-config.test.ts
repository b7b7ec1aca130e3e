import { describe, expect, it } from 'vitest';
import { resolvePasskeyConfig, sqliteTarget } from '../../../src/app/passkey/env-config.js';

const base = {
  GENERIC_DATA_STORE_TYPE: 'sqlite',
  GENERIC_DATA_STORE_URL: 'sqlite:./data/auth.db',
  GENERIC_CACHE_STORE_TYPE: 'memory',
  GENERIC_CACHE_STORE_URL: 'memory',
};

/** The error a config raises, with the variable it names. */
function failure(env: Record<string, string | undefined>): {
  code?: string;
  message: string;
  details?: { variable?: string };
} {
  try {
    resolvePasskeyConfig({}, env);
  } catch (error) {
    return error as never;
  }
  throw new Error('expected a config error');
}

describe("oauth2-passkey configuration from the crate's variables", () => {
  it('defaults: o2p_ tables, retention off, demo mode off', () => {
    expect(resolvePasskeyConfig({}, base)).toEqual({
      data: { type: 'sqlite', path: './data/auth.db' },
      cache: { type: 'memory' },
      tables: {
        users: 'o2p_users',
        oauth2Accounts: 'o2p_oauth2_accounts',
        passkeyCredentials: 'o2p_passkey_credentials',
        loginHistory: 'o2p_login_history',
      },
      loginHistoryRetentionDays: 0,
      demoMode: false,
      sessionTtlSeconds: 600,
      sessionConflictPolicy: 'allow',
    });
  });

  // The crate's session TTL: SESSION_COOKIE_MAX_AGE, a u64 defaulting to 600, a panic when unparseable
  // (docs.rs oauth2-passkey 0.6.1 src/session/config.rs). Before, it was not read at all.
  it('SESSION_COOKIE_MAX_AGE sets the session TTL, as the crate reads it', () => {
    expect(resolvePasskeyConfig({}, { ...base, SESSION_COOKIE_MAX_AGE: '3600' }).sessionTtlSeconds).toBe(
      3600,
    );
    expect(resolvePasskeyConfig({}, { ...base, SESSION_COOKIE_MAX_AGE: '+90' }).sessionTtlSeconds).toBe(90);
    expect(resolvePasskeyConfig({ sessionTtlSeconds: 30 }, base).sessionTtlSeconds).toBe(30);
  });

  it('the prefix applies to every table except those overridden whole', () => {
    const config = resolvePasskeyConfig(
      {},
      {
        ...base,
        DB_TABLE_PREFIX: 'my_',
        DB_TABLE_OAUTH2_ACCOUNTS: 'links',
        DB_TABLE_PASSKEY_CREDENTIALS: 'keys',
      },
    );
    expect(config.tables).toEqual({
      users: 'my_users',
      oauth2Accounts: 'links',
      passkeyCredentials: 'keys',
      loginHistory: 'my_login_history',
    });
    expect(resolvePasskeyConfig({}, { ...base, DB_TABLE_PREFIX: '' }).tables.users).toBe('users');
  });

  it('reads sqlx SQLite URLs, in-memory forms included', () => {
    expect(sqliteTarget('sqlite::memory:')).toBe(':memory:');
    expect(sqliteTarget('sqlite:file:shared?mode=memory&cache=shared')).toBe(':memory:');
    expect(sqliteTarget('sqlite://data.db')).toBe('data.db');
    expect(sqliteTarget('sqlite:///var/lib/app/auth.db?mode=rwc')).toBe('/var/lib/app/auth.db');
    expect(sqliteTarget('./plain.db')).toBe('./plain.db');
  });

  it('retention days and demo mode parse as the crate parses them', () => {
    expect(
      resolvePasskeyConfig({}, { ...base, O2P_LOGIN_HISTORY_RETENTION_DAYS: '90' }).loginHistoryRetentionDays,
    ).toBe(90);
    expect(
      resolvePasskeyConfig({}, { ...base, O2P_LOGIN_HISTORY_RETENTION_DAYS: '+4294967295' })
        .loginHistoryRetentionDays,
    ).toBe(4294967295);
    expect(resolvePasskeyConfig({}, { ...base, O2P_DEMO_MODE: 'TRUE' }).demoMode).toBe(true);
    expect(resolvePasskeyConfig({}, { ...base, O2P_DEMO_MODE: 'false' }).demoMode).toBe(false);
  });

  it('explicit overrides win over the environment', () => {
    const config = resolvePasskeyConfig(
      {
        dataStoreType: 'postgres',
        dataStoreUrl: 'postgres://db/app',
        tables: { users: 'people' },
        demoMode: true,
      },
      base,
    );
    expect(config).toMatchObject({
      data: { type: 'postgres', url: 'postgres://db/app' },
      demoMode: true,
      tables: { users: 'people' },
    });
  });

  it.each([
    [{ GENERIC_DATA_STORE_TYPE: undefined }, 'GENERIC_DATA_STORE_TYPE'],
    [{ GENERIC_DATA_STORE_TYPE: 'oracle' }, 'GENERIC_DATA_STORE_TYPE'],
    [{ GENERIC_DATA_STORE_TYPE: 'mysql' }, 'GENERIC_DATA_STORE_TYPE'],
    [{ GENERIC_DATA_STORE_URL: '' }, 'GENERIC_DATA_STORE_URL'],
    [{ GENERIC_DATA_STORE_URL: 'postgres://x/y' }, 'GENERIC_DATA_STORE_URL'],
    [
      { GENERIC_DATA_STORE_TYPE: 'postgres', GENERIC_DATA_STORE_URL: 'mysql://u:secret@h/db' },
      'GENERIC_DATA_STORE_URL',
    ],
    [{ GENERIC_CACHE_STORE_TYPE: 'memcached' }, 'GENERIC_CACHE_STORE_TYPE'],
    [{ GENERIC_CACHE_STORE_URL: undefined }, 'GENERIC_CACHE_STORE_URL'],
    [
      { GENERIC_CACHE_STORE_TYPE: 'redis', GENERIC_CACHE_STORE_URL: 'http://redis' },
      'GENERIC_CACHE_STORE_URL',
    ],
    [{ DB_TABLE_PREFIX: 'bad prefix' }, 'DB_TABLE_PREFIX'],
    [{ DB_TABLE_USERS: 'users;drop' }, 'DB_TABLE_USERS'],
    [{ DB_TABLE_LOGIN_HISTORY: '' }, 'DB_TABLE_LOGIN_HISTORY'],
    [{ DB_TABLE_OAUTH2_ACCOUNTS: 'app.links' }, 'DB_TABLE_OAUTH2_ACCOUNTS'],
    [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '-1' }, 'O2P_LOGIN_HISTORY_RETENTION_DAYS'],
    [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '1.5' }, 'O2P_LOGIN_HISTORY_RETENTION_DAYS'],
    [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '4294967296' }, 'O2P_LOGIN_HISTORY_RETENTION_DAYS'],
    [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '' }, 'O2P_LOGIN_HISTORY_RETENTION_DAYS'],
    [{ SESSION_COOKIE_MAX_AGE: 'abc' }, 'SESSION_COOKIE_MAX_AGE'],
    [{ SESSION_COOKIE_MAX_AGE: '-5' }, 'SESSION_COOKIE_MAX_AGE'],
    [{ SESSION_COOKIE_MAX_AGE: '' }, 'SESSION_COOKIE_MAX_AGE'],
    [{ SESSION_CONFLICT_POLICY: 'single' }, 'SESSION_CONFLICT_POLICY'],
  ])('%o is a config error naming %s', (change, variable) => {
    const error = failure({ ...base, ...change });
    expect(error.code).toBe('config');
    expect(error.message).toContain(variable);
    expect(error.details?.variable ?? variable).toBe(variable);
    expect(error.message).not.toContain('secret');
  });

  it('schema-qualified names are accepted on PostgreSQL', () => {
    const config = resolvePasskeyConfig(
      {},
      {
        ...base,
        GENERIC_DATA_STORE_TYPE: 'postgres',
        GENERIC_DATA_STORE_URL: 'postgresql://h/db',
        DB_TABLE_PREFIX: 'auth.o2p_',
      },
    );
    expect(config.tables.users).toBe('auth.o2p_users');
  });
});
