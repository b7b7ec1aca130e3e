import type {
  ModelCondition,
  ModelJoin,
  ModelQuery,
  ModelRow,
  ModelStore,
  ModelWriteResult,
} from '../../../ports/model-store.js';
import type { RecordCodec } from '../../cache/cache-codec.js';
import type { RecordFacts } from '../../cache/record-cache.js';
import { withinRevocationBound, type RecordReadThrough } from '../../cache/tiered-records.js';
import {
  keysOfRow,
  lookupKey,
  lookupOf,
  touchesKeys,
  type CachedTable,
  type CachePlan,
} from './cache-plan.js';

function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  return undefined;
}

/** The columns asked for; the row itself when all are (every row a read returns is the caller's own). */
function project(row: ModelRow, columns: readonly string[] | undefined): ModelRow {
  if (!columns || columns.length === 0) return row;
  return Object.fromEntries(columns.map((column) => [column, row[column]]));
}

/** What reading a cached table's rows through the tiers needs, built once per table. */
interface TableReads {
  cached: CachedTable;
  codec: RecordCodec<ModelRow>;
  facts: (row: ModelRow) => RecordFacts;
}

function tableReads(plan: CachePlan, dialect: 'postgres' | 'sqlite'): Map<string, TableReads> {
  const reads = new Map<string, TableReads>();
  for (const [table, cached] of plan) {
    const { idColumn, expiryColumn } = cached;
    reads.set(table, {
      cached,
      // PostgreSQL returns Dates (revived from JSON); SQLite's ISO text needs no reviving.
      codec: { dateFields: dialect === 'postgres' ? cached.dateColumns : [] },
      facts: (row) => ({
        owner: String(row[idColumn]),
        expiresAt: expiryColumn ? asDate(row[expiryColumn]) : undefined,
      }),
    });
  }
  return reads;
}

/**
 * The model store with point reads by unique columns served from authkeep's cache tiers, and every write
 * invalidating exactly the rows it changed (read back with RETURNING, or locked and read before a write
 * that changes a key), once the write has committed. The database stays the truth: a miss reads it.
 */
export class CachedModelStore implements ModelStore {
  readonly dialect: 'postgres' | 'sqlite';
  private readonly reads: Map<string, TableReads>;

  /** `pending`: inside transaction(), the keys to invalidate once it ends (reads then bypass the cache). */
  constructor(
    private readonly inner: ModelStore,
    private readonly records: RecordReadThrough,
    private readonly plan: CachePlan,
    private readonly pending?: Set<string>,
    reads?: Map<string, TableReads>,
  ) {
    this.dialect = inner.dialect;
    this.reads = reads ?? tableReads(plan, inner.dialect);
  }

  /** One cached row by a unique lookup, read through the tiers. */
  private cachedRow(
    reads: TableReads,
    key: string,
    where: () => readonly ModelCondition[],
  ): Promise<ModelRow | null> {
    const { cached, codec, facts } = reads;
    return this.records.read<ModelRow>(
      key,
      codec,
      () => this.inner.findOne(cached.table, { where: where() }),
      facts,
    );
  }

  /** A one-to-one join onto a cached table's id (a session's user), served from the cache too. */
  private joinedRow(join: ModelJoin, row: ModelRow): Promise<ModelRow | null> | undefined {
    const target = this.reads.get(join.table);
    const byId = target?.cached.byId;
    if (!target || !byId || !join.one || join.to !== target.cached.idColumn) return undefined;
    const id = row[join.from];
    if (id === null || id === undefined) return Promise.resolve(null);
    const where = (): ModelCondition[] => [
      { column: join.to, operator: 'eq', value: id as string, connector: 'AND' },
    ];
    return this.cachedRow(target, lookupKey(byId, [id]), where);
  }

  async findOne(table: string, query: ModelQuery): Promise<ModelRow | null> {
    const reads = this.pending || query.forUpdate ? undefined : this.reads.get(table);
    const where = query.where;
    const key = reads && where ? lookupOf(reads.cached, where) : undefined;
    const joins = query.joins;
    if (!reads || !key || joins?.some((join) => !this.plan.has(join.table) || !join.one)) {
      return this.inner.findOne(table, query);
    }
    const row = await this.cachedRow(reads, key, () => where!);
    if (row === null) return null;
    const result = project(row, query.select);
    for (const join of joins ?? []) {
      const joined = await this.joinedRow(join, row);
      if (joined === undefined) return this.inner.findOne(table, query);
      result[join.key] = joined === null ? null : project(joined, join.columns);
    }
    return result;
  }

  findMany(table: string, query: ModelQuery): Promise<ModelRow[]> {
    return this.inner.findMany(table, query);
  }

  count(table: string, where: readonly ModelCondition[]): Promise<number> {
    return this.inner.count(table, where);
  }

