import { createPinoLogger } from '../adapters/log/pino-logger.js';
import type { Logger } from '../ports/system.js';

export type Env = Record<string, string | undefined>;

/** One environment variable the library or CLI reads: the README's table is checked against this list. */
export interface EnvVariable {
  name: string;
  /** What applies when it is unset, in words. */
  default: string;
  meaning: string;
  /** Who reads it. */
  readBy: 'all' | 'kitium' | 'cli' | 'passkey';
}

/**
 * Every environment variable authkeep reads. To add one: add it here, read it with `envValue`, and add
 * its row to the README table (test/unit/env-table.test.ts checks all three agree).
 */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  {
    name: 'AUTHKEEP_DATABASE_URL',
    default: '`./.authkeep/authkeep.db` (SQLite); required when `NODE_ENV=production`',
    meaning: 'database of `createAuthStorage()` and the CLI: `postgres://…`, `sqlite:./file.db`, `:memory:`',
    readBy: 'kitium',
  },
  {
    name: 'AUTHKEEP_DATABASE_SCHEMA',
    default: "the server's `search_path`",
    meaning: 'PostgreSQL schema that holds the auth tables (created if missing)',
    readBy: 'kitium',
  },
  {
    name: 'AUTHKEEP_DATABASE_REPLICA_URLS',
    default: 'none',
    meaning: 'PostgreSQL read replicas, comma- or space-separated',
    readBy: 'kitium',
  },
  {
    name: 'AUTHKEEP_REDIS_URL',
    default: 'no cache (the CLI demo: memory)',
    meaning: 'Redis cache in front of sessions and API keys: `redis://…` or `rediss://…`',
    readBy: 'kitium',
  },
  {
    name: 'AUTHKEEP_CACHE_SECRET',
    default: 'the token pepper, else the active encryption key (a Redis cache needs one of them)',
    meaning: 'secret (≥ 16 bytes, the same in every process) that authenticates cache entries',
    readBy: 'kitium',
  },
  {
    name: 'AUTHKEEP_UPSTREAM_TIME_ZONE',
    default: "this process's time zone",
    meaning: 'adopting @kitiumai/auth-postgres: the IANA zone its process ran in (its timestamps are local)',
    readBy: 'kitium',
  },
  {
    name: 'AUTHKEEP_ENCRYPTION_KEYS',
    default: 'none (encrypted columns refuse to write)',
    meaning: 'AES-256-GCM keyring `id:base64,id:base64`; the first key is active (`authkeep keys generate`)',
    readBy: 'all',
  },
  {
    name: 'AUTHKEEP_LOG_LEVEL',
    default: '`warn`',
    meaning: 'pino level of the default logger: `debug`, `info`, `warn`, `error`, `silent`',
    readBy: 'all',
  },
  {
    name: 'GENERIC_DATA_STORE_TYPE',
    default: 'required',
    meaning: 'oauth2-passkey data store: `sqlite` or `postgres`',
    readBy: 'passkey',
  },
  {
    name: 'GENERIC_DATA_STORE_URL',
    default: 'required',
    meaning: 'oauth2-passkey database URL or SQLite path',
    readBy: 'passkey',
  },
  {
    name: 'GENERIC_CACHE_STORE_TYPE',
    default: 'required unless a cache store is passed',
    meaning: 'oauth2-passkey cache: `memory` or `redis`',
    readBy: 'passkey',
  },
  {
    name: 'GENERIC_CACHE_STORE_URL',
    default: 'required unless a cache store is passed',
    meaning:
      'oauth2-passkey Redis URL as the crate takes it: `redis://…`, `rediss://…`, `unix:///path?db=N&pass=…`, ' +
      '`redis+unix://…`; ignored (may be empty) for `memory`',
    readBy: 'passkey',
  },
  {
    name: 'DB_TABLE_PREFIX',
    default: '`o2p_`',
    meaning: 'prefix of the oauth2-passkey table names',
    readBy: 'passkey',
  },
  {
    name: 'DB_TABLE_USERS',
    default: '`<prefix>users`',
    meaning: 'full name of the oauth2-passkey users table (prefix not applied)',
    readBy: 'passkey',
  },
  {
    name: 'DB_TABLE_OAUTH2_ACCOUNTS',
    default: '`<prefix>oauth2_accounts`',
    meaning: 'full name of the OAuth2 accounts table',
    readBy: 'passkey',
  },
  {
    name: 'DB_TABLE_PASSKEY_CREDENTIALS',
    default: '`<prefix>passkey_credentials`',
    meaning: 'full name of the passkey credentials table',
    readBy: 'passkey',
  },
  {
    name: 'DB_TABLE_LOGIN_HISTORY',
    default: '`<prefix>login_history`',
    meaning: 'full name of the login history table',
    readBy: 'passkey',
  },
  {
    name: 'O2P_LOGIN_HISTORY_RETENTION_DAYS',
    default: '`0` (keep everything)',
    meaning: 'days of login history kept; older rows are deleted',
    readBy: 'passkey',
  },
  {
    name: 'O2P_DEMO_MODE',
    default: '`false`',
    meaning:
      "the crate's demo mode: `true` in any case turns it on, anything else is off (warned unless `false`)",
    readBy: 'passkey',
  },
  {
    name: 'SESSION_COOKIE_MAX_AGE',
    default: '`600`',
    meaning:
      'seconds an oauth2-passkey session lives (its cache TTL and `expires_at`), as the crate reads it',
    readBy: 'passkey',
  },
  {
    name: 'SESSION_CONFLICT_POLICY',
    default: '`allow`',
    meaning:
      'a login while the user has live oauth2-passkey sessions: `allow`, `replace` them, or `reject` it',
    readBy: 'passkey',
  },
];

const KNOWN = new Set(ENV_VARIABLES.map((variable) => variable.name));

/** A variable's value, with an empty or all-blank value treated as unset (as shells often export them). */
export function envValue(env: Env, name: string): string | undefined {
  if (!KNOWN.has(name)) throw new Error(`${name} is not in ENV_VARIABLES (src/app/env.ts)`);
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The logger every factory uses when it is given none: pino on stderr at AUTHKEEP_LOG_LEVEL (default warn). */
export function defaultLogger(env: Env = process.env): Logger {
  return createPinoLogger({ level: envValue(env, 'AUTHKEEP_LOG_LEVEL') ?? 'warn' });
}
