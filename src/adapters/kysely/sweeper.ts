import { currentSessionBucket } from '../../domain/session-bucket.js';
import { deleteExpiredRows, EXPIRING_TABLES, type ExpiringTable } from './expiry/expired-rows.js';
import {
  countPartitionRows,
  dropEndedPartition,
  ensureSessionPartition,
  listSessionPartitions,
  type SessionPartition,
} from './expiry/session-partitions.js';
import type { SqlStore } from './sql-store.js';

export { EXPIRING_TABLES, type ExpiringTable } from './expiry/expired-rows.js';

export interface SweepOptions {
  now: Date;
  /** Rows deleted per statement where rows are deleted one by one (default 1000). */
  batchSize?: number;
  onBatch?: (table: ExpiringTable, deleted: number) => void;
}

export type SweepCounts = Record<ExpiringTable, number>;

/** Buckets created ahead of need by each sweep, so a login rarely pays for creating one. */
const BUCKETS_AHEAD = 7;

/** SQLSTATE of a lock_timeout that ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Removes expired rows; the cost is linear in what goes, never in what went before. PostgreSQL sessions
 * go a whole bucket (UTC day of expiry, migration 0008) at a time: each partition whose day has ended
 * and holds no live session is dropped, so the table shrinks at once and leaves nothing to vacuum; rows
 * of ended buckets that are still there (bucket 0, sessions extended past their day) are deleted
 * expired row by row. A session expired earlier today goes when its day ends. Everything else (SQLite
 * sessions, email tokens with their attempt counts, two-factor and SSO sessions) is deleted in keyset
 * batches of `batchSize`, each one short transaction. Returns how many rows went from each table.
 */
export async function sweepExpired(store: SqlStore, options: SweepOptions): Promise<SweepCounts> {
  const { now, batchSize = 1000 } = options;
  const counts = {} as SweepCounts;
  for (const table of EXPIRING_TABLES) {
    const onBatch = (deleted: number) => options.onBatch?.(table, deleted);
    if (table === 'sessions' && store.dialect === 'postgres') {
      counts.sessions = await sweepSessionPartitions(store, now, batchSize, onBatch);
      continue;
    }
    counts[table] = await deleteExpiredRows(store, { table, now, batchSize, onBatch });
  }
  return counts;
}

/** A drop that could not get its lock in time waits for the next sweep instead of failing this one. */
async function dropUnlessBusy(store: SqlStore, partition: SessionPartition, now: Date): Promise<boolean> {
  try {
    return await dropEndedPartition(store, partition, now);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === LOCK_NOT_AVAILABLE) return false;
    throw error;
  }
}

async function sweepSessionPartitions(
  store: SqlStore,
  now: Date,
  batchSize: number,
  onBatch: (deleted: number) => void,
): Promise<number> {
  const current = currentSessionBucket(now);
  let removed = 0;
  for (const partition of await listSessionPartitions(store)) {
    if (partition.bucket >= current) continue;
    const rows = await countPartitionRows(store, partition);
    if (await dropUnlessBusy(store, partition, now)) {
      removed += rows;
      onBatch(rows);
    }
  }
  removed += await deleteExpiredRows(store, {
    table: 'sessions',
    now,
    batchSize,
    belowBucket: current,
    onBatch,
  });
  for (let bucket = current; bucket <= current + BUCKETS_AHEAD; bucket++) {
    await ensureSessionPartition(store, bucket);
  }
  return removed;
}
