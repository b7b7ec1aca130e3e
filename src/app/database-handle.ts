import { Kysely } from 'kysely';
import type pg from 'pg';
import {
  openBorrowedKysely,
  openBorrowedPool,
  openBorrowedSqlite,
  type BorrowedPostgresOptions,
} from '../adapters/kysely/connection/open-borrowed.js';
import type { SqlStore } from '../adapters/kysely/index.js';
import { ConfigError } from '../domain/errors.js';
import type { Logger } from '../ports/system.js';

/** A better-sqlite3 `Database`, typed by shape so the shipped types do not require better-sqlite3. */
export interface BetterSqliteDatabaseLike {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}

/**
 * A connection the caller opened and keeps: a `pg.Pool`, a `Kysely` instance (PostgreSQL or SQLite
 * dialect) or a better-sqlite3 `Database`. authkeep never closes it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table types: the caller's Kysely
export type DatabaseHandle = pg.Pool | Kysely<any> | BetterSqliteDatabaseLike;

function has(value: object, ...methods: string[]): boolean {
  return methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

export function isKyselyInstance(value: unknown): value is Kysely<unknown> {
  if (value instanceof Kysely) return true;
  return (
    typeof value === 'object' && value !== null && has(value, 'selectFrom', 'getExecutor', 'transaction')
  );
}

export function isPgPool(value: unknown): value is pg.Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    has(value, 'connect', 'query', 'end') &&
    'totalCount' in value &&
    'idleCount' in value
  );
}

export function isBetterSqliteDatabase(value: unknown): value is BetterSqliteDatabaseLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    has(value, 'prepare', 'pragma', 'close') &&
    typeof (value as { open?: unknown }).open === 'boolean'
  );
}

export function isDatabaseHandle(value: unknown): value is DatabaseHandle {
  return isKyselyInstance(value) || isPgPool(value) || isBetterSqliteDatabase(value);
}

/** Which dialect a handle speaks, for configuration that depends on it (table-name rules). */
export function handleDialect(handle: DatabaseHandle): 'postgres' | 'sqlite' {
  if (isPgPool(handle)) return 'postgres';
  if (isBetterSqliteDatabase(handle)) return 'sqlite';
  const name = (handle as Kysely<unknown>).getExecutor().adapter.constructor.name;
  return name === 'SqliteAdapter' ? 'sqlite' : 'postgres';
}

/** What still applies with a connection of the caller's (the rest are settings of that connection). */
const HANDLE_OPTIONS = {
  pool: ['maxRetries', 'healthCheckTimeoutMs', 'pooler', 'statementTimeoutMs', 'schema', 'directUrl'],
  kysely: ['maxRetries', 'healthCheckTimeoutMs', 'schema', 'directUrl'],
  database: ['maxRetries'],
} as const;

/** An option that would be silently ignored with the caller's connection is a config error that says so. */
function assertHandleOptions(kind: keyof typeof HANDLE_OPTIONS, options: object, name: string): void {
  const allowed: readonly string[] = HANDLE_OPTIONS[kind];
  const ignored = Object.entries(options)
    .filter(([key, value]) => value !== undefined && !allowed.includes(key))
    .map(([key]) => key);
  if (ignored.length > 0) {
    throw new ConfigError(
      `${ignored.join(', ')} only apply when authkeep opens the connection from a URL: with your own ${name}, ` +
        `set them on it (with it, authkeep takes ${allowed.join(', ')})`,
      { details: { ignored } },
    );
  }
}

/**
 * A store over the caller's connection; closing the store leaves that connection open. `options` are the
 * connection options a facade was given: those that only apply to a connection authkeep opens are refused.
 */
export function openDatabaseHandle(
  handle: DatabaseHandle,
  options: BorrowedPostgresOptions & object,
  logger: Logger,
): SqlStore {
  if (isKyselyInstance(handle)) {
    assertHandleOptions('kysely', options, 'Kysely instance');
    return openBorrowedKysely(handle, options, logger);
  }
  if (isPgPool(handle)) {
    assertHandleOptions('pool', options, 'pg.Pool');
    return openBorrowedPool(handle, options, logger);
  }
  if (isBetterSqliteDatabase(handle)) {
    assertHandleOptions('database', options, 'better-sqlite3 Database');
    return openBorrowedSqlite(handle as never, { maxRetries: options.maxRetries }, logger);
  }
  throw new ConfigError('database must be a URL, a pg.Pool, a Kysely instance or a better-sqlite3 Database');
}
