import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Pool, PoolClient, QueryResult as PgResult } from 'pg';
import { markBeforeSend } from '../errors.js';
import { CheckedOutClient, isConnectionFault, toResult } from './pg-driver.js';
import { beginWithSettings } from './pooler.js';
import { runWithSettings, settingsStatement, statementWithSettings } from './pooler-statement.js';

/** What every unit of work on the pooler path starts with (both optional). */
export interface PoolerSettings {
  statementTimeoutMs: number;
  schema: string | undefined;
}

/**
 * A pg client used the way a transaction pooler allows: unnamed statements, settings per transaction; a
 * lone statement carries its settings in the same exchange (pooler-statement.ts).
 */
class PoolerConnection extends CheckedOutClient implements DatabaseConnection {
  inTransaction = false;

  constructor(
    client: PoolClient,
    /** The settings statement every lone statement is sent with, or undefined when there are none. */
    private readonly settings: string | undefined,
  ) {
    super(client);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const values = compiled.parameters as unknown[];
      if (this.inTransaction || this.settings === undefined) {
        return toResult<R>(await this.client.query(compiled.sql, values.length ? [...values] : undefined));
      }
      return toResult<R>(await runWithSettings(this.client, this.settings, compiled.sql, [...values]));
    } catch (error) {
      if (isConnectionFault(error)) this.broken = true;
      throw error;
    }
  }
}

/**
 * Kysely driver for PostgreSQL behind a transaction-pooling proxy (PgBouncer `pool_mode = transaction`):
 * no named prepared statements and no session state. The statement timeout and search_path are set with
 * SET LOCAL in the message that opens each transaction; a lone statement carries them as set_config(…,
 * true) in its own exchange, which the server runs as one implicit transaction.
 */
export class TransactionPoolerDriver implements Driver {
  private readonly lone: string | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly settings: PoolerSettings,
    /** False for a pool the caller passed in: destroy() then leaves it open. */
    private readonly ownsPool = true,
  ) {
    this.lone = settingsStatement(settings);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return new PoolerConnection(await this.pool.connect(), this.lone);
    } catch (error) {
      throw markBeforeSend(error);
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const begin = beginWithSettings(level ? `start transaction${level}` : 'begin', this.settings);
    const pooled = connection as PoolerConnection;
    pooled.inTransaction = true;
    try {
      await pooled.executeQuery(CompiledQuery.raw(begin));
    } catch (error) {
      // Kysely does not roll back a transaction whose begin failed: a half-open one must not go back to the pool.
      pooled.inTransaction = false;
      await pooled.client.query('rollback').catch(() => (pooled.broken = true));
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.end(connection as PoolerConnection, 'commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.end(connection as PoolerConnection, 'rollback');
  }

  /** Sends commit or rollback as part of the transaction (not wrapped), then leaves it. */
  private async end(connection: PoolerConnection, command: 'commit' | 'rollback'): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw(command));
    } finally {
      connection.inTransaction = false;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PoolerConnection).release();
  }

  async destroy(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * The hot path: the same wrapped statement on any pooled connection, through pg-pool's own query (no
   * checked-out wrapper, listener or async frame per call; a client that saw any error is destroyed).
   * A failure before the statement was written (no connection) stays marked safe to retry.
   */
  fastQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lone === undefined) return this.onCheckedOut(compiled);
    const statement = statementWithSettings(this.lone, compiled.sql, compiled.parameters as unknown[]);
    // pg-pool answers a custom query with a promise of its result, whatever its typings say.
    return (this.pool.query(statement as never) as unknown as Promise<PgResult>).then(
      (result) => toResult<R>(result),
      (error: unknown) => {
        throw statement.sent ? error : markBeforeSend(error);
      },
    );
  }

  /** Without settings (no timeout, no schema): a plain statement on a checked-out connection. */
  private async onCheckedOut<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const connection = await this.acquireConnection();
    try {
      return await connection.executeQuery<R>(compiled);
    } finally {
      await this.releaseConnection(connection);
    }
  }
}
