import { sql } from 'kysely';
import type { Db, SqlStore } from '../sql-store.js';
import type { SessionTable } from '../repos/sessions/digest-forms.js';

/**
 * Partitions of `sessions` on PostgreSQL (migration 0008): one per expiry bucket, `sessions_b<bucket>`,
 * under `sessions` or, for the buckets hex before migration 0009, `sessions_hex`.
 */
export interface SessionPartition {
  name: string;
  bucket: number;
  parent: SessionTable;
  /** A `detach … concurrently` was interrupted: it must be finalized before anything else. */
  detachPending?: boolean;
}

const PARTITION_NAME = /^sessions_b(\d+)$/;
export const sessionPartitionName = (bucket: number): string => `sessions_b${bucket}`;

/** Two-key advisory lock class for partition DDL (the migration lock uses the one-key form). */
const PARTITION_LOCK_CLASS = 0x616b7073;

/** How long creating a partition waits for its lock before failing (the insert that needed it fails too). */
const LOCK_TIMEOUT = '2s';

/** The partitions `parent` has in the current schema (with a detach left pending, PostgreSQL 14+). */
export async function listSessionPartitions(
  store: SqlStore,
  parent: SessionTable = 'sessions',
): Promise<SessionPartition[]> {
  const { rows } = await sql<{ name: string; pending: boolean }>`
    select c.relname as name, coalesce((to_jsonb(i) ->> 'inhdetachpending')::boolean, false) as pending
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = current_schema() and p.relname = ${parent}`.execute(store.db);
  const partitions: SessionPartition[] = [];
  for (const { name, pending } of rows) {
    const bucket = PARTITION_NAME.exec(name)?.[1];
    if (bucket !== undefined) {
      partitions.push({ name, bucket: Number(bucket), parent, detachPending: pending });
    }
  }
  return partitions.sort((a, b) => a.bucket - b.bucket);
}

/**
 * Creates the partition for `bucket` under `parent` unless it exists. The table is made empty and then
 * attached, which locks the parent only in SHARE UPDATE EXCLUSIVE mode: reads and writes go on meanwhile.
 */
export async function ensureSessionPartition(
  store: SqlStore,
  bucket: number,
  parent: SessionTable = 'sessions',
): Promise<void> {
  const name = sessionPartitionName(bucket);
  await store.transaction(
    async (trx) => {
      // Processes creating the same partition take turns; the later one finds it attached.
      await sql`select pg_advisory_xact_lock(${PARTITION_LOCK_CLASS}, hashtext(current_schema()))`.execute(
        trx,
      );
      const { rows } = await sql`
        select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relname = ${name} and c.relispartition`.execute(trx);
      if (rows.length > 0) return;
      await sql`set local lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(trx);
      // 32-byte keys (0009): a hash index is one probe like a B-tree, at about half its size.
      const { rows: types } = await sql<{ bytes: boolean }>`
        select atttypid = 'bytea'::regtype as bytes from pg_attribute
        where attrelid = ${sql.lit(parent)}::regclass and attname = 'id'`.execute(trx);
      const key = types[0]?.bytes ? sql`exclude using hash (id with =)` : sql`primary key (id)`;
      await sql`create table ${sql.id(name)} (like ${sql.id(parent)} including defaults, ${key})`.execute(
        trx,
      );
      // The partitioned indexes are built on the empty table as it is attached.
      await sql`alter table ${sql.id(parent)} attach partition ${sql.id(name)}
        for values from (${sql.lit(bucket)}) to (${sql.lit(bucket + 1)})`.execute(trx);
    },
    { idempotent: true, entity: 'session' },
  );
}

/** Whether a session in the partition is live at `now` (one probe of its expiry index). */
export async function holdsLiveSession(
  db: Db,
  partition: SessionPartition,
  cutoff: unknown,
): Promise<boolean> {
  const { rows } = await sql`
    select 1 from ${sql.id(partition.name)} where expires_at >= ${cutoff} limit 1`.execute(db);
  return rows.length > 0;
}

/** Rows in one partition. */
export async function countPartitionRows(store: SqlStore, partition: SessionPartition): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    select count(*) as n from ${sql.id(partition.name)}`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}
