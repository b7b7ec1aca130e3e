import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../codec.js';
import type { PasskeyDatabase } from './tables.js';
import { indexStem, type ResolvedTableNames, type TableName } from './table-names.js';

type Db = Kysely<PasskeyDatabase>;

/** PostgreSQL's own name for an unnamed constraint, hashed down when it would pass 63 bytes. */
function constraintName(table: TableName, suffix: string): string {
  const name = `${table.table}_${suffix}`;
  if (name.length <= 63) return name;
  return `${name.slice(0, 50)}_${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/**
 * The crate's 0.6 DDL, statement for statement, through the schema builder: the SQLite declared types are
 * exactly the strings its schema check compares (INTEGER, TEXT, BOOLEAN, TIMESTAMP), the PostgreSQL ones
 * give its data_type strings (bigint, text, boolean, integer, jsonb, timestamp with time zone).
 * Every statement is IF NOT EXISTS: an existing table is never altered.
 */
export async function createPasskeyTables(
  db: Db,
  dialect: Dialect,
  names: ResolvedTableNames,
): Promise<void> {
  const pg = dialect === 'postgres';
  const serialType = pg ? 'bigserial' : 'integer';
  const timestampType = pg ? 'timestamptz' : 'timestamp';

  await db.schema
    .createTable('users')
    .ifNotExists()
    .addColumn('sequence_number', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', timestampType, (c) => c.notNull())
    .addColumn('updated_at', timestampType, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth2_accounts')
    .ifNotExists()
    .addColumn('sequence_number', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('picture', 'text')
    .addColumn('metadata', pg ? 'jsonb' : 'text', (c) => c.notNull())
    .addColumn('created_at', timestampType, (c) => c.notNull())
    .addColumn('updated_at', timestampType, (c) => c.notNull())
    .addUniqueConstraint(constraintName(names.oauth2Accounts, 'provider_provider_user_id_key'), [
      'provider',
      'provider_user_id',
    ])
    .execute();
  await db.schema
    .createIndex(`idx_${indexStem(names.oauth2Accounts)}_user_id`)
    .ifNotExists()
    .on('oauth2_accounts')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('passkey_credentials')
    .ifNotExists()
    .addColumn('sequence_number', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('user_handle', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_display_name', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('rp_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', timestampType, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('updated_at', timestampType, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('last_used_at', timestampType, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addForeignKeyConstraint(
      constraintName(names.passkeyCredentials, 'user_id_fkey'),
      ['user_id'],
      'users',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  for (const column of ['user_name', 'user_id'] as const) {
    await db.schema
      .createIndex(`idx_${indexStem(names.passkeyCredentials)}_${column}`)
      .ifNotExists()
      .on('passkey_credentials')
      .column(column)
      .execute();
  }

  // No foreign key on purpose: login history outlives the user it records.
  await db.schema
    .createTable('login_history')
    .ifNotExists()
    .addColumn('id', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('timestamp', timestampType, (c) => c.notNull())
    .addColumn('auth_method', 'text', (c) => c.notNull())
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('success', 'boolean', (c) => c.notNull())
    .addColumn('credential_id', 'text')
    .addColumn('provider', 'text')
    .addColumn('provider_user_id', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('aaguid', 'text')
    .addColumn('email', 'text')
    .execute();
  // The crate uses the raw table name here; with a dotted name that is no identifier, so the stem is ours.
  await db.schema
    .createIndex(`idx_${indexStem(names.loginHistory)}_user_id`)
    .ifNotExists()
    .on('login_history')
    .column('user_id')
    .execute();
  await db.schema
    .createIndex(`idx_${indexStem(names.loginHistory)}_timestamp`)
    .ifNotExists()
    .on('login_history')
    .column('timestamp desc')
    .execute();
}
