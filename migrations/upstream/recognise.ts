import { type Kysely, sql } from 'kysely';
import { ConfigError } from '../../src/domain/errors.js';
import { UPSTREAM_COLUMNS, UPSTREAM_MIGRATION_ID, UPSTREAM_TABLE_NAMES } from './catalogue.js';

/** What the adoption found: which generation wrote the database, and where its triggers are. */
export interface UpstreamDatabase {
  /** 3.1.x wrote its ledger row; 3.0.x never did. */
  generation: '3.0' | '3.1';
  /** Tables with a trigger calling set_updated_at() (3.1.x), whose updated_at is NOW() on update. */
  triggerTables: Set<string>;
}

const TIMESTAMPTZ = 'timestamp with time zone';

type Db = Kysely<any>;

async function existingTables(db: Db): Promise<Set<string>> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema()`.execute(db);
  return new Set(rows.map((row) => row.table_name));
}

async function ledgerIds(db: Db, tables: Set<string>): Promise<string[]> {
  if (!tables.has('auth_migrations')) return [];
  const { rows } = await sql<{ id: string }>`select id from auth_migrations`.execute(db);
  return rows.map((row) => row.id);
}

async function columnTypes(db: Db): Promise<Map<string, Map<string, string>>> {
  const { rows } = await sql<{ table_name: string; column_name: string; type: string }>`
    select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`.execute(
    db,
  );
  const out = new Map<string, Map<string, string>>();
  for (const row of rows) {
    if (!out.has(row.table_name)) out.set(row.table_name, new Map());
    out.get(row.table_name)!.set(row.column_name, row.type);
  }
  return out;
}

/** Every upstream table and column exactly as upstream declares it, or a config error naming what differs. */
function checkColumns(types: Map<string, Map<string, string>>): void {
  const problems: string[] = [];
  for (const table of UPSTREAM_TABLE_NAMES) {
    const actual = types.get(table);
    if (!actual) {
      problems.push(`table ${table} is missing`);
      continue;
    }
    for (const [column, spec] of Object.entries(UPSTREAM_COLUMNS[table]!)) {
      const type = actual.get(column);
      if (type === undefined) problems.push(`${table}.${column} is missing`);
      // A timestamp someone already turned into timestamptz holds exact instants: nothing to convert.
      else if (type !== spec.upstream && !(spec.upstream.startsWith('timestamp') && type === TIMESTAMPTZ)) {
        problems.push(`${table}.${column} is ${type}, upstream declares ${spec.upstream}`);
      }
    }
    for (const column of actual.keys()) {
      if (!(column in UPSTREAM_COLUMNS[table]!))
        problems.push(`${table}.${column} is not an upstream column`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      'this database looks like one made by @kitiumai/auth-postgres but differs in ways authkeep cannot ' +
        `convert safely: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}. ` +
        'Fix these by hand, or pass the `schema` option so authkeep uses a schema of its own.',
    );
  }
}

/**
 * Objects of the owner's that the reshaping would break: a view over an upstream table blocks ALTER
 * COLUMN TYPE, and a foreign key to user_roles.id blocks dropping it. Named in a config error up front.
 */
async function checkDependants(db: Db): Promise<void> {
  const { rows: views } = await sql<{ view: string }>`
    select distinct view_schema || '.' || view_name as view from information_schema.view_table_usage
    where table_schema = current_schema() and table_name in (${sql.join(UPSTREAM_TABLE_NAMES)})`.execute(db);
  const { rows: keys } = await sql<{ key: string }>`
    select c.relname || '.' || con.conname as key from pg_constraint con
    join pg_class c on c.oid = con.conrelid
    join pg_class target on target.oid = con.confrelid
    join pg_namespace n on n.oid = target.relnamespace
    where con.contype = 'f' and n.nspname = current_schema() and target.relname = 'user_roles'`.execute(db);
  const problems = [
    ...views.map((row) => `view ${row.view} reads upstream's tables (drop it, adopt, then recreate it)`),
    ...keys.map((row) => `foreign key ${row.key} references user_roles.id, which authkeep drops`),
  ];
  if (problems.length > 0) {
    throw new ConfigError(`cannot adopt this @kitiumai/auth-postgres database: ${problems.join('; ')}`);
  }
}

async function triggerTables(db: Db): Promise<Set<string>> {
  const { rows } = await sql<{ relname: string }>`
    select distinct c.relname from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_proc p on p.oid = t.tgfoid
    where n.nspname = current_schema() and not t.tgisinternal and p.proname = 'set_updated_at'`.execute(db);
  return new Set(rows.map((row) => row.relname));
}

/**
 * Finds an upstream database where unqualified names resolve. Returns null when there is nothing to
 * adopt: no upstream table at all (a fresh database), or a ledger that authkeep wrote already. A
 * database with some of upstream's tables, or all of them shaped otherwise, is a config error.
 */
export async function recogniseUpstream(db: Db): Promise<UpstreamDatabase | null> {
  const tables = await existingTables(db);
  const ledger = await ledgerIds(db, tables);
  if (ledger.some((id) => id.startsWith('authkeep_'))) return null;
  if (!UPSTREAM_TABLE_NAMES.some((table) => tables.has(table))) return null;
  checkColumns(await columnTypes(db));
  await checkDependants(db);
  return {
    generation: ledger.includes(UPSTREAM_MIGRATION_ID) ? '3.1' : '3.0',
    triggerTables: await triggerTables(db),
  };
}
