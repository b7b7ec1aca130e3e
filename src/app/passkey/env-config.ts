import { parseTableName, type PasskeyTableNames } from '../../adapters/kysely/passkey/index.js';
import { isRedisUrl } from '../../adapters/cache/redis/redis-url.js';
import { ConfigError } from '../../domain/errors.js';
import { maskUrlPassword } from '../../domain/masking.js';
import { isCrateUnixRedisUrl, parseCrateUnixRedisUrl } from './redis-target.js';

/** Where the crate's data lives, as GENERIC_DATA_STORE_TYPE / _URL name it. */
export type PasskeyDataStoreConfig =
  | { type: 'sqlite'; /** What better-sqlite3 opens: a file path or ':memory:'. */ path: string }
  | { type: 'postgres'; url: string }
  | {
      type: 'sqlite' | 'postgres';
      /** The caller's own connection: GENERIC_DATA_STORE_* not read. */ borrowed: true;
    };

export type PasskeyCacheStoreConfig = { type: 'memory' } | { type: 'redis'; url: string };

/** SESSION_CONFLICT_POLICY: what a login does when the user already has live sessions. */
export type SessionConflictPolicy = 'allow' | 'replace' | 'reject';

/** Where a value the crate accepts but authkeep would once have refused is reported (once, at startup). */
export type ConfigWarn = (message: string, details: Record<string, unknown>) => void;

export interface PasskeyConfig {
  data: PasskeyDataStoreConfig;
  /** Null when the caller brings its own CacheStore (the GENERIC_CACHE_STORE_* variables are then not read). */
  cache: PasskeyCacheStoreConfig | null;
  tables: PasskeyTableNames;
  /** O2P_LOGIN_HISTORY_RETENTION_DAYS; 0 disables the retention delete. */
  loginHistoryRetentionDays: number;
  /** O2P_DEMO_MODE. */
  demoMode: boolean;
  /** SESSION_COOKIE_MAX_AGE: the TTL, in seconds, of the sessions we create (the crate's default 600). */
  sessionTtlSeconds: number;
  /** SESSION_CONFLICT_POLICY (default allow). */
  sessionConflictPolicy: SessionConflictPolicy;
}

/** Explicit settings; each one left out is read from the crate's environment variable. */
export interface PasskeyConfigOverrides {
  dataStoreType?: string;
  dataStoreUrl?: string;
  cacheStoreType?: string;
  cacheStoreUrl?: string;
  tablePrefix?: string;
  tables?: Partial<PasskeyTableNames>;
  loginHistoryRetentionDays?: number | string;
  demoMode?: boolean | string;
  sessionTtlSeconds?: number | string;
  sessionConflictPolicy?: string;
}

type Env = Record<string, string | undefined>;

const TABLE_VARIABLES: Record<keyof PasskeyTableNames, [variable: string, suffix: string]> = {
  users: ['DB_TABLE_USERS', 'users'],
  oauth2Accounts: ['DB_TABLE_OAUTH2_ACCOUNTS', 'oauth2_accounts'],
  passkeyCredentials: ['DB_TABLE_PASSKEY_CREDENTIALS', 'passkey_credentials'],
  loginHistory: ['DB_TABLE_LOGIN_HISTORY', 'login_history'],
};

const U32_MAX = 4_294_967_295;

function required(value: string | undefined, variable: string): string {
  if (value === undefined || value === '')
    throw new ConfigError(`${variable} is required`, { details: { variable } });
  return value;
}

function fail(variable: string, problem: string): never {
  throw new ConfigError(`${variable} ${problem}`, { details: { variable } });
}

/** sqlx's SQLite URLs: `sqlite:path`, `sqlite://path`, `sqlite:///abs`, `sqlite::memory:`, `mode=memory`, or a path. */
export function sqliteTarget(url: string): string {
  if (url.includes(':memory:') || /[?&]mode=memory(&|$)/.test(url)) return ':memory:';
  let rest = url;
  if (rest.startsWith('sqlite:')) {
    rest = rest.slice('sqlite:'.length);
    if (rest.startsWith('//')) rest = rest.slice(2);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    fail(
      'GENERIC_DATA_STORE_URL',
      'must be a sqlite: URL or a file path when GENERIC_DATA_STORE_TYPE=sqlite',
    );
  }
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  if (rest === '') fail('GENERIC_DATA_STORE_URL', 'names no SQLite file');
  return decodeURIComponent(rest);
}

