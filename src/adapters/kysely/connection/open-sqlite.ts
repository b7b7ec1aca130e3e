import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { ConfigError } from '../../../domain/errors.js';
import type { Logger } from '../../../ports/system.js';
import { sqliteCodec } from '../codec.js';
import { betterSqlite3Driver } from './drivers.js';
import type { AuthDatabase } from '../tables.js';
import { PreparedSqliteDriver } from './sqlite-driver.js';
import { SqlStore, sqliteDialectParts } from '../sql-store.js';

export interface SqliteConnectionOptions {
  /** How long a writer waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  maxRetries?: number;
  readonly?: boolean;
}

export function isMemoryTarget(path: string): boolean {
  return path === ':memory:' || path === '';
}

/**
 * Creates a missing database file as 0600 (its directory 0700) before SQLite opens it, so no other
 * local user can read it; SQLite gives the -wal and -shm files the main file's mode. An existing file
 * keeps the mode its owner chose.
 */
function createPrivately(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return;
    throw new ConfigError('cannot create the SQLite database file', {
      details: { code: (error as { code?: string }).code },
    });
  }
}

export function openSqlite(path: string, options: SqliteConnectionOptions, logger: Logger): SqlStore {
  const { busyTimeoutMs = 5000, maxRetries = 2, readonly = false } = options;
  if (path.includes('\u0000')) throw new ConfigError('SQLite path must not contain NUL bytes');
  const Sqlite = betterSqlite3Driver();
  if (!isMemoryTarget(path) && !readonly) createPrivately(path);
  let handle: Database.Database;
  try {
    handle = new Sqlite(path, { readonly });
  } catch (error) {
    throw new ConfigError('cannot open the SQLite database file', {
      details: { code: (error as { code?: string }).code },
    });
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
    fastQuerySync: (compiled) => driver.fastQuerySync(compiled),
    fastFirstRowSync: (compiled) => driver.fastFirstRowSync(compiled),
  });
}
