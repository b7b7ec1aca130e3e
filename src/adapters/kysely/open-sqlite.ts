import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { ConfigError } from '../../domain/errors.js';
import type { Logger } from '../../ports/system.js';
import { sqliteCodec } from './codec.js';
import type { AuthDatabase } from './schema.js';
import { PreparedSqliteDriver } from './sqlite-driver.js';
import { SqlStore, sqliteDialectParts } from './sql-store.js';

export interface SqliteConnectionOptions {
  /** How long a writer waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  maxRetries?: number;
  readonly?: boolean;
}

export function isMemoryTarget(path: string): boolean {
  return path === ':memory:' || path === '';
}

export function openSqlite(path: string, options: SqliteConnectionOptions, logger: Logger): SqlStore {
  const { busyTimeoutMs = 5000, maxRetries = 2, readonly = false } = options;
  if (path.includes('\u0000')) throw new ConfigError('SQLite path must not contain NUL bytes');
  if (!isMemoryTarget(path) && !readonly) mkdirSync(dirname(path), { recursive: true });
  let handle: Database.Database;
  try {
    handle = new Database(path, { readonly });
  } catch (error) {
    throw new ConfigError('cannot open the SQLite database file', { cause: error });
  }
  handle.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  handle.pragma('foreign_keys = ON');
  if (!isMemoryTarget(path) && !readonly) {
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
  }
  const driver = new PreparedSqliteDriver(handle);
  const db = new Kysely<AuthDatabase>({ dialect: { ...sqliteDialectParts(), createDriver: () => driver } });
  return new SqlStore({
    db,
    codec: sqliteCodec,
    maxRetries,
    logger,
    // BEGIN IMMEDIATE (the driver's transaction start) already serialises writers across processes.
    lockMigrations: async () => undefined,
    fastQuery: (compiled) => driver.fastQuery(compiled),
  });
}
