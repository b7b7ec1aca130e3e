import { describe, expect, it } from 'vitest';
import { resolvePasskeyConfig, type PasskeyConfig } from '../../../src/app/passkey/env-config.js';

/**
 * Every shared variable, value by value, with what oauth2-passkey 0.6 does with it. "panic" rows are values
 * the crate refuses at startup; authkeep refuses them with a config error naming the variable. Rows marked
 * `warn` are values the crate takes quietly that authkeep used to refuse: it now takes them the same way and
 * logs one warning naming the value.
 *
 * Sources (the crate's files; docs.rs pages are https://docs.rs/crate/oauth2-passkey/<version>/source/<path>):
 * - DEMO: src/config.rs, `O2P_DEMO_MODE = env::var(..).map(|val| val.to_lowercase() == "true").unwrap_or(false)`
 *   (repository copy of the 0.6 era; the docs.rs 0.6.0 page carries the same doc comment).
 * - MAX_AGE: src/session/config.rs, docs.rs 0.6.1: `val.parse()` as u64, panic on error, unset 600.
 * - POLICY: src/session/config.rs, 0.6-era repository copy (its SESSION_COOKIE_MAX_AGE is docs.rs 0.6.1's):
 *   unset allow; `val.to_lowercase()` allow | replace | reject; anything else panics.
 * - CACHE: src/storage/cache_store/config.rs, docs.rs 0.6.0: both variables `.expect(..)`; type matched
 *   exactly against "memory" | "redis"; memory never reads the URL; redis goes to `redis::Client::open`.
 * - REDIS_RS: redis-rs redis/src/connection.rs `parse_redis_url` (schemes redis, rediss, redis+unix, unix)
 *   and `url_to_unix_connection_info` (socket path, `db`, `user`, `pass` query keys).
 * - RETENTION: src/audit/storage/config.rs, docs.rs 0.6.0: `val.parse::<u32>()`, panic on error, unset 0.
 * - DATA: src/storage/data_store/config.rs (repository copy): both variables `.expect(..)`, the type matched
 *   exactly ("sqlite" | "postgres"; 0.6 adds "mysql", which authkeep does not support: a config error).
 * - TABLES: src/oauth2/storage/config.rs and src/passkey/storage/config.rs, docs.rs 0.6.0:
 *   `env::var("DB_TABLE_…").unwrap_or_else(|_| format!("{}{}", *DB_TABLE_PREFIX, "…"))`; DB_TABLE_PREFIX
 *   unset is `o2p_`, set to "" is no prefix.
 */
const DEMO = 'src/config.rs (0.6 era)';
const MAX_AGE = 'src/session/config.rs (docs.rs 0.6.1)';
const POLICY = 'src/session/config.rs (0.6 era)';
const CACHE = 'src/storage/cache_store/config.rs (docs.rs 0.6.0) + redis-rs connection.rs';
const RETENTION = 'src/audit/storage/config.rs (docs.rs 0.6.0)';
const DATA = 'src/storage/data_store/config.rs';
const TABLES = 'src/oauth2/storage/config.rs, src/passkey/storage/config.rs (docs.rs 0.6.0)';

const base = {
  GENERIC_DATA_STORE_TYPE: 'sqlite',
  GENERIC_DATA_STORE_URL: 'sqlite::memory:',
  GENERIC_CACHE_STORE_TYPE: 'memory',
  GENERIC_CACHE_STORE_URL: 'memory',
};

/** 'panic': the crate refuses the value at startup, and authkeep with a config error. */
type Answer = 'panic' | { read: (config: PasskeyConfig) => unknown; is: unknown; warn?: boolean };

const demo = (is: boolean, warn = false): Answer => ({ read: (c) => c.demoMode, is, warn });
const maxAge = (is: number, warn = false): Answer => ({ read: (c) => c.sessionTtlSeconds, is, warn });
const policy = (is: string): Answer => ({ read: (c) => c.sessionConflictPolicy, is });
const cache = (is: unknown, warn = false): Answer => ({ read: (c) => c.cache, is, warn });
const retention = (is: number): Answer => ({ read: (c) => c.loginHistoryRetentionDays, is });
const data = (is: unknown): Answer => ({ read: (c) => c.data, is });
const table = (key: 'users' | 'oauth2Accounts', is: string): Answer => ({ read: (c) => c.tables[key], is });

