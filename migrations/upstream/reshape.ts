import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../../src/adapters/kysely/schema/migrator.js';

type Logger = MigrationContext['logger'];
import { UPSTREAM_COLUMNS, UPSTREAM_INDEXES, UPSTREAM_TABLE_NAMES } from './catalogue.js';
import { PROVIDER_COLUMNS } from './sso-providers.js';

type Db = Kysely<any>;

/**
 * Upstream's set_updated_at triggers go (a fresh authkeep database has none: the store sets updated_at
 * with its own clock), and so does the function once nothing else calls it. First of all steps, so no
 * later UPDATE of the adoption fires them.
 */
export async function dropUpdatedAtTriggers(db: Db): Promise<void> {
  const { rows } = await sql<{ tgname: string; relname: string }>`
    select t.tgname, c.relname from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_proc p on p.oid = t.tgfoid
    where n.nspname = current_schema() and not t.tgisinternal and p.proname = 'set_updated_at'`.execute(db);
  for (const { tgname, relname } of rows) {
    await sql`drop trigger ${sql.id(tgname)} on ${sql.table(relname)}`.execute(db);
  }
  const { rows: users } = await sql<{ n: number }>`
    select count(*)::int as n from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = current_schema() and p.proname = 'set_updated_at'`.execute(db);
  if (users[0]?.n === 0) await sql`drop function if exists set_updated_at()`.execute(db);
}

/**
 * Foreign keys between upstream's tables go: 3.0.x has 4, 3.1.x has 18, and a fresh authkeep schema has
 * none there (its repositories delete dependent rows themselves), so one behaviour whichever way the
 * database was born. Keys from other tables into these ones are the owner's and stay.
 */
export async function dropForeignKeys(db: Db, logger: Logger): Promise<void> {
  const { rows } = await sql<{ conname: string; relname: string }>`
    select con.conname, c.relname from pg_constraint con
    join pg_class c on c.oid = con.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and con.contype = 'f'`.execute(db);
  const ours = rows.filter((row) => UPSTREAM_TABLE_NAMES.includes(row.relname));
  for (const { conname, relname } of ours) {
    await sql`alter table ${sql.table(relname)} drop constraint ${sql.id(conname)}`.execute(db);
  }
  logger.info({ count: ours.length }, 'dropped upstream foreign keys');
}

/** Upstream's idx_* indexes go; migration 0002 creates the ones authkeep's queries use. */
export async function dropUpstreamIndexes(db: Db): Promise<void> {
  const { rows } = await sql<{ indexname: string; tablename: string }>`
    select indexname, tablename from pg_indexes where schemaname = current_schema()`.execute(db);
  for (const { indexname, tablename } of rows) {
    if (UPSTREAM_INDEXES[indexname] !== tablename) continue;
    await sql`drop index ${sql.id(indexname)}`.execute(db);
  }
}

async function columnState(db: Db) {
  const { rows } = await sql<{
    table_name: string;
    column_name: string;
    type: string;
    not_null: boolean;
    default_sql: string | null;
  }>`
    select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type,
      a.attnotnull as not_null, pg_get_expr(d.adbin, d.adrelid) as default_sql
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`.execute(
    db,
  );
  return new Map(rows.map((row) => [`${row.table_name}.${row.column_name}`, row]));
}

/**
 * Each remaining column takes authkeep's type (widths widened where authkeep accepts longer values),
 * nullability and default. NULLs upstream allowed where authkeep does not are filled as upstream would
 * have read them (false, 0, the row's created_at), and counted in a warning.
 */
export async function reshapeColumns(db: Db, logger: Logger): Promise<void> {
  // Upstream's assignment ids are not part of any record; authkeep keys assignments by (user, org, role).
  await sql`alter table user_roles drop column id`.execute(db);
  const state = await columnState(db);
  const filled: Record<string, number> = {};
  for (const [table, columns] of Object.entries(UPSTREAM_COLUMNS)) {
    for (const [column, spec] of Object.entries(columns)) {
      if (table === 'user_roles' && column === 'id') continue;
      if (table === 'sso_providers' && PROVIDER_COLUMNS.includes(column)) continue;
      const current = state.get(`${table}.${column}`)!;
      const alter = (change: ReturnType<typeof sql>) =>
        sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} ${change}`.execute(db);
      if (spec.type && current.type !== spec.type) await alter(sql`type ${sql.raw(spec.type)}`);
      if (spec.notNull && !current.not_null) {
        if (spec.fill) {
          const result = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${sql.raw(spec.fill)}
            where ${sql.ref(column)} is null`.execute(db);
          const count = Number(result.numAffectedRows ?? 0);
          if (count > 0) filled[`${table}.${column}`] = count;
        }
        await alter(sql`set not null`);
      } else if (!spec.notNull && current.not_null) {
        await alter(sql`drop not null`);
      }
      if (current.default_sql !== spec.default) {
        await alter(spec.default === null ? sql`drop default` : sql`set default ${sql.raw(spec.default)}`);
      }
    }
  }
  if (Object.keys(filled).length > 0) {
    logger.warn({ filled }, 'upstream rows had NULL where authkeep requires a value; filled them');
  }
}
