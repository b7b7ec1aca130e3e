/**
 * The tables the upstream adapters' users already have, restated as fixtures so tests can build such a
 * database and then point authkeep at it. Each names the upstream file and version it states.
 */

/** @auth/pg-adapter 1.11.3: packages/adapter-pg/schema.sql at nextauthjs/next-auth a1a16a5 (no foreign keys, no uniques). */
export const PG_ADAPTER_SCHEMA = [
  `CREATE TABLE verification_token (identifier TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL, token TEXT NOT NULL,
     PRIMARY KEY (identifier, token))`,
  `CREATE TABLE accounts (id SERIAL, "userId" INTEGER NOT NULL, type VARCHAR(255) NOT NULL,
     provider VARCHAR(255) NOT NULL, "providerAccountId" VARCHAR(255) NOT NULL, refresh_token TEXT,
     access_token TEXT, expires_at BIGINT, id_token TEXT, scope TEXT, session_state TEXT, token_type TEXT,
     PRIMARY KEY (id))`,
  `CREATE TABLE sessions (id SERIAL, "userId" INTEGER NOT NULL, expires TIMESTAMPTZ NOT NULL,
     "sessionToken" VARCHAR(255) NOT NULL, PRIMARY KEY (id))`,
  `CREATE TABLE users (id SERIAL, name VARCHAR(255), email VARCHAR(255), "emailVerified" TIMESTAMPTZ,
     image TEXT, PRIMARY KEY (id))`,
];

/**
 * @auth/kysely-adapter 1.11.2: the migration in docs/pages/getting-started/adapters/kysely.mdx ("Schema") at
 * nextauthjs/next-auth a1a16a5, for PostgreSQL; on SQLite uuid is text with a random default and
 * timestamptz is text (the adapter writes ISO strings there: its `format.to`).
 */
export function kyselyAdapterSchema(dialect: 'postgres' | 'sqlite'): string[] {
  const pg = dialect === 'postgres';
  const id = pg
    ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()'
    : `text PRIMARY KEY DEFAULT (lower(hex(randomblob(16))))`;
  const uuid = pg ? 'uuid' : 'text';
  const ts = pg ? 'timestamptz' : 'text';
  return [
    `CREATE TABLE "User" (id ${id}, name text, email text UNIQUE NOT NULL, "emailVerified" ${ts}, image text)`,
    `CREATE TABLE "Account" (id ${id}, "userId" ${uuid} NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
       type text NOT NULL, provider text NOT NULL, "providerAccountId" text NOT NULL, refresh_token text,
       access_token text, expires_at bigint, token_type text, scope text, id_token text, session_state text)`,
    `CREATE TABLE "Session" (id ${id}, "userId" ${uuid} NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
       "sessionToken" text NOT NULL UNIQUE, expires ${ts} NOT NULL)`,
    `CREATE TABLE "VerificationToken" (identifier text NOT NULL, token text NOT NULL UNIQUE, expires ${ts} NOT NULL)`,
    `CREATE INDEX "Account_userId_index" ON "Account" ("userId")`,
    `CREATE INDEX "Session_userId_index" ON "Session" ("userId")`,
  ];
}

/** Every column, constraint and index of the schema's tables, to show a migration left them as they were. */
export const PG_SHAPE_QUERY = `
  select 'column' as kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable ||
         ' ' || coalesce(column_default, '') as item
    from information_schema.columns where table_schema = current_schema()
  union all
  select 'constraint', conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
    from pg_constraint where connamespace = current_schema()::regnamespace
  union all
  select 'index', indexdef from pg_indexes where schemaname = current_schema()
  order by 1, 2`;