function dataStore(type: string | undefined, url: string | undefined): PasskeyDataStoreConfig {
  const kind = required(type, 'GENERIC_DATA_STORE_TYPE');
  const target = required(url, 'GENERIC_DATA_STORE_URL');
  if (kind === 'sqlite') return { type: 'sqlite', path: sqliteTarget(target) };
  if (kind === 'postgres') {
    // Only the variable is named: the URL may hold a password.
    if (!/^postgres(ql)?:\/\//i.test(target))
      fail('GENERIC_DATA_STORE_URL', 'must be a postgres:// or postgresql:// URL');
    return { type: 'postgres', url: target };
  }
  if (kind === 'mysql')
    fail('GENERIC_DATA_STORE_TYPE', 'mysql is supported by the crate but not by authkeep');
  return fail('GENERIC_DATA_STORE_TYPE', 'must be sqlite or postgres');
}

/**
 * GENERIC_CACHE_STORE_TYPE / _URL as the crate reads them (storage/cache_store/config.rs, docs.rs 0.6.0):
 * both must be set (`env::var(..).expect`), the type is exactly `memory` or `redis`, the memory store never
 * looks at the URL (so an empty one is accepted), and a Redis URL goes to redis-rs `Client::open`, which
 * takes redis://, rediss://, redis+unix:// and unix:// (redis-rs connection.rs `parse_redis_url`).
 */
function cacheStore(
  type: string | undefined,
  url: string | undefined,
  warn: ConfigWarn,
): PasskeyCacheStoreConfig {
  const kind = required(type, 'GENERIC_CACHE_STORE_TYPE');
  if (url === undefined)
    fail('GENERIC_CACHE_STORE_URL', 'is required (the crate requires it even for memory)');
  if (kind === 'memory') {
    if (url === '') {
      warn('GENERIC_CACHE_STORE_URL is empty; accepted for the memory store, as oauth2-passkey does', {
        variable: 'GENERIC_CACHE_STORE_URL',
        value: '',
      });
    }
    return { type: 'memory' };
  }
  if (kind === 'redis') {
    if (url === '') fail('GENERIC_CACHE_STORE_URL', 'is required for the redis store');
    if (isCrateUnixRedisUrl(url)) {
      parseCrateUnixRedisUrl(url);
      return { type: 'redis', url };
    }
    if (!isRedisUrl(url))
      fail(
        'GENERIC_CACHE_STORE_URL',
        'must be a redis://, rediss://, redis+unix:// or unix:// URL (or redis+cluster:// / redis+sentinel://)',
      );
    if (!/^rediss?:\/\//i.test(url)) {
      // Shown without its password: the variable may hold one.
      warn(
        'GENERIC_CACHE_STORE_URL is a Redis Cluster or Sentinel URL, which the Rust app (redis-rs Client::open) ' +
          'cannot open: the two apps will not share sessions or challenges',
        { variable: 'GENERIC_CACHE_STORE_URL', value: maskUrlPassword(url) },
      );
    }
    return { type: 'redis', url };
  }
  return fail('GENERIC_CACHE_STORE_TYPE', 'must be memory or redis');
}

/** DB_TABLE_PREFIX (default o2p_) + name, unless DB_TABLE_* overrides the whole name (prefix not applied). */
function tableNames(
  dialect: PasskeyDataStoreConfig['type'],
  prefix: string | undefined,
  overrides: Partial<Record<keyof PasskeyTableNames, string | undefined>>,
): PasskeyTableNames {
  const out = {} as PasskeyTableNames;
  for (const [key, [variable, suffix]] of Object.entries(TABLE_VARIABLES) as [
    keyof PasskeyTableNames,
    [string, string],
  ][]) {
    const override = overrides[key];
    const name = override ?? `${prefix ?? 'o2p_'}${suffix}`;
    parseTableName(name, dialect, override === undefined ? 'DB_TABLE_PREFIX' : variable);
    out[key] = name;
  }
  return out;
}

/**
 * O2P_LOGIN_HISTORY_RETENTION_DAYS: a u32 as Rust parses one; unset is 0, set but unparseable (the empty
 * string too) panics at startup (docs.rs oauth2-passkey 0.6.0 src/audit/storage/config.rs).
 */
function retentionDays(value: number | string | undefined): number {
  if (value === undefined) return 0;
  const variable = 'O2P_LOGIN_HISTORY_RETENTION_DAYS';
  const number = typeof value === 'number' ? value : /^\+?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0 || number > U32_MAX) {
    fail(variable, 'must be a whole number of days between 0 and 4294967295');
  }
  return number;
}

/** The crate's default SESSION_COOKIE_MAX_AGE (docs.rs oauth2-passkey 0.6.1 src/session/config.rs). */
export const DEFAULT_SESSION_TTL_SECONDS = 600;
// A TTL in milliseconds must stay a safe integer; beyond it (285 000 years) the TTL is capped.
const MAX_SESSION_TTL_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);
const U64_MAX = 18_446_744_073_709_551_615n;
/** What Rust's `str::parse` takes for an unsigned integer: an optional `+`, then ASCII digits. */
const RUST_UNSIGNED = /^\+?[0-9]+$/;

