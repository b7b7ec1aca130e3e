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
  pool: ['maxRetries', 'healthCheckTimeoutMs', 'pooler', 'directUrl'],
  kysely: ['maxRetries', 'healthCheckTimeoutMs', 'schema', 'directUrl'],
  database: ['maxRetries'],
} as const;

/** With a pg.Pool, these are the pool's own session settings unless pooler: 'transaction' sends them. */
const POOL_SESSION_SETTINGS = ['statementTimeoutMs', 'schema'];

const list = (names: readonly string[]) => names.join(', ');
const verb = (names: readonly string[]) => (names.length === 1 ? 'applies' : 'apply');

/**
 * An option that would be silently ignored with the caller's connection is a config error that names
 * exactly the options passed, once, with what to do instead.
 */
function assertHandleOptions(kind: keyof typeof HANDLE_OPTIONS, options: object, name: string): void {
  const passed = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  const pooler = (options as { pooler?: unknown }).pooler;
  const allowed: readonly string[] =
    kind === 'pool' && pooler ? [...HANDLE_OPTIONS.pool, ...POOL_SESSION_SETTINGS] : HANDLE_OPTIONS[kind];
  const session =
    kind === 'pool' && !pooler ? passed.filter((key) => POOL_SESSION_SETTINGS.includes(key)) : [];
  const ignored = passed.filter((key) => !allowed.includes(key) && !session.includes(key));
  const problems: string[] = [];
  if (ignored.length > 0) {
    problems.push(
      `${list(ignored)} ${verb(ignored)} only to a connection authkeep opens from a URL: with your own ${name}, set ${ignored.length === 1 ? 'it' : 'them'} on the ${name} itself`,
    );
  }
  if (session.length > 0) {
    problems.push(
      `${list(session)} ${session.length === 1 ? 'is a setting' : 'are settings'} of your pg.Pool's sessions (its options: '-c search_path=…', statement_timeout), or pass pooler: 'transaction' to have authkeep send ${session.length === 1 ? 'it' : 'them'} per transaction`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.join('; '), { details: { ignored: [...ignored, ...session] } });
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
