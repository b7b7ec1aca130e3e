import { parseTableName, type PasskeyTableNames } from '../../adapters/kysely/passkey/index.js';
import { isRedisUrl } from '../../adapters/cache/redis-url.js';
import { ConfigError } from '../../domain/errors.js';

/** Where the crate's data lives, as GENERIC_DATA_STORE_TYPE / _URL name it. */
export type PasskeyDataStoreConfig =
  | { type: 'sqlite'; /** What better-sqlite3 opens: a file path or ':memory:'. */ path: string }
  | { type: 'postgres'; url: string }
  | {
      type: 'sqlite' | 'postgres';
      /** The caller's own connection: GENERIC_DATA_STORE_* not read. */ borrowed: true;
    };

export type PasskeyCacheStoreConfig = { type: 'memory' } | { type: 'redis'; url: string };

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

function cacheStore(type: string | undefined, url: string | undefined): PasskeyCacheStoreConfig {
  const kind = required(type, 'GENERIC_CACHE_STORE_TYPE');
  // The crate requires the URL even for the memory store.
  const target = required(url, 'GENERIC_CACHE_STORE_URL');
  if (kind === 'memory') return { type: 'memory' };
  if (kind === 'redis') {
    if (!isRedisUrl(target))
      fail(
        'GENERIC_CACHE_STORE_URL',
        'must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL',
      );
    return { type: 'redis', url: target };
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

/** A u32, as Rust parses one; set but unparseable is an error (the crate panics at startup). */
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
// A TTL in milliseconds must stay a safe integer.
const MAX_SESSION_TTL_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * SESSION_COOKIE_MAX_AGE, a u64 in the crate, which panics at startup on an unparseable value (0.6.1
 * src/session/config.rs). Unlike the crate we refuse 0: Redis would drop the entry at once, and our
 * memory store would keep it forever.
 */
function sessionTtl(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_SESSION_TTL_SECONDS;
  const number = typeof value === 'number' ? value : /^\+?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > MAX_SESSION_TTL_SECONDS) {
    fail('SESSION_COOKIE_MAX_AGE', 'must be a whole number of seconds, 1 or more');
  }
  return number;
}

function demoMode(value: boolean | string | undefined): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return fail('O2P_DEMO_MODE', 'must be true or false');
}

/** The crate's configuration: explicit overrides first, then its environment variables, then its defaults. */
export function resolvePasskeyConfig(
  overrides: PasskeyConfigOverrides = {},
  env: Env = process.env,
  options: {
    cache?: boolean;
    /** The dialect of a connection the caller brings. */ borrowed?: 'sqlite' | 'postgres';
  } = {},
): PasskeyConfig {
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
    demoMode: demoMode(overrides.demoMode ?? env.O2P_DEMO_MODE),
    sessionTtlSeconds: sessionTtl(overrides.sessionTtlSeconds ?? env.SESSION_COOKIE_MAX_AGE),
  };
}