const rows: [env: Record<string, string | undefined>, answer: Answer, source: string][] = [
  // O2P_DEMO_MODE: only a case-insensitive "true" is true; nothing is refused.
  [{ O2P_DEMO_MODE: undefined }, demo(false), DEMO],
  [{ O2P_DEMO_MODE: 'true' }, demo(true), DEMO],
  [{ O2P_DEMO_MODE: 'TRUE' }, demo(true), DEMO],
  [{ O2P_DEMO_MODE: 'True' }, demo(true), DEMO],
  [{ O2P_DEMO_MODE: 'false' }, demo(false), DEMO],
  [{ O2P_DEMO_MODE: '1' }, demo(false, true), DEMO],
  [{ O2P_DEMO_MODE: 'yes' }, demo(false, true), DEMO],
  [{ O2P_DEMO_MODE: 'on' }, demo(false, true), DEMO],
  [{ O2P_DEMO_MODE: '' }, demo(false, true), DEMO],
  [{ O2P_DEMO_MODE: ' true' }, demo(false, true), DEMO],
  [{ O2P_DEMO_MODE: 'true ' }, demo(false, true), DEMO],
  // SESSION_COOKIE_MAX_AGE: any u64 (Rust's parse: optional '+', ASCII digits), else a panic.
  [{ SESSION_COOKIE_MAX_AGE: undefined }, maxAge(600), MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '3600' }, maxAge(3600), MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '+90' }, maxAge(90), MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '007' }, maxAge(7), MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '0' }, maxAge(0, true), MAX_AGE],
  // Above what a millisecond TTL can hold as a safe integer (285 000 years): capped there, warned.
  [{ SESSION_COOKIE_MAX_AGE: '9007199254741' }, maxAge(9007199254740, true), MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '18446744073709551615' }, maxAge(9007199254740, true), MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '18446744073709551616' }, 'panic', MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '-1' }, 'panic', MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '' }, 'panic', MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: ' 600' }, 'panic', MAX_AGE],
  [{ SESSION_COOKIE_MAX_AGE: '1e3' }, 'panic', MAX_AGE],
  // SESSION_CONFLICT_POLICY
  [{ SESSION_CONFLICT_POLICY: undefined }, policy('allow'), POLICY],
  [{ SESSION_CONFLICT_POLICY: 'allow' }, policy('allow'), POLICY],
  [{ SESSION_CONFLICT_POLICY: 'Replace' }, policy('replace'), POLICY],
  [{ SESSION_CONFLICT_POLICY: 'REJECT' }, policy('reject'), POLICY],
  [{ SESSION_CONFLICT_POLICY: '' }, 'panic', POLICY],
  [{ SESSION_CONFLICT_POLICY: 'single' }, 'panic', POLICY],
  [{ SESSION_CONFLICT_POLICY: ' reject' }, 'panic', POLICY],
  // GENERIC_CACHE_STORE_TYPE / _URL
  [{ GENERIC_CACHE_STORE_URL: '' }, cache({ type: 'memory' }, true), CACHE],
  [{ GENERIC_CACHE_STORE_URL: 'anything at all' }, cache({ type: 'memory' }), CACHE],
  [{ GENERIC_CACHE_STORE_URL: undefined }, 'panic', CACHE],
  [{ GENERIC_CACHE_STORE_TYPE: 'Memory' }, 'panic', CACHE],
  [{ GENERIC_CACHE_STORE_TYPE: '' }, 'panic', CACHE],
  ...(
    [
      ['redis://127.0.0.1:6379/2', false],
      ['rediss://:pw@cache.internal:6380', false],
      ['redis+unix:///var/run/redis.sock', false],
      ['unix:///var/run/redis.sock?db=3&pass=pw', false],
      ['unix://localhost/var/run/redis.sock', false],
      // Not something redis-rs opens: the Rust app panics on it, so the two apps cannot share it.
      ['redis+cluster://10.0.0.1:7000,10.0.0.2:7000', true],
      ['redis+sentinel://10.0.0.1:26379/mymaster', true],
    ] as const
  ).map(([url, warn]): [Record<string, string>, Answer, string] => [
    { GENERIC_CACHE_STORE_TYPE: 'redis', GENERIC_CACHE_STORE_URL: url },
    cache({ type: 'redis', url }, warn),
    CACHE,
  ]),
  [{ GENERIC_CACHE_STORE_TYPE: 'redis', GENERIC_CACHE_STORE_URL: '' }, 'panic', CACHE],
  [{ GENERIC_CACHE_STORE_TYPE: 'redis', GENERIC_CACHE_STORE_URL: 'http://cache:6379' }, 'panic', CACHE],
  [{ GENERIC_CACHE_STORE_TYPE: 'redis', GENERIC_CACHE_STORE_URL: 'unix://cachehost/sock' }, 'panic', CACHE],
  [{ GENERIC_CACHE_STORE_TYPE: 'redis', GENERIC_CACHE_STORE_URL: 'unix:///s.sock?db=x' }, 'panic', CACHE],
  // O2P_LOGIN_HISTORY_RETENTION_DAYS
  [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: undefined }, retention(0), RETENTION],
  [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '+30' }, retention(30), RETENTION],
  [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '4294967295' }, retention(4294967295), RETENTION],
  [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '4294967296' }, 'panic', RETENTION],
  [{ O2P_LOGIN_HISTORY_RETENTION_DAYS: '' }, 'panic', RETENTION],
  // GENERIC_DATA_STORE_TYPE / _URL
  [{ GENERIC_DATA_STORE_TYPE: 'sqlite' }, data({ type: 'sqlite', path: ':memory:' }), DATA],
  [
    { GENERIC_DATA_STORE_TYPE: 'postgres', GENERIC_DATA_STORE_URL: 'postgres://app@db/auth' },
    data({ type: 'postgres', url: 'postgres://app@db/auth' }),
    DATA,
  ],
  [{ GENERIC_DATA_STORE_TYPE: 'SQLite' }, 'panic', DATA],
  [{ GENERIC_DATA_STORE_TYPE: undefined }, 'panic', DATA],
  // Not a panic in the crate (0.6 opens MySQL/MariaDB): authkeep has no MySQL driver, so a config error.
  [{ GENERIC_DATA_STORE_TYPE: 'mysql' }, 'panic', DATA],
  [{ GENERIC_DATA_STORE_URL: undefined }, 'panic', DATA],
  // DB_TABLE_PREFIX and the whole-name overrides
  [{ DB_TABLE_PREFIX: undefined }, table('users', 'o2p_users'), TABLES],
  [{ DB_TABLE_PREFIX: '' }, table('users', 'users'), TABLES],
  [{ DB_TABLE_PREFIX: 'app_' }, table('oauth2Accounts', 'app_oauth2_accounts'), TABLES],
  [{ DB_TABLE_PREFIX: 'app_', DB_TABLE_OAUTH2_ACCOUNTS: 'links' }, table('oauth2Accounts', 'links'), TABLES],
];

