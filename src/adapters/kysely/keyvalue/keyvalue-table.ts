import { sql, type ColumnType, type Kysely } from 'kysely';
import { ConfigError } from '../../../domain/errors.js';
import type { DbTimestamp } from '../codec.js';
import { describeColumns } from '../schema/introspect.js';
import { assertIdentifier } from '../connection/open-postgres.js';
import type { SqlStore } from '../sql-store.js';

/** dbstore-manager's row: key VARCHAR(255) PK, value JSON, created_at, updated_at. */
export interface KeyValueRow {
  key: string;
  /** JSON text on the way in; read through `cast(value as text)`, so JSON text on the way out too. */
  value: ColumnType<unknown, string, string>;
  created_at: ColumnType<unknown, DbTimestamp | undefined, DbTimestamp>;
  updated_at: ColumnType<unknown, DbTimestamp | undefined, DbTimestamp>;
}

/** The table under a fixed alias type: the real (validated) name is substituted at run time. */
export interface KeyValueDatabase {
  kv: KeyValueRow;
}

export const DEFAULT_KEYVALUE_TABLE = 'keyvalue';

/**
 * Validates a table name and folds it to lower case, as PostgreSQL folded dbstore's unquoted name, so
 * `KeyValue` finds the table dbstore created. Never interpolated: Kysely quotes it as an identifier.
 */
export function keyValueTableName(name: string = DEFAULT_KEYVALUE_TABLE): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError('the key-value table name must be a SQL identifier (letters, digits, underscore)');
  }
  return assertIdentifier(name.toLowerCase(), 'the key-value table name');
}

/**
 * Creates the table when missing, with dbstore's layout (JSONB and timestamptz on PostgreSQL; TEXT on
 * SQLite, whose JSON type name would give numeric affinity), then checks an existing one has the columns.
 */
export async function ensureKeyValueTable(store: SqlStore, table: string): Promise<void> {
  const postgres = store.dialect === 'postgres';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema builder only, on Db or Trx
  const create = (db: Kysely<any>) =>
    db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('value', postgres ? 'jsonb' : 'text', (c) => c.notNull())
      .addColumn('created_at', postgres ? 'timestamptz' : 'text', (c) => c.defaultTo(sql`CURRENT_TIMESTAMP`))
      .addColumn('updated_at', postgres ? 'timestamptz' : 'text', (c) => c.defaultTo(sql`CURRENT_TIMESTAMP`))
      .execute();
  // On PostgreSQL concurrent CREATE TABLE IF NOT EXISTS can still collide: the migration lock serialises
  // them. On SQLite the statement is atomic by itself, and a transaction would hold the write lock.
  if (postgres) await store.withMigrationLock((trx) => create(trx));
  else await store.run((db) => create(db), { idempotent: true, entity: 'key-value table' });
  const columns = await describeColumns(store.typed(), store.dialect, [table]);
  const names = new Set(columns.map((column) => column.column));
  const missing = ['key', 'value', 'created_at', 'updated_at'].filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new ConfigError(`table ${table} exists but lacks the key-value columns ${missing.join(', ')}`);
  }
}
