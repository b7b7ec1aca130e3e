import { currentSessionBucket } from '../../domain/records/session-bucket.js';
import { deleteExpiredRows, EXPIRING_TABLES, type ExpiringTable } from './expiry/expired-rows.js';
import { dropEndedPartitions } from './expiry/partition-drop.js';
import { ensureSessionPartition, listSessionPartitions } from './expiry/session-partitions.js';
import { HEX_SESSIONS_TABLE, SessionDigestForms, type SessionTable } from './repos/sessions/digest-forms.js';
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

async function sweepSessionPartitions(
  store: SqlStore,
  now: Date,
  batchSize: number,
  onBatch: (deleted: number) => void,
): Promise<number> {
  const current = currentSessionBucket(now);
  const forms = new SessionDigestForms(store);
  // After migration 0009 the hex buckets have their own parent, swept the same way.
  const parents: SessionTable[] = (await forms.hasHexTable())
    ? ['sessions', HEX_SESSIONS_TABLE]
    : ['sessions'];
  let removed = 0;
  const present = new Set<number>();
  for (const parent of parents) {
    const partitions = await listSessionPartitions(store, parent);
    for (const partition of partitions) present.add(partition.bucket);
    const ended = partitions.filter((partition) => partition.bucket < current);
    const { dropped, live } = await dropEndedPartitions(store, ended, now);
    for (const partition of dropped) {
      removed += partition.rows;
      onBatch(partition.rows);
    }
    // Only where a live session keeps its partition: those rows cannot leave any other way.
    if (live.length > 0) {
      const buckets = live.map((partition) => partition.bucket);
      const relation = parent === HEX_SESSIONS_TABLE ? HEX_SESSIONS_TABLE : undefined;
      removed += await deleteExpiredRows(store, {
        table: 'sessions',
        relation,
        now,
        batchSize,
        buckets,
        onBatch,
      });
    }
  }
  for (let bucket = current; bucket <= current + BUCKETS_AHEAD; bucket++) {
    if (present.has(bucket)) continue;
    const { table } = await forms.place('', bucket);
    await ensureSessionPartition(store, bucket, table);
  }
  return removed;
}
