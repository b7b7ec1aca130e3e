import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../codec.js';
import type { PasskeyDatabase } from './tables.js';
import type { TableName } from './table-names.js';

/**
 * Which of the two known `oauth2_accounts` layouts a database holds. The crate's 0.6 tables have a
 * `sequence_number` primary key, `id TEXT UNIQUE` and `user_id … ON DELETE CASCADE` (docs.rs oauth2-passkey
 * 0.6.1 src/oauth2/storage/sqlite.rs and mysql.rs; its PostgreSQL page is not readable). The older
 * PostgreSQL layout (repository copy of src/oauth2/storage/postgres.rs before 2026-03-21) has
 * `id TEXT PRIMARY KEY`, no `sequence_number` and a plain `REFERENCES users(id)`. Both are worked on.
 */
export interface PasskeyTableShape {
  /** oauth2_accounts has `sequence_number` (0.6); false on the older `id TEXT PRIMARY KEY` layout. */
  oauth2Sequence: boolean;
  /** Deleting a user deletes its OAuth2 accounts by ON DELETE CASCADE; false means we delete them first. */
  oauth2Cascade: boolean;
}

export const CRATE_06_SHAPE: PasskeyTableShape = { oauth2Sequence: true, oauth2Cascade: true };

/** Reads the shape of `oauth2_accounts` once its columns have been checked. */
export async function detectPasskeyShape(
  db: Kysely<PasskeyDatabase>,
  dialect: Dialect,
  oauth2: TableName,
  columns: ReadonlySet<string>,
): Promise<PasskeyTableShape> {
  return {
    oauth2Sequence: columns.has('sequence_number'),
    oauth2Cascade: await cascades(db, dialect, oauth2),
  };
}

async function cascades(db: Kysely<PasskeyDatabase>, dialect: Dialect, name: TableName): Promise<boolean> {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ on_delete: string }>`
      select on_delete from pragma_foreign_key_list(${name.table}) where "from" = 'user_id'`.execute(db);
    return rows.some((row) => row.on_delete.toUpperCase() === 'CASCADE');
  }
  // pg_constraint for the table as it resolves (named schema, else the one unqualified names go to).
  const schema = name.schema ?? null;
  const { rows } = await sql<{ confdeltype: string }>`
    select c.confdeltype
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    join pg_namespace n on n.oid = t.relnamespace
    where c.contype = 'f' and t.relname = ${name.table}
      and n.nspname = coalesce(${schema}::text, current_schema())`.execute(db);
  return rows.some((row) => row.confdeltype === 'c');
}
