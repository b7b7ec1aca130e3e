import { sql, type Kysely } from 'kysely';
import { IntegrityError } from '../../../../domain/errors.js';
import type { Logger } from '../../../../ports/system.js';
import type { Dialect } from '../../codec.js';
import type { PasskeyDatabase } from './tables.js';
import type { ResolvedTableNames, TableName } from './table-names.js';
import { detectPasskeyShape, type PasskeyTableShape } from './table-shape.js';

type ColumnTypes = Record<string, { sqlite: string; postgres: string }>;

const SERIAL = { sqlite: 'INTEGER', postgres: 'bigint' };
const TEXT = { sqlite: 'TEXT', postgres: 'text' };
const BOOLEAN = { sqlite: 'BOOLEAN', postgres: 'boolean' };
const TIMESTAMP = { sqlite: 'TIMESTAMP', postgres: 'timestamp with time zone' };

/** The columns and type strings the crate's schema check expects (SQLite: upper(declared type); PG: data_type). */
export const EXPECTED_COLUMNS: Record<keyof ResolvedTableNames, ColumnTypes> = {
  users: {
    sequence_number: SERIAL,
    id: TEXT,
    account: TEXT,
    label: TEXT,
    is_admin: BOOLEAN,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  oauth2Accounts: {
    sequence_number: SERIAL,
    id: TEXT,
    user_id: TEXT,
    provider: TEXT,
    provider_user_id: TEXT,
    name: TEXT,
    email: TEXT,
    picture: TEXT,
    metadata: { sqlite: 'TEXT', postgres: 'jsonb' },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  passkeyCredentials: {
    sequence_number: SERIAL,
    credential_id: TEXT,
    user_id: TEXT,
    public_key: TEXT,
    counter: { sqlite: 'INTEGER', postgres: 'integer' },
    user_handle: TEXT,
    user_name: TEXT,
    user_display_name: TEXT,
    aaguid: TEXT,
    rp_id: TEXT,
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
    last_used_at: TIMESTAMP,
  },
  loginHistory: {
    id: SERIAL,
    user_id: TEXT,
    timestamp: TIMESTAMP,
    auth_method: TEXT,
    ip_address: TEXT,
    user_agent: TEXT,
    success: BOOLEAN,
    credential_id: TEXT,
    provider: TEXT,
    provider_user_id: TEXT,
    failure_reason: TEXT,
    aaguid: TEXT,
    email: TEXT,
  },
};

/** Column name → type string as the crate compares it, or null when the table does not exist. */
async function actualColumns(
  db: Kysely<PasskeyDatabase>,
  dialect: Dialect,
  name: TableName,
): Promise<Map<string, string> | null> {
  if (dialect === 'sqlite') {
    // Exact name, as the crate checks sqlite_master.
    const { rows: found } = await sql<{ n: number }>`
      select count(*) as n from sqlite_master where type = 'table' and name = ${name.table}`.execute(db);
    if (Number(found[0]?.n ?? 0) === 0) return null;
    const { rows } = await sql<{ name: string; type: string }>`
      select name, type from pragma_table_info(${name.table})`.execute(db);
    return new Map(rows.map((row) => [row.name, row.type.toUpperCase()]));
  }
  // Unlike the crate (table_name in any schema), look only where the name resolves: the named schema, or the
  // one unqualified CREATE TABLE used (current_schema()), so same-named tables elsewhere are not merged in.
  const schema = name.schema ?? null;
  const { rows } = await sql<{ column_name: string | null; data_type: string | null }>`
    select c.column_name, c.data_type
    from information_schema.tables t
    left join information_schema.columns c
      on c.table_schema = t.table_schema and c.table_name = t.table_name
    where t.table_schema = coalesce(${schema}::text, current_schema()) and t.table_name = ${name.table}`.execute(
    db,
  );
  if (rows.length === 0) return null;
  return new Map(
    rows
      .filter((row) => row.column_name !== null)
      .map((row) => [row.column_name as string, row.data_type ?? '']),
  );
}

/** Columns a table may lack: oauth2_accounts of the older layout has no sequence_number (table-shape.ts). */
const OPTIONAL: Partial<Record<keyof ResolvedTableNames, string>> = { oauth2Accounts: 'sequence_number' };

/**
 * The crate's validation: every expected column exists with exactly the expected type; NOT NULL, defaults,
 * keys and indexes are not looked at. Extra columns are tolerated (logged). A mismatch is an IntegrityError
 * that names the table and column; nothing is ever altered. Returns the oauth2_accounts layout found.
 */
export async function checkPasskeyTables(
  db: Kysely<PasskeyDatabase>,
  dialect: Dialect,
  names: ResolvedTableNames,
  logger: Logger,
): Promise<PasskeyTableShape> {
  let oauth2Columns = new Set<string>();
  for (const key of Object.keys(EXPECTED_COLUMNS) as (keyof ResolvedTableNames)[]) {
    const name = names[key];
    const expected = EXPECTED_COLUMNS[key];
    const actual = await actualColumns(db, dialect, name);
    if (actual === null) {
      throw new IntegrityError(`oauth2-passkey table ${name.qualified} does not exist`, {
        details: { table: name.qualified },
      });
    }
    if (key === 'oauth2Accounts') oauth2Columns = new Set(actual.keys());
    for (const [column, types] of Object.entries(expected)) {
      if (OPTIONAL[key] === column && !actual.has(column)) continue;
      const want = types[dialect];
      const found = actual.get(column);
      if (found === undefined) {
        throw new IntegrityError(
          `oauth2-passkey table ${name.qualified} has no column ${column} (expected ${want}); ` +
            'oauth2-passkey 0.6 has no migrations: recreate the table',
          { details: { table: name.qualified, column, expected: want } },
        );
      }
      if (found !== want) {
        throw new IntegrityError(
          `oauth2-passkey table ${name.qualified} column ${column} has type ${found}, expected ${want}`,
          { details: { table: name.qualified, column, expected: want, found } },
        );
      }
    }
    const extra = [...actual.keys()].filter((column) => !(column in expected));
    if (extra.length > 0) {
      logger.warn({ table: name.qualified, columns: extra }, 'oauth2-passkey table has extra columns');
    }
  }
  const shape = await detectPasskeyShape(db, dialect, names.oauth2Accounts, oauth2Columns);
  if (!shape.oauth2Sequence || !shape.oauth2Cascade) {
    logger.warn(
      { table: names.oauth2Accounts.qualified, ...shape },
      'oauth2-passkey oauth2_accounts has the pre-0.6 layout (no sequence_number, or no ON DELETE CASCADE); ' +
        'authkeep works on it, oauth2-passkey 0.6 expects sequence_number',
    );
  }
  return shape;
}
