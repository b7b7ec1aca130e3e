import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../codec.js';
import { tableExists } from '../schema/introspect.js';
import type { AuthjsLayout } from './layout.js';
import type { AuthjsDatabase, AuthjsTable } from './schema.js';

type Db = Kysely<AuthjsDatabase>;
type Column = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** Column types of one layout on one dialect, so each table is written once for all four. */
function typesFor(layout: AuthjsLayout, dialect: Dialect) {
  const pg = dialect === 'postgres';
  const serial = layout.ids === 'serial';
  // @auth/pg-adapter's schema.sql sizes names and provider fields VARCHAR(255); the Kysely schema uses text.
  const short = pg && serial ? 'varchar(255)' : 'text';
  const id = serial ? (pg ? 'serial' : 'integer') : pg ? 'uuid' : 'text';
  const ref = serial ? 'integer' : pg ? 'uuid' : 'text';
  const primaryId: Column = (c) => {
    const key = c.primaryKey();
    if (serial) return pg ? key : key.autoIncrement();
    return pg ? key.defaultTo(sql`gen_random_uuid()`) : key;
  };
  return {
    short,
    id,
    ref,
    primaryId,
    timestamp: pg ? 'timestamptz' : 'text',
    bigint: pg ? 'bigint' : 'integer',
    bool: pg ? 'boolean' : 'integer',
  } as const;
}

/** Creates one table (and its indexes) when it is missing; an existing table is never altered. */
type TableMaker = (db: Db, t: ReturnType<typeof typesFor>, layout: AuthjsLayout) => Promise<void>;

/** A constraint or index name of the layout's own (they are schema-wide, and two layouts may share a schema). */
const named = (layout: AuthjsLayout, table: AuthjsTable, suffix: string) =>
  `${layout.tables[table]}_${suffix}`;

const references =
  (notNull: boolean): Column =>
  (c) => {
    const column = c.references('users.id').onDelete('cascade');
    return notNull ? column.notNull() : column;
  };

const MAKERS: Record<AuthjsTable, TableMaker> = {
  async users(db, t, layout) {
    await db.schema
      .createTable('users')
      .addColumn('id', t.id as 'text', t.primaryId)
      .addColumn('name', t.short as 'text')
      // The Kysely adapter's documented User.email is NOT NULL; @auth/pg-adapter's is nullable.
      .addColumn('email', t.short as 'text', (c) =>
        layout.ids === 'uuid' ? c.unique().notNull() : c.unique(),
      )
      .addColumn('emailVerified', t.timestamp as 'text')
      .addColumn('image', 'text')
      .execute();
  },
  async accounts(db, t, layout) {
    await db.schema
      .createTable('accounts')
      .addColumn('id', t.id as 'text', t.primaryId)
      .addColumn('userId', t.ref as 'text', references(true))
      .addColumn('type', t.short as 'text', (c) => c.notNull())
      .addColumn('provider', t.short as 'text', (c) => c.notNull())
      .addColumn('providerAccountId', t.short as 'text', (c) => c.notNull())
      .addColumn('refresh_token', 'text')
      .addColumn('access_token', 'text')
      .addColumn('expires_at', t.bigint as 'bigint')
      .addColumn('id_token', 'text')
      .addColumn('scope', 'text')
      .addColumn('session_state', 'text')
      .addColumn('token_type', 'text')
      .addUniqueConstraint(named(layout, 'accounts', 'provider_providerAccountId_key'), [
        'provider',
        'providerAccountId',
      ])
      .execute();
    await db.schema
      .createIndex(named(layout, 'accounts', 'userId_idx'))
      .on('accounts')
      .column('userId')
      .execute();
  },
  async sessions(db, t, layout) {
    await db.schema
      .createTable('sessions')
      .addColumn('id', t.id as 'text', t.primaryId)
      .addColumn('userId', t.ref as 'text', references(true))
      .addColumn('expires', t.timestamp as 'text', (c) => c.notNull())
      .addColumn('sessionToken', t.short as 'text', (c) => c.unique().notNull())
      .execute();
    await db.schema
      .createIndex(named(layout, 'sessions', 'userId_idx'))
      .on('sessions')
      .column('userId')
      .execute();
  },
  async verification_token(db, t, layout) {
    await db.schema
      .createTable('verification_token')
      .addColumn('identifier', 'text', (c) => c.notNull())
      .addColumn('expires', t.timestamp as 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(named(layout, 'verification_token', 'pkey'), ['identifier', 'token'])
      .execute();
  },
  async authenticators(db, t, layout) {
    await db.schema
      .createTable('authenticators')
      .addColumn('credentialID', 'text', (c) => c.primaryKey())
      .addColumn('userId', t.ref as 'text', references(true))
      .addColumn('providerAccountId', 'text', (c) => c.notNull())
      .addColumn('credentialPublicKey', 'text', (c) => c.notNull())
      .addColumn('counter', t.bigint as 'bigint', (c) => c.notNull())
      .addColumn('credentialDeviceType', 'text', (c) => c.notNull())
      .addColumn('credentialBackedUp', t.bool as 'boolean', (c) => c.notNull())
      .addColumn('transports', 'text')
      .execute();
    await db.schema
      .createIndex(named(layout, 'authenticators', 'userId_idx'))
      .on('authenticators')
      .column('userId')
      .execute();
  },
};

/** Users first: the other tables reference it. */
const ORDER: readonly AuthjsTable[] = [
  'users',
  'accounts',
  'sessions',
  'verification_token',
  'authenticators',
];

/**
 * Creates the tables of `layout` that are missing and returns their names; a table that exists is left
 * exactly as it is (no column, index or constraint added). Run under the schema lock.
 */
export async function createMissingTables(db: Db, dialect: Dialect, layout: AuthjsLayout): Promise<string[]> {
  const types = typesFor(layout, dialect);
  const created: string[] = [];
  for (const table of ORDER) {
    if (await tableExists(db, dialect, layout.tables[table])) continue;
    await MAKERS[table](db, types, layout);
    created.push(layout.tables[table]);
  }
  return created;
}
