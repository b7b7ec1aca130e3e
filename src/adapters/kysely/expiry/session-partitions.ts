import { sql } from 'kysely';
import type { SqlStore } from '../sql-store.js';

/** Partitions of `sessions` on PostgreSQL (migration 0008): one per expiry bucket, `sessions_b<bucket>`. */
export interface SessionPartition {
  name: string;
  bucket: number;
}

const PARTITION_NAME = /^sessions_b(\d+)$/;
export const sessionPartitionName = (bucket: number): string => `sessions_b${bucket}`;

/** Two-key advisory lock class for partition DDL (the migration lock uses the one-key form). */
const PARTITION_LOCK_CLASS = 0x616b7073;

/**
 * How long partition DDL waits for its lock before giving up until the next sweep: statements on
 * `sessions` queue behind a waiting ACCESS EXCLUSIVE request, so this bounds what a drop can add to a read.
 */
const LOCK_TIMEOUT = '250ms';

/** The partitions `sessions` has in the current schema. */
export async function listSessionPartitions(store: SqlStore): Promise<SessionPartition[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = current_schema() and p.relname = 'sessions'`.execute(store.db);
  const partitions: SessionPartition[] = [];
  for (const { name } of rows) {
    const bucket = PARTITION_NAME.exec(name)?.[1];
    if (bucket !== undefined) partitions.push({ name, bucket: Number(bucket) });
  }
  return partitions.sort((a, b) => a.bucket - b.bucket);
}

/**
 * Creates the partition for `bucket` unless it exists. The table is made empty and then attached, which
 * locks `sessions` only in SHARE UPDATE EXCLUSIVE mode: reads and writes go on meanwhile.
 */
export async function ensureSessionPartition(store: SqlStore, bucket: number): Promise<void> {
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
      await sql`create table ${sql.id(name)} (like sessions including defaults, primary key (id))`.execute(
        trx,
      );
      // The partitioned indexes (user, expiry) are built on the empty table as it is attached.
      await sql`alter table sessions attach partition ${sql.id(name)}
        for values from (${sql.lit(bucket)}) to (${sql.lit(bucket + 1)})`.execute(trx);
    },
    { idempotent: true, entity: 'session' },
  );
}

/**
 * Drops a partition whose bucket has ended, unless a session in it is still live at `now` (its expiry was
 * moved later): then it stays, and its expired rows are deleted one by one. The check runs under the
 * table lock that the detach needs anyway, so no session can be extended between check and drop.
 * Returns whether it was dropped.
 */
export async function dropEndedPartition(
  store: SqlStore,
  partition: SessionPartition,
  now: Date,
): Promise<boolean> {
  return store.transaction(
    async (trx) => {
      await sql`set local lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(trx);
      await sql`lock table sessions in access exclusive mode`.execute(trx);
      const { rows } = await sql`
        select 1 from ${sql.id(partition.name)} where expires_at >= ${store.codec.timestamp(now)} limit 1`.execute(
        trx,
      );
      if (rows.length > 0) return false;
      await sql`alter table sessions detach partition ${sql.id(partition.name)}`.execute(trx);
      await sql`drop table ${sql.id(partition.name)}`.execute(trx);
      return true;
    },
    { idempotent: true, entity: 'session' },
  );
}

/** Rows in one partition (counted before it is dropped, without locking anyone out). */
export async function countPartitionRows(store: SqlStore, partition: SessionPartition): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    select count(*) as n from ${sql.id(partition.name)}`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}
