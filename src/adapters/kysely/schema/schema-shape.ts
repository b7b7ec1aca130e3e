import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../codec.js';

export interface ColumnShape {
  type: string;
  nullable: boolean;
}

/** What `verify` compares: column types and nullability per table, and index definitions (names aside). */
export interface SchemaShape {
  tables: Map<string, Map<string, ColumnShape>>;
  /** e.g. `unique index on users (email_normalized)`, independent of the index name and the schema. */
  indexes: Set<string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table set: the shape is read from the catalog
type AnyDb = Kysely<any>;

/** The tables where unqualified names resolve (PostgreSQL: current_schema(); SQLite: main). */
export async function readSchemaShape(db: AnyDb, dialect: Dialect): Promise<SchemaShape> {
  return dialect === 'postgres' ? readPostgres(db) : readSqlite(db);
}

async function readPostgres(db: AnyDb): Promise<SchemaShape> {
  const shape: SchemaShape = { tables: new Map(), indexes: new Set() };
  const { rows } = await sql<{ table_name: string; column_name: string; type: string; not_null: boolean }>`
    select c.relname as table_name, a.attname as column_name,
      format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition
      and a.attnum > 0 and not a.attisdropped
  `.execute(db);
  for (const row of rows) {
    columnsOf(shape, row.table_name).set(row.column_name, { type: row.type, nullable: !row.not_null });
  }
  // Partitions (sessions by expiry bucket, migration 0008) come and go: the partitioned table is the shape.
  const indexes = await sql<{ def: string }>`
    select x.indexdef as def from pg_indexes x
    join pg_namespace n on n.nspname = x.schemaname
    join pg_class c on c.relnamespace = n.oid and c.relname = x.tablename
    where x.schemaname = current_schema() and not c.relispartition`.execute(db);
  for (const { def } of indexes.rows) {
    // CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)
    shape.indexes.add(
      // A partitioned table's own index reads `ON ONLY schema.table`.
      def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?(?:\S+\.)?/, (_, unique?: string) =>
        unique ? 'unique index on ' : 'index on ',
      ),
    );
  }
  return shape;
}

async function readSqlite(db: AnyDb): Promise<SchemaShape> {
  const shape: SchemaShape = { tables: new Map(), indexes: new Set() };
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  for (const { name: table } of tables.rows) {
    const columns = columnsOf(shape, table);
    const info = await sql<{ name: string; type: string; notnull: number; pk: number }>`
      select name, type, "notnull", pk from pragma_table_info(${table})`.execute(db);
    for (const row of info.rows) {
      columns.set(row.name, { type: row.type.toLowerCase(), nullable: row.notnull === 0 && row.pk === 0 });
    }
    const list = await sql<{ name: string; unique: number }>`
      select name, "unique" from pragma_index_list(${table})`.execute(db);
    for (const index of list.rows) {
      const parts = await sql<{ name: string | null }>`
        select name from pragma_index_xinfo(${index.name}) where key = 1 order by seqno`.execute(db);
      const defined = await sql<{ sql: string | null }>`
        select sql from sqlite_master where type = 'index' and name = ${index.name}`.execute(db);
      const where = /\bwhere\b(.*)$/is.exec(defined.rows[0]?.sql ?? '')?.[1]?.trim();
      const columnList = parts.rows.map((part) => part.name ?? '<expression>').join(', ');
      shape.indexes.add(
        `${index.unique ? 'unique ' : ''}index on ${table} (${columnList})${where ? ` where ${where}` : ''}`,
      );
    }
  }
  return shape;
}

function columnsOf(shape: SchemaShape, table: string): Map<string, ColumnShape> {
  let columns = shape.tables.get(table);
  if (!columns) shape.tables.set(table, (columns = new Map()));
  return columns;
}

/** What the live schema lacks or has differently; tables, columns and indexes it adds are its own business. */
export function compareSchemaShapes(expected: SchemaShape, live: SchemaShape): string[] {
  const differences: string[] = [];
  for (const [table, columns] of expected.tables) {
    const liveColumns = live.tables.get(table);
    if (!liveColumns) {
      differences.push(`table ${table} is missing`);
      continue;
    }
    for (const [column, want] of columns) {
      const have = liveColumns.get(column);
      if (!have) differences.push(`column ${table}.${column} is missing`);
      else if (have.type !== want.type)
        differences.push(`column ${table}.${column} is ${have.type}, expected ${want.type}`);
      else if (have.nullable !== want.nullable)
        differences.push(
          `column ${table}.${column} is ${have.nullable ? 'nullable' : 'not null'}, expected ${want.nullable ? 'nullable' : 'not null'}`,
        );
    }
  }
  for (const index of expected.indexes) {
    if (!live.indexes.has(index)) differences.push(`missing ${index}`);
  }
  return differences;
}
