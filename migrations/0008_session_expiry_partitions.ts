import { sql, type Kysely } from 'kysely';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { columnTypes } from './column-types.js';

/** The partition that keeps every row stored before this migration (bucket 0), whatever its expiry. */
export const LEGACY_SESSIONS_PARTITION = 'sessions_b0';

/**
 * Sessions gain the expiry bucket their token names (src/domain/records/session-bucket.ts). On PostgreSQL the
 * table becomes partitioned by that bucket, in place: today's table, indexes and rows become partition
 * `sessions_b0` (bucket 0) without a copy, and expiry drops whole partitions instead of deleting rows.
 * A partitioned table has no primary key on `id` alone, so each partition keeps its own; reads name the
 * bucket, so they probe one partition. SQLite gets the column only: expiry there deletes rows.
 */
export const sessionExpiryPartitions: Migration = {
  id: 'authkeep_0008_session_expiry_partitions',
  async up(db: Kysely<any>, context) {
    const t = columnTypes(context.dialect);
    // A constant default: PostgreSQL 11+ and SQLite add it without rewriting a row.
    await db.schema
      .alterTable('sessions')
      .addColumn('bucket', t.int, (c) => c.notNull().defaultTo(0))
      .execute();
    if (context.dialect !== 'postgres') return;
    await sql`alter table sessions rename to ${sql.id(LEGACY_SESSIONS_PARTITION)}`.execute(db);
    await sql`create table sessions (like ${sql.id(LEGACY_SESSIONS_PARTITION)} including defaults)
      partition by range (bucket)`.execute(db);
    // Partitioned indexes: attaching the old table adopts its matching indexes instead of building new ones.
    await sql`create index sessions_by_user on sessions (user_id)`.execute(db);
    await sql`create index sessions_by_expiry on sessions (expires_at)`.execute(db);
    // Scans the old rows once to prove them bucket 0 (all are: the column was just added with default 0).
    await sql`alter table sessions attach partition ${sql.id(LEGACY_SESSIONS_PARTITION)}
      for values from (minvalue) to (1)`.execute(db);
  },
};
