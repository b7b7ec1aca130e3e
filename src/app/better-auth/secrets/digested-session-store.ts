import type {
  ModelCondition,
  ModelQuery,
  ModelRow,
  ModelStore,
  ModelWriteResult,
} from '../../../ports/model-store.js';
import type { SessionTokenDigests } from './token-digest.js';

/** Which table and column hold session tokens (after better-auth's model and field names). */
export interface SessionTokenColumn {
  table: string;
  column: string;
}

/**
 * The model store with session tokens stored as digests (hashSessionTokens): conditions on the token column
 * compare digests (a handle is taken for its digest), written tokens are digested, and rows come back with
 * the session's handle (see SessionTokenDigests) as its token: the value better-auth then puts in the cookie.
 */
export class DigestedSessionStore implements ModelStore {
  readonly dialect: 'postgres' | 'sqlite';

  constructor(
    private readonly inner: ModelStore,
    private readonly digests: SessionTokenDigests,
    private readonly session: SessionTokenColumn,
  ) {
    this.dialect = inner.dialect;
  }

  private digestValue(value: unknown): unknown {
    return typeof value === 'string' ? this.digests.lookup(value) : value;
  }

  private where(table: string, where: readonly ModelCondition[] | undefined): ModelCondition[] | undefined {
    if (!where || table !== this.session.table) return where as ModelCondition[] | undefined;
    return where.map((term) => {
      if (term.column !== this.session.column) return term;
      if (term.operator === 'eq' || term.operator === 'ne')
        return { ...term, value: this.digestValue(term.value) as string };
      if (term.operator === 'in' || term.operator === 'not_in') {
        return { ...term, value: (term.value as string[]).map((v) => this.digestValue(v) as string) };
      }
      return term;
    });
  }

  /**
   * Rows show a session's handle as its token, always: getSession and listSessions must show the same value
   * (revokeOtherSessions keeps the session whose token equals the current one), so the cookie holds it too.
   */
  private shown(table: string, row: ModelRow): ModelRow {
    if (table !== this.session.table) return row;
    const stored = row[this.session.column];
    if (!this.digests.isStored(stored)) return row;
    return { ...row, [this.session.column]: this.digests.handle(stored) };
  }

  private shownJoins(row: ModelRow, query: ModelQuery): ModelRow {
    for (const join of query.joins ?? []) {
      if (join.table !== this.session.table) continue;
      const value = row[join.key];
      if (Array.isArray(value)) row[join.key] = value.map((r: ModelRow) => this.shown(join.table, r));
      else if (value && typeof value === 'object') row[join.key] = this.shown(join.table, value as ModelRow);
    }
    return row;
  }

  private values(table: string, values: ModelRow): ModelRow {
    if (table !== this.session.table || typeof values[this.session.column] !== 'string') return values;
    return { ...values, [this.session.column]: this.digests.stored(values[this.session.column] as string) };
  }

  async insert(table: string, values: ModelRow): Promise<ModelRow> {
    const row = await this.inner.insert(table, this.values(table, values));
    return this.shown(table, row);
  }

  async findOne(table: string, query: ModelQuery): Promise<ModelRow | null> {
    const row = await this.inner.findOne(table, { ...query, where: this.where(table, query.where) });
    return row && this.shownJoins(this.shown(table, row), query);
  }

  async findMany(table: string, query: ModelQuery): Promise<ModelRow[]> {
    const rows = await this.inner.findMany(table, { ...query, where: this.where(table, query.where) });
    return rows.map((row) => this.shownJoins(this.shown(table, row), query));
  }

  count(table: string, where: readonly ModelCondition[]): Promise<number> {
    return this.inner.count(table, this.where(table, where)!);
  }

  async update(
    table: string,
    where: readonly ModelCondition[],
    values: ModelRow,
    returning: boolean,
  ): Promise<ModelWriteResult> {
    const result = await this.inner.update(
      table,
      this.where(table, where)!,
      this.values(table, values),
      returning,
    );
    return { ...result, rows: result.rows.map((row) => this.shown(table, row)) };
  }

  async delete(
    table: string,
    where: readonly ModelCondition[],
    returning: boolean,
  ): Promise<ModelWriteResult> {
    const result = await this.inner.delete(table, this.where(table, where)!, returning);
    return { ...result, rows: result.rows.map((row) => this.shown(table, row)) };
  }

  async consumeOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
  ): Promise<ModelRow | null> {
    const row = await this.inner.consumeOne(table, this.where(table, where)!, idColumn);
    return row && this.shown(table, row);
  }

  async incrementOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
    increment: Record<string, number>,
    set: ModelRow,
  ): Promise<ModelRow | null> {
    const row = await this.inner.incrementOne(
      table,
      this.where(table, where)!,
      idColumn,
      increment,
      this.values(table, set),
    );
    return row && this.shown(table, row);
  }

  transaction<T>(work: (store: ModelStore) => Promise<T>): Promise<T> {
    return this.inner.transaction((trx) => work(new DigestedSessionStore(trx, this.digests, this.session)));
  }
}