  /** Runs a write and then invalidates the keys it reports; bounded like every revoking call. */
  private revoking<T>(write: (store: ModelStore) => Promise<{ result: T; keys: string[] }>): Promise<T> {
    if (this.pending) {
      return write(this.inner).then(({ result, keys }) => {
        for (const key of keys) this.pending!.add(key);
        return result;
      });
    }
    const work = async () => {
      const { result, keys } = await write(this.inner);
      if (keys.length > 0) await this.records.invalidate(...new Set(keys));
      return result;
    };
    return withinRevocationBound(work(), this.records.revokeTimeoutMs);
  }

  /** Runs `write` in a transaction when it needs to read rows first (a no-op wrapper inside one). */
  private locked<T>(work: (store: ModelStore) => Promise<T>): (store: ModelStore) => Promise<T> {
    return (store) => (this.pending ? work(store) : store.transaction(work));
  }

  async insert(table: string, values: ModelRow): Promise<ModelRow> {
    const row = await this.inner.insert(table, values);
    const cached = this.plan.get(table);
    // A new row can only have been cached as "none": clear those, not worth failing the insert for.
    if (cached && !this.pending) for (const key of keysOfRow(cached, row)) await this.records.forget(key);
    if (cached && this.pending) for (const key of keysOfRow(cached, row)) this.pending.add(key);
    return row;
  }

  update(
    table: string,
    where: readonly ModelCondition[],
    values: ModelRow,
    returning: boolean,
  ): Promise<ModelWriteResult> {
    const cached = this.plan.get(table);
    if (!cached) return this.inner.update(table, where, values, returning);
    const rekeys = touchesKeys(cached, values);
    return this.revoking(
      this.locked(async (store) => {
        const before = rekeys ? await store.findMany(table, { where, forUpdate: true }) : [];
        const result = await store.update(table, where, values, true);
        const keys = [...before, ...result.rows].flatMap((row) => keysOfRow(cached, row));
        return { result: { count: result.count, rows: returning ? result.rows : [] }, keys };
      }),
    );
  }

  delete(table: string, where: readonly ModelCondition[], returning: boolean): Promise<ModelWriteResult> {
    const cached = this.plan.get(table);
    if (!cached) return this.inner.delete(table, where, returning);
    const write = async (store: ModelStore) => {
      const keys: string[] = [];
      if (cached.children.length > 0) {
        // Rows the database deletes with these (ON DELETE CASCADE) are read first, under the parents' lock.
        const parents = await store.findMany(table, { where, forUpdate: true, select: [cached.idColumn] });
        const ids = parents.map((row) => row[cached.idColumn] as string);
        for (const child of ids.length > 0 ? cached.children : []) {
          const childTable = this.plan.get(child.table)!;
          const inIds: ModelCondition = {
            column: child.column,
            operator: 'in',
            value: ids,
            connector: 'AND',
          };
          const rows = await store.findMany(child.table, { where: [inIds] });
          keys.push(...rows.flatMap((row) => keysOfRow(childTable, row)));
        }
      }
      const result = await store.delete(table, where, true);
      keys.push(...result.rows.flatMap((row) => keysOfRow(cached, row)));
      return { result: { count: result.count, rows: returning ? result.rows : [] }, keys };
    };
    return this.revoking(cached.children.length > 0 ? this.locked(write) : write);
  }

  consumeOne(table: string, where: readonly ModelCondition[], idColumn: string): Promise<ModelRow | null> {
    const cached = this.plan.get(table);
    if (!cached) return this.inner.consumeOne(table, where, idColumn);
    return this.revoking(async (store) => {
      const row = await store.consumeOne(table, where, idColumn);
      return { result: row, keys: row ? keysOfRow(cached, row) : [] };
    });
  }

  incrementOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
    increment: Record<string, number>,
    set: ModelRow,
  ): Promise<ModelRow | null> {
    const cached = this.plan.get(table);
    if (!cached) return this.inner.incrementOne(table, where, idColumn, increment, set);
    const rekeys = touchesKeys(cached, { ...increment, ...set });
    const write = async (store: ModelStore) => {
      const before = rekeys ? await store.findMany(table, { where, forUpdate: true }) : [];
      const row = await store.incrementOne(table, where, idColumn, increment, set);
      const keys = [...before, ...(row ? [row] : [])].flatMap((r) => keysOfRow(cached, r));
      return { result: row, keys };
    };
    return this.revoking(rekeys ? this.locked(write) : write);
  }

  async transaction<T>(work: (store: ModelStore) => Promise<T>): Promise<T> {
    if (this.pending) return work(this);
    const pending = new Set<string>();
    try {
      return await this.inner.transaction((trx) =>
        work(new CachedModelStore(trx, this.records, this.plan, pending, this.reads)),
      );
    } finally {
      // Committed or not, whatever the transaction wrote is dropped from the cache once it has ended.
      if (pending.size > 0) {
        await withinRevocationBound(this.records.invalidate(...pending), this.records.revokeTimeoutMs);
      }
    }
  }
}