/**
 * SESSION_COOKIE_MAX_AGE, a u64 in the crate: unset is 600, an unparseable value panics at startup, and any
 * u64 is taken, 0 included (0.6.1 src/session/config.rs). With 0 the crate stores a session with SETNX and
 * no EXPIRE (put_if_not_exists skips TTL 0) and an expires_at of its creation time; we do the same, warned.
 */
function sessionTtl(value: number | string | undefined, warn: ConfigWarn): number {
  if (value === undefined) return DEFAULT_SESSION_TTL_SECONDS;
  const variable = 'SESSION_COOKIE_MAX_AGE';
  let big: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      fail(variable, 'must be a whole number of seconds, 0 or more');
    big = BigInt(value);
  } else {
    if (!RUST_UNSIGNED.test(value) || BigInt(value) > U64_MAX)
      fail(variable, 'must be a whole number of seconds between 0 and 18446744073709551615');
    big = BigInt(value);
  }
  if (big === 0n) {
    warn(
      'SESSION_COOKIE_MAX_AGE is 0: as in oauth2-passkey, sessions are kept without a TTL and their expires_at is their creation time',
      {
        variable,
        value: String(value),
      },
    );
    return 0;
  }
  if (big > BigInt(MAX_SESSION_TTL_SECONDS)) {
    warn(`SESSION_COOKIE_MAX_AGE is above ${MAX_SESSION_TTL_SECONDS}; sessions get that TTL instead`, {
      variable,
      value: String(value),
    });
    return MAX_SESSION_TTL_SECONDS;
  }
  return Number(big);
}

/**
 * O2P_DEMO_MODE: true for `true` in any case, false for anything else, never an error (src/config.rs,
 * `val.to_lowercase() == "true"`). A value other than true/false is reported, as it is probably a mistake.
 */
function demoMode(value: boolean | string | undefined, warn: ConfigWarn): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower !== 'false') {
    warn('O2P_DEMO_MODE is neither true nor false; demo mode is off, as in oauth2-passkey', {
      variable: 'O2P_DEMO_MODE',
      value,
    });
  }
  return false;
}

/**
 * SESSION_CONFLICT_POLICY: unset is allow; allow, replace or reject in any case; anything else, the empty
 * string included, panics at startup (session/config.rs of the 0.6 era, the copy whose SESSION_COOKIE_MAX_AGE
 * reads as docs.rs 0.6.1's). So it is a config error here too.
 */
function conflictPolicy(value: string | undefined): SessionConflictPolicy {
  if (value === undefined) return 'allow';
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if (lower === 'allow' || lower === 'replace' || lower === 'reject') return lower;
  return fail('SESSION_CONFLICT_POLICY', 'must be allow, replace or reject');
}

/** The crate's configuration: explicit overrides first, then its environment variables, then its defaults. */
export function resolvePasskeyConfig(
  overrides: PasskeyConfigOverrides = {},
  env: Env = process.env,
  options: {
    cache?: boolean;
    /** The dialect of a connection the caller brings. */ borrowed?: 'sqlite' | 'postgres';
    /** Receives one warning per value the crate accepts and authkeep would once have refused. */
    warn?: ConfigWarn;
  } = {},
): PasskeyConfig {
  const warn: ConfigWarn = options.warn ?? (() => undefined);
  const data: PasskeyDataStoreConfig = options.borrowed
    ? { type: options.borrowed, borrowed: true }
    : dataStore(
        overrides.dataStoreType ?? env.GENERIC_DATA_STORE_TYPE,
        overrides.dataStoreUrl ?? env.GENERIC_DATA_STORE_URL,
      );
  const cache =
    options.cache === false
      ? null
      : cacheStore(
          overrides.cacheStoreType ?? env.GENERIC_CACHE_STORE_TYPE,
          overrides.cacheStoreUrl ?? env.GENERIC_CACHE_STORE_URL,
          warn,
        );
  const tableOverrides: Partial<Record<keyof PasskeyTableNames, string | undefined>> = {};
  for (const [key, [variable]] of Object.entries(TABLE_VARIABLES) as [
    keyof PasskeyTableNames,
    [string, string],
  ][]) {
    const value = overrides.tables?.[key] ?? env[variable];
    if (value === '') fail(variable, 'must not be empty');
    tableOverrides[key] = value;
  }
  return {
    data,
    cache,
    tables: tableNames(data.type, overrides.tablePrefix ?? env.DB_TABLE_PREFIX, tableOverrides),
    loginHistoryRetentionDays: retentionDays(
      overrides.loginHistoryRetentionDays ?? env.O2P_LOGIN_HISTORY_RETENTION_DAYS,
    ),
    demoMode: demoMode(overrides.demoMode ?? env.O2P_DEMO_MODE, warn),
    sessionTtlSeconds: sessionTtl(overrides.sessionTtlSeconds ?? env.SESSION_COOKIE_MAX_AGE, warn),
    sessionConflictPolicy: conflictPolicy(overrides.sessionConflictPolicy ?? env.SESSION_CONFLICT_POLICY),
  };
}
