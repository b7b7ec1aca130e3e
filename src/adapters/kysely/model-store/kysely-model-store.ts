import type { CompiledQuery, QueryResult } from 'kysely';
import type {
  ModelCondition,
  ModelQuery,
  ModelRow,
  ModelStore,
  ModelWriteResult,
} from '../../../ports/model-store.js';
import { translateError } from '../errors.js';
import type { SqlStore, Trx } from '../sql-store.js';
import { groupJoinedRows } from './joined-rows.js';
import { StatementCache } from './statement-cache.js';
import {
  consumePlan,
  countPlan,
  deletePlan,
  incrementPlan,
  insertPlan,
  selectPlan,
  updatePlan,
  type AnyDb,
  type StatementPlan,
} from './statements.js';
import { bindWhere, type SlotValues } from './where.js';

const caches = new WeakMap<SqlStore, StatementCache>();

function cacheFor(store: SqlStore): StatementCache {
  let cache = caches.get(store);
  if (cache === undefined) {
    cache = new StatementCache();
    caches.set(store, cache);
  }
  return cache;
}

/** Called after a migration through `store`: statements compiled for the old tables are dropped. */
export function schemaChanged(store: SqlStore): void {
  const cache = caches.get(store);
  if (cache) caches.set(store, cache.next());
}

function valueSlots(values: ModelRow, prefix: string, into: SlotValues): SlotValues {
  for (const [column, value] of Object.entries(values)) into[`${prefix}${column}`] = value;
  return into;
}

function affected(result: QueryResult<ModelRow>): number {
  const count = result.numAffectedRows ?? BigInt(result.rows.length);
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

/**
 * Rows of any table on authkeep's connection: each statement shape is built and compiled by Kysely once,
 * then bound per call and run as a prepared statement (one round trip; no per-call builder work).
 */
export class KyselyModelStore implements ModelStore {
  readonly dialect: 'postgres' | 'sqlite';
  private readonly db: AnyDb;

  /** `trx`: the transaction every statement of this store runs in (see transaction()). */
  constructor(
    private readonly store: SqlStore,
    private readonly trx?: Trx,
  ) {
    this.dialect = store.dialect === 'postgres' ? 'postgres' : 'sqlite';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are the caller's schema
    this.db = store.typed<any>();
  }

  private compiled(plan: StatementPlan, args: SlotValues): CompiledQuery {
    return cacheFor(this.store).bind(plan.key, plan.build, args);
  }

  /** A read: the fast path outside a transaction (replica-routable), else the transaction's connection. */
  private async read(plan: StatementPlan, args: SlotValues, entity: string): Promise<ModelRow[]> {
    const compiled = this.compiled(plan, args);
    if (this.trx) return (await this.inTransaction(compiled, entity)).rows;
    return this.store.query<ModelRow>(compiled, { idempotent: true, entity });
  }

  /** A write, on the primary; `idempotent` says whether repeating it after a lost answer is harmless. */
  private write(
    plan: StatementPlan,
    args: SlotValues,
    entity: string,
    idempotent: boolean,
  ): Promise<QueryResult<ModelRow>> {
    const compiled = this.compiled(plan, args);
    if (this.trx) return this.inTransaction(compiled, entity);
    return this.store.run((db) => db.executeQuery<ModelRow>(compiled), { idempotent, entity });
  }

  /** A statement inside transaction(): its failure is typed here, as `run` types the others. */
  private async inTransaction(compiled: CompiledQuery, entity: string): Promise<QueryResult<ModelRow>> {
    try {
      return await this.trx!.executeQuery<ModelRow>(compiled);
    } catch (error) {
      throw translateError(error, entity);
    }
  }

  async insert(table: string, values: ModelRow): Promise<ModelRow> {
    const result = await this.write(
      insertPlan(this.db, table, values),
      valueSlots(values, 'v_', {}),
      table,
      false,
    );
    return result.rows[0]!;
  }

  async findOne(table: string, query: ModelQuery): Promise<ModelRow | null> {
    const rows = await this.select(table, query, true);
    return rows[0] ?? null;
  }

  findMany(table: string, query: ModelQuery): Promise<ModelRow[]> {
    return this.select(table, query, false);
  }

  private async select(table: string, query: ModelQuery, one: boolean): Promise<ModelRow[]> {
    const args = bindWhere(query.where ?? []);
    const joins = query.joins ?? [];
    const limit = one ? 1 : query.limit;
    // OFFSET needs a LIMIT on SQLite: -1 there (and NULL on PostgreSQL) means none.
    args.limit = limit ?? (this.dialect === 'sqlite' ? -1 : null);
    if (query.offset !== undefined) args.offset = query.offset;
    const rows = await this.read(selectPlan(this.db, this.dialect, table, query, one), args, table);
    return joins.length === 0 ? rows : groupJoinedRows(rows, joins, query.idColumn ?? 'id');
  }

  async count(table: string, where: readonly ModelCondition[]): Promise<number> {
    const rows = await this.read(countPlan(this.db, this.dialect, table, where), bindWhere(where), table);
    return Number(rows[0]?.count ?? 0);
  }

  async update(
    table: string,
    where: readonly ModelCondition[],
    values: ModelRow,
    returning: boolean,
  ): Promise<ModelWriteResult> {
    if (Object.keys(values).length === 0) {
      // Nothing to set: the matching rows are the answer (`update … set` with no column is not SQL).
      const rows = await this.findMany(table, { where });
      return { count: rows.length, rows: returning ? rows : [] };
    }
    const plan = updatePlan(this.db, this.dialect, table, where, values, returning);
    const result = await this.write(plan, valueSlots(values, 'v_', bindWhere(where)), table, true);
    return { count: affected(result), rows: returning ? result.rows : [] };
  }

  async delete(
    table: string,
    where: readonly ModelCondition[],
    returning: boolean,
  ): Promise<ModelWriteResult> {
    const plan = deletePlan(this.db, this.dialect, table, where, returning);
    const result = await this.write(plan, bindWhere(where), table, true);
    return { count: affected(result), rows: returning ? result.rows : [] };
  }

  async consumeOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
  ): Promise<ModelRow | null> {
    const plan = consumePlan(this.db, this.dialect, table, where, idColumn);
    const result = await this.write(plan, bindWhere(where), table, false);
    return result.rows[0] ?? null;
  }

  async incrementOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
    increment: Record<string, number>,
    set: ModelRow,
  ): Promise<ModelRow | null> {
    const plan = incrementPlan(this.db, this.dialect, table, where, idColumn, increment, set);
    const args = valueSlots(increment, 'd_', valueSlots(set, 'v_', bindWhere(where)));
    const result = await this.write(plan, args, table, false);
    return result.rows[0] ?? null;
  }

  transaction<T>(work: (store: ModelStore) => Promise<T>): Promise<T> {
    // Already in one: the work joins it (SQL has no nested transactions without savepoints).
    if (this.trx) return work(this);
    // The work's own failure (the caller's error, or a statement's typed one) is what the caller gets.
    let failure: { error: unknown } | undefined;
    return this.store
      .transaction(
        (trx) =>
          work(new KyselyModelStore(this.store, trx)).catch((error: unknown) => {
            failure = { error };
            throw error;
          }),
        { idempotent: false, entity: 'transaction' },
      )
      .catch((error: unknown) => {
        throw failure ? failure.error : error;
      });
  }

  /** How many statement shapes are compiled (for tests that prove compile-once). */
  get compiledShapes(): number {
    return cacheFor(this.store).size;
  }
}
