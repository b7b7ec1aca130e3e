import { ConfigError } from '../domain/errors.js';
import { handleDialect, isDatabaseHandle, type DatabaseHandle } from './database-handle.js';
import { resolveCacheTarget } from './cache/open-cache.js';
import { envValue, type Env } from './env.js';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  type PostgresStorageAdapterOptions,
  type SqliteStorageAdapterOptions,
} from './kitium/adapters.js';
import { resolveReplicaUrls } from './replica-urls.js';

/** Where the embedded default lives when neither a URL nor AUTHKEEP_DATABASE_URL is given. */
export const DEFAULT_SQLITE_FILE = './.authkeep/authkeep.db';

export type DatabaseKind = 'postgres' | 'sqlite';

export interface AuthStorageConfig
  extends Omit<PostgresStorageAdapterOptions, 'database'>, SqliteStorageAdapterOptions {
  /**
   * `postgres://…`, `postgresql://…`, `sqlite:./file.db`, `:memory:` or a file path; or your own
   * `pg.Pool`, `Kysely` or better-sqlite3 `Database`, which disconnect() leaves open.
   */
  database?: string | DatabaseHandle;
}

/** Which backend a database URL names; only the scheme is ever echoed back in errors. */
export function databaseKind(url: string): DatabaseKind {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (url.startsWith('sqlite:') || url === ':memory:') return 'sqlite';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError(
      `unsupported database URL scheme "${url.slice(0, url.indexOf(':'))}"; use postgres:// or sqlite:`,
    );
  }
  return 'sqlite';
}

/**
 * The database to open: `database`, else AUTHKEEP_DATABASE_URL, else the embedded SQLite file, except
 * under NODE_ENV=production, where a throwaway local file is a config error naming the variable.
 */
export function resolveDatabaseUrl(database: string | undefined, env: Env = process.env): string {
  if (database !== undefined && database !== '') return database;
  const fromEnv = envValue(env, 'AUTHKEEP_DATABASE_URL');
  if (fromEnv !== undefined) return fromEnv;
  if (env.NODE_ENV?.trim() === 'production') {
    throw new ConfigError(
      `NODE_ENV is production and no database is configured: set AUTHKEEP_DATABASE_URL (postgres://… or sqlite:/path/file.db) or pass a database; the embedded default ${DEFAULT_SQLITE_FILE} is for development only`,
    );
  }
  return DEFAULT_SQLITE_FILE;
}

/**
 * The kitium facade for a URL (or AUTHKEEP_DATABASE_URL, or the embedded SQLite file), in `schema` (or
 * AUTHKEEP_DATABASE_SCHEMA) on PostgreSQL, cached per `cache` (or AUTHKEEP_REDIS_URL). Variables come
 * from `env` (default process.env), read as the CLI reads them (src/app/env.ts).
 */
export function createAuthStorage(
  config: AuthStorageConfig = {},
): PostgresStorageAdapter | SqliteStorageAdapter {
  const { database, busyTimeoutMs, readonly, ...options } = config;
  const env = options.env ?? process.env;
  const rest = { ...options, env, cache: resolveCacheTarget(options.cache, env) };
  if (isDatabaseHandle(database)) {
    return handleDialect(database) === 'postgres'
      ? new PostgresStorageAdapter(database, rest)
      : new SqliteStorageAdapter(database, rest);
  }
  const url = resolveDatabaseUrl(database, env);
  if (databaseKind(url) === 'postgres') {
    const replicas = resolveReplicaUrls(options.replicas, env);
    const schema = options.schema ?? envValue(env, 'AUTHKEEP_DATABASE_SCHEMA');
    return new PostgresStorageAdapter(url, {
      ...rest,
      ...(replicas ? { replicas } : {}),
      ...(schema !== undefined ? { schema } : {}),
    });
  }
  if (options.replicas !== undefined && options.replicas.length > 0) {
    throw new ConfigError('replicas are for PostgreSQL; a SQLite database has none');
  }
  const { logger, tokenPepper, clock, maxRetries, cache, cacheOptions, cipher, encryptionKeys, migrations } =
    rest;
  return new SqliteStorageAdapter(url, {
    logger,
    tokenPepper,
    clock,
    maxRetries,
    busyTimeoutMs,
    readonly,
    cache,
    cacheOptions,
    cipher,
    encryptionKeys,
    migrations,
    env,
  });
}
