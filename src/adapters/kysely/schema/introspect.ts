import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../codec.js';

/** Whether a table exists where unqualified names resolve (PostgreSQL: the first schema on search_path). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table set: every store checks its own tables
export async function tableExists(db: Kysely<any>, dialect: Dialect, table: string): Promise<boolean> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{ found: boolean }>`
      select exists (
        select 1 from information_schema.tables
        where table_schema = current_schema() and table_name = ${table}
      ) as found`.execute(db);
    return rows[0]?.found === true;
  }
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(db);
  return Number(rows[0]?.n ?? 0) > 0;
}

export interface ColumnInfo {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

/** Columns of the given tables, in a dialect-neutral form, sorted by table and column. */
export async function describeColumns(
  db: Kysely<unknown>,
  dialect: Dialect,
  tables: readonly string[],
): Promise<ColumnInfo[]> {
  const out: ColumnInfo[] = [];
  if (dialect === 'postgres') {
    const { rows } = await sql<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>`
      select table_name, column_name, data_type, is_nullable from information_schema.columns
      where table_schema = current_schema()`.execute(db);
    for (const row of rows) {
      if (!tables.includes(row.table_name)) continue;
      out.push({
        table: row.table_name,
        column: row.column_name,
        type: row.data_type,
        nullable: row.is_nullable === 'YES',
      });
    }
  } else {
    for (const table of tables) {
      const { rows } = await sql<{ name: string; type: string; notnull: number }>`
        select name, type, "notnull" from pragma_table_info(${table})`.execute(db);
      for (const row of rows)
        out.push({ table, column: row.name, type: row.type.toLowerCase(), nullable: row.notnull === 0 });
    }
  }
  return out.sort((a, b) => a.table.localeCompare(b.table) || a.column.localeCompare(b.column));
}

/** Whether a PostgreSQL schema exists (read only: nothing is created). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- no table is read
export async function schemaExists(db: Kysely<any>, schema: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from information_schema.schemata where schema_name = ${schema}) as found`.execute(
    db,
  );
  return rows[0]?.found === true;
}
