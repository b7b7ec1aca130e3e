import {
  openPostgres,
  openSqlite,
  SqlStore,
  type PostgresConnectionOptions,
  type SqliteConnectionOptions,
} from '../adapters/kysely/index.js';
import { ConfigError } from '../domain/errors.js';
import type { Logger } from '../ports/system.js';
import { databaseKind } from './config.js';
import { isDatabaseHandle, openDatabaseHandle, type DatabaseHandle } from './database-handle.js';
import { logDatabaseChoice } from './database-location.js';
import { sqlitePath } from './kitium/adapters.js';

/**
 * A database URL (`postgres://…`, `sqlite:./file.db`, `:memory:`, a file path), an open store to share,
 * or your own connection (`pg.Pool`, `Kysely`, better-sqlite3 `Database`), which is never closed for you.
 */
export type DatabaseTarget = string | SqlStore | DatabaseHandle;

/** Connection settings used when a store opens the database from a URL. */
export type ConnectionOptions = PostgresConnectionOptions & SqliteConnectionOptions;

export interface OpenedDatabase {
  store: SqlStore;
  /** Whether this facade opened the connection, and so closes it. A shared store is left open. */
  owned: boolean;
}

/** Opens the database a facade was given, or adopts the store it was handed. */
export function openDatabase(
  database: DatabaseTarget,
  connection: ConnectionOptions,
  logger: Logger,
  facade: string,
): OpenedDatabase {
  logDatabaseChoice(logger, database, facade);
  if (database instanceof SqlStore) return { store: database, owned: false };
  // Owned: closing the store releases authkeep's side only; the caller's connection stays open.
  if (isDatabaseHandle(database))
    return { store: openDatabaseHandle(database, connection, logger), owned: true };
  if (typeof database !== 'string' || database.length === 0) {
    throw new ConfigError(
      'database must be a URL, a SQLite path, an open SqlStore, a pg.Pool, a Kysely instance or a better-sqlite3 Database',
    );
  }
  if (databaseKind(database) === 'postgres') {
    return { store: openPostgres(database, connection, logger), owned: true };
  }
  const { busyTimeoutMs, maxRetries, readonly } = connection;
  return {
    store: openSqlite(sqlitePath(database), { busyTimeoutMs, maxRetries, readonly }, logger),
    owned: true,
  };
}
