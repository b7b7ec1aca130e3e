import type pg from 'pg';
import { sql, type PeerData } from './data.js';

const series = (n: number, v: string) => `from generate_series(1, ${n}) as ${v}`;

/**
 * authkeep's own tables (migrated by connect()): users, and sessions as authkeep writes them today: the
 * token ends in its expiry bucket, the row sits in that bucket's partition (which must exist), keyed by
 * the token's SHA-256 as 32 bytes (migration 0009).
 */
export async function seedAuthkeep(client: pg.ClientBase, d: PeerData): Promise<void> {
  await client.query(
    `insert into users (id, email, email_normalized, name, entitlements, created_at, updated_at)
     select ${sql.userId(d)}::text, ${sql.email}, ${sql.email}, ${sql.name}, '{}', now(), now() ${series(d.users, 'i')}`,
  );
  await client.query(
    `insert into sessions (id, bucket, user_id, entitlements, expires_at, created_at, updated_at)
     select sha256(convert_to(${sql.authkeepToken(d)}, 'UTF8')), ${d.bucket}, ${sql.ownerId(d)}::text, '{}',
            now() + interval '1 day', now(), now() ${series(d.sessions, 'j')}`,
  );
  // Raw pg's floor reads an unpartitioned copy (the table before migration 0008), so authkeep's
  // partitioned layout is measured against the plain table it replaced, not against itself.
  await client.query(`create table sessions_flat (like sessions including defaults, primary key (id))`);
  await client.query(`create index on sessions_flat (user_id)`);
  await client.query(`create index on sessions_flat (expires_at)`);
  await client.query(`insert into sessions_flat select * from sessions`);
  await client.query(`analyze sessions_flat`);
}

/** The tables of Auth.js's Kysely adapter documentation for PostgreSQL (User, Session; uuid ids). */
export async function seedAuthjs(client: pg.ClientBase, d: PeerData): Promise<void> {
  await client.query(`
    create table "User" (id uuid primary key default gen_random_uuid(), name text, email text unique not null,
      "emailVerified" timestamptz, image text);
    create table "Session" (id uuid primary key default gen_random_uuid(),
      "userId" uuid not null references "User"(id) on delete cascade,
      "sessionToken" text not null unique, expires timestamptz not null);
    create index "Session_userId_index" on "Session" ("userId");`);
  await client.query(
    `insert into "User" (id, name, email) select ${sql.userId(d)}, ${sql.name}, ${sql.email} ${series(d.users, 'i')}`,
  );
  await client.query(
    `insert into "Session" ("userId", "sessionToken", expires)
     select ${sql.ownerId(d)}, ${sql.token(d)}, now() + interval '1 day' ${series(d.sessions, 'j')}`,
  );
}

/** better-auth's tables come from its own migrator (getMigrations); this fills them with the data set. */
export async function seedBetterAuth(client: pg.ClientBase, d: PeerData): Promise<void> {
  await client.query(
    `insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
     select ${sql.userId(d)}::text, ${sql.name}, ${sql.email}, false, now(), now() ${series(d.users, 'i')}`,
  );
  await client.query(
    `insert into "session" (id, "expiresAt", token, "createdAt", "updatedAt", "ipAddress", "userAgent", "userId")
     select md5('${d.salt}s' || j), now() + interval '1 day', ${sql.token(d)}, now(), now(), '', '',
            ${sql.ownerId(d)}::text ${series(d.sessions, 'j')}`,
  );
}
