import { createHash } from 'node:crypto';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Pool, PoolClient, QueryResult as PgResult } from 'pg';
import type { ConfigError } from '../../../domain/errors.js';
import { markBeforeSend } from '../errors.js';
import { NamedStatement } from './pg-statement.js';
import { poolerMisconfiguration } from './pooler.js';

/** Statements shorter than this are run unnamed: BEGIN, COMMIT and the like gain nothing from a name. */
const MIN_NAMED_SQL_LENGTH = 16;

const names = new Map<string, string>();

/** A stable statement name per SQL text, hashed once (the set of query shapes is small and fixed). */
function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `ak_${createHash('sha256').update(sql).digest('base64url').slice(0, 22)}`;
    if (names.size < 10_000) names.set(sql, name);
  }
  return name;
}

/** A checked-out pg client that remembers whether it saw a fault, so it is destroyed on release. */
export class CheckedOutClient {
  broken = false;
  // A checked-out client can lose its server between two statements of a transaction; pg then emits
  // 'error' with no query to fail. Listening keeps that from crashing the process; the next statement
  // fails as "not queryable" (a transient fault) and the client is discarded on release.
  readonly onError = (): void => {
    this.broken = true;
  };

  constructor(readonly client: PoolClient) {
    client.on('error', this.onError);
  }

  release(): void {
    this.client.removeListener('error', this.onError);
    // A connection that saw a fault is destroyed rather than handed to the next caller.
    this.client.release(this.broken ? true : undefined);
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by this driver; page with keyset queries instead');
  }
}

/** A pg client whose parameterised statements are prepared once per connection, by a name derived from the SQL. */
class PreparedPostgresConnection extends CheckedOutClient implements DatabaseConnection {
  constructor(
    client: PoolClient,
    private readonly guard: (error: unknown) => unknown,
  ) {
    super(client);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return toResult<R>(await this.run(compiled));
    } catch (error) {
      if (isStalePlan(error)) {
        // Another process changed a table under a statement this connection prepared: re-prepare once.
        await this.client.query(`DEALLOCATE ${statementName(compiled.sql)}`).catch(() => undefined);
        forgetParsed(this.client, statementName(compiled.sql));
        return toResult<R>(await this.run(compiled));
      }
      if (isConnectionFault(error)) this.broken = true;
      throw this.guard(error);
    }
  }

  private run(compiled: CompiledQuery): Promise<PgResult> {
    const values = compiled.parameters as unknown[];
    if (values.length === 0 || compiled.sql.length < MIN_NAMED_SQL_LENGTH) {
      return this.client.query(compiled.sql, values.length === 0 ? undefined : [...values]);
    }
    return this.client.query({ name: statementName(compiled.sql), text: compiled.sql, values: [...values] });
  }
}

export function toResult<R>(result: PgResult): QueryResult<R> {
  const { command, rowCount, rows } = result;
  const counts = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { numAffectedRows: counts ? BigInt(rowCount ?? 0) : undefined, rows: (rows ?? []) as R[] };
}

function isStalePlan(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

export function isConnectionFault(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (typeof e.code === 'string' && (e.code.startsWith('08') || e.code.startsWith('57P'))) return true;
  return /Connection terminated|ECONNRESET|EPIPE|not queryable|Query read timeout/.test(e.message ?? '');
}

function forgetParsed(client: PoolClient, name: string): void {
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, unknown> } })
    .connection?.parsedStatements;
  if (parsed) delete parsed[name];
}

/** Kysely driver over a pg Pool that runs compiled queries as named prepared statements. */
export class PreparedPostgresDriver implements Driver {
  /** Set once a transaction pooler is detected: every later call fails with it at once. */
  private misconfigured: ConfigError | undefined;

  /** `ownsPool: false` for a pool the caller passed in: destroy() then leaves it open. */
  constructor(
    private readonly pool: Pool,
    private readonly ownsPool = true,
  ) {}

  async init(): Promise<void> {}

  /** Turns the pooler failure signature into the config error (and remembers it); other errors pass. */
  private readonly guard = (error: unknown): unknown => {
    const config = this.misconfigured ?? poolerMisconfiguration(error);
    if (config) this.misconfigured = config;
    return config ?? error;
  };

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.misconfigured) throw this.misconfigured;
    try {
      return new PreparedPostgresConnection(await this.pool.connect(), this.guard);
    } catch (error) {
      throw markBeforeSend(this.guard(error));
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(level ? `start transaction${level}` : 'begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PreparedPostgresConnection).release();
  }

  async destroy(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * Runs one compiled statement on any pooled connection, as a named prepared statement: the hot-read
   * path, with no transaction and no per-call builder work (the same cost as a hand-written pool.query).
   */
  async fastQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.misconfigured) throw this.misconfigured;
    const statement = new NamedStatement(
      statementName(compiled.sql),
      compiled.sql,
      compiled.parameters as unknown[],
    );
    try {
      // pg-pool answers a custom query with a promise of its result, whatever its typings say.
      return toResult<R>(await (this.pool.query(statement as never) as unknown as Promise<PgResult>));
    } catch (error) {
      throw this.guard(error);
    }
  }
}
