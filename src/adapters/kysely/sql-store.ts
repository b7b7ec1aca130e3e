import type { Kysely } from 'kysely';
import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type CompiledQuery,
  type QueryResult,
  type Transaction,
} from 'kysely';
import { TimeoutError, UnavailableError } from '../../domain/errors.js';
import { withDeadline } from './deadline.js';
import type { Logger } from '../../ports/system.js';
import type { Codec, Dialect } from './codec.js';
import { retryClass, translateError } from './errors.js';
import type { AuthDatabase } from './tables.js';

export type Db = Kysely<AuthDatabase>;
export type Trx = Transaction<AuthDatabase>;

export interface RunOptions<T = unknown> {
  /** Whether repeating the work after an ambiguous fault (connection lost mid-statement) is harmless. */
  idempotent: boolean;
  /** Names the record kind in error messages. */
  entity?: string;
  /**
   * For work that is not idempotent but whose effect can be observed (an insert with a client-made id):
   * after an ambiguous fault, returns the result if the first attempt did commit, or null to redo it.
   */
  recover?: (db: Db) => Promise<T | null>;
}

export interface SqlStoreConfig {
  db: Db;
  codec: Codec;
  maxRetries: number;
  logger: Logger;
  /** PostgreSQL schema holding the tables (search_path), when not the default. */
  schema?: string;
  /** Takes the cross-process migration lock inside `trx`. */
  lockMigrations(trx: Trx): Promise<void>;
  /** Releases the connection on close() (default db.destroy()); a borrowed connection passes a no-op. */
  closeDb?: () => Promise<void>;
  /** How long ping() (behind healthCheck) may take before it fails (0 = no limit). */
  healthCheckTimeoutMs?: number;
  /** Executes one compiled statement outside any transaction through the driver's statement cache. */
  fastQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>>;
  /**
   * The same, synchronously, for a driver that can (SQLite while no transaction holds the connection);
   * undefined when it cannot run the statement right now.
   */
  fastQuerySync?<R>(compiled: CompiledQuery): QueryResult<R> | undefined;
  /**
   * The first row of a read, synchronously (SQLite steps once, not to the end): null when there is none,
   * undefined when it cannot run the statement right now.
   */
  fastFirstRowSync?<R>(compiled: CompiledQuery): R | null | undefined;
  /** Runs once before the first statement (outside any transaction): settings a borrowed connection needs. */
  prepareConnection?: (db: Db) => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One database behind Kysely: retry policy, transactions, health and shutdown in one place. */
export class SqlStore {
  readonly db: Db;
  readonly codec: Codec;
  readonly dialect: Dialect;
  readonly schema: string | undefined;
  private readonly maxRetries: number;
  private readonly logger: Logger;
  private readonly lockMigrationsFn: (trx: Trx) => Promise<void>;
  private readonly fastQuery: SqlStoreConfig['fastQuery'];
  private readonly fastQuerySync: SqlStoreConfig['fastQuerySync'];
  private readonly fastFirstRowSync: SqlStoreConfig['fastFirstRowSync'];
  private closed = false;
  private readonly healthCheckTimeoutMs: number;
  private readonly closeDb: () => Promise<void>;
  private prepareConnection: ((db: Db) => Promise<void>) | undefined;
  private preparing: Promise<void> | undefined;

  constructor(config: SqlStoreConfig) {
    this.db = config.db;
    this.codec = config.codec;
    this.dialect = config.codec.dialect;
    this.schema = config.schema;
    this.maxRetries = config.maxRetries;
    this.logger = config.logger;
    this.lockMigrationsFn = config.lockMigrations;
    this.fastQuery = config.fastQuery;
    this.fastQuerySync = config.fastQuerySync;
    this.fastFirstRowSync = config.fastFirstRowSync;
    this.healthCheckTimeoutMs = config.healthCheckTimeoutMs ?? 0;
    this.closeDb = config.closeDb ?? (() => this.db.destroy());
    this.prepareConnection = config.prepareConnection;
  }

  /** One shared attempt at prepareConnection; a failure is thrown to every waiter and tried again later. */
  private prepared(): Promise<void> {
    this.preparing ??= this.prepareConnection!(this.db).then(
      () => {
        this.prepareConnection = undefined;
      },
      (error: unknown) => {
        this.preparing = undefined;
        throw error;
      },
    );
    return this.preparing;
  }