describe("the crate's environment variables, value by value (oauth2-passkey 0.6)", () => {
  it.each(rows)('%o → %o (%s)', (change, answer) => {
    const warnings: { message: string; details: Record<string, unknown> }[] = [];
    const resolve = () =>
      resolvePasskeyConfig(
        {},
        { ...base, ...change },
        { warn: (message, details) => warnings.push({ message, details }) },
      );
    // The variable a row is about is the last one it sets.
    const variable = Object.keys(change).at(-1)!;
    if (answer === 'panic') {
      let error: { code?: string; message?: string } = {};
      try {
        resolve();
      } catch (caught) {
        error = caught as typeof error;
      }
      expect(error.code).toBe('config');
      expect(error.message).toContain(variable);
      // The value may be a URL with a password: it is never in the message.
      expect(error.message).not.toContain('pw');
      return;
    }
    expect(answer.read(resolve())).toEqual(answer.is);
    if (answer.warn) {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.details.variable).toBe(variable);
      // The warning names the value (a URL's password masked).
      const value = String(change[variable]);
      expect(warnings[0]!.details.value).toBe(value.replace(/:[^:@/]*@/, ':***@'));
    } else {
      expect(warnings).toEqual([]);
    }
  });

  it('a unix-socket password is masked where the configuration is shown', async () => {
    const { createPasskeyStores } = await import('../../../src/app/passkey/create-stores.js');
    const stores = createPasskeyStores({
      env: {
        ...base,
        GENERIC_CACHE_STORE_TYPE: 'redis',
        GENERIC_CACHE_STORE_URL: 'unix:///tmp/none.sock?db=1&pass=hunter2',
      },
      redisOptions: { lazyConnect: true },
    });
    expect(JSON.stringify(stores.config)).not.toContain('hunter2');
    expect(stores.config.cache).toEqual({ type: 'redis', url: 'unix:///tmp/none.sock?db=1&pass=***' });
    await stores.close();
  });
});
