import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

/** One better-sqlite3 handle whose statements are prepared once and reused (least recently used evicted). */
class PreparedSqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private latest: { sql: string; statement: BetterSqlite3.Statement } | undefined;

  constructor(readonly db: BetterSqlite3.Database) {}

  private prepare(sql: string): BetterSqlite3.Statement {
    // The statement used last is already at the recent end: no reordering for a run of the same read.
    if (this.latest !== undefined && this.latest.sql === sql) return this.latest.statement;
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value as string;
        this.statements.delete(oldest);
      }
    }
    this.statements.set(sql, statement);
    this.latest = { sql, statement };
    return statement;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.executeSync<R>(compiled));
  }

  executeSync<R>(compiled: CompiledQuery): QueryResult<R> {
    const statement = this.prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  /** The first row of a read (null when none): `get` steps once, where `all` steps on to the end. */
  firstRowSync<R>(compiled: CompiledQuery): R | null {
    const statement = this.prepare(compiled.sql);
    if (!statement.reader) throw new Error('firstRowSync runs reads only');
    return (statement.get(compiled.parameters as unknown[]) as R | undefined) ?? null;
  }

  /** Schema changes invalidate nothing in better-sqlite3, but DDL should not pin stale handles. */
  clearStatements(): void {
    this.statements.clear();
    this.latest = undefined;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by this driver; page with keyset queries instead');
  }
}

/** FIFO lock: SQLite has one connection, and a transaction owns it until it ends. */
class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  private waiting = 0;

  /** True when nobody holds or waits for the connection. */
  get idle(): boolean {
    return this.release === undefined && this.waiting === 0;
  }

  async acquire(): Promise<void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    this.waiting++;
    await previous;
    this.waiting--;
    this.release = release;
  }

  unlock(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}

/** Kysely driver over one better-sqlite3 handle with a prepared-statement cache. */
export class PreparedSqliteDriver implements Driver {
  private readonly lock = new ConnectionLock();
  private readonly connection: PreparedSqliteConnection;

  /** `ownsHandle: false` for a handle the caller passed in: destroy() then leaves it open. */
  constructor(
    db: BetterSqlite3.Database,
    private readonly ownsHandle = true,
  ) {
    this.connection = new PreparedSqliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.connection.db.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.lock.unlock();
  }

  /**
   * Runs one compiled statement at once when no transaction holds the connection (better-sqlite3 is
   * synchronous, so nothing can interleave); otherwise waits its turn like any other query.
   */
  /** The statement at once, when no transaction holds the connection; otherwise undefined. */
  fastQuerySync<R>(compiled: CompiledQuery): QueryResult<R> | undefined {
    return this.lock.idle ? this.connection.executeSync<R>(compiled) : undefined;
  }

  /** The first row of a read at once (null when none), when no transaction holds the connection. */
  fastFirstRowSync<R>(compiled: CompiledQuery): R | null | undefined {
    return this.lock.idle ? this.connection.firstRowSync<R>(compiled) : undefined;
  }

  async fastQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lock.idle) return this.connection.executeQuery<R>(compiled);
    await this.lock.acquire();
    try {
      return await this.connection.executeQuery<R>(compiled);
    } finally {
      this.lock.unlock();
    }
  }

  async destroy(): Promise<void> {
    this.connection.clearStatements();
    if (this.ownsHandle && this.connection.db.open) this.connection.db.close();
  }
}
