import { Kysely, sql } from 'kysely';
import type pg from 'pg';
import { ConfigError } from '../../../domain/errors.js';
import type { Logger } from '../../../ports/system.js';
import { postgresCodec } from '../codec.js';
import { pgDriver } from './drivers.js';
import { PreparedPostgresDriver } from './pg-driver.js';
import {
  openReplicaReads,
  registerReplicaRouter,
  replicaUrls,
  type ReplicaOptions,
} from './replica/replica-reads.js';
import { assertNoSessionOptions, splitPoolerFlag, type PoolerMode } from './pooler.js';
import { TransactionPoolerDriver } from './pooler-pg-driver.js';
import type { AuthDatabase } from '../tables.js';
import { assertUsableSchema } from './schema-name.js';
import { postgresDialectParts, SqlStore, type SqlStoreConfig } from '../sql-store.js';

export interface PostgresConnectionOptions extends Omit<pg.PoolConfig, 'connectionString'>, ReplicaOptions {
  /** Server-side statement timeout, sent once when a connection opens (default 5000 ms; 0 disables). */
  statementTimeoutMs?: number;
  /** How long opening a connection (or waiting for a free one) may take, in ms (default 5000). */
  connectTimeoutMs?: number;
  /**
   * Client-side limit on waiting for any answer, in ms (default: statementTimeoutMs + 2000, or none when
   * that is 0): the guard against a server that stops answering, which its own timeout cannot catch.
   */
  queryTimeoutMs?: number;
  /** How long healthCheck() waits before it reports `error`, in ms (default 2000). */
  healthCheckTimeoutMs?: number;
  /** How many times a transient fault is retried (default 2). */
  maxRetries?: number;
  /** Schema that holds the auth tables; created if missing (default: the server's search_path). */
  schema?: string;
  /**
   * `'transaction'` behind a transaction-pooling proxy (PgBouncer, hosted poolers): no named prepared
   * statements, no startup parameters; timeout and schema are set per transaction. Also `?pgbouncer=true`.
   */
  pooler?: PoolerMode;
  /**
   * A direct (not pooled) URL of the same database, for what needs a session of its own: the LISTEN of
   * the memory cache's invalidation bus. Migrations do not need it (their lock is transaction-scoped).
   */
  directUrl?: string;
}

// Lower case only: PostgreSQL folds unquoted names, and search_path is given unquoted.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new ConfigError(
      `${what} must be a lower-case SQL identifier (a-z, 0-9, underscore; at most 63 characters)`,
    );
  }
  return name;
}

