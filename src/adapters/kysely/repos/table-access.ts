import type { AuthDatabase } from '../tables.js';
import type { SqlStore } from '../sql-store.js';

type Row = Record<string, unknown>;

/**
 * The statements every record table needs, written once: find one by a column, list newest first,
 * update by id returning the row, delete by id. Each runs with the store's retry policy.
 */
export class TableAccess<R> {
  constructor(
    private readonly store: SqlStore,
    private readonly table: keyof AuthDatabase,
    private readonly entity: string,
    private readonly toRecord: (row: Row) => R,
  ) {}

  // Kysely types column names per table; these helpers take the table as data, hence the loose casts.
  private get db() {
    return this.store.typed<Record<string, Row>>();
  }

  async findOne(column: string, value: string): Promise<R | null> {
    const row = await this.store.run(
      () => this.db.selectFrom(this.table).selectAll().where(column, '=', value).executeTakeFirst(),
      { idempotent: true, entity: this.entity },
    );
    return row ? this.toRecord(row) : null;
  }

  /** Rows where `column = value`, newest first (ties broken by id), as every list of the contract is. */
  async listNewestFirst(column: string, value: string): Promise<R[]> {
    const rows = await this.store.run(
      () =>
        this.db
          .selectFrom(this.table)
          .selectAll()
          .where(column, '=', value)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .execute(),
      { idempotent: true, entity: this.entity },
    );
    return rows.map((row) => this.toRecord(row));
  }

  /**
   * Sets `values` on the row with this id and returns it, or null when there is none. `scope` adds column
   * equalities to the match (a session's bucket: the partition to look in).
   */
  async updateById(id: string | Buffer, values: Row, scope: Row = {}): Promise<R | null> {
    const row = await this.store.run(
      () => {
        let update = this.db.updateTable(this.table).set(values).where('id', '=', id);
        for (const [column, value] of Object.entries(scope)) update = update.where(column, '=', value);
        return update.returningAll().executeTakeFirst();
      },
      { idempotent: true, entity: this.entity },
    );
    return row ? this.toRecord(row) : null;
  }

  async deleteById(id: string): Promise<void> {
    await this.store.run(() => this.db.deleteFrom(this.table).where('id', '=', id).execute(), {
      idempotent: true,
      entity: this.entity,
    });
  }
}
