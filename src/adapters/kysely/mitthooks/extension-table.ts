import { sql, type Kysely } from 'kysely';
import { ConfigError } from '../../../domain/errors.js';
import { describeColumns, tableExists } from '../schema/introspect.js';
import type { SqlStore } from '../sql-store.js';

export const DEFAULT_EXTENSION_TABLE = 'extension_instance';

/** The physical name of each column: drizzle's default casing, or snake_case where the table uses it. */
export interface ExtensionColumns {
  id: string;
  contextId: string;
  context: string;
  active: string;
  variantKey: string;
  consentedScopes: string;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

/** Accepted spellings per column, preferred first (mitthooks-drizzle with and without `casing: "snake_case"`). */
const SPELLINGS: Record<keyof ExtensionColumns, readonly string[]> = {
  id: ['id'],
  contextId: ['contextId', 'context_id'],
  context: ['context'],
  active: ['active'],
  variantKey: ['variant_key'],
  consentedScopes: ['consented_scopes'],
  secret: ['secret'],
  createdAt: ['createdAt', 'created_at'],
  updatedAt: ['updatedAt', 'updated_at'],
};

/** Drizzle quotes names, so case is kept; only plain identifiers are accepted, never interpolated. */
export function extensionTableName(name: string = DEFAULT_EXTENSION_TABLE): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError('the extension table name must be a SQL identifier (letters, digits, underscore)');
  }
  return name;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema builder only, on Db or Trx
type AnyDb = Kysely<any>;

/** PostgreSQL: mitthooks-drizzle's `context` enum, in the current schema, when it is missing. */
async function ensureContextEnum(db: AnyDb): Promise<void> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where t.typname = 'context' and n.nspname = current_schema()
    ) as found`.execute(db);
  if (rows[0]?.found !== true)
    await db.schema.createType('context').asEnum(['customer', 'project']).execute();
}

/** The table as mitthooks-drizzle declares it (default casing); on SQLite the closest types. */
async function createTable(db: AnyDb, table: string, postgres: boolean): Promise<void> {
  const now = postgres ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
  await db.schema
    .createTable(table)
    .ifNotExists()
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('contextId', 'varchar(36)', (c) => c.notNull())
    .addColumn('context', postgres ? sql`context` : 'text', (c) => {
      const column = c.notNull().defaultTo('project');
      return postgres ? column : column.check(sql`context in ('customer', 'project')`);
    })
    .addColumn('active', postgres ? 'boolean' : 'integer', (c) => c.notNull())
    .addColumn('variant_key', 'text')
    .addColumn('consented_scopes', postgres ? sql`text[]` : 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('createdAt', postgres ? 'timestamp' : 'text', (c) => c.notNull().defaultTo(now))
    .addColumn('updatedAt', postgres ? 'timestamp' : 'text', (c) => c.notNull().defaultTo(now))
    .execute();
}

/**
 * Creates the table when missing, then maps each column to its physical name. A table made by
 * mitthooks-drizzle in either casing is used as it is, extra columns included.
 */
export async function ensureExtensionTable(store: SqlStore, table: string): Promise<ExtensionColumns> {
  const postgres = store.dialect === 'postgres';
  // Through store.run: driver faults (an unreachable server) come out typed and retried like any read.
  const introspect = { idempotent: true, entity: 'extension table' };
  if (!(await store.run(() => tableExists(store.typed(), store.dialect, table), introspect))) {
    // The migration lock serialises concurrent creators (type and table creation can race).
    await store.withMigrationLock(async (trx) => {
      if (postgres) await ensureContextEnum(trx);
      await createTable(trx, table, postgres);
    });
  }
  const present = new Set(
    (await store.run(() => describeColumns(store.typed(), store.dialect, [table]), introspect)).map(
      (column) => column.column,
    ),
  );
  const columns = {} as ExtensionColumns;
  const missing: string[] = [];
  for (const [logical, spellings] of Object.entries(SPELLINGS) as [keyof ExtensionColumns, string[]][]) {
    const found = spellings.find((name) => present.has(name));
    if (found === undefined) missing.push(spellings.join(' or '));
    else columns[logical] = found;
  }
  if (missing.length > 0) {
    throw new ConfigError(`table ${table} lacks the extension columns ${missing.join(', ')}`);
  }
  return columns;
}
