import {
  openPostgres,
  openSqlite,
  type PostgresConnectionOptions,
  type SqliteConnectionOptions,
} from '../../adapters/kysely/index.js';
import { splitPoolerFlag } from '../../adapters/kysely/connection/pooler.js';
import { ConfigError } from '../../domain/errors.js';
import type { Logger } from '../../ports/system.js';
import {
  isDatabaseHandle,
  openDatabaseHandle,
  type BetterSqliteDatabaseLike,
  type DatabaseHandle,
} from '../database-handle.js';
import { logDatabaseChoice } from '../database-location.js';
import { defaultLogger } from '../env.js';
import { resolveCipher } from './cipher-option.js';
import { KitiumStorageAdapter, type KitiumAdapterOptions } from './kitium-adapter.js';

export interface PostgresStorageAdapterOptions extends PostgresConnectionOptions, KitiumAdapterOptions {}
export interface SqliteStorageAdapterOptions extends SqliteConnectionOptions, KitiumAdapterOptions {}

/** A store over the caller's own connection (never closed for us), or undefined for a URL. */
function borrowed(
  target: unknown,
  connection: PostgresConnectionOptions,
  logger: Logger,
): ReturnType<typeof openDatabaseHandle> | undefined {
  if (!isDatabaseHandle(target)) return undefined;
  return openDatabaseHandle(target, connection, logger);
}

/** The URL the cache bus may LISTEN on: directUrl, else the URL itself unless it goes through a pooler. */
function busDatabaseUrl(target: unknown, connection: PostgresConnectionOptions): string | undefined {
  const { directUrl } = connection;
  if (typeof directUrl === 'string' && directUrl !== '') return directUrl;
  if (typeof target !== 'string') return undefined;
  const { url, pooler } = splitPoolerFlag(target);
  return (connection.pooler ?? pooler) ? undefined : url;
}

/**
 * Drop-in for @kitiumai/auth-postgres's PostgresStorageAdapter: `new PostgresStorageAdapter(url, options)`,
 * or over your own `pg.Pool` or PostgreSQL `Kysely` (disconnect() then leaves it open).
 */
export class PostgresStorageAdapter extends KitiumStorageAdapter {
  constructor(connectionString: string | DatabaseHandle, options: PostgresStorageAdapterOptions = {}) {
    if (
      !isDatabaseHandle(connectionString) &&
      (typeof connectionString !== 'string' || connectionString.length === 0)
    ) {
      throw new ConfigError('a PostgreSQL connection string, pg.Pool or Kysely instance is required');
    }
    const { tokenPepper, clock, cache, cacheOptions, cacheBusDatabase, migrations, env, ...rest } = options;
    const {
      logger = defaultLogger(env),
      cipher: cipherOption,
      encryptionKeys,
      upstreamTimeZone,
      ...connection
    } = rest;
    // Keys are checked before the pool opens, so a bad key leaks no connection.
    const cipher = resolveCipher({ cipher: cipherOption, encryptionKeys }, env);
    const store =
      borrowed(connectionString, connection, logger) ??
      openPostgres(connectionString as string, connection, logger);
    if (store.dialect !== 'postgres')
      throw new ConfigError('PostgresStorageAdapter needs a PostgreSQL connection');
    logDatabaseChoice(logger, connectionString, 'PostgresStorageAdapter');
    // LISTEN for the cache's invalidation bus needs a direct connection, never a transaction pooler.
    const busUrl = busDatabaseUrl(connectionString, connection);
    if (busUrl === undefined && cache === 'memory' && cacheOptions?.bus !== 'off') {
      void store.close();
      throw new ConfigError(
        "cache: 'memory' keeps processes coherent with LISTEN/NOTIFY, which needs a direct connection: " +
          "set directUrl (behind a transaction pooler or with your own pool), or cacheOptions.bus: 'off'",
      );
    }
    super(store, {
      logger,
      tokenPepper,
      clock,
      cache,
      cacheOptions,
      cacheBusDatabase:
        cacheBusDatabase ?? (busUrl === undefined ? undefined : { url: busUrl, schema: connection.schema }),
      cipher,
      upstreamTimeZone,
      ...(migrations !== undefined ? { migrations } : {}),
    });
  }
}

/** Turns `':memory:'`, a file path or a `sqlite:` URL into what better-sqlite3 opens. */
export function sqlitePath(target: string): string {
  if (!target.startsWith('sqlite:')) return target;
  let rest = target.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  return decodeURIComponent(rest);
}

/**
 * The same StorageAdapter on SQLite: `':memory:'`, a file path or a `sqlite:` URL (WAL mode for files),
 * or your own better-sqlite3 `Database` or SQLite `Kysely` (disconnect() then leaves it open).
 */
export class SqliteStorageAdapter extends KitiumStorageAdapter {
  constructor(
    target: string | BetterSqliteDatabaseLike | DatabaseHandle = ':memory:',
    options: SqliteStorageAdapterOptions = {},
  ) {
    if (typeof target !== 'string' && !isDatabaseHandle(target)) {
      throw new ConfigError(
        'the SQLite target must be a path, a better-sqlite3 Database or a Kysely instance',
      );
    }
    const { tokenPepper, clock, cache, cacheOptions, migrations, env, ...rest } = options;
    const {
      logger = defaultLogger(env),
      cipher: cipherOption,
      encryptionKeys,
      upstreamTimeZone,
      ...connection
    } = rest;
    // Keys are checked before the file opens, so a bad key leaks no handle.
    const cipher = resolveCipher({ cipher: cipherOption, encryptionKeys }, env);
    const store =
      borrowed(target, connection, logger) ?? openSqlite(sqlitePath(target as string), connection, logger);
    if (store.dialect !== 'sqlite') throw new ConfigError('SqliteStorageAdapter needs a SQLite connection');
    logDatabaseChoice(logger, target, 'SqliteStorageAdapter');
    super(store, {
      logger,
      tokenPepper,
      clock,
      cache,
      cacheOptions,
      cipher,
      upstreamTimeZone,
      ...(migrations !== undefined ? { migrations } : {}),
    });
  }
}