export function nonNegative(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer`);
  return value;
}

/** A stable 32-bit key for pg_advisory_xact_lock, one per schema. */
function lockKey(schema: string | undefined): number {
  let hash = 0x811c9dc5;
  for (const char of `authkeep:migrations:${schema ?? ''}`) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  }
  return hash | 0;
}

export function openPostgres(
  connectionString: string,
  options: PostgresConnectionOptions,
  logger: Logger,
): SqlStore {
  const { statementTimeoutMs = 5000, maxRetries = 2, schema, pooler: poolerOption, ...rest } = options;
  const { replicas, replicaMaxLagMs, replicaRetryMs, directUrl: _direct, ...deadlinesAndPool } = rest;
  const {
    connectTimeoutMs = 5000,
    queryTimeoutMs,
    healthCheckTimeoutMs = 2000,
    ...poolOptions
  } = deadlinesAndPool;
  const deadlines = {
    connectionTimeoutMillis: nonNegative(connectTimeoutMs, 'connectTimeoutMs'),
    query_timeout: nonNegative(
      queryTimeoutMs ?? (statementTimeoutMs > 0 ? statementTimeoutMs + 2000 : 0),
      'queryTimeoutMs',
    ),
  };
  const replicaList = replicaUrls({ replicas });
  const { url: primaryUrl, pooler: poolerFromUrl } = splitPoolerFlag(connectionString);
  const pooler = poolerOption ?? poolerFromUrl ?? false;
  if (pooler !== false && pooler !== 'transaction') {
    throw new ConfigError("pooler must be 'transaction' or false");
  }
  if (pooler) assertNoSessionOptions(poolOptions);
  if (pooler && replicaList.length > 0) {
    throw new ConfigError(
      "replicas cannot be combined with pooler: 'transaction' yet; give the replicas' direct URLs without the pooler mode",
    );
  }
  if (schema !== undefined) assertUsableSchema(assertIdentifier(schema, 'schema'));
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 0) {
    throw new ConfigError('statementTimeoutMs must be a non-negative integer');
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
    throw new ConfigError('maxRetries must be an integer between 0 and 10');
  }
  const settings = {
    maxRetries,
    logger,
    schema,
    healthCheckTimeoutMs: nonNegative(healthCheckTimeoutMs, 'healthCheckTimeoutMs'),
  };
  const startupOptions = [poolOptions.options, schema ? `-c search_path=${schema}` : undefined]
    .filter(Boolean)
    .join(' ');
  // Replicas get the same settings as the primary: one function builds every pool.
  const { Pool } = pgDriver();
  const createPool = (url: string, extra: pg.PoolConfig = {}) => {
    const pool = new Pool(
      pooler
        ? // Pipelined: a lone statement and its SET LOCAL wrapper leave in one write (pooler-pg-driver.ts).
          ({
            max: 10,
            ...deadlines,
            ...extra,
            ...poolOptions,
            connectionString: url,
            pipeline: true,
          } as pg.PoolConfig)
        : {
            max: 10,
            ...deadlines,
            ...extra,
            ...poolOptions,
            connectionString: url,
            // Connection settings travel in the startup packet: no per-query SET, a read stays one round trip.
            ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
            ...(startupOptions ? { options: startupOptions } : {}),
          },
    );
    // An idle client dropped by the server must not crash the process; the pool replaces it.
    // pg emits a connection's late errors (a FATAL after its query already failed) with nobody listening,
    // which would crash the process; the operation has its error already, so these are only logged.
    pool.on('connect', (client) =>
      client.on('error', (error: Error & { code?: string }) =>
        logger.debug({ code: error.code }, 'PostgreSQL connection error after its operation ended'),
      ),
    );
    pool.on('error', (error) =>
      logger.warn({ code: (error as { code?: string }).code }, 'idle PostgreSQL connection lost'),
    );
    return pool;
  };
  if (pooler) {
    const pooled = new TransactionPoolerDriver(createPool(primaryUrl), { statementTimeoutMs, schema });
    const db = new Kysely<AuthDatabase>({
      dialect: { ...postgresDialectParts(), createDriver: () => pooled },
    });
    return postgresStore(db, (compiled) => pooled.fastQuery(compiled), settings);
  }
  const driver = new PreparedPostgresDriver(createPool(primaryUrl));
  // A replica that does not answer must not hold a read long: the primary is the fallback.
  const reads =
    replicaList.length > 0
      ? openReplicaReads(
          replicaList,
          { replicaMaxLagMs, replicaRetryMs },
          (url) => createPool(url, { connectionTimeoutMillis: 2_000 }),
          driver,
          logger,
        )
      : undefined;
  const db = new Kysely<AuthDatabase>({
    dialect: { ...postgresDialectParts(), createDriver: () => reads?.driver ?? driver },
  });
  if (reads) registerReplicaRouter(db, reads.router);
  return postgresStore(db, reads ? reads.fastQuery : (compiled) => driver.fastQuery(compiled), settings);
}

/** The SqlStore over a PostgreSQL Kysely: retry policy, health deadline and the cross-process migration lock. */
export function postgresStore(
  db: Kysely<AuthDatabase>,
  fastQuery: SqlStoreConfig['fastQuery'],
  settings: { maxRetries: number; logger: Logger; schema?: string; healthCheckTimeoutMs: number },
  closeDb?: () => Promise<void>,
): SqlStore {
  const { schema } = settings;
  return new SqlStore({
    db,
    codec: postgresCodec,
    maxRetries: settings.maxRetries,
    logger: settings.logger,
    ...(schema ? { schema } : {}),
    healthCheckTimeoutMs: settings.healthCheckTimeoutMs,
    fastQuery,
    ...(closeDb ? { closeDb } : {}),
    // A transaction-scoped advisory lock: it holds through a transaction pooler too.
    async lockMigrations(trx) {
      await sql`select pg_advisory_xact_lock(${lockKey(schema)})`.execute(trx);
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    },
  });
}
