import type { CipherPort } from '../../../ports/cipher.js';
import type {
  ModelCondition,
  ModelQuery,
  ModelRow,
  ModelStore,
  ModelWriteResult,
} from '../../../ports/model-store.js';

/** The account table, its id column and the columns holding OAuth tokens (after better-auth's names). */
export interface SealedColumns {
  table: string;
  idColumn: string;
  columns: string[];
}

/**
 * The model store with the OAuth tokens of `account` sealed by authkeep's keyring (AES-256-GCM, the key id in
 * the envelope, the table, column and row id as associated data: a token moved to another row does not
 * open). Rows written before (tokens in clear, or in better-auth's own encryptOAuthTokens format) are read
 * as they are, and sealed when next written.
 */
export class SealedAccountStore implements ModelStore {
  readonly dialect: 'postgres' | 'sqlite';

  constructor(
    private readonly inner: ModelStore,
    private readonly cipher: CipherPort,
    private readonly sealed: SealedColumns,
  ) {
    this.dialect = inner.dialect;
  }

  private context(column: string, rowId: unknown) {
    return { table: this.sealed.table, column, rowId: String(rowId) };
  }

  private tokenColumns(values: ModelRow): string[] {
    return this.sealed.columns.filter((column) => typeof values[column] === 'string');
  }

  private seal(values: ModelRow, rowId: unknown): ModelRow {
    const out = { ...values };
    for (const column of this.tokenColumns(values)) {
      out[column] = this.cipher.encrypt(values[column] as string, this.context(column, rowId));
    }
    return out;
  }

  private open(table: string, row: ModelRow): ModelRow {
    if (table !== this.sealed.table) return row;
    let out: ModelRow | undefined;
    for (const column of this.sealed.columns) {
      const value = row[column];
      if (typeof value !== 'string' || this.cipher.keyIdOf(value) === null) continue;
      out ??= { ...row };
      out[column] = this.cipher.decrypt(value, this.context(column, row[this.sealed.idColumn]));
    }
    return out ?? row;
  }

  private openJoins(row: ModelRow, query: ModelQuery): ModelRow {
    for (const join of query.joins ?? []) {
      if (join.table !== this.sealed.table) continue;
      const value = row[join.key];
      if (Array.isArray(value)) row[join.key] = value.map((r: ModelRow) => this.open(join.table, r));
      else if (value && typeof value === 'object') row[join.key] = this.open(join.table, value as ModelRow);
    }
    return row;
  }

  async insert(table: string, values: ModelRow): Promise<ModelRow> {
    if (table !== this.sealed.table || this.tokenColumns(values).length === 0) {
      return this.open(table, await this.inner.insert(table, values));
    }
    const id = values[this.sealed.idColumn];
    if (id !== undefined && id !== null)
      return this.open(table, await this.inner.insert(table, this.seal(values, id)));
    // An id the database makes (serial, uuid default): insert without the tokens, then seal them to it.
    return this.inner.transaction(async (inner) => {
      const clear = Object.fromEntries(
        Object.entries(values).filter(([c]) => !this.sealed.columns.includes(c)),
      );
      const row = await inner.insert(table, clear);
      const id = row[this.sealed.idColumn];
      const tokens = Object.fromEntries(this.tokenColumns(values).map((c) => [c, values[c]]));
      return this.open(
        table,
        (await inner.update(table, this.byId(id), this.seal(tokens, id), true)).rows[0]!,
      );
    });
  }

  private byId(id: unknown): ModelCondition[] {
    return [{ column: this.sealed.idColumn, operator: 'eq', value: id as string, connector: 'AND' }];
  }

  async findOne(table: string, query: ModelQuery): Promise<ModelRow | null> {
    const row = await this.inner.findOne(table, query);
    return row && this.openJoins(this.open(table, row), query);
  }

  async findMany(table: string, query: ModelQuery): Promise<ModelRow[]> {
    return (await this.inner.findMany(table, query)).map((row) =>
      this.openJoins(this.open(table, row), query),
    );
  }

  count(table: string, where: readonly ModelCondition[]): Promise<number> {
    return this.inner.count(table, where);
  }

  async update(
    table: string,
    where: readonly ModelCondition[],
    values: ModelRow,
    returning: boolean,
  ): Promise<ModelWriteResult> {
    if (table !== this.sealed.table || this.tokenColumns(values).length === 0) {
      const result = await this.inner.update(table, where, values, returning);
      return { ...result, rows: result.rows.map((row) => this.open(table, row)) };
    }
    const single =
      where.length === 1 && where[0]!.column === this.sealed.idColumn && where[0]!.operator === 'eq';
    if (single) {
      const result = await this.inner.update(table, where, this.seal(values, where[0]!.value), returning);
      return { ...result, rows: result.rows.map((row) => this.open(table, row)) };
    }
    // Each row's tokens are sealed to its own id: the matching rows are locked and written one by one.
    return this.inner.transaction(async (inner) => {
      const targets = await inner.findMany(table, { where, forUpdate: true, select: [this.sealed.idColumn] });
      const rows: ModelRow[] = [];
      for (const target of targets) {
        const id = target[this.sealed.idColumn];
        const result = await inner.update(table, this.byId(id), this.seal(values, id), returning);
        rows.push(...result.rows.map((row) => this.open(table, row)));
      }
      return { count: targets.length, rows };
    });
  }

  async delete(
    table: string,
    where: readonly ModelCondition[],
    returning: boolean,
  ): Promise<ModelWriteResult> {
    const result = await this.inner.delete(table, where, returning);
    return { ...result, rows: result.rows.map((row) => this.open(table, row)) };
  }

  async consumeOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
  ): Promise<ModelRow | null> {
    const row = await this.inner.consumeOne(table, where, idColumn);
    return row && this.open(table, row);
  }

  async incrementOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
    increment: Record<string, number>,
    set: ModelRow,
  ): Promise<ModelRow | null> {
    if (table === this.sealed.table && this.tokenColumns(set).length > 0) {
      // Sealing needs the row's id before the write: one row, locked, then updated by id.
      return this.inner.transaction(async (inner) => {
        const [target] = await inner.findMany(table, { where, forUpdate: true, limit: 1 });
        if (!target) return null;
        const id = target[this.sealed.idColumn];
        const row = await inner.incrementOne(
          table,
          [...where, ...this.byId(id)],
          idColumn,
          increment,
          this.seal(set, id),
        );
        return row && this.open(table, row);
      });
    }
    const row = await this.inner.incrementOne(table, where, idColumn, increment, set);
    return row && this.open(table, row);
  }

  transaction<T>(work: (store: ModelStore) => Promise<T>): Promise<T> {
    return this.inner.transaction((trx) => work(new SealedAccountStore(trx, this.cipher, this.sealed)));
  }
}
