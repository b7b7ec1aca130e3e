import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresAdapter, SqliteAdapter, sql, type CompiledQuery } from 'kysely';
import type pg from 'pg';
import { ConfigError } from '../../../domain/errors.js';
import type { Logger } from '../../../ports/system.js';
import { sqliteCodec } from '../codec.js';
import { nonNegative, postgresStore, type PostgresConnectionOptions } from './open-postgres.js';
import { PreparedPostgresDriver } from './pg-driver.js';
import { TransactionPoolerDriver } from './pooler-pg-driver.js';
import type { AuthDatabase } from '../tables.js';
import { PreparedSqliteDriver } from './sqlite-driver.js';
import { SqlStore, postgresDialectParts, sqliteDialectParts } from '../sql-store.js';

/**
 * Stores over a connection the caller opened and keeps: a `pg.Pool`, a `Kysely` instance or a
 * better-sqlite3 `Database`. close() releases authkeep's side only; the caller's connection stays open.
 * The connection's own settings apply (statement_timeout, search_path): authkeep changes no session state.
 */
export type BorrowedPostgresOptions = Pick<
  PostgresConnectionOptions,
  'maxRetries' | 'healthCheckTimeoutMs' | 'pooler' | 'statementTimeoutMs' | 'schema'
>;

const leaveOpen = async (): Promise<void> => undefined;

function settings(options: BorrowedPostgresOptions, logger: Logger) {
  return {
    maxRetries: options.maxRetries ?? 2,
    logger,
    healthCheckTimeoutMs: nonNegative(options.healthCheckTimeoutMs ?? 2000, 'healthCheckTimeoutMs'),
  };
}

/**
 * A caller's pg.Pool. Direct: named prepared statements (the fast path), the pool's own session settings.
 * With `pooler: 'transaction'`, statementTimeoutMs and schema are sent with SET LOCAL per transaction.
 */
export function openBorrowedPool(pool: pg.Pool, options: BorrowedPostgresOptions, logger: Logger): SqlStore {
  const { pooler = false, schema, statementTimeoutMs } = options;
  if (!pooler && (schema !== undefined || statementTimeoutMs !== undefined)) {
    throw new ConfigError(
      "schema and statementTimeoutMs are your pool's settings when you pass a pg.Pool (e.g. its options: " +
        "'-c search_path=…', statement_timeout), or use pooler: 'transaction' to send them per transaction",
    );
  }
  if (pooler) {
    const driver = new TransactionPoolerDriver(
      pool,
      { statementTimeoutMs: statementTimeoutMs ?? 5000, schema },
      false,
    );
    const db = new Kysely<AuthDatabase>({
      dialect: { ...postgresDialectParts(), createDriver: () => driver },
    });
    return postgresStore(db, (compiled) => driver.fastQuery(compiled), {
      ...settings(options, logger),
      schema,
    });
  }
  const driver = new PreparedPostgresDriver(pool, false);
  const db = new Kysely<AuthDatabase>({ dialect: { ...postgresDialectParts(), createDriver: () => driver } });
  return postgresStore(db, (compiled) => driver.fastQuery(compiled), settings(options, logger));
}

/** Which dialect a caller's Kysely speaks (PostgreSQL or SQLite); anything else is a config error. */
function kyselyDialect(db: Kysely<unknown>): 'postgres' | 'sqlite' {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter || adapter.constructor.name === 'PostgresAdapter') return 'postgres';
  if (adapter instanceof SqliteAdapter || adapter.constructor.name === 'SqliteAdapter') return 'sqlite';
  throw new ConfigError('a Kysely instance must use the PostgreSQL or the SQLite dialect');
}

/**
 * A caller's Kysely: statements go through its driver (no prepared-statement cache of ours, so hot reads
 * cost what the caller's driver costs). Schema and timeouts are the caller's connection settings.
 */
export function openBorrowedKysely(
  kysely: Kysely<unknown>,
  options: Pick<BorrowedPostgresOptions, 'maxRetries' | 'healthCheckTimeoutMs' | 'schema'>,
  logger: Logger,
): SqlStore {
  if (options.schema !== undefined) {
    throw new ConfigError(
      "schema is your Kysely's connection setting (search_path) when you pass a Kysely instance",
    );
  }
  const db = kysely as unknown as Kysely<AuthDatabase>;
  const fastQuery = <R>(compiled: CompiledQuery) => db.executeQuery<R>(compiled);
  if (kyselyDialect(kysely) === 'postgres') {
    return postgresStore(db, fastQuery, settings(options, logger), leaveOpen);
  }
  return new SqlStore({
    db,
    codec: sqliteCodec,
    maxRetries: options.maxRetries ?? 2,
    logger,
    fastQuery,
    closeDb: leaveOpen,
    // Its transactions may start DEFERRED: a writer that loses the upgrade race gets SQLITE_BUSY, retried.
    lockMigrations: async () => undefined,
    prepareConnection: enableForeignKeys,
  });
}

/**
 * Our tables rely on foreign keys (cascading deletes, no orphan rows), and SQLite starts with them off:
 * the one setting turned on in a caller's SQLite Kysely, read back because inside a transaction it is a no-op.
 */
async function enableForeignKeys(db: Kysely<AuthDatabase>): Promise<void> {
  await sql`pragma foreign_keys = ON`.execute(db);
  const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
  if (Number(rows[0]?.foreign_keys) !== 1) {
    throw new ConfigError(
      "foreign keys stay off on this SQLite Kysely's connection (is it inside a transaction?); " +
        "authkeep's tables need them: turn them on, or pass the better-sqlite3 Database instead",
    );
  }
}

/** A caller's better-sqlite3 Database: our prepared-statement cache on their handle, which stays open. */
export function openBorrowedSqlite(
  handle: BetterSqlite3.Database,
  options: { maxRetries?: number },
  logger: Logger,
): SqlStore {
  if (!handle.open) throw new ConfigError('the better-sqlite3 Database passed in is closed');
  // Our tables rely on foreign keys; the one pragma set on the caller's handle.
  handle.pragma('foreign_keys = ON');
  const driver = new PreparedSqliteDriver(handle, false);
  const db = new Kysely<AuthDatabase>({ dialect: { ...sqliteDialectParts(), createDriver: () => driver } });
  return new SqlStore({
    db,
    codec: sqliteCodec,
    maxRetries: options.maxRetries ?? 2,
    logger,
    lockMigrations: async () => undefined,
    fastQuery: (compiled) => driver.fastQuery(compiled),
    fastQuerySync: (compiled) => driver.fastQuerySync(compiled),
    fastFirstRowSync: (compiled) => driver.fastFirstRowSync(compiled),
  });
}