  /** Runs a query compiled once (see prepared.ts) on the hot path, with the same retry policy as `run`. */
  query<R>(compiled: CompiledQuery, options: RunOptions<R[]>): Promise<R[]> {
    let failed: { error: unknown } | undefined;
    if (this.fastQuerySync !== undefined && this.canRunNow()) {
      // No promise per layer on SQLite: the statement runs now, and only a failure takes the path below.
      try {
        const result = this.fastQuerySync<R>(compiled);
        if (result !== undefined) return Promise.resolve(result.rows);
      } catch (error) {
        failed = { error };
      }
    }
    return this.queryLater(compiled, options, failed);
  }

  /**
   * The first row of a compiled look-up by a unique key (undefined when none), with query's retry policy:
   * the row itself when the driver can run it now (SQLite, no transaction open), else a promise of it.
   */
  firstRow<R>(compiled: CompiledQuery, options: RunOptions<R[]>): R | undefined | Promise<R | undefined> {
    if (this.fastFirstRowSync === undefined || !this.canRunNow()) {
      return this.query<R>(compiled, options).then((rows) => rows[0]);
    }
    let failed: { error: unknown } | undefined;
    try {
      const row = this.fastFirstRowSync<R>(compiled);
      if (row !== undefined) return row ?? undefined;
    } catch (error) {
      failed = { error };
    }
    return this.queryLater(compiled, options, failed).then((rows) => rows[0]);
  }

  /** Whether a statement may run at once: open, and the connection's own settings already applied. */
  private canRunNow(): boolean {
    return !this.closed && this.prepareConnection === undefined;
  }

  private queryLater<R>(
    compiled: CompiledQuery,
    options: RunOptions<R[]>,
    failedNow: { error: unknown } | undefined,
  ): Promise<R[]> {
    let failed = failedNow;
    return this.run(() => {
      // A failed first attempt is judged (retried or translated) exactly as if `run` had made it.
      if (failed === undefined) return this.fastQuery<R>(compiled).then((result) => result.rows);
      const { error } = failed;
      failed = undefined;
      return Promise.reject(error);
    }, options);
  }

  /** The same connection typed for another set of tables (passkey, key-value and mitthooks stores). */
  typed<T>(): Kysely<T> {
    return this.db as unknown as Kysely<T>;
  }

  /** Runs `work`, retrying transient faults up to maxRetries times when it is safe to do so. */
  async run<T>(work: (db: Db) => Promise<T>, options: RunOptions<T>): Promise<T> {
    if (this.closed) throw new UnavailableError('the storage adapter is disconnected');
    if (this.prepareConnection) await this.prepared();
    let ambiguous = false;
    for (let attempt = 0; ; attempt++) {
      try {
        if (ambiguous && options.recover) {
          const committed = await options.recover(this.db);
          if (committed !== null) return committed;
        }
        return await work(this.db);
      } catch (error) {
        if (!this.shouldRetry(error, attempt, options)) throw translateError(error, options.entity);
        ambiguous ||= retryClass(error) === 'idempotent';
        this.logger.warn(
          { attempt: attempt + 1, code: (error as { code?: string }).code },
          'retrying transient database fault',
        );
        await sleep(25 * 2 ** attempt + Math.random() * 25);
      }
    }
  }

  /** Runs `work` in one transaction; the whole transaction is the unit that may be retried. */
  transaction<T>(work: (trx: Trx) => Promise<T>, options: RunOptions<T>): Promise<T> {
    return this.run((db) => db.transaction().execute(work), options);
  }

  private shouldRetry(
    error: unknown,
    attempt: number,
    options: Pick<RunOptions, 'idempotent'> & { recover?: unknown },
  ): boolean {
    if (attempt >= this.maxRetries || this.closed) return false;
    const kind = retryClass(error);
    return (
      kind === 'always' || (kind === 'idempotent' && (options.idempotent || options.recover !== undefined))
    );
  }

  /** Holds the migration lock for the duration of `work`, inside one transaction. */
  withMigrationLock<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.transaction(
      async (trx) => {
        await this.lockMigrationsFn(trx);
        return work(trx);
      },
      { idempotent: true, entity: 'migration' },
    );
  }

  /** One round trip to the database, bounded by the health-check deadline. */
  async ping(): Promise<void> {
    await withDeadline(
      sql`select 1`.execute(this.db),
      this.healthCheckTimeoutMs,
      () => new TimeoutError(`the database did not answer within ${this.healthCheckTimeoutMs} ms`),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeDb();
  }
}

export function postgresDialectParts() {
  return {
    createAdapter: () => new PostgresAdapter(),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
  };
}

export function sqliteDialectParts() {
  return {
    createAdapter: () => new SqliteAdapter(),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}
