import { sql, type Kysely } from 'kysely';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';

/** PostgreSQL: the partitioned table of the sessions stored before this migration, digests as hex text. */
export const HEX_SESSIONS_TABLE = 'sessions_hex';

/**
 * The buckets whose sessions are hex (PostgreSQL: the partitions `sessions_hex` had at this migration;
 * SQLite: none). Written once, never changed: a session's form is a function of its bucket, in every process.
 */
export const HEX_BUCKETS_TABLE = 'sessions_hex_buckets';

/**
 * Session digests become 32 raw bytes (`bytea` / blob) instead of 64 hex characters, in place and with
 * no table rewrite. On PostgreSQL the partitioned table is renamed `sessions_hex` with its partitions,
 * which keep their rows, names and indexes; a new `sessions` with a `bytea` key takes every bucket it did
 * not have, so buckets that had a partition stay hex until the sweep drops them (bucket 0 row by row).
 * The reader knows the form from the bucket (HEX_BUCKETS_TABLE), so a read stays one probe. Both steps
 * are catalog changes: the lock they take lasts milliseconds. The new table puts the 8-byte columns
 * first (no alignment padding) and looks sessions up by key and by user with hash indexes (equality is
 * all either serves; ~40 bytes a row against ~76 for a B-tree filled in random order); each partition's
 * key is unique by a hash exclusion constraint (src/adapters/kysely/expiry/session-partitions.ts).
 * SQLite keeps its table: a `text` column stores blobs as they are, and
 * the rows are converted in this transaction, which WAL readers do not wait for.
 */
export const sessionDigestBytes: Migration = {
  id: 'authkeep_0009_session_digest_bytes',
  async up(db: Kysely<any>, context) {
    await db.schema
      .createTable(HEX_BUCKETS_TABLE)
      .addColumn('bucket', 'integer', (c) => c.primaryKey())
      .execute();
    if (context.dialect !== 'postgres') {
      await sql`update sessions set id = unhex(id)
        where typeof(id) = 'text' and length(id) = 64 and unhex(id) is not null`.execute(db);
      return;
    }
    await sql`alter table sessions rename to ${sql.id(HEX_SESSIONS_TABLE)}`.execute(db);
    // Index names are per schema: the new table's indexes take the old names.
    await sql`alter index sessions_by_user rename to sessions_hex_by_user`.execute(db);
    await sql`alter index sessions_by_expiry rename to sessions_hex_by_expiry`.execute(db);
    await sql`create table sessions (
        expires_at timestamptz not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        bucket integer not null,
        id bytea not null,
        user_id varchar(255) not null,
        org_id varchar(255),
        plan varchar(255),
        entitlements text[] not null default '{}',
        metadata jsonb,
        extra text
      ) partition by range (bucket)`.execute(db);
    await sql`create index sessions_by_user on sessions using hash (user_id)`.execute(db);
    await sql`create index sessions_by_expiry on sessions (expires_at)`.execute(db);
    await sql`insert into ${sql.id(HEX_BUCKETS_TABLE)} (bucket)
      select (regexp_match(c.relname, '^sessions_b(\\d+)$'))[1]::integer
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
      join pg_namespace n on n.oid = p.relnamespace
      where n.nspname = current_schema() and p.relname = ${sql.lit(HEX_SESSIONS_TABLE)}
        and c.relname ~ '^sessions_b\\d+$'`.execute(db);
  },
};
