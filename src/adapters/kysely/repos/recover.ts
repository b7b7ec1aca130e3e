import type { AuthDatabase } from '../tables.js';
import type { Db } from '../sql-store.js';

/**
 * `recover` for an insert with a client-made key: after a connection is lost mid-insert, the row is
 * looked up by that key; if it is there the insert committed and its row is the result.
 */
export function recoverInserted<T>(
  table: keyof AuthDatabase,
  key: string | Buffer,
  toRecord: (row: Record<string, unknown>) => T,
  column = 'id',
): (db: Db) => Promise<T | null> {
  return async (db) => {
    const row = await db
      .selectFrom(table as 'users')
      .selectAll()
      .where(column as 'id', '=', key)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  };
}
