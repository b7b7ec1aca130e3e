import { sql } from 'kysely';
import type { Db, SqlStore } from '../sql-store.js';

/** Partitions of `sessions` on PostgreSQL (migration 0008): one per expiry bucket, `sessions_b<bucket>`. */
export interface SessionPartition {
  name: string;
  bucket: number;
}

export interface DroppedPartition extends SessionPartition {
  rows: number;
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

/** SQLSTATE of a lock_timeout that ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

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

/** Whether a session in the partition is live at `now` (one probe of its expiry index). */
async function holdsLiveSession(db: Db, partition: SessionPartition, cutoff: unknown): Promise<boolean> {
  const { rows } = await sql`
    select 1 from ${sql.id(partition.name)} where expires_at >= ${cutoff} limit 1`.execute(db);
  return rows.length > 0;
}

/**
 * Drops the ended partitions that hold no session live at `now` (one whose expiry was moved later keeps
 * its partition) and returns them. One transaction for all: readers wait once, for the detaches and drops
 * only. The check is repeated under the table lock the detach needs anyway, so no session can be
 * extended between check and drop. When the lock does not come within LOCK_TIMEOUT the candidates are
 * `busy`: left for the next sweep, and this one does not fail.
 */
export async function dropEndedPartitions(
  store: SqlStore,
  ended: readonly SessionPartition[],
  now: Date,
): Promise<{ dropped: DroppedPartition[]; live: SessionPartition[]; busy: SessionPartition[] }> {
  const cutoff = store.codec.timestamp(now);
  const live: SessionPartition[] = [];
  const candidates: SessionPartition[] = [];
  // Checked first without a lock: a partition kept alive costs no one a wait.
  for (const partition of ended) {
    ((await holdsLiveSession(store.db, partition, cutoff)) ? live : candidates).push(partition);
  }
  if (candidates.length === 0) return { dropped: [], live, busy: [] };
  // Counted before the lock, so the count keeps no one waiting (a row added meanwhile is not counted).
  const rows = new Map<SessionPartition, number>();
  for (const partition of candidates) rows.set(partition, await countPartitionRows(store, partition));
  let dropped: SessionPartition[];
  try {
    dropped = await store.transaction(
      async (trx) => {
        await sql`set local lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(trx);
        await sql`lock table sessions in access exclusive mode`.execute(trx);
        const gone: SessionPartition[] = [];
        for (const partition of candidates) {
          if (await holdsLiveSession(trx, partition, cutoff)) continue;
          await sql`alter table sessions detach partition ${sql.id(partition.name)}`.execute(trx);
          await sql`drop table ${sql.id(partition.name)}`.execute(trx);
          gone.push(partition);
        }
        return gone;
      },
      { idempotent: true, entity: 'session' },
    );
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== LOCK_NOT_AVAILABLE) throw error;
    return { dropped: [], live, busy: candidates };
  }
  return {
    dropped: dropped.map((partition) => ({ ...partition, rows: rows.get(partition) ?? 0 })),
    live: [...live, ...candidates.filter((partition) => !dropped.includes(partition))],
    busy: [],
  };
}

/** Rows in one partition. */
async function countPartitionRows(store: SqlStore, partition: SessionPartition): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    select count(*) as n from ${sql.id(partition.name)}`.execute(store.db);
  return Number(rows[0]?.n ?? 0);
}
