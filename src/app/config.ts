import { ConfigError } from '../domain/errors.js';
import { resolveCacheTarget } from './cache/open-cache.js';
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

export interface AuthStorageConfig extends PostgresStorageAdapterOptions, SqliteStorageAdapterOptions {
  /** `postgres://…`, `postgresql://…`, `sqlite:./file.db`, `:memory:` or a file path. */
  database?: string;
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

export function resolveDatabaseUrl(
  database: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (database !== undefined && database !== '') return database;
  const fromEnv = env.AUTHKEEP_DATABASE_URL;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_SQLITE_FILE;
}

/** The kitium facade for a URL (or AUTHKEEP_DATABASE_URL, or the embedded SQLite file), cached per `cache` or AUTHKEEP_REDIS_URL. */
export function createAuthStorage(
  config: AuthStorageConfig = {},
): PostgresStorageAdapter | SqliteStorageAdapter {
  const { database, busyTimeoutMs, readonly, ...options } = config;
  const url = resolveDatabaseUrl(database);
  const rest = { ...options, cache: resolveCacheTarget(options.cache) };
  if (databaseKind(url) === 'postgres') {
    const replicas = resolveReplicaUrls(options.replicas);
    return new PostgresStorageAdapter(url, { ...rest, ...(replicas ? { replicas } : {}) });
  }
  if (options.replicas !== undefined && options.replicas.length > 0) {
    throw new ConfigError('replicas are for PostgreSQL; a SQLite database has none');
  }
  const { logger, tokenPepper, clock, maxRetries, cache, cacheOptions, cipher, encryptionKeys } = rest;
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
  });
}
