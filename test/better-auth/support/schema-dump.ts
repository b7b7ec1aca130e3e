import type Database from 'better-sqlite3';
import { withClient } from '../../support/postgres.js';

/** Columns (type, nullability, default), indexes and constraints of a PostgreSQL schema, schema name elided. */
export function dumpPostgresSchema(url: string, schema: string): Promise<string[]> {
  return withClient(url, undefined, async (client) => {
    const columns = await client.query(
      `select table_name, column_name, data_type, is_nullable, column_default
         from information_schema.columns where table_schema = $1 order by table_name, column_name`,
      [schema],
    );
    const indexes = await client.query(
      `select indexname, replace(indexdef, $1 || '.', '') as def from pg_indexes
        where schemaname = $1 order by indexname`,
      [schema],
    );
    const constraints = await client.query(
      `select c.relname as tbl, conname, replace(pg_get_constraintdef(k.oid), $1 || '.', '') as def
         from pg_constraint k join pg_class c on c.oid = k.conrelid
        where k.connamespace = $1::regnamespace order by conname`,
      [schema],
    );
    return [
      ...columns.rows.map(
        (r) => `column ${r.table_name}.${r.column_name} ${r.data_type} ${r.is_nullable} ${r.column_default}`,
      ),
      ...indexes.rows.map((r) => `index ${r.indexname} ${r.def}`),
      ...constraints.rows.map((r) => `constraint ${r.tbl} ${r.conname} ${r.def}`),
    ];
  });
}

/** Every table's and index's CREATE statement in a SQLite database. */
export function dumpSqliteSchema(db: Database.Database): string[] {
  const rows = db
    .prepare(`select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name`)
    .all() as { type: string; name: string; sql: string | null }[];
  return rows.map((r) => `${r.type} ${r.name} ${r.sql ?? ''}`);
}
