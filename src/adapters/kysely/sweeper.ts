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
 * of ended partitions kept by a live session (bucket 0, or a session extended past its day) are
 * deleted row by row when expired. A session expired earlier today goes when its day ends. Everything else (SQLite
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

/**
 * Drops an ended partition: 'dropped', 'live' (a session in it was extended: it stays), or 'busy' (the
 * lock did not come within its timeout: the next sweep tries again, this one does not fail).
 */
async function dropUnlessBusy(
  store: SqlStore,
  partition: SessionPartition,
  now: Date,
): Promise<'dropped' | 'live' | 'busy'> {
  try {
    return (await dropEndedPartition(store, partition, now)) ? 'dropped' : 'live';
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === LOCK_NOT_AVAILABLE) return 'busy';
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
  const kept: number[] = [];
  for (const partition of await listSessionPartitions(store)) {
    if (partition.bucket >= current) continue;
    const rows = await countPartitionRows(store, partition);
    const outcome = await dropUnlessBusy(store, partition, now);
    if (outcome === 'dropped') {
      removed += rows;
      onBatch(rows);
    } else if (outcome === 'live') kept.push(partition.bucket);
  }
  // Only where a live session keeps its partition: those rows cannot leave any other way.
  if (kept.length > 0) {
    removed += await deleteExpiredRows(store, { table: 'sessions', now, batchSize, buckets: kept, onBatch });
  }
  for (let bucket = current; bucket <= current + BUCKETS_AHEAD; bucket++) {
    await ensureSessionPartition(store, bucket);
  }
  return removed;
}
