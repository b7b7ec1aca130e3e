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

/** What every unit of work on the pooler path starts with (both optional). */
export interface PoolerSettings {
  statementTimeoutMs: number;
  schema: string | undefined;
}

/**
 * One statement outside a transaction, on a pipelined client: `begin; set local …`, the statement and
 * `commit` are written at once, so the settings cost server work but no extra network round trip.
 * A failing statement turns the commit into a rollback; the first error (settings, then statement) wins.
 */
async function runWrapped(client: PoolClient, begin: string, compiled: CompiledQuery): Promise<PgResult> {
  const values = [...(compiled.parameters as unknown[])];
  if (!(client as { pipeline?: boolean }).pipeline) {
    // A caller's pool without pipelining: the same three messages, one after the other.
    try {
      await client.query(begin);
      const result = await client.query(compiled.sql, values);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
  const [opened, statement, closed] = await Promise.allSettled([
    client.query(begin),
    client.query(compiled.sql, values),
    client.query('commit'),
  ]);
  for (const step of [opened, statement, closed]) if (step.status === 'rejected') throw step.reason;
  return (statement as PromiseFulfilledResult<PgResult>).value;
}

/** A pg client used the way a transaction pooler allows: unnamed statements, settings per transaction. */
class PoolerConnection extends CheckedOutClient implements DatabaseConnection {
  inTransaction = false;

  constructor(
    client: PoolClient,
    private readonly begin: string | undefined,
  ) {
    super(client);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      if (this.inTransaction || this.begin === undefined) {
        const values = compiled.parameters as unknown[];
        return toResult<R>(await this.client.query(compiled.sql, values.length ? [...values] : undefined));
      }
      return toResult<R>(await runWrapped(this.client, this.begin, compiled));
    } catch (error) {
      if (isConnectionFault(error)) this.broken = true;
      throw error;
    }
  }
}

/**
 * Kysely driver for PostgreSQL behind a transaction-pooling proxy (PgBouncer `pool_mode = transaction`):
 * no named prepared statements and no session state. The statement timeout and search_path are set with
 * SET LOCAL in the message that opens each transaction; a lone statement is wrapped in one, pipelined.
 */
export class TransactionPoolerDriver implements Driver {
  private readonly begin: string | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly settings: PoolerSettings,
    /** False for a pool the caller passed in: destroy() then leaves it open. */
    private readonly ownsPool = true,
  ) {
    const wrap = settings.statementTimeoutMs > 0 || settings.schema !== undefined;
    this.begin = wrap ? beginWithSettings('begin', settings) : undefined;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return new PoolerConnection(await this.pool.connect(), this.begin);
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

  /** The hot path: the same wrapped statement on any pooled connection. */
  async fastQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const connection = await this.acquireConnection();
    try {
      return await connection.executeQuery<R>(compiled);
    } finally {
      await this.releaseConnection(connection);
    }
  }
}
